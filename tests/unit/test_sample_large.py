"""The large-landlord generator (pipeline.sample_large, issue 9) at a tiny scale: every file
of the contract, the same bytes on every run, and a refresh that stages every row."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.run import refresh
from pipeline.sample_large import Scale, main
from pipeline.settings import RunConfig

TINY = ["--repairs", "2000", "--homes", "300"]
DATASET_FILES = {"homes.csv", "repairs.csv", "complaints.csv", "asb_cases.csv",
                 "survey_responses.csv", "survey_population.csv", "safety_checks.csv",
                 "decent_homes.csv", "landlord.toml", "survey.toml"}
EXTRA_FILES = {"repairs_2025-04-01.csv", "complaints_2025-04-01.csv", "asb_cases_2025-04-01.csv"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample_large")
    for run in ("a", "b"):
        assert main([*TINY, "--out", str(root / run / "data"),
                     "--extra-day", str(root / run / "extra")]) == 0
    return root


def _bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_every_file_is_written(generated):
    assert {p.name for p in (generated / "a" / "data").iterdir()} == DATASET_FILES
    assert {p.name for p in (generated / "a" / "extra").iterdir()} == EXTRA_FILES
    repairs = (generated / "a" / "data" / "repairs.csv").read_text().splitlines()
    assert repairs[0] == ("job_ref,home_ref,priority,repair_type,reported_at,target_at,"
                          "completed_at,status,tenure")
    assert len(repairs) == 2001
    for name in EXTRA_FILES:
        assert len((generated / "a" / "extra" / name).read_text().splitlines()) > 1, name


def test_two_runs_give_identical_bytes(generated):
    for folder in ("data", "extra"):
        assert _bytes(generated / "a" / folder) == _bytes(generated / "b" / folder)


def test_named_scales():
    large = Scale.named("large")
    assert (large.homes, large.repairs, large.complaint_stages, large.asb_cases,
            large.survey_responses) == (150_000, 10_000_000, 1_000_000, 300_000, 100_000)
    assert Scale.named("medium").repairs == 1_000_000


def test_refresh_stages_every_row_then_the_extra_day(generated, tmp_path):
    data = generated / "a" / "data"
    config = RunConfig.create(data, tmp_path / "out", year=2024, render=False)
    result = refresh(config)
    assert result.summary.files_loaded == 8
    assert result.summary.rows_quarantined == 0
    assert result.summary.rows_staged == result.summary.rows_read > 2000
    dataset = tmp_path / "with-extra"
    dataset.mkdir()
    for folder in (data, generated / "a" / "extra"):
        for path in folder.iterdir():
            (dataset / path.name).write_bytes(path.read_bytes())
    config = RunConfig.create(dataset, tmp_path / "out", year=2024, render=False)
    result = refresh(config)
    assert result.summary.rows_quarantined == 0
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        years = [r[0] for r in con.execute(
            "select end_year from intermediate.int_reporting_years order by 1").fetchall()]
        quarantined = con.execute("select count(*) from quarantine.rows").fetchone()[0]
        today = con.execute("select count(*) from staging.repairs "
                            "where reported_at::DATE = date '2025-04-01'").fetchone()[0]
    finally:
        con.close()
    assert quarantined == 0
    assert years[:10] == list(range(2016, 2026))
    assert today > 0
