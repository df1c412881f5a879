"""CH01 and CH02 on a tiny hand-made landlord (tsm.md, complaints.md)."""

import pytest

HOMES = (
    "home_ref,tenure,acquired_date,disposed_date\n"
    "H1,LCRA,,\n"
    "H2,LCRA,,\n"
    "H3,LCRA,,2024-03-31\n"   # disposed ON 31 March: not owned at year end
    "H4,LCRA,2024-04-01,\n"   # acquired after year end: not owned
    "H5,general needs,,\n"    # recoded to LCRA by mapping.toml below
    "H6,LCHO,,\n"
    "H7,leasehold,,\n"
)
# LCRA homes owned at 31 Mar 2024: H1, H2, H5 = 3; LCHO: H6 = 1; ALL = 4

COMPLAINTS = (
    "complaint_ref,stage,received_date,acknowledged_date,responded_date,outcome,refused,tenure,home_ref\n"
    # 2023/24 stage 1, LCRA: C1 on time, C2 late, C3 withdrawn with no response, C4 open
    "C1,1,2023-04-03,2023-04-03,2023-04-05,upheld,,,H1\n"
    "C2,1,2023-06-01,2023-06-01,2023-08-01,not_upheld,,,H2\n"
    "C3,1,2023-07-03,2023-07-03,,withdrawn,,,H1\n"
    "C4,1,2024-03-28,2024-03-28,,,,,H5\n"
    # refused: not a stage 1 complaint for CH01/CH02
    "C5,1,2023-05-02,,,,Y,,H1\n"
    # leaseholder: out of scope
    "C6,1,2023-05-02,2023-05-02,2023-05-03,upheld,,,H7\n"
    # no tenure, no home: counted as LCRA, on time
    "C7,1,2023-10-02,2023-10-02,2023-10-04,upheld,,,\n"
    # LCHO stage 1 on time, then its stage 2 (received in year) on time
    "C8,1,2023-09-01,2023-09-01,2023-09-05,not_upheld,,,H6\n"
    "C8,2,2023-09-20,2023-09-20,2023-10-02,not_upheld,,,H6\n"
    # stage 2 of a stage 1 from the previous year: stage 2 counts in 2023/24, LCRA, late
    "C9,1,2023-03-01,2023-03-01,2023-03-03,not_upheld,,,H1\n"
    "C9,2,2023-04-03,2023-04-03,2023-06-30,upheld,,,H1\n"
    # received 1 April 2024: next year
    "C10,1,2024-04-01,,,,,,H1\n"
)
MAPPING = '[homes.values.tenure]\n"general needs" = "LCRA"\n'


@pytest.fixture
def con(build):
    return build({"homes.csv": HOMES, "complaints.csv": COMPLAINTS, "mapping.toml": MAPPING})


def measure(con, code, part, tenure, year=2024):
    return con.execute(
        """select numerator, denominator, value, status from report.report_tsm_publication_table
           where end_year = ? and measure_code = ? and measure_part = ? and tenure = ?""",
        [year, code, part, tenure],
    ).fetchone()


def test_ch01_stage_1(con):
    # LCRA stage 1 in 2023/24: C1, C2, C3, C4, C7 = 5 over 3 homes -> 1666.67 per 1,000
    assert measure(con, "CH01", "stage_1", "LCRA")[:2] == (5, 3)
    assert measure(con, "CH01", "stage_1", "LCRA")[2] == pytest.approx(5000 / 3)
    assert measure(con, "CH01", "stage_1", "LCHO")[:2] == (1, 1)
    assert measure(con, "CH01", "stage_1", "ALL")[:2] == (6, 4)


def test_ch01_stage_2(con):
    assert measure(con, "CH01", "stage_2", "LCRA")[:2] == (1, 3)  # C9 stage 2
    assert measure(con, "CH01", "stage_2", "LCHO")[:2] == (1, 1)  # C8 stage 2


def test_ch02_is_the_cohort_made_in_the_year(con):
    # LCRA stage 1: on time C1, C7; not: C2 late, C3 withdrawn unanswered, C4 open -> 2 / 5
    assert measure(con, "CH02", "stage_1", "LCRA")[:3] == (2, 5, 40.0)
    # denominator equals CH01's numerator
    assert measure(con, "CH02", "stage_1", "ALL")[1] == measure(con, "CH01", "stage_1", "ALL")[0]
    # C9 stage 2 received 3 Apr 2023, +20 WD (receipt clock, 2022 Code) = 3 May 2023; answered 30 Jun
    assert measure(con, "CH02", "stage_2", "LCRA")[:3] == (0, 1, 0.0)
    assert measure(con, "CH02", "stage_2", "LCHO")[:3] == (1, 1, 100.0)


def test_next_year_starts_on_1_april(con):
    assert measure(con, "CH01", "stage_1", "LCRA", year=2025)[0] == 1  # C10
    # homes owned at 31 Mar 2025: H1, H2, H4, H5 (H3 was disposed)
    assert measure(con, "CH01", "stage_1", "LCRA", year=2025)[1] == 4


def test_no_lcho_rows_for_a_landlord_without_lcho_homes(build):
    con = build({"homes.csv": "home_ref,tenure\nH1,LCRA\n",
                 "complaints.csv": "complaint_ref,stage,received_date\nA,1,2023-05-01\n"})
    tenures = {r[0] for r in con.execute(
        "select distinct tenure from report.report_tsm_publication_table").fetchall()}
    assert tenures == {"LCRA", "ALL"}


def test_without_a_complaints_file_ch01_is_not_available_never_zero(build):
    con = build({})
    row = con.execute(
        """select status, status_reason, value from report.report_tsm_publication_table
           where measure_code = 'CH01' and measure_part = 'stage_1' and tenure = 'LCRA'"""
    ).fetchone()
    assert row[0] == "not_available" and "complaints.csv" in row[1] and row[2] is None


def test_a_sparse_stage_2_row_takes_the_tenure_of_its_complaint(build):
    con = build({"homes.csv": "home_ref,tenure\nH1,LCRA\nH2,LCHO\n",
                 "complaints.csv": "complaint_ref,stage,received_date,tenure,home_ref\n"
                                   "X,1,2023-05-01,LCHO,\nX,2,2023-06-01,,\n"
                                   "Y,1,2023-05-01,,H2\nY,2,2023-06-01,,\n"})
    tenures = dict(con.execute("select complaint_ref || stage, tenure from "
                               "intermediate.int_complaint_stages").fetchall())
    # X stage 2 has neither tenure nor home: its stage 1 says LCHO; Y's stage 1 home is LCHO
    assert tenures == {"X1": "LCHO", "X2": "LCHO", "Y1": "LCHO", "Y2": "LCHO"}
