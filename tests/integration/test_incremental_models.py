"""A night rebuilds only what its exports changed (pipeline.model_state, issue 9), and what it
builds is exactly what a full build from the same files gives."""

import duckdb
import pytest

from pipeline.model_state import inputs_of
from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.conftest import write_dataset
from tests.sql.test_rp02_repairs import HOMES, LANDLORD, REPAIRS

COMPLAINTS_HEADER = "complaint_ref,home_ref,stage,received_date,acknowledged_date,responded_date\n"
COMPLAINTS_NIGHT_1 = COMPLAINTS_HEADER + (
    "C1,H1,1,2024-03-01,2024-03-04,\n"
    "C2,H1,1,2024-02-01,2024-02-02,2024-02-20\n"
    "C2,H1,2,2024-03-01,2024-03-01,\n"
)
# the next day: C1 answered, C2's stage 2 unchanged (open cases repeat), C3 new
COMPLAINTS_NIGHT_2 = COMPLAINTS_HEADER + (
    "C1,H1,1,2024-03-01,2024-03-04,2024-04-01\n"
    "C2,H1,2,2024-03-01,2024-03-01,\n"
    "C3,H2,1,2024-04-01,,\n"
)
REPAIRS_HEADER = REPAIRS.splitlines()[0] + "\n"
# J13 (open at 31 March) completed; J18 new
REPAIRS_NIGHT_2 = REPAIRS_HEADER + (
    "J13,H1,P1,,2024-03-30 10:00,,2024-04-01 09:00,completed\n"
    "J18,H1,P3,,2024-04-01 08:00,,,\n"
)
DECENT_HOMES = "home_ref,as_at,meets_standard\nH1,31/03/2024,N\nH1,31/03/2025,Y\n"
SAFETY = ("asset_ref,check_type,as_at,required,compliant\n"
          "H1,gas,31/03/2024,Y,Y\nH1,gas,31/03/2025,Y,N\n")
NIGHT_1 = {"homes.csv": HOMES, "landlord.toml": LANDLORD, "repairs_2024-03-31.csv": REPAIRS,
           "complaints_2024-03-31.csv": COMPLAINTS_NIGHT_1, "decent_homes.csv": DECENT_HOMES,
           "safety_checks.csv": SAFETY}
NIGHT_2 = {"repairs_2024-04-01.csv": REPAIRS_NIGHT_2, "complaints_2024-04-01.csv": COMPLAINTS_NIGHT_2}


def _how(config) -> dict[str, str]:
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        return dict(con.execute("select model, how from audit.model_state").fetchall())
    finally:
        con.close()


def _models(config) -> dict[str, list]:
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        tables = [f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('intermediate', 'marts', 'report')").fetchall()]
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
    finally:
        con.close()


@pytest.fixture
def two_nights(tmp_path):
    ds = write_dataset(tmp_path / "nightly", NIGHT_1)
    config = RunConfig.create(ds, tmp_path / "nightly-out", year=2024, render=False)
    refresh(config)
    for name, content in NIGHT_2.items():
        (ds / name).write_text(content)
    refresh(config)
    return ds, config


def test_a_night_recomputes_only_the_keys_its_exports_carry(two_nights):
    _, config = two_nights
    how = _how(config)
    assert how["intermediate.int_repairs_with_targets"] == "incremental: 2 key(s)"  # J13, J18
    assert how["intermediate.int_complaint_stages"] == "incremental: 3 key(s)"  # C1, C2, C3
    # nothing a night's repairs or complaints feed is rebuilt
    assert how["intermediate.int_homes_owned_at_year_end"] == "kept"
    assert how["marts.tsm_rp01_homes_not_meeting_decent_homes"] == "kept"
    assert how["intermediate.int_survey_weights"] == "kept"
    # what they feed is
    assert how["marts.tsm_rp02_repairs_completed_within_target"] == "rebuilt"


def test_the_nightly_warehouse_equals_a_full_build_from_the_same_files(two_nights, tmp_path):
    _, nightly = two_nights
    ds = write_dataset(tmp_path / "full", {**NIGHT_1, **NIGHT_2})
    full = RunConfig.create(ds, tmp_path / "full-out", year=2024, render=False)
    refresh(full)
    assert _how(full)["intermediate.int_repairs_with_targets"] == "rebuilt"
    nightly_models, full_models = _models(nightly), _models(full)
    assert nightly_models.keys() == full_models.keys()
    for table, rows in full_models.items():
        assert nightly_models[table] == rows, table
    repairs = nightly_models["intermediate.int_repairs_with_targets"]
    assert len(repairs) == 18
    with duckdb.connect(str(nightly.warehouse_path), read_only=True) as con:
        j13 = con.execute("select status from intermediate.int_repairs_with_targets "
                          "where job_ref = 'J13'").fetchall()
    assert j13 == [("completed",)]  # from the later export


def test_a_night_that_opens_a_reporting_year_adds_only_that_year(two_nights, tmp_path):
    ds, nightly = two_nights
    # the first complaint of 2025/26 (the data so far reaches 2024/25)
    night_3 = {"complaints_2025-04-02.csv": COMPLAINTS_HEADER + "C4,H1,1,2025-04-02,,\n"}
    for name, content in night_3.items():
        (ds / name).write_text(content)
    refresh(nightly)
    how = _how(nightly)
    assert how["intermediate.int_reporting_years"] == "rebuilt"
    # homes owned at 31 March 2026 are added; the earlier years' rows stay as they were
    assert how["intermediate.int_homes_owned_at_year_end"] == "incremental: 1 key(s)"
    assert how["marts.tsm_rp01_homes_not_meeting_decent_homes"] == "incremental: 1 key(s)"
    assert how["marts.tsm_bs01_bs05_building_safety_checks"] == "incremental: 1 key(s)"
    full_ds = write_dataset(tmp_path / "full3", {**NIGHT_1, **NIGHT_2, **night_3})
    full = RunConfig.create(full_ds, tmp_path / "full3-out", year=2024, render=False)
    refresh(full)
    nightly_models, full_models = _models(nightly), _models(full)
    for table, rows in full_models.items():
        assert nightly_models[table] == rows, table
    bs01 = [r for r in nightly_models["marts.tsm_bs01_bs05_building_safety_checks"]
            if r[2] == "BS01"]
    # H1 (LCRA) gas checked and compliant at 31 March 2024, not 2025; no checks at 2026
    assert [(r[0], r[5], r[6]) for r in bs01] == [(2024, 1.0, 1.0), (2025, 0.0, 1.0),
                                                  (2026, 0.0, 0.0)]


def test_a_change_to_another_input_rebuilds_the_whole_model(two_nights):
    ds, config = two_nights
    # H1 becomes shared ownership: every repair of H1 changes tenure, not only tonight's keys
    (ds / "homes.csv").write_text("home_ref,tenure\nH1,LCHO\nH2,leasehold\n")
    refresh(config)
    how = _how(config)
    assert how["intermediate.int_repairs_with_targets"] == "rebuilt"
    assert how["intermediate.int_homes_owned_at_year_end"] == "rebuilt"
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        assert con.execute("select count(*) from intermediate.int_repairs_with_targets t "
                           "join staging.repairs s using (job_ref) "
                           "where s.home_ref = 'H1' and t.tenure <> 'LCHO'").fetchone()[0] == 0
    finally:
        con.close()


def test_a_changed_landlord_toml_rebuilds_everything(two_nights):
    ds, config = two_nights
    (ds / "landlord.toml").write_text(LANDLORD.replace("hours = 24", "hours = 4"))
    refresh(config)
    how = _how(config)
    assert set(how.values()) == {"rebuilt"}


def test_inputs_are_the_relations_a_model_names():
    body = ("with r as (select * from staging.repairs), h as (select * from staging.homes)\n"
            "select * from r join params.calendar c on true "
            "join intermediate.int_reporting_years y on true -- staging.repairs_rows")
    assert inputs_of(body, "intermediate.x") == [
        "intermediate.int_reporting_years", "params.calendar", "staging.homes", "staging.repairs",
        "staging.repairs_rows"]
