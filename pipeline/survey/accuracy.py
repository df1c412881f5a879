"""survey_accuracy.csv: the margin of error each tenure's survey achieved, against the
regulator's required accuracy for the landlord's number of dwelling units (tsm.md,
"Statistical accuracy"). Pass/fail is judged at p = 0.5 on TP01; the margin at the
observed proportion, and for every other TP, is given as extra information. With weights,
n is the effective sample size (Kish)."""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.survey.config import SurveyYear
from pipeline.survey.statistics import margin_of_error, required_margin, required_minimum_sample

COLUMNS = ["year", "tenure", "measure_code", "is_headline", "dwelling_units", "population",
           "population_source", "responses", "effective_responses", "observed_pct",
           "margin_of_error", "margin_of_error_observed", "required_margin",
           "required_minimum_sample", "sample_method", "meets_requirement", "note"]


def population_by_tenure(con: duckdb.DuckDBPyConnection, label: str) -> dict[str, int]:
    """N per tenure: the sum over the groups of any one characteristic; every characteristic
    must give the same N (inputs.md), else it is an error."""
    rows = con.execute(
        """select tenure, characteristic, sum(households)::BIGINT from staging.survey_population
           where year = ? group by all order by 1, 2""", [label]
    ).fetchall()
    totals: dict[str, dict[str, int]] = {}
    for tenure, characteristic, households in rows:
        totals.setdefault(tenure, {})[characteristic] = int(households)
    population = {}
    for tenure, by_characteristic in totals.items():
        if len(set(by_characteristic.values())) > 1:
            detail = ", ".join(f"{c} {n:,}" for c, n in by_characteristic.items())
            raise PipelineError(
                f"survey_population.csv {label} {tenure}: the characteristics give different "
                f"population totals ({detail}); they must agree")
        population[tenure] = next(iter(by_characteristic.values()))
    return population


def accuracy_table(con: duckdb.DuckDBPyConnection, end_year: int, label: str,
                   survey: SurveyYear) -> pd.DataFrame:
    counts = con.execute(
        """select a.tenure, a.measure_code,
                  count(*) filter (where a.is_valid) as responses,
                  sum(a.weight) filter (where a.is_valid) as weighted_valid,
                  sum(a.weight) filter (where a.is_satisfied) as weighted_satisfied,
                  sum(a.weight * a.weight) filter (where a.is_valid) as sum_w2
           from intermediate.int_survey_answers a
           where a.end_year = ? and a.is_asked_of_tenure group by all order by 1, 2""", [end_year]
    ).df()
    if counts.empty:
        return pd.DataFrame(columns=COLUMNS)
    units = dict(con.execute(
        "select tenure, homes_at_year_end from intermediate.int_tsm_tenure_groups where end_year = ?",
        [end_year]).fetchall())
    population = population_by_tenure(con, label)
    methods = survey.get("sample_method", "")
    # tsm.md: a landlord with no homes of a tenure reports no rows for it; a tenure with homes
    # and no valid TP01 answer still has its TP01 row (the requirement is not met)
    counts = counts[counts["tenure"].map(lambda t: units.get(t, 0) > 0)].reset_index(drop=True)
    for tenure in ("LCRA", "LCHO"):
        if units.get(tenure, 0) > 0 and not ((counts["tenure"] == tenure)
                                             & (counts["measure_code"] == "TP01")).any():
            counts.loc[len(counts), ["tenure", "measure_code", "responses"]] = [tenure, "TP01", 0]
    if counts.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for r in counts.itertuples():
        dwelling_units = int(units.get(r.tenure, 0))
        n_pop, source = (population[r.tenure], "survey_population.csv") if r.tenure in population \
            else (dwelling_units, "dwelling units at year end (no survey_population.csv)")
        # no valid answers (all don't know): sums are NULL -> NaN, and there is no margin
        n_eff = (r.weighted_valid ** 2 / r.sum_w2) if r.sum_w2 and r.sum_w2 == r.sum_w2 else 0.0
        observed = (r.weighted_satisfied or 0) / r.weighted_valid \
            if r.weighted_valid and r.weighted_valid == r.weighted_valid else math.nan
        band = required_margin(dwelling_units)
        moe = margin_of_error(n_eff, n_pop) if n_eff and n_pop else math.nan
        moe_observed = margin_of_error(n_eff, n_pop, p=observed) if n_eff and n_pop else math.nan
        method = methods.get(r.tenure, "") if isinstance(methods, dict) else methods
        meets, note = _judge(moe, band, method, dwelling_units)
        rows.append({
            "year": label, "tenure": r.tenure, "measure_code": r.measure_code,
            "is_headline": r.measure_code == "TP01", "dwelling_units": dwelling_units,
            "population": n_pop, "population_source": source, "responses": int(r.responses),
            "effective_responses": round(n_eff, 2),
            "observed_pct": round(observed * 100, 4) if not math.isnan(observed) else None,
            "margin_of_error": round(moe, 4) if not math.isnan(moe) else None,
            "margin_of_error_observed": round(moe_observed, 4) if not math.isnan(moe_observed) else None,
            "required_margin": band,
            "required_minimum_sample": required_minimum_sample(n_pop, band) if n_pop else None,
            "sample_method": method or "not declared",
            "meets_requirement": meets if r.measure_code == "TP01" else "",
            "note": note if r.measure_code == "TP01" else "extra information: judged on TP01",
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["_order"] = (frame["measure_code"] != "TP01").astype(int)
    return frame.sort_values(["_order", "tenure", "measure_code"]).drop(columns="_order")


def _judge(moe: float, band: float, method: str, dwelling_units: int) -> tuple[str, str]:
    if math.isnan(moe):
        return "no", "no valid TP01 responses"
    if moe <= band:
        return "yes", f"±{moe:.2f} points meets the required ±{band:g}"
    if method == "census" and dwelling_units < 2500:
        return "yes (census)", (f"±{moe:.2f} points misses ±{band:g}, but a census is sufficient "
                                "where the margin cannot be reached (fewer than 2,500 units)")
    return "no", f"±{moe:.2f} points misses the required ±{band:g}"
