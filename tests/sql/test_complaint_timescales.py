"""intermediate.int_complaint_stages: the 'within timescale' rule of complaints.md, on tiny
hand-made logs. Every deadline below was counted by hand on a calendar; the comment shows
the count."""

from datetime import date

HEADER = ("complaint_ref,stage,received_date,acknowledged_date,extension_agreed,"
          "extended_due_date,responded_date,home_ref\n")


def stages(con):
    rows = con.execute(
        """select complaint_ref, stage, code_version, clock_start_date, base_deadline_date,
                  allowed_extension_wd, deadline_date, timeliness, is_within_timescale,
                  is_acknowledged_on_time, working_days_to_respond
           from intermediate.int_complaint_stages"""
    ).fetchall()
    cols = ["code_version", "clock_start", "base_deadline", "allowed_ext", "deadline",
            "timeliness", "within", "ack_on_time", "wd_to_respond"]
    return {(r[0], r[1]): dict(zip(cols, r[2:])) for r in rows}


def test_response_on_the_last_allowed_day_is_on_time_and_the_next_day_late(build):
    con = build({"complaints.csv": HEADER
                 # ack Tue 5 Mar 2024; +10 WD: 6,7,8,11,12,13,14,15,18,19 -> Tue 19 Mar
                 + "A,1,2024-03-04,2024-03-05,,,2024-03-19,H1\n"
                 + "B,1,2024-03-04,2024-03-05,,,2024-03-20,H1\n"})
    s = stages(con)
    assert s[("A", 1)]["base_deadline"] == date(2024, 3, 19)
    assert s[("A", 1)]["timeliness"] == "on_time" and s[("A", 1)]["within"]
    assert s[("B", 1)]["timeliness"] == "late" and not s[("B", 1)]["within"]
    # Mon 4 Mar -> Tue 19 Mar: 11 working days from receipt
    assert s[("A", 1)]["wd_to_respond"] == 11


def test_late_acknowledgement_buys_no_time(build):
    # received Mon 4 Mar 2024, acknowledge by +5 WD = Mon 11 Mar; acknowledged Thu 14 Mar.
    # Clock starts 11 Mar, +10 WD: 12,13,14,15,18,19,20,21,22,25 -> Mon 25 Mar
    con = build({"complaints.csv": HEADER
                 + "L,1,04/03/2024,14/03/2024,,,25/03/2024,H1\n"
                 + "M,1,04/03/2024,14/03/2024,,,26/03/2024,H1\n"})
    s = stages(con)
    assert s[("L", 1)]["clock_start"] == date(2024, 3, 11)
    assert s[("L", 1)]["ack_on_time"] is False
    assert s[("L", 1)]["within"] is True
    assert s[("M", 1)]["within"] is False


def test_no_acknowledgement_counts_from_receipt(build):
    # Sat 16 Sep 2023, no acknowledgement: clock Mon 18 Sep, day 10 = Mon 2 Oct (spec example)
    con = build({"complaints.csv": HEADER + "S,1,16/09/2023,,,,02/10/2023,H1\n"})
    s = stages(con)[("S", 1)]
    assert s["base_deadline"] == date(2023, 10, 2)
    assert s["within"] is True and s["ack_on_time"] is False


def test_extension_within_and_beyond_the_maximum(build):
    # received and acknowledged Mon 4 Mar 2024: base deadline +10 WD = Mon 18 Mar.
    # E1: told Thu 28 Mar: 19,20,21,22,25,26,27,28 = 8 WD <= 10 -> deadline 28 Mar.
    # E2: told Fri 19 Apr: capped at 10 WD: 19,20,21,22,25,26,27,28,(Good Fri, Easter Mon),
    #     2 Apr, 3 Apr -> deadline Wed 3 Apr; answered 4 Apr is late.
    # E3: extension agreed, no date told: no extension evidenced -> 18 Mar.
    con = build({"complaints.csv": HEADER
                 + "E1,1,2024-03-04,2024-03-04,Y,2024-03-28,2024-03-28,H1\n"
                 + "E2,1,2024-03-04,2024-03-04,Yes,2024-04-19,2024-04-04,H1\n"
                 + "E3,1,2024-03-04,2024-03-04,TRUE,,2024-03-19,H1\n"
                 + "E4,1,2024-03-04,2024-03-04,Y,2024-04-19,2024-04-03,H1\n"})
    s = stages(con)
    assert s[("E1", 1)]["deadline"] == date(2024, 3, 28)
    assert s[("E1", 1)]["timeliness"] == "on_time_extended"
    assert s[("E2", 1)]["allowed_ext"] == 10
    assert s[("E2", 1)]["deadline"] == date(2024, 4, 3)
    assert s[("E2", 1)]["timeliness"] == "late"
    assert s[("E4", 1)]["timeliness"] == "on_time_extended"
    assert s[("E3", 1)]["deadline"] == date(2024, 3, 18)
    assert s[("E3", 1)]["timeliness"] == "late"


def test_code_change_on_1_april_2024_for_stage_2(build):
    # X: stage 2 received Thu 28 Mar 2024 -> 2022 Code, clock = the escalation request.
    #    +20 WD: 2,3,4,5 Apr (4), 8-12 (9), 15-19 (14), 22-26 (19), Mon 29 Apr (20).
    #    Told 21 May (15 WD later); 2022 maximum 10 WD: 30 Apr,1,2,3 May (4),(6 May holiday),
    #    7,8,9,10 (8),13,14 (10) -> deadline Tue 14 May; answered 21 May: late.
    # Y: stage 2 received Tue 2 Apr 2024 -> 2024 Code, clock = its acknowledgement Fri 5 Apr.
    #    +20 WD: 8-12 (5), 15-19 (10), 22-26 (15), 29,30 Apr,1,2,3 May (20) -> Fri 3 May.
    #    Told Tue 28 May: 7-10 May (4), 13-17 (9), 20-24 (14), (27 May holiday), 28 (15);
    #    within the 2024 maximum of 20 -> deadline 28 May; answered 28 May: on time.
    con = build({"complaints.csv": HEADER
                 + "X,2,2024-03-28,2024-04-03,Y,2024-05-21,2024-05-21,H1\n"
                 + "Y,2,2024-04-02,2024-04-05,Y,2024-05-28,2024-05-28,H1\n"}, year=2025)
    s = stages(con)
    assert s[("X", 2)]["code_version"] == 2022
    assert s[("X", 2)]["clock_start"] == date(2024, 3, 28)
    assert s[("X", 2)]["base_deadline"] == date(2024, 4, 29)
    assert s[("X", 2)]["deadline"] == date(2024, 5, 14)
    assert s[("X", 2)]["timeliness"] == "late"
    assert s[("Y", 2)]["code_version"] == 2024
    assert s[("Y", 2)]["clock_start"] == date(2024, 4, 5)
    assert s[("Y", 2)]["base_deadline"] == date(2024, 5, 3)
    assert s[("Y", 2)]["allowed_ext"] == 15
    assert s[("Y", 2)]["timeliness"] == "on_time_extended"


def test_31_march_and_1_april_2024(build):
    # Sun 31 Mar 2024 (2022 Code) and Easter Monday 1 Apr 2024 (2024 Code), no acknowledgement:
    # both start on Tue 2 Apr; +10 WD: 3,4,5,8,9,10,11,12,15,16 -> Tue 16 Apr
    con = build({"complaints.csv": HEADER
                 + "P,1,31/03/2024,,,,16/04/2024,H1\n"
                 + "Q,1,01/04/2024,,,,17/04/2024,H1\n"})
    s = stages(con)
    assert s[("P", 1)]["code_version"] == 2022 and s[("Q", 1)]["code_version"] == 2024
    assert s[("P", 1)]["base_deadline"] == s[("Q", 1)]["base_deadline"] == date(2024, 4, 16)
    assert s[("P", 1)]["within"] is True and s[("Q", 1)]["within"] is False
    years = dict(con.execute(
        "select complaint_ref, received_end_year from intermediate.int_complaint_stages").fetchall())
    assert years == {"P": 2024, "Q": 2025}
