"""Sector benchmarks from the regulator's published TSM data (issue 11): hand-checked numbers.

The real workbooks live in ../shared/data/rsh/ beside the repository (CI clones it there); the
tests that need them skip, saying so, when they are absent. Each workbook is read once per
module (about 1-1.5 s each)."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.benchmarks.peers import (
    peer_quartiles,
    published_value_disagreements,
    quartiles,
    rounding_tolerance,
)
from pipeline.benchmarks.position import (
    BETTER_DIRECTION,
    benchmark_position,
    peer_group_spec,
    quartile_of,
)
from pipeline.benchmarks.reference import REFERENCE_DIR, load_reference
from pipeline.benchmarks.rsh_reader import (
    RshLayoutError,
    header_row_number,
    normalise_header,
    read_rsh_workbook,
)
from pipeline.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
RSH_DIR = REPO_ROOT.parent / "shared" / "data" / "rsh"
FILE_2024 = RSH_DIR / "TSM_2024_Full_Data_v1.1.xlsx"  # 2023/24
FILE_2025 = RSH_DIR / "TSM_2025_Full_Data_v1.0.xlsx"  # 2024/25


def needs(path: Path):
    return pytest.mark.skipif(not path.is_file(), reason=(
        f"the regulator's workbook {path.name} is not at {path.parent} "
        "(CI clones ../shared beside the repository)"))


@pytest.fixture(scope="module")
def rsh_2024():
    if not FILE_2024.is_file():
        pytest.skip(f"{FILE_2024} absent")
    return read_rsh_workbook(FILE_2024)


@pytest.fixture(scope="module")
def rsh_2025():
    if not FILE_2025.is_file():
        pytest.skip(f"{FILE_2025} absent")
    return read_rsh_workbook(FILE_2025)


def row(values: pd.DataFrame, code: str, measure: str, tenure: str, part: str = "") -> pd.Series:
    hit = values[(values["landlord_code"] == code) & (values["measure_code"] == measure)
                 & (values["tenure"] == tenure) & (values["measure_part"] == part)]
    assert len(hit) == 1, (code, measure, tenure, part, len(hit))
    return hit.iloc[0]


# ------------------------------------------------------------------ quartiles (hand-made)

def test_quartiles_are_quartile_inc():
    # 60, 70, 75, 80, 90: positions (n-1)p = 1, 2, 3 fall on values -> 70, 75, 80
    assert quartiles([90, 60, 80, 75, 70]) == (5, 70.0, 75.0, 80.0)
    # 10, 20, 40, 80: LQ at 0.75 -> 10 + 0.75*10 = 17.5; median at 1.5 -> 30;
    # UQ at 2.25 -> 40 + 0.25*40 = 50 (Excel QUARTILE.INC gives the same)
    assert quartiles([10, 20, 40, 80, None]) == (4, 17.5, 30.0, 50.0)
    n, lq, med, uq = quartiles([])
    assert n == 0 and math.isnan(med)


def tiny_peer_table():
    """Twelve PRP landlords (TP01 LCRA 50, 55, ..., 105 capped at 100) and three LAs."""
    codes = [f"P{i:02d}" for i in range(12)] + ["A1", "A2", "A3"]
    tp01 = [50, 52, 54, 56, 58, 60, 62, 64, 66, 68, 70, 72] + [40, 45, 80]
    values = pd.DataFrame({"year": "2023/24", "landlord_code": codes, "measure_code": "TP01",
                           "measure_part": "", "tenure": "LCRA", "value": tp01,
                           "numerator": float("nan"), "denominator": float("nan"),
                           "basis": "answer counts"})
    landlords = pd.DataFrame({
        "year": "2023/24", "code": codes, "name": codes,
        "type": ["PRP"] * 12 + ["LA"] * 3, "size_band": "<5,000", "region": "North",
        "supported_over_30pct": [True] * 2 + [False] * 13, "merged_during_year": False,
        "survey_method_lcra": "telephone", "survey_method_lcho": None,
        "survey_method_combined": None})
    return values, landlords


def test_peer_quartiles_by_type_and_small_group_flag():
    values, landlords = tiny_peer_table()
    q = peer_quartiles(values, landlords).set_index(["peer_group", "peer_value"])
    prp = q.loc[("type", "PRP")]
    # 50..72 step 2 (n = 12): LQ at 2.75 -> 54 + 0.75*2 = 55.5; median at 5.5 -> 61;
    # UQ at 8.25 -> 66 + 0.25*2 = 66.5
    assert (prp["n_landlords"], prp["lower_quartile"], prp["median"], prp["upper_quartile"]) \
        == (12, 55.5, 61.0, 66.5)
    assert not prp["small_group"]
    la = q.loc[("type", "LA")]
    # 40, 45, 80: LQ at 0.5 -> 42.5, median 45, UQ at 1.5 -> 62.5; 3 landlords: flagged, kept
    assert (la["n_landlords"], la["lower_quartile"], la["median"], la["upper_quartile"]) \
        == (3, 42.5, 45.0, 62.5)
    assert la["small_group"]
    assert q.loc[("all", "all"), "n_landlords"] == 15
    assert q.loc[("supported_housing", "over_30pct"), "small_group"]


def test_benchmark_position_places_the_landlord_in_its_type_quartiles():
    values, landlords = tiny_peer_table()
    table = peer_quartiles(values, landlords)
    spec = peer_group_spec({"landlord_type": "PRP"})  # no [benchmarks]: default "type"
    mine = pd.DataFrame({"measure_code": ["TP01", "TP01", "TP01"], "measure_part": "",
                         "tenure": "LCRA", "value": [55.0, 61.0, 70.0]})
    out = benchmark_position(mine, "2023/24", spec, quartiles=table)
    assert list(out["peer_value"]) == ["PRP"] * 3
    assert list(out["quartile"]) == [1, 3, 4]  # 55 < 55.5; 61 = median -> 3; 70 >= 66.5
    assert out["sector_median"].iloc[0] == 60.0  # all 15: 40,45,50,...,72,80 -> 8th = 60
    assert out["n_landlords"].iloc[0] == 12


def test_lower_is_better_quartiles_mirror():
    better = dict(BETTER_DIRECTION.itertuples(index=False))
    assert {k for k, v in better.items() if v == "lower"} == {"CH01", "NM01", "RP01"}
    assert quartile_of(5.0, 10, 20, 30, "lower") == 4   # fewest complaints: top quarter
    assert quartile_of(35.0, 10, 20, 30, "lower") == 1
    assert quartile_of(20.0, 10, 20, 30, "lower") == 3  # on the median: the better side
    assert quartile_of(20.0, 10, 20, 30, "higher") == 3


def test_disagreement_tolerance_follows_the_published_rounding():
    assert rounding_tolerance(pd.Series([9.0, 21.0, 115.0])) == 0.5
    assert rounding_tolerance(pd.Series([60.7, 18.3])) == 0.05
    assert rounding_tolerance(pd.Series([74.9898332655551, 8.1])) == 0.0005
    values = pd.DataFrame({"year": "2024/25", "landlord_code": ["X", "Y"],
                           "measure_code": "CH02", "measure_part": "stage_1", "tenure": "LCRA",
                           "value": [60.7, 50.0], "numerator": [794, 10],
                           "denominator": [1307, 40], "basis": "numerator/denominator"})
    # X: 794/1307 = 60.7498 -> within 0.05 of 60.7; Y: 10/40 = 25 -> published 50: listed
    out = published_value_disagreements(values)
    assert list(out["landlord_code"]) == ["Y"]
    assert out["recomputed_value"].iloc[0] == 25.0


# ------------------------------------------------------------------ layout errors

def write_workbook(path: Path, header: list[str]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Data Dictionary"
    dd = wb["Data Dictionary"]
    dd.append(["Data_Dictionary"])
    dd.append(["Table", "Column Heading", "Data Field Name", "Survey_Datapoint"])
    for heading, field in (("Landlord name", "System Property"),
                           ("Landlord code", "System Property"),
                           ("Proportion of respondents who report that they are satisfied "
                            "(TP01)", "TP01_Satisfied_Calc_LCRA")):
        dd.append(["TSM24_LCRA_Perception", heading, field, "DP_TSML201"])
    sheet = wb.create_sheet("TSM24_LCRA_Perception")
    sheet.append(["TSM24_LCRA_Perception"])
    sheet.append(header)
    sheet.append(["Landlord A", "L0001", "PRP", "<5,000", "North", 70.0, 1])
    wb.save(path)
    return path


def test_unknown_column_is_an_error_naming_sheet_and_column(tmp_path):
    path = write_workbook(tmp_path / "odd.xlsx", [
        "Landlord name", "Landlord code", "Landlord type",
        "Landlord group size (homes owned, LCRA and LCHO combined)",
        "Landlord predominant region",
        "Proportion of respondents who report that they are satisfied (TP01)",
        "Tenant mood index"])
    with pytest.raises(RshLayoutError, match=r"TSM24_LCRA_Perception column G: header "
                                             r"'tenant mood index' is not in the workbook's "
                                             r"Data Dictionary"):
        read_rsh_workbook(path)


def test_missing_header_row_is_an_error_naming_the_sheet(tmp_path):
    path = write_workbook(tmp_path / "noheader.xlsx", ["Provider", "ID"])
    with pytest.raises(RshLayoutError, match="TSM24_LCRA_Perception: no header row with "
                                             "'Landlord name' and 'Landlord code'"):
        read_rsh_workbook(path)


def test_header_normalisation_drops_footnotes_not_codes():
    assert normalise_header("Required minimum sample size2,3") == "required minimum sample size"
    assert normalise_header("Relevant\xa0tenant population size (LCRA)") == \
        "relevant tenant population size (lcra)"
    assert normalise_header("Proportion ... (BS02)5") == "proportion ... (bs02)"
    assert normalise_header("(TP01) for each survey method - SMS6") == \
        "(tp01) for each survey method - sms"
    assert normalise_header("(CH01 1 Numerator)") == "(ch01 1 numerator)"


# ------------------------------------------------------------------ the real workbooks

@needs(FILE_2024)
def test_header_row_2023_24_is_row_3():
    rows = header_row_number(FILE_2024)
    assert {rows[s] for s in ("TSM24_LCRA_Perception", "TSM24_LCHO_Perception",
                              "TSM24_Combined_Perception", "TSM24_Management_Info")} == {3}


@needs(FILE_2025)
def test_header_rows_2024_25_are_rows_10_and_11():
    rows = header_row_number(FILE_2025)
    assert rows["TSM25_LCRA_Perception"] == 11
    assert rows["TSM25_LCHO_Perception"] == 10
    assert rows["TSM25_Combined_Perception"] == 10
    assert rows["TSM25_Management_Info"] == 10


def test_two_landlords_2023_24_checked_by_hand(rsh_2024):
    values, landlords, exclusions = rsh_2024
    # Abri Group Limited (L4172), TSM24_LCRA_Perception row 4: C4 'PRP', E4 '5,000-40,000',
    # V4 'Telephone', W4 TP01 = 74.9898332655551; answer counts AL4:AP4 = 916, 928, 218, 212,
    # 185 -> satisfied 1844 of 2459 = 74.98983...%
    tp01 = row(values, "L4172", "TP01", "LCRA")
    assert tp01["value"] == pytest.approx(74.9898332655551)
    assert (tp01["numerator"], tp01["denominator"]) == (1844, 2459)
    abri = landlords[landlords["code"] == "L4172"].iloc[0]
    assert (abri["type"], abri["size_band"], abri["survey_method_lcra"]) == (
        "PRP", "5,000-40,000", "telephone")
    # Ashfield District Council (37UB), TSM24_Management_Info row 14: C14 'LARP' -> LA;
    # RP01 P14 = 2.8128760529482553 from BE14 187 / BF14 6648; CH01 stage 1 LCRA
    # AA14 = 8.12274368231047 from BK14 54 / BL14 6648 homes; LCHO AG14 is 0 but its
    # numerator and denominator BS14, BT14 are [X]: no LCHO row
    rp01 = row(values, "37UB", "RP01", "LCRA")
    assert (rp01["value"], rp01["numerator"], rp01["denominator"]) == (
        pytest.approx(2.8128760529482553), 187, 6648)
    ch01 = row(values, "37UB", "CH01", "LCRA", "stage_1")
    assert (ch01["value"], ch01["numerator"], ch01["denominator"]) == (
        pytest.approx(8.12274368231047), 54, 6648)
    assert values[(values["landlord_code"] == "37UB") & (values["tenure"] == "LCHO")].empty
    assert landlords.loc[landlords["code"] == "37UB", "type"].item() == "LA"
    # Ashfield's LCRA TP01, TSM24_LCRA_Perception W9 = 88.30260648442467 (871 + 518 of 1573)
    assert row(values, "37UB", "TP01", "LCRA")["value"] == pytest.approx(88.30260648442467)
    # Arun (45UC): RP01 marked [E] with the regulator's note
    arun = exclusions[exclusions["landlord_code"] == "45UC"].iloc[0]
    assert arun["excluded_measures"] == "RP01" and "RP01 has been excluded" in arun["note"]
    assert values[(values["landlord_code"] == "45UC") & (values["measure_code"] == "RP01")].empty


def test_two_landlords_2024_25_checked_by_hand(rsh_2025):
    values, landlords, exclusions = rsh_2025
    # A2Dominion Housing Group Limited (L4240), TSM25_LCRA_Perception row 12: C12 'PRP',
    # Z12 'Telephone', AA12 TP01 = 60.7 (1 dp); AV12:AZ12 = 369, 425, 164, 128, 221 ->
    # 794 of 1307 = 60.7498% -> 60.7
    tp01 = row(values, "L4240", "TP01", "LCRA")
    assert (tp01["value"], tp01["numerator"], tp01["denominator"]) == (60.7, 794, 1307)
    a2d = landlords[landlords["code"] == "L4240"].iloc[0]
    assert (a2d["type"], a2d["survey_method_lcra"]) == ("PRP", "telephone")
    # Adur District Council (45UB), TSM25_Management_Info row 15: C15 'LA'; NM01 ASB
    # S15 = 18.3 from BC15 46 cases / BD15 2516 homes (18.28); RP02 non-emergency X15, BI15,
    # BJ15 are [E] and H15 holds the regulator's note
    nm01 = row(values, "45UB", "NM01", "ALL", "asb")
    assert (nm01["value"], nm01["numerator"], nm01["denominator"]) == (18.3, 46, 2516)
    assert values[(values["landlord_code"] == "45UB") &
                  (values["measure_part"] == "non_emergency")].empty
    adur = exclusions[exclusions["landlord_code"] == "45UB"].iloc[0]
    assert adur["excluded_measures"] == "RP02 non_emergency"
    assert adur["note"].startswith("Management information metric RP02_1")
    assert landlords.loc[landlords["code"] == "45UB", "type"].item() == "LA"
    # whole returns left out (TSM25_Perception_Not_Inc): Cannock Chase (41UB)
    assert "perception (whole return)" in set(
        exclusions.loc[exclusions["landlord_code"] == "41UB", "scope"])


def test_shipped_csvs_match_the_workbooks(rsh_2024, rsh_2025):
    shipped, shipped_landlords, _ = load_reference(REFERENCE_DIR)
    for values, landlords, _ in (rsh_2024, rsh_2025):
        year = values["year"].iloc[0]
        mine = shipped[shipped["year"] == year].reset_index(drop=True)
        assert len(mine) == len(values)
        pd.testing.assert_series_equal(mine["value"], values["value"], rtol=1e-9,
                                       check_names=False)
        assert len(shipped_landlords[shipped_landlords["year"] == year]) == len(landlords)


# ------------------------------------------------------------------ shipped CSVs

def test_tp01_lcra_sector_median_2023_24_from_shipped_csv():
    values, landlords, _ = load_reference()
    q = peer_quartiles(values[values["measure_code"] == "TP01"], landlords, groups=("all",))
    hit = q[(q["year"] == "2023/24") & (q["tenure"] == "LCRA")].iloc[0]
    assert hit["n_landlords"] == 355
    assert hit["median"] == pytest.approx(71.296, abs=0.001)  # about 71.3%


def test_shipped_csvs_are_small():
    total = sum(p.stat().st_size for p in REFERENCE_DIR.glob("*.csv"))
    assert 0 < total < 2_000_000


def test_cli_writes_peer_quartiles_and_disagreements(tmp_path):
    assert main(["benchmarks", "--out", str(tmp_path)]) == 0
    q = pd.read_csv(tmp_path / "peer_quartiles.csv", keep_default_na=False)
    assert list(q.columns) == ["year", "measure_code", "measure_part", "tenure", "peer_group",
                               "peer_value", "n_landlords", "lower_quartile", "median",
                               "upper_quartile", "small_group"]
    assert {"all", "type", "size_band", "region", "supported_housing",
            "survey_method"} == set(q["peer_group"])
    d = pd.read_csv(tmp_path / "published_value_disagreements.csv")
    # 2023/24: the only disagreements are LCHO surveys that were weighted (weighted %,
    # unweighted answer counts); every management-information value reproduces
    assert set(d["survey_weighted"]) == {True}
