"""Which years the data covers (outputs.md; issue 18): a year after the data is refused, a
year a dated export cuts short is provisional with its date, a year a source does not reach
is not_available with the reason, never a zero; year-end positions never carried forward."""

from __future__ import annotations

import pytest

from pipeline.periods import ReportingPeriod, YearError
from pipeline.run import choose_period
from pipeline.settings import RunConfig

HOMES = ("home_ref,tenure,acquired_date\n"
         "H1,LCRA,\nH2,LCRA,\nH3,LCHO,\nH4,LCRA,2024-12-01\n")
# the latest export was taken on 30 September 2024: 2024/25 is half covered
COMPLAINTS = ("complaint_ref,stage,received_date,acknowledged_date,responded_date\n"
              "C1,1,2023-05-01,2023-05-02,2023-05-10\n"
              "C2,1,2024-06-10,2024-06-11,2024-06-20\n"
              "C3,1,2024-09-02,2024-09-03,\n")
SAFETY = ("as_at,check_type,asset_ref,required,compliant\n"
          "2024-03-31,gas,H1,Y,Y\n2024-03-31,gas,H2,Y,N\n")


def row(con, code, part="", tenure="ALL", year=2025):
    return con.execute(
        """select numerator, denominator, value, status, status_reason
           from report.report_tsm_publication_table
           where end_year = ? and measure_code = ? and measure_part = ? and tenure = ?""",
        [year, code, part, tenure]).fetchone()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Built once for the module's tests, which only read it."""
    import duckdb

    from pipeline.run import refresh
    from tests.conftest import write_dataset

    root = tmp_path_factory.mktemp("coverage")
    dataset = write_dataset(root / "ds", {"complaints_2024-09-30.csv": COMPLAINTS,
                                          "homes.csv": HOMES, "safety_checks.csv": SAFETY,
                                          "asb_cases.csv": "case_ref,opened_date\n"})
    config = RunConfig.create(dataset, root / "ds-out", year=2025, render=False)
    refresh(config)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    yield root, con
    con.close()


@pytest.fixture
def con(built):
    return built[1]


def test_a_year_the_latest_export_cuts_short_is_provisional_with_its_date(con):
    # C2, C3 received in 2024/25 by LCRA tenants; H1, H2 and H4 (acquired December 2024)
    # owned at 31 March 2025: 2 / 3 x 1000
    n, d, value, status, reason = row(con, "CH01", "stage_1", "LCRA")
    assert (n, d, status) == (2, 3, "provisional")
    assert value == pytest.approx(2000 / 3)
    assert reason == "year to date: complaints data as at 30 September 2024"
    # the year before is complete: C1 of H1, H2 (H4 not yet acquired)
    assert row(con, "CH01", "stage_1", "LCRA", year=2024)[:4] == (1, 2, 500.0, "ok")


def test_a_year_end_position_is_never_carried_forward(con):
    # safety checks dated 31 March 2024 only: 2024/25 has no position, not 2023/24's
    assert row(con, "BS01", year=2024)[:4] == (1, 2, 50.0, "ok")
    n, d, value, status, reason = row(con, "BS01")
    assert (n, d, value, status) == (None, None, None, "not_available")
    assert reason == "no building safety position dated in 2024/25 (the data ends 31 March 2024)"


def test_an_export_with_no_rows_is_a_true_zero_in_the_years_other_data_covers(con):
    assert row(con, "NM01", "asb", year=2024)[:4] == (0, 3, 0.0, "ok")


def test_a_source_absent_from_the_dataset_is_named(con):
    assert row(con, "RP02", "emergency", "LCRA")[3:] == ("not_available", "no repairs.csv in the dataset")


def test_a_year_after_the_data_is_refused_naming_the_last_year_covered(built):
    tmp_path = built[0]
    config = RunConfig.create(tmp_path / "ds", tmp_path / "ds-out", year=2026, render=False)
    with pytest.raises(YearError, match=r"no data covers 2025/26 .*the latest year the data covers "
                                        r"is 2024/25 \(YEAR=2025\)"):
        choose_period(config)
    # no YEAR: the latest complete year, 2023/24 (2024/25 is year to date)
    period, note = choose_period(RunConfig.create(tmp_path / "ds", tmp_path / "ds-out", render=False))
    assert period == ReportingPeriod(2024)
    assert note == "no YEAR given: 2023/24, the latest complete year the data covers"


def test_the_year_2031_is_never_built(con):
    assert [r[0] for r in con.execute(
        "select end_year from intermediate.int_reporting_years order by 1").fetchall()] == [2024, 2025]


def test_data_as_at_dates_undated_exports_and_a_dated_stock_register_its_position(build):
    # undated complaints with data_as_at: 2024/25 is year to date; the stock register
    # exported on 30 September 2024 gives the position then, not at 31 March 2025 (H4,
    # acquired in December, is not counted; H9 of the older undated register is: a key
    # missing from a later export keeps its last-seen row)
    con = build({"homes_2024-09-30.csv": HOMES, "homes.csv": "home_ref,tenure\nH9,LCRA\n",
                 "complaints.csv": COMPLAINTS, "landlord.toml": "data_as_at = 2024-09-30\n"},
                year=2025)
    n, d, _, status, reason = row(con, "CH01", "stage_1", "LCRA")
    assert (n, d, status) == (2, 3, "provisional")
    assert reason == "year to date: complaints data as at 30 September 2024"
    assert con.execute("select position_date from intermediate.int_reporting_years "
                       "where end_year = 2025").fetchone()[0].isoformat() == "2024-09-30"


def test_a_stock_register_alone_reports_any_year_with_every_measure_not_available(build, tmp_path):
    con = build({}, year=2031)
    statuses = {r[0] for r in con.execute(
        "select status from report.report_tsm_publication_table where end_year = 2031").fetchall()}
    assert statuses == {"not_available"}
    config = RunConfig.create(tmp_path / "ds", tmp_path / "ds-out", year=2031, render=False)
    assert choose_period(config)[0] == ReportingPeriod(2031)
