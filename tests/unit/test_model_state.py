"""How a model's inputs are versioned and what a change says about the keys it touched
(pipeline.model_state); the end-to-end behaviour is in tests/integration/test_incremental_models.py."""

import duckdb
import pytest

from pipeline.model_state import ModelState


@pytest.fixture
def state():
    con = duckdb.connect(":memory:")
    for schema in ("audit", "intermediate", "staging"):
        con.execute(f"create schema {schema}")
    con.execute("create table audit.loads (load_id INTEGER, source VARCHAR)")
    yield ModelState(con, "config")
    con.close()


def test_a_version_changes_when_columns_are_swapped_renamed_or_retyped(state):
    con = state.con
    versions = []
    for ddl in ("select 1::INTEGER as a, 2::INTEGER as b from range(600)",   # 600 rows: hashed
                "select 2::INTEGER as a, 1::INTEGER as b from range(600)",   # swapped values
                "select 1::INTEGER as b, 2::INTEGER as a from range(600)",   # swapped labels
                "select 1::BIGINT as a, 2::BIGINT as b from range(600)",     # wider integers
                "select 1::INTEGER as a, 2::INTEGER as b"):                  # tiny: rows listed
        con.execute(f"create or replace table intermediate.t as {ddl}")
        versions.append(state.content("intermediate", "t"))
    assert len(set(versions)) == len(versions)
    con.execute("create or replace table intermediate.t as select 12.35::DECIMAL(5,2) as a")
    decimal = state.content("intermediate", "t")
    con.execute("create or replace table intermediate.t as select 12.35::DOUBLE as a")
    assert state.content("intermediate", "t") != decimal


def test_the_keys_a_tiny_table_changed_count_repeated_rows(state):
    con = state.con
    con.execute("create table intermediate.y as select * from (values (2024), (2024), (2025)) v(end_year)")
    old = state.content("intermediate", "y")
    con.execute("create or replace table intermediate.y as select * from (values (2024), (2025)) v(end_year)")
    new = state.content("intermediate", "y")
    query = state._changed_keys("intermediate.y", "end_year", old, new)
    assert [r[0] for r in con.execute(query).fetchall()] == [2024]
    # a renamed column cannot say which keys changed: the model is rebuilt whole
    con.execute("create or replace table intermediate.y as select * from (values (2024), (2025)) v(year)")
    assert state._changed_keys("intermediate.y", "end_year", new,
                               state.content("intermediate", "y")) is None


def test_new_loads_are_compared_as_numbers_not_text(state):
    con = state.con
    con.execute("create table staging.repairs_rows (load_id INTEGER, job_ref VARCHAR)")
    con.execute("insert into staging.repairs_rows values (1, 'A'), (3, 'B'), (23, 'C')")
    # load 2 gone and 23 added is not "new loads only", although the text starts the same
    assert state._changed_keys("staging.repairs", "job_ref", "loads 1,2", "loads 1,23") is None
    query = state._changed_keys("staging.repairs", "job_ref", "loads 1", "loads 1,3,23")
    assert sorted(r[0] for r in con.execute(query).fetchall()) == ["B", "C"]
