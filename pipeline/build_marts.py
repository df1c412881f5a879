"""params -> intermediate -> marts -> audits, all inside DuckDB.

Marts hold every reporting year the data covers (for trends); the report picks one.
Within a layer, files run in the order listed here when one reads another, else
alphabetically.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.errors import ContractError
from pipeline.landlord import Landlord
from pipeline.model_state import Built, ModelState, code_fingerprint
from pipeline.periods import ReportingPeriod
from pipeline.repair_priorities import check_every_priority_is_mapped, load_priorities
from pipeline.survey.weights import compute_weights
from pipeline.warehouse import SQL_DIR
from pipeline.working_days import build_calendar

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
LAYER_ORDER = ("intermediate", "marts", "report")
# An intermediate that reads another intermediate is listed after it here.
FIRST_IN_LAYER = {
    "intermediate": ("int_input_files", "int_input_sources", "int_reporting_years",
                     "int_source_coverage",
                     "int_homes_owned_at_year_end",
                     "int_repairs_with_targets", "int_survey_answers",
                     "int_complaint_stages", "int_tsm_tenure_groups", "int_complaints_made_in_year"),
    "marts": ("tsm_ch01_complaints_relative_to_size",
              "tsm_ch02_complaints_responded_within_code_timescales"),
    "report": ("report_tsm_publication_table", "report_data_quality"),
}


def load_reference_tables(con: duckdb.DuckDBPyConnection, landlord: Landlord) -> None:
    build_calendar(con, landlord.closure_days)
    load_priorities(con, landlord)
    check_every_priority_is_mapped(con)
    con.execute(
        f"""create or replace table params.code_versions as
        select * from read_csv('{REFERENCE_DIR / 'complaint_handling_code_versions.csv'}',
            header = true, auto_detect = true)"""
    )
    con.execute(
        f"""create or replace table params.perception_questions as
        select * from read_csv('{REFERENCE_DIR / 'perception_questions.csv'}', header = true,
            all_varchar = true)"""
    )
    con.execute(
        f"""create or replace table params.measures as
        select * from read_csv('{REFERENCE_DIR / 'measures.csv'}', header = true,
            auto_detect = true, types = {{'measure_part': 'VARCHAR'}})"""
    )


def set_data_as_at(con: duckdb.DuckDBPyConnection, landlord: Landlord) -> None:
    """params.data_as_at: landlord.toml's data_as_at, the date exports whose names carry
    none were taken (outputs.md, "Which years the data covers"); no row when not given."""
    value = landlord.settings.get("data_as_at")
    con.execute("create or replace table params.data_as_at (data_as_at DATE)")
    if value is not None:
        con.execute("insert into params.data_as_at values (?)", [value])


def set_requested_period(con: duckdb.DuckDBPyConnection, period: ReportingPeriod | None) -> None:
    con.execute("create or replace table params.requested_years (end_year INTEGER)")
    if period is not None:
        con.execute("insert into params.requested_years values (?)", [period.end_year])


def sql_files(layer: str) -> list[Path]:
    folder = SQL_DIR / layer
    files = sorted(folder.glob("*.sql"))
    first = FIRST_IN_LAYER.get(layer, ())
    ordered = [folder / f"{name}.sql" for name in first]
    return ordered + [f for f in files if f not in ordered]


def build_marts(con: duckdb.DuckDBPyConnection, landlord: Landlord, period: ReportingPeriod | None,
                surveys: dict | None = None) -> list[Built]:
    """Build every model, keeping those whose inputs did not change and bringing keyed ones
    up to date for the keys new loads carry (pipeline.model_state)."""
    load_reference_tables(con, landlord)
    set_data_as_at(con, landlord)
    set_requested_period(con, period)
    row = con.execute("select config_fingerprint from audit.runs where config_fingerprint "
                      "is not null order by run_id desc limit 1").fetchone()
    state = ModelState(con, (row[0] if row else "") + code_fingerprint())
    built = [weights_step(con, state, surveys or {})]
    for layer in LAYER_ORDER:
        for path in sql_files(layer):
            built.append(state.build(path))
    return built


def weights_step(con: duckdb.DuckDBPyConnection, state: ModelState, surveys: dict) -> Built:
    """intermediate.int_survey_weights, computed again only when the survey files or
    survey.toml changed (pipeline.survey.weights is the one model built in pandas)."""
    model = "intermediate.int_survey_weights"
    inputs = {r: state.version(r) for r in ("staging.survey_population", "staging.survey_responses")}
    inputs["survey.toml"] = repr(sorted(surveys.items()))
    fingerprint = state.fingerprint("compute_weights", inputs)
    if state.keep(model, fingerprint):
        return Built(model, "kept")
    compute_weights(con, surveys)
    return state.built(model, fingerprint, inputs, "rebuilt")


def run_audits(con: duckdb.DuckDBPyConnection) -> None:
    """Each audit is a query returning the rows that break a rule; none may come back."""
    for path in sorted((SQL_DIR / "audits").glob("*.sql")):
        bad = con.execute(path.read_text(encoding="utf-8")).fetchall()
        if bad:
            sample = "; ".join(str(r) for r in bad[:5])
            raise ContractError(f"audit {path.stem} failed for {len(bad)} row(s): {sample}")
