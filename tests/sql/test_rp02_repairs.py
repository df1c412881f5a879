"""RP02 on a tiny hand-made repairs log; each deadline counted by hand on a calendar."""

import pytest

from pipeline.errors import PipelineError
from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.conftest import write_dataset

LANDLORD = """name = "Test Homes"
[priorities.P1]
class = "emergency"
hours = 24
[priorities.p2]
class = "non_emergency"
working_days = 5
[priorities.P3]
class = "non_emergency"
calendar_days = 28
"""
HOMES = "home_ref,tenure\nH1,LCRA\nH2,leasehold\n"
REPAIRS = (
    "job_ref,home_ref,priority,repair_type,reported_at,target_at,completed_at,status\n"
    # emergency, 24 hours, across midnight: 22.5 h within, 24.5 h late
    "J1,H1,P1,,2023-11-10 22:30,,2023-11-11 21:00,\n"
    "J2,H1,p1,responsive,10/11/2023 22:30,,11/11/2023 23:00,completed\n"
    # 5 WD from Thu 28 Mar 2024: Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 Apr (Easter) -> within, 2024/25
    "J3,H1,P2,,2024-03-28 10:00,,2024-04-08 16:00,\n"
    # 5 WD from Fri 22 Dec 2023: 27, 28, 29 Dec, 2, 3 Jan -> completed 3 Jan within
    "J4,H1,P2,,2023-12-22 09:00,,2024-01-03 08:00,\n"
    # reported Sat 16 Sep 2023: counts from Mon 18; +5 = Mon 25 Sep
    "J5,H1,P2,,2023-09-16 11:00,,2023-09-25 17:00,\n"
    "J6,H1,P2,,2023-09-16 11:00,,2023-09-26 09:00,\n"
    # 28 calendar days from 1 May 2023: day 28 is Mon 29 May
    "J7,H1,P3,,2023-05-01 08:00,,2023-05-29 17:00,\n"
    "J8,H1,P3,,2023-05-01 08:00,,2023-05-30 09:00,\n"
    # target_at overrides: for a target in days the last day lasts all day, even if the system
    # wrote a time (J9, J10 within); for a target in hours the time is exact (J16 late)
    "J9,H1,P2,,2023-05-30 08:00,2023-06-02,2023-06-02 18:00,\n"
    "J10,H1,P2,,2023-05-30 08:00,2023-06-02 12:00,2023-06-02 13:00,\n"
    "J16,H1,P1,,2023-06-01 08:00,2023-06-01 20:00,2023-06-01 21:00,\n"
    "J17,H1,P3,,2023-06-01 08:00,2023-06-05 12:00,2023-06-06 09:00,\n"
    # out of RP02: cancelled, planned, open, a leaseholder's home
    "J11,H1,P1,,2023-06-01 10:00,,2023-06-01 12:00,cancelled\n"
    "J12,H1,P3,planned,2023-06-01 10:00,,2023-06-05 12:00,\n"
    "J13,H1,P1,,2024-03-30 10:00,,,open\n"
    "J14,H2,P1,,2023-06-01 10:00,,2023-06-01 12:00,\n"
    # reported in 2022/23, completed in 2023/24: counts in 2023/24, within 28 days
    "J15,H1,P3,,2023-03-30 10:00,,2023-04-02 10:00,\n"
)


@pytest.fixture
def con(build):
    return build({"homes.csv": HOMES, "repairs.csv": REPAIRS, "landlord.toml": LANDLORD})


def rp02(con, part, year=2024):
    return con.execute(
        """select numerator, denominator, value, status from report.report_tsm_publication_table
           where end_year = ? and measure_code = 'RP02' and measure_part = ?""", [year, part]
    ).fetchone()


def test_emergency_repairs_in_hours_across_midnight(con):
    assert rp02(con, "emergency")[:2] == (1, 3)  # J1 within; J2 late, J16 late (exact target_at)


def test_non_emergency_working_and_calendar_days(con):
    # within: J4, J5, J7, J9, J10, J15; late: J6, J8, J17 (a day after its target_at)
    assert rp02(con, "non_emergency")[:3] == (6, 9, 200 / 3)


def test_a_job_counts_in_the_year_it_is_completed(con):
    assert rp02(con, "non_emergency", year=2025)[:2] == (1, 1)  # J3, over Easter


def test_targets_per_job(con):
    rows = dict(con.execute(
        "select job_ref, coalesce(target_deadline_at::VARCHAR, target_deadline_date::VARCHAR) "
        "from intermediate.int_repairs_with_targets").fetchall())
    assert rows["J1"] == "2023-11-11 22:30:00"
    assert rows["J3"] == "2024-04-08"
    assert rows["J4"] == "2024-01-03"
    assert rows["J5"] == "2023-09-25"
    assert rows["J7"] == "2023-05-29"


def test_each_job_traces_to_its_input_row_through_staging(con):
    """D43: the targets table keeps the job's key, not copies of its other fields; one join
    on job_ref gives the file and row a figure came from."""
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'intermediate' and table_name = 'int_repairs_with_targets'"
    ).fetchall()}
    assert {"home_ref", "target_at", "source_file", "source_row"}.isdisjoint(columns)
    traced = con.execute(
        "select t.job_ref, s.home_ref, s.source_row, t.is_within_target "
        "from intermediate.int_repairs_with_targets t join staging.repairs s using (job_ref) "
        "where t.job_ref in ('J1', 'J7') order by t.job_ref").fetchall()
    assert traced == [("J1", "H1", 2, True), ("J7", "H1", 8, True)]


def test_a_priority_code_with_no_mapping_is_a_clear_error(tmp_path):
    ds = write_dataset(tmp_path / "ds", {
        "homes.csv": HOMES, "landlord.toml": LANDLORD,
        "repairs.csv": "job_ref,priority,reported_at,completed_at\nA,P9,2023-05-01,2023-05-02\n"})
    with pytest.raises(PipelineError, match=r"'P9' \(1 jobs\).*codes in landlord.toml: P1, P3, p2"):
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))
