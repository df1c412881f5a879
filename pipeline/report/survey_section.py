"""The survey section: the summary of approach (items A to K), the perception measures by
tenure with 95% confidence intervals, the accuracy check and the representativeness tables.

The tables are those written beside the report (survey_*.csv) when `tables_dir` holds them,
so the report and the CSVs cannot disagree; otherwise (a notebook opened ad hoc) they are
computed from the warehouse by the same functions pipeline.report.outputs uses.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from pipeline.report import fmt
from pipeline.report.report_data import to_html
from pipeline.report.safe_cells import unescape_frame
from pipeline.survey.accuracy import accuracy_table
from pipeline.survey.config import SurveyYear, read_survey_config
from pipeline.survey.representativeness import representativeness_table, weighting_table
from pipeline.survey.statistics import margin_of_error
from pipeline.survey.summary import summary_of_approach

FILES = {
    "accuracy": "survey_accuracy.csv",
    "representativeness": "survey_representativeness.csv",
    "weighting": "survey_weighting.csv",
    "summary": "survey_summary_of_approach.csv",
}


def survey_tables(con, end_year: int, year_label: str, dataset_dir: str | Path | None = None,
                  tables_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The four survey tables for the year: read from tables_dir when all are there."""
    if tables_dir is not None and all((Path(tables_dir) / f).exists() for f in FILES.values()):
        # written with formula-like text quoted (safe_cells): shown here as it was
        return {key: unescape_frame(pd.read_csv(Path(tables_dir) / name, keep_default_na=False,
                                                na_values=[""])) for key, name in FILES.items()}
    survey = SurveyYear(year_label)
    if dataset_dir is not None:
        survey = read_survey_config(Path(dataset_dir)).get(year_label, survey)
    accuracy = accuracy_table(con, end_year, year_label, survey)
    represent = representativeness_table(con, end_year, year_label, survey)
    weighting = weighting_table(con, end_year)
    summary = summary_of_approach(con, end_year, year_label, survey, accuracy, represent,
                                  weighting)
    return {"accuracy": accuracy, "representativeness": represent, "weighting": weighting,
            "summary": summary}


def has_responses(tables: dict[str, pd.DataFrame]) -> bool:
    return not tables["accuracy"].empty


def summary_html(tables: dict[str, pd.DataFrame]) -> str:
    frame = tables["summary"]
    if frame.empty:
        return "<p>No summary of approach for this year.</p>"
    shown = pd.DataFrame({"Item": frame["item"], "": frame["title"],
                          "This survey": frame["value"].fillna("")})
    return to_html(shown, wrap=("This survey",))


def results_with_intervals(publication_year: pd.DataFrame,
                           accuracy: pd.DataFrame) -> pd.DataFrame:
    """TP01-TP12 by tenure: the published result and its 95% confidence interval, p ± the
    margin of error at the observed p with the finite population correction
    (pipeline.survey.statistics.margin_of_error), n the effective (Kish) valid responses and
    N the relevant tenant population, both from the accuracy table."""
    tp = publication_year[publication_year["measure_code"].str.startswith("TP")]
    acc = accuracy.set_index(["tenure", "measure_code"]) if len(accuracy) else None
    rows = []
    for r in tp.itertuples():
        row = {"measure_code": r.measure_code, "tenure": r.tenure, "description": r.description,
               "published": r.published, "responses": None, "p": math.nan, "margin": math.nan,
               "low": math.nan, "high": math.nan}
        if r.status == "ok" and acc is not None and (r.tenure, r.measure_code) in acc.index:
            a = acc.loc[(r.tenure, r.measure_code)]
            p = float(r.numerator) / float(r.denominator)
            n_eff, population = float(a["effective_responses"]), int(a["population"])
            margin = margin_of_error(n_eff, population, p=p) if n_eff > 0 and population else math.nan
            row.update(responses=int(a["responses"]), p=p * 100, margin=margin,
                       low=max(0.0, p * 100 - margin), high=min(100.0, p * 100 + margin))
        rows.append(row)
    return pd.DataFrame(rows, columns=["measure_code", "tenure", "description", "published",
                                       "responses", "p", "margin", "low", "high"])


def results_html(results: pd.DataFrame) -> str:
    shown = pd.DataFrame({
        "Measure": results["measure_code"],
        "Tenure": results["tenure"],
        "Result": results["published"],
        "Valid responses": [fmt.count(n) for n in results["responses"]],
        "Margin of error (±points)": [
            "" if fmt.is_missing(m) else f"{m:.1f}" for m in results["margin"]],
        "95% confidence interval": [
            "" if fmt.is_missing(lo) else f"{lo:.1f}% to {hi:.1f}%"
            for lo, hi in zip(results["low"], results["high"])],
    })
    return to_html(shown, numeric=("Result", "Valid responses", "Margin of error (±points)",
                                   "95% confidence interval"), wrap=("Result",))


def accuracy_html(accuracy: pd.DataFrame) -> str:
    headline = accuracy[accuracy["measure_code"] == "TP01"] if len(accuracy) else accuracy
    if headline.empty:
        return "<p>No valid TP01 responses for this year: the accuracy check cannot be made.</p>"
    shown = pd.DataFrame({
        "Tenure": headline["tenure"],
        "Dwelling units": [fmt.count(n) for n in headline["dwelling_units"]],
        "Population (N)": [fmt.count(n) for n in headline["population"]],
        "Population from": headline["population_source"],
        "Valid TP01 responses": [fmt.count(n) for n in headline["responses"]],
        "Margin of error at p = 0.5 (±points)": [
            "" if fmt.is_missing(m) else f"{float(m):.1f}" for m in headline["margin_of_error"]],
        "Required (±points)": [f"{float(m):g}" for m in headline["required_margin"]],
        "Required minimum sample": [fmt.count(n) for n in headline["required_minimum_sample"]],
        "Meets the requirement": headline["meets_requirement"],
        "Note": headline["note"],
    })
    return to_html(shown, numeric=("Dwelling units", "Population (N)", "Valid TP01 responses",
                                   "Margin of error at p = 0.5 (±points)", "Required (±points)",
                                   "Required minimum sample"),
                   wrap=("Note", "Population from"))


def representativeness_html(represent: pd.DataFrame, threshold: int) -> str:
    if represent.empty:
        return ("<p>No representativeness table: survey.toml declares no characteristics for "
                "this year, or there is no survey_population.csv.</p>")
    weighted = represent["weighted_pct"].notna().any()
    data = {
        "Tenure": represent["tenure"],
        "Characteristic": [str(c).replace("_", " ") for c in represent["characteristic"]],
        "Group": [str(g).replace("_", " ") for g in represent["group"]],
        "Population %": [f"{float(v):.1f}%" for v in represent["population_pct"]],
        "Respondents": [fmt.small(n, threshold) for n in represent["respondents"]],
        # a share of a suppressed count would give the count away
        "Respondents %": [f"<{threshold} respondents" if 0 < n < threshold else f"{float(v):.1f}%"
                          for n, v in zip(represent["respondents"], represent["respondents_pct"])],
    }
    if weighted:
        data["Weighted %"] = ["" if fmt.is_missing(v) else f"{float(v):.1f}%"
                              for v in represent["weighted_pct"]]
    diff = represent["weighted_difference_points"] if weighted else represent["difference_points"]
    data["Difference (points)"] = [fmt.points(v) for v in diff]
    small = [0 < n < threshold for n in represent["respondents"]]
    for column in ("Weighted %", "Difference (points)"):  # these too would give the count away
        if column in data:
            data[column] = ["withheld" if s else v for s, v in zip(small, data[column])]
    data["Flag"] = ["differs by more than the threshold" if str(f).lower() == "true" else ""
                    for f in represent["flagged"]]
    shown = pd.DataFrame(data)
    return to_html(shown, numeric=tuple(c for c in shown.columns if "%" in c or c in (
        "Respondents", "Difference (points)")), wrap=("Flag",))
