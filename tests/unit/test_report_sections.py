"""The report's package functions on small hand-made inputs: the readers of the optional
CSVs (clear errors naming file, row and column), small-number formatting, quartile
placement, overdue actions and the self-assessment contradiction flag."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pipeline.errors import PipelineError
from pipeline.report import benchmarks, complaints_report, fmt, inputs, publication
from pipeline.report.context import open_context
from tests.unit.test_report_data import build_tiny_warehouse


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_small_numbers_and_percentages():
    assert [fmt.small(n, 5) for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", "1,234"]
    assert fmt.percent(1, 3) == "33.3%"
    assert fmt.percent(1, 8, threshold=5) == "12.5%"
    assert fmt.percent(1, 4, threshold=5) == "withheld (<5 cases)"
    assert fmt.percent(0, 0) == ""


def test_self_assessment_reader(tmp_path):
    write(tmp_path, "self_assessment.csv",
          "code_section,requirement,complies,evidence\n6.2,Acknowledge,Yes,CRM\n5.3,Two stages,N/A,\n")
    frame = inputs.read_self_assessment(tmp_path)
    assert frame["complies"].tolist() == ["yes", "n/a"]
    assert frame["commentary"].tolist() == ["", ""]
    assert inputs.read_self_assessment(tmp_path / "nowhere") is None
    assert inputs.read_self_assessment(None) is None


@pytest.mark.parametrize("row, message", [
    ("six,Acknowledge,yes,,", "self_assessment.csv row 2 column code_section: 'six'"),
    ("6.2,Acknowledge,mostly,,", "self_assessment.csv row 2 column complies: 'mostly'"),
])
def test_self_assessment_errors_name_file_row_column(tmp_path, row, message):
    write(tmp_path, "self_assessment.csv",
          "code_section,requirement,complies,evidence,commentary\n" + row + "\n")
    with pytest.raises(PipelineError, match=message):
        inputs.read_self_assessment(tmp_path)


@pytest.mark.parametrize("row, message", [
    ("6.2,Ack,Do it,2024-02-30,in_progress,,", "improvement_plan.csv row 3 column due_date: '2024-02-30'"),
    ("6.2,Ack,Do it,02/13/2024,in_progress,,", "row 3 column due_date: '02/13/2024'"),
    ("6.2,Ack,Do it,2024-02-01,done,,", "row 3 column status: 'done'"),
    ("six point two,Ack,Do it,2024-02-01,completed,2024-01-01,", "row 3 column code_refs"),
    ("6.2,Ack,Do it,2024-02-01,completed,,", "row 3 column completed_date: '': a completed"),
])
def test_improvement_plan_errors_name_file_row_column(tmp_path, row, message):
    write(tmp_path, "improvement_plan.csv",
          "code_refs,requirement,improvement,due_date,status,completed_date,notes\n"
          "5.9; 6.4,Ok,Fine,31/01/2024,Not Started,,\n" + row + "\n")
    with pytest.raises(PipelineError, match=message):
        inputs.read_improvement_plan(tmp_path)


def test_overdue_is_not_completed_and_due_before_the_report_date(tmp_path):
    write(tmp_path, "improvement_plan.csv",
          "code_refs,requirement,improvement,due_date,status,completed_date,notes\n"
          "6.2,a,due before,2024-04-10,in_progress,,\n"
          "6.2,b,due on the day,2024-04-11,not_started,,\n"
          "6.2,c,done late,2024-01-31,completed,2024-02-01,\n"
          "6.2,d,done,2024-01-31,completed,2024-01-31,\n")
    plan = complaints_report.improvement_plan(inputs.read_improvement_plan(tmp_path),
                                              date(2024, 4, 11))
    assert plan["overdue"].tolist() == [True, False, False, False]
    assert plan["state"].tolist() == ["OVERDUE (1 days)", "Not started", "completed late",
                                      "completed"]
    assert inputs.split_code_refs("5.9; 6.4, 6.15") == ["5.9", "6.4", "6.15"]


def test_sector_quartiles_reader(tmp_path):
    write(tmp_path, "sector_quartiles_illustrative.csv",
          "measure_code,measure_part,tenure,year,lower_quartile,median,upper_quartile,note\n"
          "tp01,,lcra,2023/24,60,70,80,made up\nCH02,Stage 1,LCRA,2024,70,80,90,\n")
    frame = inputs.read_sector_quartiles(tmp_path)
    assert frame["end_year"].tolist() == [2024, 2024]
    assert frame["measure_part"].tolist() == ["", "stage_1"]
    assert frame["illustrative"].all()
    write(tmp_path, "sector_quartiles_illustrative.csv",
          "measure_code,measure_part,tenure,year,lower_quartile,median,upper_quartile\n"
          "TP01,,LCRA,2023/25,60,70,80\n")
    with pytest.raises(PipelineError, match="row 2 column year: '2023/25'"):
        inputs.read_sector_quartiles(tmp_path)


def test_quartile_position_boundaries():
    position = benchmarks.quartile_position
    assert position(59.9, 60, 70, 80) == "lowest quartile"
    assert position(60, 60, 70, 80) == "second quartile"
    assert position(70, 60, 70, 80) == "third quartile"
    assert position(80, 60, 70, 80) == "third quartile"
    assert position(80.1, 60, 70, 80) == "highest quartile"


def test_small_number_threshold_from_landlord_toml(tmp_path):
    assert inputs.small_number_threshold(None) == 5
    write(tmp_path, "landlord.toml", "small_number_threshold = 10\n")
    assert inputs.small_number_threshold(tmp_path) == 10
    write(tmp_path, "landlord.toml", "small_number_threshold = 0\n")
    with pytest.raises(PipelineError, match="small_number_threshold"):
        inputs.small_number_threshold(tmp_path)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    context = open_context(build_tiny_warehouse(tmp_path_factory.mktemp("tiny")), 2024)
    yield context
    context.close()


def test_publication_has_all_22_measures_under_the_themes(ctx):
    frame = publication.publication(ctx.con, ctx.end_year)
    assert sorted(set(frame["measure_code"])) == sorted(publication.MEASURE_CODES)
    assert publication.themes(frame) == list(publication.THEMES)
    ch = frame[(frame["measure_code"] == "CH01") & (frame["tenure"] == "LCRA")
               & (frame["measure_part"] == "stage_1")]
    assert ch["published"].tolist() == ["1000.0"]
    rp = frame[frame["measure_code"] == "RP01"]["published"].iloc[0]
    assert rp.startswith("not available: ")
    table = publication.theme_table(frame, "Effective handling of complaints")
    assert list(table.columns) == ["code", "description", "LCRA", "LCHO", "ALL"]


def test_evidence_and_contradiction_flag(ctx):
    found = {e.check: e for e in complaints_report.evidence(ctx.con, ctx.end_year, ctx.report_date)}
    assert found["stage_1_acknowledged"].breaches == 1  # C2 never acknowledged
    assert found["stage_1_response"].breaches == 1  # C2 late
    assert found["stage_2_acknowledged"].breaches == 0
    assert found["two_stages"].breaches == 0
    assessment = pd.DataFrame([
        {"code_section": "6.2", "requirement": "ack", "complies": "yes", "evidence": "",
         "commentary": ""},
        {"code_section": "6.11", "requirement": "ack 2", "complies": "yes", "evidence": "",
         "commentary": ""},
        {"code_section": "6.3", "requirement": "respond", "complies": "no", "evidence": "",
         "commentary": ""}])
    frame = complaints_report.self_assessment(assessment, list(found.values())).set_index(
        "code_section")
    assert frame.loc["6.2", "flag"].startswith("data contradicts 'yes': 1 record")
    assert frame.loc["6.11", "flag"] == ""
    assert frame.loc["6.3", "flag"] == ""  # a 'no' is not contradicted
    assert frame.loc["6.4", "complies"] == "not assessed"  # tested by the data, not assessed
    assert frame.index.tolist()[:3] == ["2.4", "5.3", "6.2"]
