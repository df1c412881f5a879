"""Write outputs/<year>/: tsm.csv, complaints_kpis.csv, data_quality.csv, then report.html.

Everything is written into a temporary folder and moved into place only when all of it
succeeded, so a failed run never leaves a partial report looking complete (outputs.md).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from pipeline.errors import ContractError
from pipeline.landlord import Landlord
from pipeline.report.data_return import data_return_table, write_data_return_xlsx
from pipeline.report.safe_cells import write_csv
from pipeline.rounding import published
from pipeline.run_guard import check_interrupted, environment_error, pause_for_tests
from pipeline.settings import RunConfig
from pipeline.survey.accuracy import accuracy_table
from pipeline.survey.config import SurveyYear, read_survey_config
from pipeline.survey.representativeness import representativeness_table, weighting_table
from pipeline.survey.summary import summary_of_approach
from pipeline.warehouse import connect

TSM_COLUMNS = ["measure_code", "measure_part", "tenure", "description", "numerator", "denominator",
               "value", "unit", "published", "status", "status_reason"]
KPI_COLUMNS = ["year", "stage", "kpi", "breakdown", "group", "count", "denominator", "value", "unit",
               "suppressed", "status", "status_reason", "denominator_description"]
# breakdowns that are the year's figures, not groups of residents: never suppressed
# (complaints.md, "Small numbers": the four outcomes per stage are shares of the stage's total)
UNSUPPRESSED_BREAKDOWNS = ("total", "outcome")
# published by the Ombudsman itself, or a survey total as in tsm.csv: never suppressed
UNSUPPRESSED_KPI_PREFIXES = ("ombudsman", "complaint_handling_failure", "tp09")
DQ_COLUMNS = ["category", "source", "source_file", "item", "count", "message"]


def tsm_table(con, end_year: int) -> pd.DataFrame:
    frame = con.execute(
        "select * from report.report_tsm_publication_table where end_year = ? order by sort_order, "
        "case tenure when 'LCRA' then 1 when 'LCHO' then 2 else 3 end", [end_year]
    ).df()
    frame["published"] = [
        published(n, d, u) if s in ("ok", "provisional") else ""
        for n, d, u, s in zip(frame["numerator"], frame["denominator"], frame["unit"], frame["status"])
    ]
    frame["status_reason"] = frame["status_reason"].fillna("")
    # weighted survey counts are published to 2 dp (outputs.md); whole counts stay whole
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].round(2)
    check_tsm_contract(frame, expected_tsm_rows(con, end_year))
    return frame[TSM_COLUMNS]


def expected_tsm_rows(con, end_year: int) -> set[tuple[str, str, str]]:
    """Every measure part and tenure tsm.md lists for the 22 measures, LCHO where the landlord
    owns LCHO homes at year end."""
    return set(con.execute(
        """select m.measure_code, coalesce(m.measure_part, ''), t.tenure
           from (select *, unnest(string_split(tenures, ';')) as tenure from params.measures) m
           join intermediate.int_tsm_tenure_groups t on t.tenure = m.tenure and t.end_year = ?""",
        [end_year]).fetchall())


def check_tsm_contract(frame: pd.DataFrame, expected: set[tuple[str, str, str]] | None = None) -> None:
    """tsm.csv fails the run if a row is missing, duplicated, or a percentage lies outside
    0-100 (issue 10), or a measure marked ok has no value."""
    keys = frame[["measure_code", "measure_part", "tenure"]]
    if expected is not None:
        missing = expected - set(map(tuple, keys.values.tolist()))
        if missing:
            raise ContractError(f"tsm.csv is missing row(s): {sorted(missing)}")
        if keys["measure_code"].nunique() != 22:
            raise ContractError(f"tsm.csv has {keys['measure_code'].nunique()} measures, not 22")
    if keys.duplicated().any():
        raise ContractError(f"tsm.csv would repeat rows: {keys[keys.duplicated()].values.tolist()}")
    pct = frame[(frame["unit"] == "percent") & frame["value"].notna()]
    if ((pct["value"] < 0) | (pct["value"] > 100)).any():
        raise ContractError("tsm.csv: a percentage lies outside 0-100")
    ok_without_value = frame[frame["status"].isin(["ok", "provisional"]) & frame["value"].isna()]
    if len(ok_without_value):
        raise ContractError("tsm.csv: a measure marked ok or provisional has no value")
    figures_not_available = frame[(frame["status"] == "not_available") & frame["value"].notna()]
    if len(figures_not_available):
        raise ContractError("tsm.csv: a measure marked not_available has a value")


def kpi_table(con, end_year: int, small_number_threshold: int = 5) -> pd.DataFrame:
    """complaints_kpis.csv. A breakdown row (month, quarter, category, service area, channel,
    tenure, vulnerability, refusal and extension reasons) whose count or group size is 1 to
    threshold - 1 could identify a resident: its figures are blanked and it is marked
    suppressed. The year's totals per stage, the four outcomes, Housing Ombudsman figures
    and TP09 are never suppressed (complaints.md, "Small numbers")."""
    frame = con.execute(
        """select year_label as year, stage, kpi, breakdown, group_value as "group", count,
                  denominator, value, unit, status, coalesce(status_reason, '') as status_reason,
                  denominator_description
           from marts.chc_complaint_kpis where end_year = ?
           order by stage, kpi, breakdown, group_value""", [end_year]
    ).df()
    small = lambda s: s.between(1, small_number_threshold - 1)  # noqa: E731
    is_breakdown = (~frame["breakdown"].isin(UNSUPPRESSED_BREAKDOWNS)
                    | frame["kpi"].str.startswith("vulnerable_"))
    exempt = frame["kpi"].str.startswith(UNSUPPRESSED_KPI_PREFIXES)
    frame["suppressed"] = is_breakdown & ~exempt & (small(frame["count"]) | small(frame["denominator"]))
    frame.loc[frame["suppressed"], ["count", "denominator", "value"]] = None
    return frame[KPI_COLUMNS]


def small_number_threshold(landlord: Landlord) -> int:
    """landlord.toml `small_number_threshold`, checked when the file was read (default 5)."""
    return landlord.small_number_threshold


def data_quality_table(con, end_year: int) -> pd.DataFrame:
    frame = con.execute(
        "select * from report.report_data_quality where end_year is null or end_year = ?", [end_year]
    ).df()
    return frame[DQ_COLUMNS]


def survey_tables(con, config: RunConfig) -> dict[str, pd.DataFrame]:
    period = config.period
    survey = read_survey_config(config.dataset_dir).get(period.label, SurveyYear(period.label))
    accuracy = accuracy_table(con, period.end_year, period.label, survey)
    represent = representativeness_table(con, period.end_year, period.label, survey)
    weighting = weighting_table(con, period.end_year)
    summary = summary_of_approach(con, period.end_year, period.label, survey, accuracy, represent,
                                  weighting)
    return {
        "survey_accuracy.csv": accuracy,
        "survey_representativeness.csv": represent,
        "survey_weighting.csv": weighting,
        "survey_summary_of_approach.csv": summary,
    }


STAGING_FOLDER = re.compile(r"^\.\d{4}-\d{2}-")  # outputs/.2023-24-<random>: mkdtemp below


def remove_stale_staging(outputs_dir: Path) -> list[Path]:
    """Remove the hidden staging folders (outputs/.<year>-*) a killed run left behind. Called
    under the warehouse lock (pipeline.run.report), so no live run holds any of them."""
    removed = []
    if not outputs_dir.is_dir():
        return removed
    for path in sorted(outputs_dir.iterdir()):
        if STAGING_FOLDER.match(path.name) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def write_outputs(config: RunConfig, landlord: Landlord) -> Path:
    end_year = config.period.end_year
    con = connect(config.warehouse_path, read_only=True)
    try:
        tables = {
            "tsm.csv": tsm_table(con, end_year),
            "complaints_kpis.csv": kpi_table(con, end_year, small_number_threshold(landlord)),
            "data_quality.csv": data_quality_table(con, end_year),
            **survey_tables(con, config),
            "data_return.csv": data_return_table(con, config),
        }
    finally:
        con.close()
    kept = f"{config.year_dir} was not changed"
    try:
        config.outputs_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(config.outputs_dir)
        staging_dir = Path(tempfile.mkdtemp(prefix=f".{config.period.path_label}-",
                                            dir=config.outputs_dir))
    except OSError as exc:
        raise (environment_error(exc, config.outputs_dir, kept) or exc) from None
    try:
        for name, frame in tables.items():
            write_csv(frame, staging_dir / name, float_format="%.15g")
        write_data_return_xlsx(tables["data_return.csv"], staging_dir / "data_return.xlsx",
                               landlord.name, config.period.label)
        if config.render:
            from pipeline.report.render import render_report

            render_report(config.warehouse_path, end_year, staging_dir, landlord.name,
                          dataset_dir=config.dataset_dir)
        pause_for_tests("outputs_staged")
        check_interrupted()
        _swap_in(staging_dir, config.year_dir)
    except BaseException as exc:
        shutil.rmtree(staging_dir, ignore_errors=True)
        failure = environment_error(exc, config.year_dir, kept)
        if failure is not None:
            raise failure from None
        raise
    return config.year_dir


def _swap_in(staging_dir: Path, final: Path) -> None:
    """Put the finished folder in place of outputs/<year>: the old one is first renamed to a
    hidden staging name, so a run killed between the two renames leaves only folders the next
    run removes, never half of one."""
    old = None
    if final.is_dir() and not final.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}-old-", dir=final.parent))
        final.rename(old)  # onto the empty folder mkdtemp made: rename(2) replaces it
    elif final.exists() or final.is_symlink():
        final.unlink()
    try:
        staging_dir.rename(final)
    except BaseException:
        if old is not None:
            old.rename(final)  # put the previous outputs back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
