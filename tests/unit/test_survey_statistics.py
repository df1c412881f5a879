"""Hand-checked tests for pipeline.survey.statistics. Every expected number is derived in the
comments from the formula (tsm.md, "Statistical accuracy" / "Representativeness and
weighting"), not copied from running the code."""

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.survey.statistics import (
    chi_square_goodness_of_fit,
    design_effect,
    effective_sample_size,
    margin_of_error,
    representativeness,
    required_margin,
    required_minimum_sample,
    rim_weights,
    two_proportion_test,
    weighting_efficiency,
)

# --- 1. required accuracy band -------------------------------------------------------------


@pytest.mark.parametrize(("units", "band"), [
    (0, 5.0), (999, 5.0), (2_499, 5.0),       # fewer than 2,500 → ±5
    (2_500, 4.0), (9_999, 4.0),               # 2,500 – 9,999 → ±4
    (10_000, 3.0), (24_999, 3.0),             # 10,000 – 24,999 → ±3
    (25_000, 2.0), (250_000, 2.0),            # 25,000 or more → ±2
])
def test_required_margin_band_edges(units, band):
    assert required_margin(units) == band


def test_required_margin_rejects_negative_units():
    with pytest.raises(ValueError):
        required_margin(-1)


# --- 2. margin of error --------------------------------------------------------------------


def test_margin_of_error_worked_check_at_half():
    # tsm.md worked check, N = 7,874, n = 1,999, p = 0.5:
    #   √(0.25 / 1,999)                 = √0.000125063 = 0.0111831
    #   √((7,874 − 1,999) / 7,873)      = √(5,875 / 7,873) = √0.746221 = 0.863841
    #   1.96 × 0.0111831 × 0.863841 × 100 = 1.8934  → ±1.89, published as 1.9
    moe = margin_of_error(1_999, 7_874)
    assert moe == pytest.approx(1.8934, abs=1e-4)
    assert round(moe, 2) == 1.89
    assert round(moe, 1) == 1.9


def test_margin_of_error_worked_check_at_observed_proportion():
    # p = 0.606: p(1 − p) = 0.606 × 0.394 = 0.238764
    #   √(0.238764 / 1,999) = √0.000119442 = 0.0109289
    #   1.96 × 0.0109289 × 0.863841 × 100 = 1.8504 → ±1.85
    moe = margin_of_error(1_999, 7_874, p=0.606)
    assert moe == pytest.approx(1.8504, abs=1e-4)
    assert round(moe, 2) == 1.85


def test_margin_of_error_small_population():
    # N = 100, n = 80: 1.96 × √(0.25/80) × √(20/99) × 100
    #   = 1.96 × 0.0559017 × 0.449467 × 100 = 4.9247
    assert margin_of_error(80, 100) == pytest.approx(4.9247, abs=1e-4)
    # N = 10, n = 9: √(0.25/9) = 1/6, √(1/9) = 1/3 → 1.96/18 × 100 = 10.8889
    assert margin_of_error(9, 10) == pytest.approx(196 / 18, abs=1e-9)


def test_margin_of_error_accepts_a_fractional_effective_sample_size():
    # n_eff = 100 (as a float), N = 1,000: 1.96 × 0.05 × √(900/999) × 100
    #   = 9.8 × 0.949158 = 9.3017
    assert margin_of_error(100.0, 1_000) == pytest.approx(9.3017, abs=1e-4)


def test_margin_of_error_census_is_zero_and_no_responses_is_nan():
    assert margin_of_error(500, 500) == 0.0
    assert margin_of_error(600, 500) == 0.0  # more responses than households: still a census
    assert math.isnan(margin_of_error(0, 500))


def test_margin_of_error_at_p_zero_is_zero():
    # p(1 − p) = 0 → no sampling variability in the estimate
    assert margin_of_error(100, 1_000, p=0.0) == 0.0


def test_margin_of_error_rejects_bad_inputs():
    with pytest.raises(ValueError):
        margin_of_error(-1, 100)
    with pytest.raises(ValueError):
        margin_of_error(10, 0)
    with pytest.raises(ValueError):
        margin_of_error(10, 100, p=1.5)


# --- 3. required minimum sample ------------------------------------------------------------


def test_required_minimum_sample_worked_check():
    # tsm.md: N = 7,874, ±4 → 558.
    #   n0 = 1.96² × 0.25 / 0.04² = 3.8416 × 0.25 / 0.0016 = 600.25
    #   n  = 600.25 × 7,874 / (7,873 + 600.25) = 4,726,368.5 / 8,473.25 = 557.80 → 558
    # check either side: n = 558 → 1.96 × √(0.25/558) × √(7,316/7,873) × 100 = 3.9992 ≤ 4
    #                    n = 557 → 1.96 × √(0.25/557) × √(7,317/7,873) × 100 = 4.0031 > 4
    assert required_minimum_sample(7_874, 4.0) == 558
    assert margin_of_error(558, 7_874) <= 4.0 < margin_of_error(557, 7_874)


def test_required_minimum_sample_small_population():
    # N = 100, ±5: n0 = 3.8416 × 0.25 / 0.0025 = 384.16
    #   n = 384.16 × 100 / (99 + 384.16) = 38,416 / 483.16 = 79.51 → 80
    #   n = 80 → 4.9247 ≤ 5;  n = 79 → 1.96 × √(0.25/79) × √(21/99) × 100 = 5.0781 > 5
    assert required_minimum_sample(100, 5.0) == 80


def test_required_minimum_sample_is_the_census_for_a_tiny_population():
    # N = 10, ±5: n = 384.16 × 10 / (9 + 384.16) = 9.77 → 10, the whole population;
    # n = 9 gives ±10.89 (above), so only a census meets ±5
    assert required_minimum_sample(10, 5.0) == 10
    assert required_minimum_sample(1, 5.0) == 1


def test_required_minimum_sample_rejects_bad_inputs():
    with pytest.raises(ValueError):
        required_minimum_sample(0, 4.0)
    with pytest.raises(ValueError):
        required_minimum_sample(100, 0.0)


# --- 4. Kish effective sample size ---------------------------------------------------------


def test_kish_statistics():
    # w = [1, 1, 2, 2]: Σw = 6, Σw² = 1 + 1 + 4 + 4 = 10
    #   n_eff = 6² / 10 = 3.6; design effect = 4 / 3.6 = 1.1111; efficiency = 3.6 / 4 = 90%
    weights = pd.Series([1.0, 1.0, 2.0, 2.0])
    assert effective_sample_size(weights) == pytest.approx(3.6)
    assert design_effect(weights) == pytest.approx(10 / 9)
    assert weighting_efficiency(weights) == pytest.approx(90.0)


def test_kish_statistics_equal_weights():
    # equal weights lose nothing: n_eff = (3 × 2)² / (3 × 4) = 3, deff 1, efficiency 100%
    assert effective_sample_size([2.0, 2.0, 2.0]) == pytest.approx(3.0)
    assert design_effect([2.0, 2.0, 2.0]) == pytest.approx(1.0)
    assert weighting_efficiency([2.0, 2.0, 2.0]) == pytest.approx(100.0)


def test_kish_statistics_reject_bad_weights():
    for bad in ([], [1.0, -1.0], [0.0, 0.0], [1.0, np.nan]):
        with pytest.raises(ValueError):
            effective_sample_size(bad)


# --- 5. rim weighting ----------------------------------------------------------------------


def _sample(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = [(sex, age) for (sex, age), count in cells.items() for _ in range(count)]
    frame = pd.DataFrame(rows, columns=["sex", "age"])
    frame.index = [f"R{i:02d}" for i in range(len(frame))]  # not a default RangeIndex
    return frame


def test_rim_weights_exact_after_one_iteration_when_sample_is_independent():
    # 10 respondents: m-young 2, m-old 3, f-young 2, f-old 3 (sex and age independent:
    # both sexes are 40% young). Population: sex m 60% / f 40%, age young 50% / old 50%.
    # Sweep 1, sex: targets m = 6, f = 4 of n = 10 → m × 6/5 = 1.2, f × 4/5 = 0.8.
    # Sweep 1, age: young total = 2 × 1.2 + 2 × 0.8 = 4.0, target 5 → × 1.25;
    #               old total = 3 × 1.2 + 3 × 0.8 = 6.0, target 5 → × 5/6.
    # Weights: m-young 1.5, m-old 1.0, f-young 1.0, f-old 2/3.
    # Sex is still exact: m = 2 × 1.5 + 3 × 1.0 = 6, f = 2 × 1.0 + 3 × 2/3 = 4 → converged
    # after 1 iteration; Σw = 6 + 4 = 10 = n.
    sample = _sample({("m", "young"): 2, ("m", "old"): 3, ("f", "young"): 2, ("f", "old"): 3})
    margins = {"sex": {"m": 60, "f": 40}, "age": {"young": 500, "old": 500}}
    result = rim_weights(sample, margins)
    expected = {("m", "young"): 1.5, ("m", "old"): 1.0, ("f", "young"): 1.0,
                ("f", "old"): 2 / 3}
    for index, row in sample.iterrows():
        assert result.weights[index] == pytest.approx(expected[(row.sex, row.age)])
    assert result.iterations == 1
    assert result.converged
    assert result.max_margin_error <= 1e-6
    assert result.weights.sum() == pytest.approx(10.0)
    assert list(result.weights.index) == list(sample.index)


def test_rim_weights_converge_to_the_hand_solved_raking_solution():
    # 10 respondents: m-young 3, m-old 2, f-young 1, f-old 4; population sex 60/40, age 50/50.
    # Raking converges to w = a_sex × b_age. Take b_old = 1, b_young = t:
    #   m: a_m (3t + 2) = 6    f: a_f (t + 4) = 4    old: 2 a_m + 4 a_f = 5
    #   → 12/(3t + 2) + 16/(t + 4) = 5 → 12(t + 4) + 16(3t + 2) = 5(3t + 2)(t + 4)
    #   → 60t + 80 = 15t² + 70t + 40 → 3t² + 2t − 8 = 0 → t = (−2 + 10)/6 = 4/3
    #   a_m = 6 / (4 + 2) = 1, a_f = 4 / (4/3 + 4) = 3/4
    # Weights: m-young 4/3, m-old 1, f-young 3/4 × 4/3 = 1, f-old 3/4.
    # Check: m = 3 × 4/3 + 2 = 6, f = 1 + 4 × 3/4 = 4, young = 4 + 1 = 5, old = 2 + 3 = 5.
    sample = _sample({("m", "young"): 3, ("m", "old"): 2, ("f", "young"): 1, ("f", "old"): 4})
    margins = {"sex": {"m": 0.6, "f": 0.4}, "age": {"young": 0.5, "old": 0.5}}
    result = rim_weights(sample, margins)
    expected = {("m", "young"): 4 / 3, ("m", "old"): 1.0, ("f", "young"): 1.0,
                ("f", "old"): 0.75}
    for index, row in sample.iterrows():
        assert result.weights[index] == pytest.approx(expected[(row.sex, row.age)], abs=1e-5)
    assert result.iterations > 1
    assert result.weights.sum() == pytest.approx(10.0)


def test_rim_weights_report_how_far_they_miss_after_max_iterations():
    # Same sample, one sweep only. Sex: m × 1.2, f × 0.8.
    # Age: young total = 3 × 1.2 + 1 × 0.8 = 4.4 → × 5/4.4 = 1.136364;
    #      old total = 2 × 1.2 + 4 × 0.8 = 5.6 → × 5/5.6 = 0.892857.
    # Weights: m-young 1.363636, m-old 1.071429, f-young 0.909091, f-old 0.714286.
    # Sex m = 3 × 1.363636 + 2 × 1.071429 = 6.233766 → share 62.338% vs 60%: misses by
    # 2.338 points (f: 37.662% vs 40%, the same 2.338).
    sample = _sample({("m", "young"): 3, ("m", "old"): 2, ("f", "young"): 1, ("f", "old"): 4})
    margins = {"sex": {"m": 60, "f": 40}, "age": {"young": 50, "old": 50}}
    with pytest.raises(ValueError, match=r"did not converge in 1 iterations.*by 2\.338 points"):
        rim_weights(sample, margins, max_iterations=1)


def test_rim_weights_cannot_fit_confounded_margins():
    # Every man is young and every woman old; population sex 50/50 but age 30/70.
    # Each sweep: sex step → 5 and 5; age step → young (= all men) 3, old (= all women) 7,
    # so men are 30% against 50%: it misses by 20 points however long it runs.
    sample = _sample({("m", "young"): 5, ("f", "old"): 5})
    margins = {"sex": {"m": 50, "f": 50}, "age": {"young": 30, "old": 70}}
    with pytest.raises(ValueError, match=r"did not converge in 100 iterations.*by 20 points"):
        rim_weights(sample, margins)


def test_rim_weights_reject_respondents_without_population():
    sample = _sample({("m", "young"): 2, ("f", "old"): 2, ("f", "middle"): 1})
    margins = {"sex": {"m": 50, "f": 50}, "age": {"young": 50, "old": 50}}
    with pytest.raises(ValueError, match=r"'age' group 'middle' has 1 respondent\(s\) but no "
                                         r"population"):
        rim_weights(sample, margins)


def test_rim_weights_reject_population_without_respondents():
    sample = _sample({("m", "young"): 2, ("f", "old"): 2})
    margins = {"sex": {"m": 45, "f": 45, "x": 10}, "age": {"young": 50, "old": 50}}
    with pytest.raises(ValueError, match=r"'sex' group 'x' has a population of 10 but no "
                                         r"respondents"):
        rim_weights(sample, margins)


def test_rim_weights_ignore_an_empty_group_with_no_population():
    # a group with 0 households and no respondents is harmless: weights as if absent.
    # sex m 2, f 2 → targets 3 and 1 of n = 4: m × 1.5, f × 0.5 (one characteristic:
    # post-stratification, exact in one sweep).
    sample = _sample({("m", "young"): 2, ("f", "young"): 2})
    result = rim_weights(sample[["sex"]], {"sex": {"m": 75, "f": 25, "x": 0}})
    assert list(result.weights) == pytest.approx([1.5, 1.5, 0.5, 0.5])
    assert result.iterations == 1


def test_rim_weights_reject_a_missing_column():
    with pytest.raises(ValueError, match="no column for age"):
        rim_weights(_sample({("m", "young"): 1})[["sex"]], {"sex": {"m": 1}, "age": {"x": 1}})


# --- 6. representativeness and χ² ----------------------------------------------------------


def _stock_population() -> pd.DataFrame:
    return pd.DataFrame({
        "characteristic": ["stock_type"] * 3 + ["area"],
        "group": ["general_needs", "supported", "older_persons", "north"],
        "households": [600, 300, 100, 1000],
    })


def _stock_respondents() -> pd.DataFrame:
    groups = ["general_needs"] * 10 + ["supported"] * 8 + ["older_persons"] * 2
    return pd.DataFrame({"stock_type": groups}, index=[f"R{i}" for i in range(20)])


def test_representativeness_unweighted():
    # population 600 / 300 / 100 of 1,000 → 60% / 30% / 10% (the area row is ignored)
    # respondents 10 / 8 / 2 of 20       → 50% / 40% / 10%
    # difference (respondents − population) → −10, +10, 0 points; |10| > 5 → flagged
    table = representativeness(_stock_population(), _stock_respondents(), None, "stock_type")
    assert list(table["group"]) == ["general_needs", "supported", "older_persons"]
    assert list(table["population"]) == [600, 300, 100]
    assert list(table["population_pct"]) == pytest.approx([60.0, 30.0, 10.0])
    assert list(table["respondents"]) == [10, 8, 2]
    assert list(table["respondents_pct"]) == pytest.approx([50.0, 40.0, 10.0])
    assert list(table["difference_points"]) == pytest.approx([-10.0, 10.0, 0.0])
    assert table["weighted_pct"].isna().all()
    assert list(table["flagged"]) == [True, True, False]


def test_representativeness_weighted():
    # weights general_needs 1.2, supported 0.75, older_persons 1.0:
    #   weighted 10 × 1.2 = 12, 8 × 0.75 = 6, 2 × 1 = 2; Σw = 20 → 60% / 30% / 10%
    #   weighted difference 0 everywhere → nothing flagged; unweighted difference unchanged
    respondents = _stock_respondents()
    weights = respondents["stock_type"].map(
        {"general_needs": 1.2, "supported": 0.75, "older_persons": 1.0})
    table = representativeness(_stock_population(), respondents, weights, "stock_type")
    assert list(table["weighted_respondents"]) == pytest.approx([12.0, 6.0, 2.0])
    assert list(table["weighted_pct"]) == pytest.approx([60.0, 30.0, 10.0])
    assert list(table["weighted_difference_points"]) == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert list(table["difference_points"]) == pytest.approx([-10.0, 10.0, 0.0])
    assert not table["flagged"].any()


def test_representativeness_threshold_is_strict():
    # population a 500 / b 500 → 50% each. 11 of 20 respondents in a → 55%: +5.0 points,
    # exactly the threshold → not flagged; 12 of 20 → 60%: +10 → flagged.
    population = pd.DataFrame({"group": ["a", "b"], "households": [500, 500]})
    at_threshold = pd.DataFrame({"tenancy": ["a"] * 11 + ["b"] * 9})
    above = pd.DataFrame({"tenancy": ["a"] * 12 + ["b"] * 8})
    table = representativeness(population, at_threshold, None, "tenancy")
    assert list(table["difference_points"]) == pytest.approx([5.0, -5.0])
    assert not table["flagged"].any()
    assert representativeness(population, above, None, "tenancy")["flagged"].all()


def test_representativeness_respondents_in_a_group_with_no_population():
    # one blank respondent of 4: group "" with population 0 (0%), respondents 25% → flagged
    population = pd.DataFrame({"group": ["a"], "households": [10]})
    respondents = pd.DataFrame({"tenancy": ["a", "a", "a", None]})
    table = representativeness(population, respondents, None, "tenancy")
    assert list(table["group"]) == ["a", ""]
    assert list(table["population_pct"]) == pytest.approx([100.0, 0.0])
    assert list(table["respondents_pct"]) == pytest.approx([75.0, 25.0])
    assert list(table["flagged"]) == [True, True]


def test_chi_square_goodness_of_fit_hand_checked():
    # observed [30, 20, 50], shares [0.25, 0.25, 0.5], n = 100 → expected [25, 25, 50]
    # χ² = 5²/25 + 5²/25 + 0 = 1 + 1 + 0 = 2.0, dof = 3 − 1 = 2
    # χ²(2 dof) survival function is e^(−x/2) → p = e^(−1) = 0.367879
    statistic, dof, p_value = chi_square_goodness_of_fit([30, 20, 50], [0.25, 0.25, 0.5])
    assert statistic == pytest.approx(2.0)
    assert dof == 2
    assert p_value == pytest.approx(math.exp(-1))
    assert p_value == pytest.approx(0.367879, abs=1e-6)


def test_chi_square_goodness_of_fit_normalises_shares_and_drops_empty_groups():
    # household counts instead of shares, plus a group with neither population nor responses:
    # the same table as above → χ² 2.0, dof 2
    statistic, dof, _ = chi_square_goodness_of_fit([30, 20, 50, 0], [250, 250, 500, 0])
    assert (statistic, dof) == (pytest.approx(2.0), 2)


def test_chi_square_goodness_of_fit_rejects_respondents_with_no_population():
    with pytest.raises(ValueError):
        chi_square_goodness_of_fit([30, 20, 50, 1], [0.25, 0.25, 0.5, 0])


# --- 7. year-on-year two-proportion test ---------------------------------------------------


def test_two_proportion_test_without_finite_population_correction():
    # 55/100 this year, 45/100 last year: p̂ = 100/200 = 0.5
    #   var = 0.5 × 0.5 × (1/100 + 1/100) = 0.005, se = 0.0707107
    #   z = (0.55 − 0.45) / 0.0707107 = √2 = 1.414214
    #   two-sided p = 2(1 − Φ(√2)) = erfc(√2/√2) = erfc(1) = 0.157299
    z, p_value = two_proportion_test(55, 100, 45, 100)
    assert z == pytest.approx(math.sqrt(2))
    assert p_value == pytest.approx(0.157299, abs=1e-6)


def test_two_proportion_test_with_finite_population_correction():
    # same samples, each from N = 200 households: f = (200 − 100)/199 = 100/199
    #   var = 0.25 × 2 × (100/199)/100 = 0.5/199 = 0.00251256, se = 0.0501255
    #   z = 0.1 / √(0.5/199) = √(0.01 × 199 / 0.5) = √3.98 = 1.994994
    #   Φ(1.99) = 0.97670, Φ(2.00) = 0.97725 (tables) → Φ(1.99499) ≈ 0.976975
    #   p ≈ 2 × 0.023025 = 0.04605
    z, p_value = two_proportion_test(55, 100, 45, 100, N1=200, N2=200)
    assert z == pytest.approx(math.sqrt(3.98))
    assert p_value == pytest.approx(0.04605, abs=2e-4)


def test_two_proportion_test_sign_and_degenerate_cases():
    z, _ = two_proportion_test(45, 100, 55, 100)
    assert z == pytest.approx(-math.sqrt(2))   # a fall gives a negative z
    assert two_proportion_test(0, 50, 0, 60) == (0.0, 1.0)  # p̂ = 0: no variance, no change
    z, p_value = two_proportion_test(6, 10, 5, 10, N1=10, N2=10)  # two censuses differ
    assert z == math.inf and p_value == 0.0


def test_two_proportion_test_rejects_bad_counts():
    with pytest.raises(ValueError):
        two_proportion_test(11, 10, 5, 10)
    with pytest.raises(ValueError):
        two_proportion_test(5, 10, 5, 10, N1=9)
