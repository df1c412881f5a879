"""A measure whose input holds no usable data is not available, never zero (inputs.md)."""


def measure(con, code, part, tenure, year=2024):
    return con.execute(
        """select numerator, denominator, status, status_reason
           from report.report_tsm_publication_table
           where end_year = ? and measure_code = ? and measure_part = ? and tenure = ?""",
        [year, code, part, tenure]).fetchone()


HOMES = "home_ref,tenure\nH1,LCRA\nH2,LCRA\nH3,LCHO\n"


def test_a_complaints_file_whose_every_row_is_quarantined_gives_no_ch01(build):
    # "Stage 1" not recoded: every row fails its stage code
    con = build({"homes.csv": HOMES,
                 "complaints.csv": "complaint_ref,stage,received_date\nA,Stage 1,01/05/2023\n"
                                   "B,Stage 1,02/05/2023\n"})
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 2
    got = measure(con, "CH01", "stage_1", "LCRA")
    assert got[2:] == ("not_available",
                       "no usable row in complaints.csv: every row is in quarantine")
    assert measure(con, "CH02", "stage_1", "LCRA")[2] == "not_available"


def test_an_asb_log_without_hate_incident_gives_no_hate_figure(build):
    con = build({"homes.csv": HOMES,
                 "asb_cases.csv": "case_ref,opened_date\nA1,05/04/2023\nA2,06/04/2023\n"})
    assert measure(con, "NM01", "asb", "ALL")[:3] == (2, 3, "ok")
    hate = measure(con, "NM01", "hate", "ALL")
    assert hate[2:] == ("not_available",
                        "asb_cases.csv does not record hate_incident for the year's cases (no "
                        "such column, or blank on every case)")


def test_an_asb_log_with_hate_incident_counts_zero_hate_cases_as_zero(build):
    con = build({"homes.csv": HOMES,
                 "asb_cases.csv": "case_ref,opened_date,hate_incident\nA1,05/04/2023,N\n"})
    assert measure(con, "NM01", "hate", "ALL")[:3] == (0, 3, "ok")


def test_rows_of_tenures_outside_the_tsms_are_counted_in_data_quality(build):
    con = build({"homes.csv": "home_ref,tenure,disposed_date\nH1,LCRA,\nH2,leasehold,\n"
                              "H3,market_rent,\nH4,leasehold,2024-01-01\n",
                 "asb_cases.csv": "case_ref,opened_date,tenure\nA1,05/04/2023,\nA2,06/04/2023,leasehold\n"})
    dq = dict(con.execute("select source || ' ' || item, count from report.report_data_quality "
                          "where end_year = 2024 and category in ('homes', 'asb_cases')").fetchall())
    # H4 was sold before the year end
    assert dq == {"homes homes_of_tenure:leasehold": 1, "homes homes_of_tenure:market_rent": 1,
                  "asb_cases cases_of_tenure:leasehold": 1}


def test_an_export_with_a_header_and_no_rows_is_a_true_zero(build):
    con = build({"homes.csv": HOMES, "complaints.csv": "complaint_ref,stage,received_date\n"})
    assert measure(con, "CH01", "stage_1", "LCRA")[:3] == (0, 2, "ok")


def test_hate_incident_is_judged_year_by_year(build):
    con = build({"homes.csv": HOMES,
                 "asb_cases.csv": "case_ref,opened_date,hate_incident\n"
                                  "A1,05/04/2023,\nA2,06/04/2024,N\n"})
    assert measure(con, "NM01", "hate", "ALL", year=2024)[2] == "not_available"
    assert measure(con, "NM01", "hate", "ALL", year=2025)[:3] == (0, 3, "ok")
