"""The report's benchmark section on the regulator's published data (pipeline/report/benchmarks):
a landlord's values placed in hand-made peer quartiles with hand-checked quartiles and
directions, the real 2023/24 figures for one measure, and the section's fallback for a year the
regulator has not published."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.report import benchmarks, report_data
from tests.end_to_end.tiny_report_dataset import build

PEER = ["year", "measure_code", "measure_part", "tenure", "peer_group", "peer_value",
        "n_landlords", "lower_quartile", "median", "upper_quartile", "small_group"]
# hand-made peer quartiles for 2023/24: TP01 by tenure, CH01 stage 1 (lower is better)
QUARTILES = pd.DataFrame([
    ("2023/24", "TP01", "", "LCRA", "all", "all", 300, 60.0, 70.0, 80.0, False),
    ("2023/24", "TP01", "", "LCRA", "type", "PRP", 150, 66.0, 72.0, 78.0, False),
    ("2023/24", "TP01", "", "LCHO", "all", "all", 50, 40.0, 50.0, 60.0, False),
    ("2023/24", "TP01", "", "LCHO", "type", "PRP", 8, 45.0, 55.0, 65.0, True),
    ("2023/24", "CH01", "stage_1", "LCRA", "all", "all", 300, 25.0, 40.0, 60.0, False),
    ("2023/24", "CH01", "stage_1", "LCRA", "type", "PRP", 150, 20.0, 30.0, 50.0, False),
    ("2023/24", "CH01", "stage_1", "ALL", "all", "all", 3, 10.0, 20.0, 30.0, True),
], columns=PEER)
PRP = {"peer_group": "type", "type": "PRP", "size_band": None, "region": None,
       "supported_over_30pct": None, "survey_method": {}}


def publication_rows(values: dict, end_year: int = 2024) -> pd.DataFrame:
    """A report_tsm_publication_table-like frame: {(code, part, tenure): value}."""
    return pd.DataFrame([
        {"end_year": end_year, "measure_code": code, "measure_part": part, "tenure": tenure,
         "value": value, "unit": "per_1000_homes" if code == "CH01" else "percent",
         "status": "ok", "published": f"{value:.1f}" + ("" if code == "CH01" else "%")}
        for (code, part, tenure), value in values.items()])


def placed(value: float, code: str = "TP01", part: str = "", tenure: str = "LCRA",
           spec: dict = PRP) -> pd.Series:
    table = benchmarks.sector_table(publication_rows({(code, part, tenure): value}), 2024,
                                    "2023/24", spec, QUARTILES)
    assert len(table) == 1
    return table.iloc[0]


@pytest.mark.parametrize(("value", "quartile"), [
    (65.9, 1), (66.0, 2), (71.9, 2), (72.0, 3), (77.9, 3), (78.0, 4), (95.0, 4)])
def test_higher_is_better_quartiles_on_and_around_the_boundaries(value, quartile):
    """TP01 LCRA against PRP 66 / 72 / 78: a value on a quartile goes to the better quarter."""
    row = placed(value)
    assert row["better"] == "higher"
    assert row["quartile"] == quartile
    assert (row["n_landlords"], row["lower_quartile"], row["median"], row["upper_quartile"]) == (
        150, 66.0, 72.0, 78.0)
    assert (row["sector_median"], row["sector_n"]) == (70.0, 300)  # all landlords


@pytest.mark.parametrize(("value", "quartile"), [
    (10.0, 4), (20.0, 4), (20.1, 3), (30.0, 3), (30.1, 2), (50.0, 2), (50.1, 1), (90.0, 1)])
def test_ch01_lower_is_better_quartiles(value, quartile):
    """CH01 stage 1 LCRA against PRP 20 / 30 / 50 per 1,000 homes: fewer complaints is
    better, so 20 (on the lower quartile) is in the top quarter and 50.1 in the bottom."""
    row = placed(value, "CH01", "stage_1")
    assert row["better"] == "lower"
    assert row["quartile"] == quartile
    assert row["median"] == 30.0 and row["sector_median"] == 40.0


def test_perception_compared_within_its_own_tenure_and_small_group_flagged():
    row = placed(56.0, tenure="LCHO")  # LCHO PRP 45 / 55 / 65, not LCRA's 66 / 72 / 78
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == (45.0, 55.0, 65.0)
    assert row["quartile"] == 3 and row["n_landlords"] == 8 and row["small_group"]
    assert row["sector_median"] == 50.0 and row["sector_n"] == 50
    table = benchmarks.sector_table(publication_rows({("TP01", "", "LCHO"): 56.0}), 2024,
                                    "2023/24", PRP, QUARTILES)
    assert "PRP (8) ⚠ under 10" in benchmarks.sector_html(table, "2023/24", "2022/23")
    assert "fewer than 10 landlords" in benchmarks.peer_group_text(table, PRP, "the default")


def test_previous_year_combined_rows_and_unknown_type():
    values = {("TP01", "", "LCRA"): 68.0, ("CH01", "stage_1", "LCRA"): 35.0,
              ("CH01", "stage_1", "ALL"): 33.0}
    frame = pd.concat([publication_rows(values),
                       publication_rows({("TP01", "", "LCRA"): 71.8}, end_year=2023)])
    table = benchmarks.sector_table(frame, 2024, "2023/24", PRP, QUARTILES)
    # the combined CH01 is left out: the sector's ALL rows are the few landlords that
    # could not split theirs by tenure
    assert table[["measure_code", "tenure"]].values.tolist() == [["TP01", "LCRA"],
                                                                 ["CH01", "LCRA"]]
    assert table["previous"].tolist()[0] == "71.8%" and pd.isna(table["previous_value"].iloc[1])
    assert table["quartile"].tolist() == [2, 2]  # 68 in 66..72; 35 in 30..50 (lower better)
    # no landlord_type: the default peer group (type) is unknown, so all landlords
    no_type = dict(PRP, type=None)
    table = benchmarks.sector_table(frame, 2024, "2023/24", no_type, QUARTILES)
    assert table["peer_value"].tolist() == ["all", "all"]
    assert table["n_landlords"].tolist() == [300, 300]
    assert table["quartile"].tolist() == [2, 3]  # 68 in 60..70; 35 in 25..40 (lower better)
    assert "sets no <code>landlord_type</code>" in benchmarks.peer_group_text(
        table, no_type, "the default")


def test_real_2023_24_tp01_lcra_among_housing_associations():
    """The shipped regulator data: TP01 LCRA 2023/24 among the 197 PRPs has quartiles
    66.94 / 73.19 / 79.55 and the 355-landlord sector median is 71.30, so 68.0% is in the
    lower-middle quarter."""
    row = benchmarks.sector_table(publication_rows({("TP01", "", "LCRA"): 68.0}), 2024,
                                  "2023/24", PRP).iloc[0]  # quartiles: the shipped data
    assert row["n_landlords"] == 197 and not row["small_group"]
    assert round(row["lower_quartile"], 2) == 66.94
    assert round(row["median"], 2) == 73.19
    assert round(row["upper_quartile"], 2) == 79.55
    assert row["sector_n"] == 355 and round(row["sector_median"], 1) == 71.3
    assert row["quartile"] == 2
    assert benchmarks.published_years() == ["2023/24", "2024/25"]
    assert benchmarks.credit_line("2023/24") == (
        "Sector figures: Regulator of Social Housing, Tenant Satisfaction Measures 2023/24, "
        "Open Government Licence v3.0")


def test_figure_alt_text_names_each_placed_measure():
    table = benchmarks.sector_table(publication_rows({
        ("TP01", "", "LCRA"): 68.0, ("CH01", "stage_1", "LCRA"): 35.0}), 2024, "2023/24", PRP,
        QUARTILES)
    fig, alt = benchmarks.sector_figure(table, "percent", "2023/24", "2022/23")
    assert alt.startswith("Chart of 1 of our 2023/24 results")
    assert "TP01 LCRA: 68.0%, lower-middle quartile" in alt and "150 landlords" in alt
    fig, alt = benchmarks.sector_figure(table, "per_1000_homes", "2023/24", "2022/23")
    assert "CH01 (stage 1) LCRA ↓: 35.0, lower-middle quartile" in alt


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    config = build(tmp_path_factory.mktemp("tiny_bench"), with_outputs=False)
    con = report_data.connect(config.warehouse_path)
    yield config, con
    con.close()


def test_year_without_published_data_falls_back_to_the_illustrative_file(tiny):
    config, con = tiny
    text = benchmarks.section_html(con, 2023, "2022/23", config.dataset_dir)
    assert "published no sector figures for 2022/23" in text
    assert "2023/24 and 2024/25" in text
    assert "Illustrative figures, not real sector benchmarks" in text
    assert "Sector figures: Regulator" not in text
    bare = benchmarks.section_html(con, 2023, "2022/23", None)
    assert "published no sector figures for 2022/23" in bare and "<table" not in bare


def test_published_year_uses_the_regulators_data(tiny):
    config, con = tiny
    text = benchmarks.section_html(con, 2024, "2023/24", config.dataset_dir)
    assert ("Sector figures: Regulator of Social Housing, Tenant Satisfaction Measures 2023/24, "
            "Open Government Licence v3.0") in text
    assert "<strong>all landlords</strong>" in text  # Tiny Homes sets no landlord_type
    assert "all (355)" in text  # TP01 LCRA 2023/24: 355 landlords published a figure
    assert "<details>" in text  # the dataset's illustrative file, collapsed, not used
