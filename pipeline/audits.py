"""Checks run on every refresh; a failure stops the run (outputs.md: never a partial report
that looks complete)."""

from __future__ import annotations

import duckdb

from pipeline.errors import ContractError
from pipeline.sqltext import ident
from schemas.inputs import INPUT_SPECS


def rows_not_accounted_for(con: duckdb.DuckDBPyConnection, run_id: int | None = None) -> list[tuple]:
    """Loads whose rows read differ from rows staged + rows quarantined, or that have a row
    both staged and quarantined: every raw row is in one of the two, never both or neither.
    With run_id, only that run's loads (an earlier load's rows were checked by its own run
    and never change after it)."""
    only = "" if run_id is None else f"where load_id in (select load_id from audit.loads where run_id = {int(run_id)})"
    staged = " union all ".join(
        f"select load_id, source_row from staging.{ident(spec.name + '_rows')} {only}"
        for spec in INPUT_SPECS.values()
    )
    return con.execute(
        f"""with staged as ({staged}),
        quarantined as (select distinct load_id, source_row from quarantine.rows {only}),
        raw_rows as (
            {" union all ".join(f"select load_id, source_row from raw.{ident(s)} {only}" for s in INPUT_SPECS)}
        ),
        counts as (
            select loads.load_id, loads.source_file, loads.rows_read,
                (select count(*) from staged s where s.load_id = loads.load_id) as n_staged,
                (select count(*) from quarantined q where q.load_id = loads.load_id) as n_quarantined,
                (select count(*) from staged s join quarantined q using (load_id, source_row)
                 where s.load_id = loads.load_id) as n_both,
                (select count(*) from raw_rows r anti join staged s using (load_id, source_row)
                 anti join quarantined q using (load_id, source_row)
                 where r.load_id = loads.load_id) as n_neither
            from audit.loads loads {only})
        select * from counts
        where rows_read <> n_staged + n_quarantined or n_both > 0 or n_neither > 0"""
    ).fetchall()


def assert_every_row_accounted_for(con: duckdb.DuckDBPyConnection, run_id: int | None = None) -> None:
    bad = rows_not_accounted_for(con, run_id)
    if bad:
        detail = "; ".join(
            f"{r[1]}: read {r[2]}, staged {r[3]}, quarantined {r[4]}, both {r[5]}, neither {r[6]}"
            for r in bad
        )
        raise ContractError(f"rows lost or double-counted between raw, staging and quarantine: {detail}")
