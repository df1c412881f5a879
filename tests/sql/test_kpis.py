"""marts.chc_complaint_kpis on a tiny hand-made log (complaints.md KPIs)."""

import pytest

HOMES = "home_ref,tenure\nH1,LCRA\nH2,leasehold\n"
COMPLAINTS = (
    "complaint_ref,stage,received_date,acknowledged_date,extension_agreed,extended_due_date,"
    "extension_reason,responded_date,outcome,refused,refusal_reason,category,compensation_gbp,"
    "home_ref,vulnerable\n"
    # received Mon 4 Mar 2024, ack same day, base deadline Mon 18 Mar 2024
    "A,1,2024-03-04,2024-03-04,,,,2024-03-08,upheld,,,repairs,100,H1,Y\n"            # 4 WD, on time
    "B,1,2024-03-04,2024-03-12,Y,2024-03-28,awaiting contractor,2024-03-27,partly_upheld,,,repairs,\"£50.00\",H1,\n"
    # B: ack on day 6 (late, clock capped at 11 Mar, base 25 Mar), extension to 28 Mar, answered 27 Mar: on time with extension; 17 WD
    "C,1,2024-03-04,2024-03-05,,,,2024-04-10,not_upheld,,,damp_mould,,H2,\n"         # leaseholder, late; 4 Mar->10 Apr = 25 WD (Easter)
    "D,1,2024-03-11,2024-03-11,,,,,,,,damp_mould,,H1,\n"                              # open at year end, deadline 25 Mar: past it
    "E,1,2024-03-20,,,,,,,Y,over_12_months,repairs,,H1,\n"                           # refused
    "A,2,2024-03-12,2024-03-12,,,,2024-03-26,not_upheld,,,repairs,,H1,\n"             # stage 2, on time, 10 WD
)


@pytest.fixture
def kpis(build):
    con = build({"homes.csv": HOMES, "complaints.csv": COMPLAINTS})
    rows = con.execute(
        "select stage, kpi, breakdown, group_value, count, denominator, value "
        "from marts.chc_complaint_kpis where end_year = 2024").fetchall()
    return {(r[0], r[1], r[2], r[3]): r[4:] for r in rows}


def test_headline_counts(kpis):
    assert kpis[("1", "received", "total", "")][0] == 4          # A, B, C, D (E refused)
    assert kpis[("1", "responded", "total", "")][:2] == (3, 4)
    assert kpis[("1", "acknowledged_within_5_wd", "total", "")][:2] == (3, 4)  # B late
    assert kpis[("1", "responded_on_time_without_extension", "total", "")][0] == 1  # A
    assert kpis[("1", "responded_on_time_with_extension", "total", "")][0] == 1     # B
    assert kpis[("1", "responded_late", "total", "")][0] == 1                       # C
    assert kpis[("1", "within_timescale", "total", "")][:3] == (2, 4, 50.0)


def test_open_at_year_end_and_overdue(kpis):
    # D (no response) and C (answered 10 Apr, after the year end); E refused
    assert kpis[("1", "open_at_year_end", "total", "")][0] == 2
    # deadlines: C 19 Mar (clock 5 Mar + 10 WD), D 25 Mar: both passed by 31 Mar
    assert kpis[("1", "open_at_year_end_past_deadline", "total", "")][:2] == (2, 2)


def test_response_times_in_working_days_from_receipt(kpis):
    # A 4, B 17, C 25 -> median 17, mean 46 / 3
    assert kpis[("1", "working_days_to_respond_median", "total", "")][0] == 17
    assert kpis[("1", "working_days_to_respond_mean", "total", "")][0] == pytest.approx(46 / 3)
    assert kpis[("2", "working_days_to_respond_median", "total", "")][0] == 10


def test_escalation_outcomes_refusals_and_compensation(kpis):
    assert kpis[("1", "escalated_to_stage_2", "total", "")][:3] == (1, 4, 25.0)     # A
    assert kpis[("1", "outcome", "outcome", "upheld")][:2] == (1, 3)
    assert kpis[("1", "refused", "refusal_reason", "over_12_months")][0] == 1
    assert kpis[("1", "compensation_offered_total_gbp", "total", "")][0] == 150
    assert kpis[("1", "compensation_offered_median_gbp", "total", "")][0] == 75
    assert kpis[("1", "extension_agreed", "extension_reason", "awaiting contractor")][0] == 1


def test_breakdowns_include_every_tenure(kpis):
    assert kpis[("1", "received", "tenure", "leasehold")][0] == 1
    assert kpis[("1", "received", "category", "damp_mould")][0] == 2
    assert kpis[("1", "within_timescale", "category", "repairs")][:2] == (2, 2)
    assert kpis[("1", "received", "quarter", "Q4")][0] == 4
    assert kpis[("1", "vulnerable_within_timescale", "total", "")][:2] == (1, 1)


def test_kpis_by_quarter_and_month_of_receipt(kpis):
    """complaints.md: by stage, for the year, and by quarter and month. Stage 1 in March 2024
    (Q4): A, B, C, D accepted (E refused); A, B, C responded; B acknowledged on day 6."""
    for breakdown, group in (("quarter", "Q4"), ("month", "2024-03")):
        assert kpis[("1", "responded", breakdown, group)][:2] == (3, 4)
        assert kpis[("1", "acknowledged_within_5_wd", breakdown, group)][:2] == (3, 4)
        assert kpis[("1", "responded_on_time_with_extension", breakdown, group)][:2] == (1, 4)
        assert kpis[("1", "responded_late", breakdown, group)][:2] == (1, 4)
        # working days 4 (A), 17 (B), 25 (C)
        assert kpis[("1", "working_days_to_respond_median", breakdown, group)][0] == 17
    # category keeps volumes, % upheld and % on time only
    assert ("1", "responded", "category", "repairs") not in kpis


def test_tp09_from_the_survey_is_a_complaint_kpi(build):
    survey = ("response_id,tenure,collection_method,response_date,tp01,tp09,complaint_last_12m\n"
              "R1,LCRA,postal,2024-01-10,very_satisfied,fairly_satisfied,yes\n"
              "R2,LCRA,postal,2024-01-10,very_satisfied,very_dissatisfied,yes\n"
              "R3,LCRA,postal,2024-01-10,very_satisfied,very_satisfied,no\n")  # routed away
    con = build({"homes.csv": HOMES, "complaints.csv": COMPLAINTS, "survey_responses.csv": survey})
    row = con.execute("select count, denominator, value from marts.chc_complaint_kpis "
                      "where end_year = 2024 and kpi = 'tp09_satisfied_with_complaint_handling' "
                      "and group_value = 'LCRA'").fetchone()
    assert row == (1, 2, 50.0)


def test_a_months_response_times_are_suppressed_with_its_counts(build, tmp_path):
    from pipeline.report.outputs import kpi_table

    con = build({"homes.csv": HOMES, "complaints.csv": COMPLAINTS})
    frame = kpi_table(con, 2024, small_number_threshold=5).set_index(
        ["stage", "kpi", "breakdown", "group"])
    # stage 2 in March 2024: one complaint (A), answered in 10 working days
    row = frame.loc[("2", "working_days_to_respond_median", "month", "2024-03")]
    assert bool(row["suppressed"]) and row["count"] != row["count"]
    assert frame.loc[("2", "working_days_to_respond_median", "total", ""), "count"] == 10


def test_tp09_kpi_only_for_tenures_the_landlord_owns(build):
    survey = ("response_id,tenure,collection_method,response_date,tp01,tp09,complaint_last_12m\n"
              "R1,LCRA,postal,2024-01-10,very_satisfied,fairly_satisfied,yes\n"
              "L1,LCHO,postal,2024-01-10,very_satisfied,fairly_satisfied,yes\n")
    con = build({"homes.csv": HOMES, "complaints.csv": COMPLAINTS, "survey_responses.csv": survey})
    groups = {r[0] for r in con.execute(
        "select group_value from marts.chc_complaint_kpis where end_year = 2024 "
        "and kpi = 'tp09_satisfied_with_complaint_handling'").fetchall()}
    assert groups == {"LCRA"}  # HOMES has no LCHO home


def test_free_text_breakdowns_ignore_case(build):
    complaints = ("complaint_ref,stage,received_date,channel,category\n"
                  "A,1,2024-03-04,Email,Repairs\nB,1,2024-03-05,email,repairs\n"
                  "C,1,2024-03-06,Phone,\n")
    con = build({"homes.csv": HOMES, "complaints.csv": complaints})
    rows = dict(con.execute(
        "select breakdown || ':' || group_value, count from marts.chc_complaint_kpis "
        "where end_year = 2024 and stage = '1' and kpi = 'received' "
        "and breakdown in ('channel', 'category')").fetchall())
    assert rows == {"channel:email": 2, "channel:phone": 1,
                    "category:repairs": 2, "category:not_recorded": 1}


def test_small_numbers_in_breakdowns_are_suppressed_in_the_published_file(build, tmp_path):
    from pipeline.report.outputs import kpi_table

    con = build({"homes.csv": HOMES, "complaints.csv": COMPLAINTS})
    frame = kpi_table(con, 2024, small_number_threshold=5).set_index(["stage", "kpi", "breakdown", "group"])
    # 2 damp and mould complaints: could identify residents -> suppressed
    row = frame.loc[("1", "received", "category", "damp_mould")]
    assert row["suppressed"] and row["count"] != row["count"]  # blanked (NaN)
    # totals are never suppressed: 4 stage 1 complaints received
    assert frame.loc[("1", "received", "total", "")]["count"] == 4
