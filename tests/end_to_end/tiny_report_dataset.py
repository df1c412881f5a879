"""A tiny dataset for the report tests: two homes, complaints and a small survey in 2022/23 and
2023/24, and the report's own optional inputs (self-assessment, improvement plan, an
illustrative sector quartiles file). Small enough to build in about a second."""

from __future__ import annotations

from pathlib import Path

from pipeline.landlord import read_landlord
from pipeline.report.outputs import write_outputs
from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.unit.test_report_data import COMPLAINTS, HOMES

# 20 more homes (a survey of 1 home per tenure is not a survey), and one more complaint in
# 2022/23, so there are two years to trend
MORE_HOMES = "".join(f"H{i},LCRA\n" for i in range(3, 18)) + "".join(
    f"H{i},LCHO\n" for i in range(18, 23))
EARLIER = "C0,1,2022-06-01,2022-06-02,2022-06-10,H1,not_upheld,repairs\n"

SELF_ASSESSMENT = (
    "code_section,requirement,complies,evidence,commentary\n"
    "5.3,No more than two stages,yes,Policy,\n"
    '6.2,"Acknowledge within 5 working days",yes,CRM task,"C2 was not acknowledged"\n'
    "6.3,Stage 1 response within 10 working days,partly,Monthly report,\n"
    "8.1,Annual report,yes,This report,\n"
)
IMPROVEMENT_PLAN = (
    "code_refs,requirement,improvement,due_date,status,completed_date,notes\n"
    "6.2; 6.11,Acknowledge on time,Automatic acknowledgement,2023-06-30,in_progress,,late\n"
    "6.3,Respond on time,Weekly review,2023-05-31,completed,2023-05-20,\n"
    "7.1,Put things right,Publish compensation policy,2030-03-31,not_started,,\n"
)
QUARTILES = (
    "measure_code,measure_part,tenure,year,lower_quartile,median,upper_quartile,note\n"
    "CH01,stage_1,LCRA,2023/24,18,32,52,ILLUSTRATIVE: made up for the tests\n"
    "CH02,stage_1,LCRA,2023/24,72,85,94,ILLUSTRATIVE: made up for the tests\n"
    "TP01,,LCRA,2023/24,66,72,78,ILLUSTRATIVE: made up for the tests\n"
)
SURVEY_HEADER = "response_id,tenure,collection_method,response_date,tp01,tp05\n"


def survey_rows() -> str:
    """2022/23: LCRA 3 of 4 satisfied with TP01; 2023/24: 1 of 4. LCHO: 2 responses a year."""
    rows = []
    answers = {
        "2023-01-10": ["very_satisfied", "fairly_satisfied", "very_satisfied", "neither"],
        "2024-01-10": ["fairly_satisfied", "neither", "very_dissatisfied", "fairly_dissatisfied"],
    }
    for day, tp01 in answers.items():
        for i, answer in enumerate(tp01):
            tp05 = "dont_know" if i == 0 else "fairly_satisfied"
            rows.append(f"R{day[:4]}{i},LCRA,postal,{day},{answer},{tp05}")
        for i in range(2):
            rows.append(f"S{day[:4]}{i},LCHO,online,{day},fairly_satisfied,very_satisfied")
    return "\n".join(rows) + "\n"


def build(folder: Path, with_outputs: bool = True) -> RunConfig:
    """Write the dataset into folder/dataset, refresh the warehouse for 2023/24 and (with
    outputs) write outputs/2023-24/*.csv, without rendering."""
    dataset = folder / "dataset"
    dataset.mkdir()
    (dataset / "homes.csv").write_text(HOMES + MORE_HOMES, encoding="utf-8")
    (dataset / "complaints.csv").write_text(COMPLAINTS + EARLIER, encoding="utf-8")
    (dataset / "survey_responses.csv").write_text(SURVEY_HEADER + survey_rows(), encoding="utf-8")
    (dataset / "self_assessment.csv").write_text(SELF_ASSESSMENT, encoding="utf-8")
    (dataset / "improvement_plan.csv").write_text(IMPROVEMENT_PLAN, encoding="utf-8")
    (dataset / "sector_quartiles_illustrative.csv").write_text(QUARTILES, encoding="utf-8")
    (dataset / "landlord.toml").write_text('name = "Tiny Homes"\nsmall_number_threshold = 3\n',
                                           encoding="utf-8")
    config = RunConfig.create(dataset, folder / "outputs", year=2024, render=False)
    refresh(config)
    if with_outputs:
        write_outputs(config, read_landlord(dataset))
    return config
