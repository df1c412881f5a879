"""data_return.csv / .xlsx on one tiny warehouse built through the real pipeline; every
figure below is counted by hand from the files in this module."""

import openpyxl
import pandas as pd
import pytest

from pipeline.periods import ReportingPeriod
from pipeline.report.data_return import (
    COLUMNS,
    data_return_table,
    mapping_year,
    read_fields,
    write_data_return_xlsx,
)
from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.conftest import write_dataset

# 5 LCRA homes, 2 LCHO homes
HOMES = "home_ref,tenure\n" + "".join(f"H{i},LCRA\n" for i in range(5)) + "L0,LCHO\nL1,LCHO\n"
# 2023/24, Code 2022: stage 1 answer within 10 WD of receipt (no acknowledgement recorded).
# LCRA stage 1: C1 and C2 on time, C3 late (3 months), C4 refused (not a complaint stage);
# LCHO stage 1: C5 on time. So CH02 stage 1 LCRA = 2 / 3.
COMPLAINTS = (
    "complaint_ref,stage,received_date,responded_date,home_ref,refused\n"
    "C1,1,2023-06-01,2023-06-02,H0,N\n"
    "C2,1,2023-06-01,2023-06-05,H1,N\n"
    "C3,1,2023-06-01,2023-09-01,H2,N\n"
    "C4,1,2023-06-01,2023-06-02,H3,Y\n"
    "C5,1,2023-07-03,2023-07-04,L0,N\n"
)
# 4 LCRA respondents in 2023/24 (and one in 2022/23, which is not counted); no LCHO survey.
# TP01: 2 very satisfied, 1 fairly satisfied, 1 don't know. TP02 routed by repair_last_12m.
SURVEY = (
    "response_id,tenure,collection_method,response_date,tp01,tp02,repair_last_12m\n"
    "R1,LCRA,postal,2024-01-15,very_satisfied,fairly_satisfied,yes\n"
    "R2,LCRA,online,2024-01-15,very_satisfied,,no\n"
    "R3,LCRA,online,2024-01-16,fairly_satisfied,very_dissatisfied,yes\n"
    "R4,LCRA,telephone,2024-01-17,dont_know,,no\n"
    "R0,LCRA,postal,2023-02-01,very_dissatisfied,,no\n"
)
SURVEY_TOML = ('[surveys."2023/24"]\nsample_method = "census"\ncontractor = "A Research Ltd"\n'
               'excluded_households = 0\n')


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """(read-only connection, RunConfig) for the tiny dataset, built once for the module."""
    import duckdb

    root = tmp_path_factory.mktemp("data_return")
    dataset = write_dataset(root / "ds", {"homes.csv": HOMES, "complaints.csv": COMPLAINTS,
                                          "survey_responses.csv": SURVEY,
                                          "survey.toml": SURVEY_TOML})
    config = RunConfig.create(dataset, root / "ds-out", year=2024, render=False)
    refresh(config)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    yield con, config
    con.close()


@pytest.fixture(scope="module")
def table(warehouse):
    con, config = warehouse
    return data_return_table(con, config)


def _row(table, source, item=None):
    rows = table[table["source"] == source]
    if item is not None:
        rows = rows[rows["item"] == item]
    assert len(rows) == 1, f"{source} {item}: {len(rows)} rows"
    return rows.iloc[0]


def test_columns_and_rows_of_the_year(table):
    assert list(table.columns) == COLUMNS
    fields = read_fields()
    expected = fields["years"].str.contains("2023/24", regex=False).sum()
    assert len(table) == expected
    assert table["item_order"].is_monotonic_increasing
    # 2024/25-only items are left out of a 2023/24 return
    assert "DP_TSML183" not in set(table["dp_code"])


def test_mapping_year_for_years_outside_the_dictionaries():
    fields = read_fields()
    assert mapping_year(fields, ReportingPeriod(2024)) == "2023/24"
    assert mapping_year(fields, ReportingPeriod(2025)) == "2024/25"
    assert mapping_year(fields, ReportingPeriod(2027)) == "2024/25"
    assert mapping_year(fields, ReportingPeriod(2022)) == "2023/24"


def test_ch02_stage_1_lcra_numerator(table):
    row = _row(table, "tsm:CH02:stage_1:LCRA:numerator")
    assert row["dp_code"] == "DP_TSML181"
    assert row["value"] == 2  # C1, C2 (C3 late, C4 refused, C5 is LCHO)
    assert _row(table, "tsm:CH02:stage_1:LCRA:denominator")["value"] == 3


def test_units_owned(table):
    lcra = table[table["source"] == "homes:LCRA_units"]
    assert set(lcra["value"]) == {5}
    assert set(table.loc[table["source"] == "homes:LCHO_units", "value"]) == {2}
    assert set(table.loc[table["source"] == "homes:ALL_units", "value"]) == {7}


def test_tp01_answer_counts(table):
    assert _row(table, "survey:LCRA:TP01:count_very_satisfied")["value"] == 2
    assert _row(table, "survey:LCRA:TP01:count_fairly_satisfied")["value"] == 1
    assert _row(table, "survey:LCRA:TP01:count_very_dissatisfied")["value"] == 0
    unweighted = _row(table, "survey:LCRA:TP01:unweighted_count_very_satisfied")["value"]
    assert unweighted == 2 and isinstance(unweighted, int)
    # 3 satisfied of 3 valid (don't know is not valid)
    assert _row(table, "survey:LCRA:TP01:unweighted_result")["value"] == pytest.approx(100.0)
    assert _row(table, "tsm:TP01::LCRA:value")["value"] == pytest.approx(100.0)


def test_survey_facts(table):
    assert _row(table, "survey:LCRA:responses_total")["value"] == 4  # R0 is 2022/23
    assert _row(table, "survey:LCRA:responses_internet")["value"] == 2
    assert _row(table, "survey:LCRA:responses_sms")["value"] == 0
    assert _row(table, "survey:LCRA:sample_method")["value"] == "Census"
    assert _row(table, "survey:LCRA:weighted", "weighted")["value"] == "No"
    assert _row(table, "survey:LCRA:weighted", "result_by_method_weighted")["value"] == "Unweighted"
    # TP02's routing question: R1, R3 yes; R2, R4 no (their blank TP02 is in no answer table)
    assert _row(table, "survey:LCRA:TP02:filter_yes")["value"] == 2
    assert _row(table, "survey:LCRA:TP02:filter_no")["value"] == 2
    assert _row(table, "survey:LCRA:TP02:count_very_dissatisfied")["value"] == 1
    # by method: online R2 very satisfied, R3 fairly satisfied -> 100%
    assert _row(table, "survey:LCRA:tp01_result_internet")["value"] == pytest.approx(100.0)
    sms = _row(table, "survey:LCRA:tp01_result_sms")
    assert sms["value"] is None and "no valid TP01 answers by sms" in sms["note"]


def test_not_measured_is_blank_with_a_note_never_zero(table):
    # no LCHO respondents: LCHO TP01 is not available
    tp01 = _row(table, "tsm:TP01::LCHO:value")
    assert tp01["value"] is None and tp01["note"].startswith("not available: ")
    lcho = _row(table, "survey:LCHO:TP01:count_very_satisfied")
    assert lcho["value"] is None and "no LCHO survey responses" in lcho["note"]
    # no safety_checks.csv, no repairs.csv
    bs01 = _row(table, "tsm:BS01::ALL:numerator")
    assert bs01["value"] is None and bs01["note"].startswith("not available: ")
    # manual items are the landlord's
    manual = table[table["source"] == "manual"]
    assert manual["value"].isna().all()
    assert manual["note"].str.startswith("to be supplied by the landlord").all()
    # nothing blank goes without a note
    blanks = table[table["value"].isna()]
    assert (blanks["note"] != "").all()


def test_code_version_items_2023_24(table):
    used = table[table["item"] == "standard_timescales_used"]
    assert set(used["value"]) == {"Yes"}
    text = table.loc[table["item"] == "timescales_description", "value"].iloc[0]
    assert text == "Complaint Handling Code 2022: stage 1 10 WD (+10), stage 2 20 WD (+10)"


def test_2024_25_extension_split_sums_to_the_numerator(warehouse):
    con, config = warehouse
    later = RunConfig.create(config.dataset_dir, config.outputs_dir, year=2025, render=False)
    frame = data_return_table(con, later)
    assert frame.attrs["mapping_year"] == "2024/25"
    assert "DP_TSML183" in set(frame["dp_code"])
    # no complaints in 2024/25: CH02 is not available, so the split is blank, not 0
    row = _row(frame, "complaints:stage_1:LCRA:on_time_without_extension")
    assert row["value"] is None and row["note"].startswith("not available")


def test_xlsx(table, tmp_path):
    path = write_data_return_xlsx(table, tmp_path / "data_return.xlsx", "Tiny Homes", "2023/24")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Data return", "Timescales"]
    sheet = book["Data return"]
    assert "Tiny Homes" in sheet["A1"].value and "2023/24" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == COLUMNS
    assert sheet["A2"].font.bold
    assert sheet.freeze_panes == "A3"
    assert sheet.max_row == len(table) + 2
    codes = [c.value for c in sheet["G"][2:]]
    assert "DP_TSML181" in codes
    timescales = pd.DataFrame(book["Timescales"].values).iloc[2:]
    assert "CH02" in set(timescales[0])


def test_excluded_households_per_tenure_and_one_figure_not_counted_twice():
    from types import SimpleNamespace

    from pipeline.report.data_return import _excluded

    period = SimpleNamespace(label="2023/24")
    both = {"LCRA": 100, "LCHO": 20}
    facts = SimpleNamespace(survey={"excluded_households": {"LCRA": 10, "LCHO": 3}},
                            homes=both, period=period)
    assert (_excluded(facts, "LCRA").value, _excluded(facts, "LCHO").value) == (10, 3)
    facts = SimpleNamespace(survey={"excluded_households": 13}, homes=both, period=period)
    assert _excluded(facts, "LCRA").value is None and _excluded(facts, "LCHO").value is None
    assert "per tenure" in _excluded(facts, "LCHO").note
    facts = SimpleNamespace(survey={"excluded_households": 13}, homes={"LCRA": 100},
                            period=period)
    assert _excluded(facts, "LCRA").value == 13

    facts = SimpleNamespace(survey={"excluded_households": 0}, homes=both, period=period)
    assert (_excluded(facts, "LCRA").value, _excluded(facts, "LCHO").value) == (0, 0)
    facts = SimpleNamespace(survey={"excluded_households": {"lcra": 4}}, homes=both, period=period)
    assert _excluded(facts, "LCRA").value == 4


def test_survey_items_of_a_tenure_the_landlord_owns_no_homes_of_are_not_applicable():
    """tsm.md: a landlord with no LCHO homes reports no LCHO rows; so for LCRA."""
    from types import SimpleNamespace

    from pipeline.report.data_return import resolve_survey

    facts = SimpleNamespace(homes={"LCRA": 5}, survey={}, period=SimpleNamespace(label="2023/24"))
    for parts in (["LCHO", "responses_total"], ["LCHO", "TP01", "count_very_satisfied"]):
        got = resolve_survey(facts, parts)
        assert got.value is None and got.note.startswith(
            "not applicable: the landlord owns no LCHO homes")
    got = resolve_survey(SimpleNamespace(homes={"LCHO": 5}, survey={}, period=facts.period),
                         ["LCRA", "responses_total"])
    assert got.note.startswith("not applicable: the landlord owns no LCRA homes")
