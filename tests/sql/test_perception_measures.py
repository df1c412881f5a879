"""TP01-TP12 on a tiny hand-made survey (tsm.md, perception measures)."""

from datetime import date

import pandas as pd
import pyreadstat

HOMES = "home_ref,tenure\nH1,LCRA\nH2,LCHO\n"
HEADER = "response_id,tenure,collection_method,response_date,tp01,tp02,tp05,tp08,tp09,tp10,repair_last_12m,complaint_last_12m,communal_areas\n"
SURVEY = HEADER + (
    # TP01 LCRA: R1 very, R2 fairly, R3 neither, R4 don't know (excluded), R5 blank
    "R1,LCRA,postal,2024-01-10,very_satisfied,fairly_satisfied,dont_know,agree,,very_satisfied,yes,no,yes\n"
    "R2,LCRA,online,2024-01-11,Fairly Satisfied,very_dissatisfied,very_satisfied,disagree,,,yes,no,no\n"
    "R3,LCRA,postal,2024-01-12,neither,very_satisfied,fairly_satisfied,strongly_agree,very_satisfied,,no,yes,\n"
    "R4,LCRA,telephone,2024-01-13,Don't know,,very_satisfied,dont_know,,,,no,dont_know\n"
    "R5,LCRA,postal,2024-01-14,,,,,,very_satisfied,,,yes\n"
    # LCHO: TP02 is not asked of LCHO (answer excluded); TP01 1 of 2 satisfied
    "R6,LCHO,online,2024-02-01,very_satisfied,very_satisfied,,,,,yes,,\n"
    "R7,LCHO,online,2024-02-02,very_dissatisfied,,,,,,,,\n"
    # previous year's survey
    "R8,LCRA,postal,2023-03-20,very_satisfied,,,,,,,,\n"
)


def tp(con, code, tenure, year=2024):
    return con.execute(
        """select numerator, denominator, status from report.report_tsm_publication_table
           where end_year = ? and measure_code = ? and tenure = ?""", [year, code, tenure]
    ).fetchone()


def test_dont_know_and_blank_are_not_in_the_denominator(build):
    con = build({"homes.csv": HOMES, "survey_responses.csv": SURVEY})
    assert tp(con, "TP01", "LCRA")[:2] == (2, 3)      # R1, R2 of R1, R2, R3
    assert tp(con, "TP01", "LCHO")[:2] == (1, 2)
    assert tp(con, "TP01", "LCRA", year=2023)[:2] == (1, 1)


def test_routing_excludes_answers_from_respondents_routed_away(build):
    con = build({"homes.csv": HOMES, "survey_responses.csv": SURVEY})
    # TP02: R1 (yes) satisfied, R2 (yes) dissatisfied, R3 answered but repair_last_12m = no
    assert tp(con, "TP02", "LCRA")[:2] == (1, 2)
    # TP02 is asked of LCRA only: there is no LCHO row, and R6's answer counts nowhere
    assert tp(con, "TP02", "LCHO") is None
    # TP09 only those who complained: R3 complained and is satisfied
    assert tp(con, "TP09", "LCRA")[:2] == (1, 1)
    # TP10 only communal_areas = yes: R1 (yes) satisfied, R5 (yes) satisfied; R2 (no) had no answer
    assert tp(con, "TP10", "LCRA")[:2] == (2, 2)
    routed = con.execute(
        "select response_id, measure_code from intermediate.int_survey_answers where is_routed_away "
        "order by 1").fetchall()
    assert routed == [("R3", "TP02")]


def test_a_blank_routing_answer_is_not_routed_to_the_question(build):
    """tsm.md: valid answers come from respondents routed to the question, and TP02's routing
    is repair_last_12m = yes; a yes/no routing answer may be written as any boolean."""
    survey = HEADER + (
        "S1,LCRA,postal,2024-01-10,very_satisfied,very_satisfied,,,,,Y,,\n"    # routed (Y = yes)
        "S2,LCRA,postal,2024-01-10,very_satisfied,fairly_dissatisfied,,,,,TRUE,,\n"
        "S3,LCRA,postal,2024-01-10,very_satisfied,very_satisfied,,,,,,,\n"     # blank: not routed
        "S4,LCRA,postal,2024-01-10,very_satisfied,very_satisfied,,,,,0,,\n"    # 0 = no: routed away
        "S5,LCRA,postal,2024-01-10,dont_know,,,,,,,,\n"                      # TP01 offers no don't know
    )
    con = build({"homes.csv": HOMES, "survey_responses.csv": survey})
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0
    assert tp(con, "TP02", "LCRA")[:2] == (1, 2)   # S1 of S1, S2
    assert tp(con, "TP01", "LCRA")[:2] == (4, 4)   # S5's don't know is excluded
    dq = dict(con.execute("select item, count from report.report_data_quality "
                          "where category = 'survey' and end_year = 2024").fetchall())
    assert dq["TP02 LCRA answered_with_routing_blank"] == 1
    assert dq["TP02 LCRA answered_but_routed_away"] == 1
    assert dq["TP01 LCRA dont_know_not_offered"] == 1
    assert "TP05 LCRA dont_know_not_offered" not in dq


def test_tp08_uses_the_agreement_scale(build):
    con = build({"homes.csv": HOMES, "survey_responses.csv": SURVEY})
    # agree (R1), strongly agree (R3) of agree, disagree, strongly agree; R4 don't know
    assert tp(con, "TP08", "LCRA")[:2] == (2, 3)


def test_numeric_codes_recoded_by_mapping(build):
    survey = ("response_id,tenure,collection_method,response_date,tp01\n"
              "A,LCRA,postal,2024-01-10,1\nB,LCRA,postal,2024-01-10,2\nC,LCRA,postal,2024-01-10,4\n"
              "D,LCRA,postal,2024-01-10,6\nE,LCRA,postal,2024-01-10,9\n")
    mapping = ('[survey_responses.values.tp01]\n1 = "very_satisfied"\n2 = "fairly_satisfied"\n'
               '3 = "neither"\n4 = "fairly_dissatisfied"\n5 = "very_dissatisfied"\n'
               '6 = "dont_know"\n9 = "dont_know"\n')
    con = build({"homes.csv": HOMES, "survey_responses.csv": survey, "mapping.toml": mapping})
    assert tp(con, "TP01", "LCRA")[:2] == (2, 3)


def test_bad_answers_tenure_and_duplicates_are_quarantined(build):
    survey = ("response_id,tenure,collection_method,response_date,tp01\n"
              "A,LCRA,postal,2024-01-10,very_satisfied\n"
              "B,leasehold,postal,2024-01-10,very_satisfied\n"   # not surveyed tenure
              "C,LCRA,postal,2024-01-10,7\n"                     # outside the scale
              "A,LCRA,online,2024-01-11,neither\n")              # duplicate response_id
    con = build({"homes.csv": HOMES, "survey_responses.csv": survey})
    q = con.execute("select source_row, column_name, rule from quarantine.rows order by 1").fetchall()
    assert q == [(3, "tenure", "invalid_code"), (4, "tp01", "invalid_code"),
                 (5, "response_id", "duplicate_key")]


def test_spss_file_read_with_its_value_labels(build, tmp_path):
    frame = pd.DataFrame({
        "response_id": ["S1", "S2", "S3"], "tenure": ["LCRA"] * 3,
        "collection_method": ["postal"] * 3,
        "response_date": [date(2024, 2, 1)] * 3,
        "tp01": [1.0, 5.0, 6.0], "area": ["North", "South", "North"]})
    path = tmp_path / "survey_responses.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={
        "tp01": {1.0: "Very satisfied", 5.0: "Very dissatisfied", 6.0: "Don't know"}})
    con = build({"homes.csv": HOMES, "survey_responses.sav": path.read_bytes()})
    assert tp(con, "TP01", "LCRA")[:2] == (1, 2)
    extra = con.execute("select extra_columns from staging.survey_responses where response_id = 'S2'"
                        ).fetchone()[0]
    assert extra == {"area": "South"}


def test_spss_unlabelled_codes_are_recoded_by_mapping(build, tmp_path):
    frame = pd.DataFrame({"response_id": ["S1", "S2"], "tenure": ["LCRA"] * 2,
                          "collection_method": ["postal"] * 2,
                          "response_date": [date(2024, 2, 1)] * 2, "tp01": [1.0, 9.0]})
    path = tmp_path / "survey_responses.sav"
    # 9 has no label in the file: it must still reach mapping.toml as "9", not "9.0"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"tp01": {1.0: "Very satisfied"}})
    con = build({"homes.csv": HOMES, "survey_responses.sav": path.read_bytes(),
                 "mapping.toml": '[survey_responses.values.tp01]\n9 = "dont_know"\n'})
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0
    assert tp(con, "TP01", "LCRA")[:2] == (1, 1)


def test_accuracy_rows_only_for_tenures_the_landlord_owns(build):
    """tsm.md: a landlord with no LCHO homes reports no LCHO rows; a tenure with homes and
    no valid TP01 answer has its TP01 row, not met."""
    from pipeline.survey.accuracy import accuracy_table
    from pipeline.survey.config import SurveyYear

    survey = HEADER + ("R1,LCRA,postal,2024-01-10,very_satisfied,,,,,,,,\n"
                       "L1,LCHO,postal,2024-01-10,very_satisfied,,,,,,,,\n")
    con = build({"homes.csv": "home_ref,tenure\nH1,LCRA\nH2,leasehold\n",
                 "survey_responses.csv": survey})
    table = accuracy_table(con, 2024, "2023/24", SurveyYear("2023/24"))
    assert set(table["tenure"]) == {"LCRA"}
    from pipeline.survey.representativeness import weighting_table
    from pipeline.survey.summary import summary_of_approach

    assert set(weighting_table(con, 2024)["tenure"]) == {"LCRA"}
    summary = summary_of_approach(con, 2024, "2023/24", SurveyYear("2023/24"), table,
                                  table.iloc[0:0], weighting_table(con, 2024)).set_index("item")
    assert summary.loc["A", "value"] == "LCRA 1 responses"
    con = build({"homes.csv": HOMES, "survey_responses.csv": HEADER
                 + "R1,LCRA,postal,2024-01-10,very_satisfied,,,,,,,,\n"}, name="lcho_homes")
    table = accuracy_table(con, 2024, "2023/24", SurveyYear("2023/24"))
    lcho = table[(table["tenure"] == "LCHO") & (table["measure_code"] == "TP01")]
    assert lcho[["responses", "meets_requirement", "note"]].values.tolist() == [
        [0, "no", "no valid TP01 responses"]]
