"""Survey accuracy, weighting and representativeness through the pipeline, on tiny surveys
whose figures are worked by hand in the comments."""

import pytest

from pipeline.errors import PipelineError
from pipeline.run import refresh
from pipeline.settings import RunConfig
from pipeline.survey.accuracy import accuracy_table
from pipeline.survey.config import read_survey_config
from pipeline.survey.representativeness import representativeness_table
from tests.conftest import write_dataset

HOMES = "home_ref,tenure\n" + "".join(f"H{i},LCRA\n" for i in range(3000)) + "".join(
    f"L{i},LCHO\n" for i in range(100))
HEADER = "response_id,tenure,collection_method,response_date,tp01,age_band\n"
# LCRA: 6 of 10 satisfied; LCHO census of 100 homes, 20 responses
SURVEY = HEADER + "".join(
    f"R{i},LCRA,postal,2024-02-01,{'very_satisfied' if i < 6 else 'neither'},{'young' if i < 2 else 'old'}\n"
    for i in range(10)) + "".join(
    f"C{i},LCHO,online,2024-02-01,fairly_satisfied,old\n" for i in range(20))
POPULATION = ("year,tenure,characteristic,group,households\n"
              "2023/24,LCRA,age_band,young,1500\n2023/24,LCRA,age_band,old,1500\n"
              "2023/24,LCRA,stock_type,general_needs,2000\n2023/24,LCRA,stock_type,supported,1000\n"
              "2023/24,LCHO,age_band,old,100\n")
TOML = '[surveys."2023/24"]\nsample_method = "census"\ncharacteristics = ["age_band"]\n'


def _accuracy(build, tmp_path, toml=TOML, population=POPULATION, survey=SURVEY):
    con = build({"homes.csv": HOMES, "survey_responses.csv": survey,
                 "survey_population.csv": population, "survey.toml": toml})
    surveys = read_survey_config(tmp_path / "ds")
    return con, surveys["2023/24"]


def test_margin_of_error_against_the_band(build, tmp_path):
    con, survey = _accuracy(build, tmp_path)
    table = accuracy_table(con, 2024, "2023/24", survey).set_index("tenure")
    lcra = table.loc["LCRA"]
    # 1.96 x sqrt(0.25 / 10) x sqrt((3000 - 10) / 2999) x 100 = 30.94
    assert lcra["margin_of_error"] == pytest.approx(30.94, abs=0.01)
    # at the observed 60%: 1.96 x sqrt(0.24 / 10) x 0.998498 x 100 = 30.32
    assert lcra["margin_of_error_observed"] == pytest.approx(30.32, abs=0.01)
    # 3,000 units: +-4; minimum sample 600.25 x 3000 / (600.25 + 2999) = 500.3 -> 501
    assert (lcra["required_margin"], lcra["required_minimum_sample"]) == (4, 501)
    assert lcra["meets_requirement"] == "no"
    lcho = table.loc["LCHO"]
    # census of 100: 1.96 x sqrt(0.25 / 20) x sqrt(80 / 99) x 100 = 19.70, misses +-5, but a
    # census is sufficient under 2,500 units
    assert lcho["margin_of_error"] == pytest.approx(19.70, abs=0.01)
    assert lcho["meets_requirement"] == "yes (census)"


def test_population_totals_that_disagree_are_an_error(build, tmp_path):
    population = POPULATION.replace("supported,1000", "supported,990")
    con, survey = _accuracy(build, tmp_path, population=population)
    with pytest.raises(PipelineError, match="different population totals"):
        accuracy_table(con, 2024, "2023/24", survey)


RIM = ('[surveys."2023/24"]\nweighting = "rim"\nweight_by = ["age_band"]\n'
       'characteristics = ["age_band"]\n')
# Rim weights: population 50% young / 50% old; respondents 2 young, 8 old; weights scaled to
# sum to n = 10: young 5 / 2 = 2.5, old 5 / 8 = 0.625.
RIM_SURVEY = HEADER + "".join(
    f"R{i},LCRA,postal,2024-02-01,{'very_satisfied' if i in (0, 1, 2, 3) else 'neither'},"
    f"{'young' if i < 2 else 'old'}\n" for i in range(10))


def test_rim_weighting_to_population_margins(build, tmp_path):
    con, survey = _accuracy(build, tmp_path, toml=RIM, survey=RIM_SURVEY)
    weights = dict(con.execute("select response_id, weight from intermediate.int_survey_weights"
                               ).fetchall())
    assert weights["R0"] == pytest.approx(2.5) and weights["R9"] == pytest.approx(0.625)
    row = con.execute("select numerator, denominator from report.report_tsm_publication_table "
                      "where measure_code = 'TP01' and tenure = 'LCRA' and end_year = 2024").fetchone()
    # satisfied: 2 young x 2.5 + 2 old x 0.625 = 6.25 of 10 (unweighted 4 of 10)
    assert row == pytest.approx((6.25, 10.0))
    table = accuracy_table(con, 2024, "2023/24", survey)
    # Kish: (sum w)^2 / sum w^2 = 100 / (2 x 6.25 + 8 x 0.390625) = 100 / 15.625 = 6.4
    assert table[table.tenure == "LCRA"]["effective_responses"].iloc[0] == pytest.approx(6.4)
    rep = representativeness_table(con, 2024, "2023/24", survey).set_index("group")
    # unweighted: 20% young vs 50% -> -30 points, flagged; weighted: 50% -> 0, not flagged
    assert rep.loc["young", "difference_points"] == pytest.approx(-30)
    assert rep.loc["young", "weighted_pct"] == pytest.approx(50)
    assert not rep["flagged"].any()
    assert rep.loc["young", "flagged_before_weighting"]  # why weighting was needed


def test_rim_weighting_with_a_group_missing_from_the_population_is_an_error(tmp_path):
    survey = RIM_SURVEY.replace("R9,LCRA,postal,2024-02-01,neither,old", "R9,LCRA,postal,2024-02-01,neither,middle")
    ds = write_dataset(tmp_path / "ds", {"homes.csv": HOMES, "survey_responses.csv": survey,
                                         "survey_population.csv": POPULATION, "survey.toml": RIM})
    with pytest.raises(PipelineError, match="middle"):
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))


def test_contractor_weights_used_when_survey_toml_says_column(build, tmp_path):
    survey = ("response_id,tenure,collection_method,response_date,tp01,weight\n"
              "A,LCRA,postal,2024-02-01,very_satisfied,3\nB,LCRA,postal,2024-02-01,neither,1\n")
    con, _ = _accuracy(build, tmp_path, toml='[surveys."2023/24"]\nweighting = "column"\n', survey=survey)
    row = con.execute("select numerator, denominator from report.report_tsm_publication_table "
                      "where measure_code = 'TP01' and tenure = 'LCRA' and end_year = 2024").fetchone()
    assert row == (3.0, 4.0)


def test_group_codes_match_however_they_are_written(build, tmp_path):
    survey = RIM_SURVEY.replace(",young\n", ",Young\n")
    population = POPULATION.replace("LCRA,age_band,old,1500", "LCRA,age_band,OLD ,1500")
    con, survey_year = _accuracy(build, tmp_path, toml=RIM, survey=survey, population=population)
    weights = dict(con.execute("select response_id, weight from intermediate.int_survey_weights"
                               ).fetchall())
    assert weights["R0"] == pytest.approx(2.5)


WEIGHTS = ("response_id,tenure,collection_method,response_date,tp01,weight\n"
           "A,LCRA,postal,2024-02-01,very_satisfied,3\nB,LCRA,postal,2024-02-01,neither,0\n"
           "C,LCRA,postal,2024-02-01,neither,-1\nD,LCRA,postal,2024-02-01,neither,inf\n"
           "E,LCRA,postal,2024-02-01,neither,NaN\nF,LCRA,postal,2024-02-01,neither,abc\n"
           "G,LCRA,postal,2024-02-01,neither,1\n")


def test_a_weight_that_is_not_a_positive_number_quarantines_its_respondent(build, tmp_path):
    con, _ = _accuracy(build, tmp_path, toml='[surveys."2023/24"]\nweighting = "column"\n',
                       survey=WEIGHTS)
    quarantined = con.execute("select source_file, source_row, column_name, value, rule "
                              "from quarantine.rows order by source_row").fetchall()
    # source_row counts the header as row 1, as a spreadsheet shows the file
    assert quarantined == [
        ("survey_responses.csv", 3, "weight", "0", "not_positive"),
        ("survey_responses.csv", 4, "weight", "-1", "not_positive"),
        ("survey_responses.csv", 5, "weight", "inf", "invalid_decimal"),
        ("survey_responses.csv", 6, "weight", "NaN", "invalid_decimal"),
        ("survey_responses.csv", 7, "weight", "abc", "invalid_decimal")]
    # the run goes on with A (weight 3, satisfied) and G (weight 1): 3 of 4
    row = con.execute("select numerator, denominator from report.report_tsm_publication_table "
                      "where measure_code = 'TP01' and tenure = 'LCRA' and end_year = 2024").fetchone()
    assert row == (3.0, 4.0)


def test_a_blank_weight_under_column_weighting_names_the_file_and_row(tmp_path):
    survey = WEIGHTS.replace(",0\n", ",\n").replace(",-1\n", ",\n")  # B and C blank
    ds = write_dataset(tmp_path / "ds", {"homes.csv": HOMES, "survey_responses.csv": survey,
                                         "survey.toml": '[surveys."2023/24"]\nweighting = "column"\n'})
    with pytest.raises(PipelineError) as exc:
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))
    assert str(exc.value) == (
        'survey_responses.csv row 3 column weight: blank (and 1 more respondent(s)), but '
        'survey.toml [surveys."2023/24"] weighting = "column" needs a weight for every '
        'respondent; give it, or set weighting = "rim" or "none"')
