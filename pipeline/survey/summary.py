"""The published summary of approach, items A to K (tsm.md): computed where the data allows,
declared in survey.toml otherwise; a missing declaration is named as "not declared",
never invented."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.survey.config import SurveyYear

NOT_DECLARED = "not declared in survey.toml"
ITEMS = {
    "A": "Achieved sample size",
    "B": "Timing of the survey",
    "C": "Collection methods",
    "D": "Sample method",
    "E": "Assessment of representativeness",
    "F": "Weighting",
    "G": "Role of external contractors",
    "H": "Households excluded from the sample frame",
    "I": "Reasons for any failure to meet the required sample size",
    "J": "Incentives",
    "K": "Other methodological issues",
}


def _declared(survey: SurveyYear, *keys: str) -> tuple[str, str]:
    values = [str(survey.get(k)) for k in keys if survey.get(k) not in (None, "")]
    return ("; ".join(values), "declared") if values else (NOT_DECLARED, "not declared")


def summary_of_approach(con: duckdb.DuckDBPyConnection, end_year: int, label: str,
                        survey: SurveyYear, accuracy: pd.DataFrame,
                        representativeness: pd.DataFrame, weighting_stats: pd.DataFrame
                        ) -> pd.DataFrame:
    responses = con.execute(
        """select tenure, collection_method, count(*) as n, min(response_date), max(response_date)
           from staging.survey_responses
           where case when month(response_date) >= 4 then year(response_date) + 1
                      else year(response_date) end = ?
             and tenure in (select tenure from intermediate.int_tsm_tenure_groups
                            where end_year = ? and homes_at_year_end > 0)
           group by all order by 1, 2""", [end_year, end_year]
    ).fetchall()
    rows = []

    def add(item, value, source):
        rows.append({"year": label, "item": item, "title": ITEMS[item], "value": value, "source": source})

    if not responses:
        for item in ITEMS:
            add(item, "no survey responses for this year", "computed")
        return pd.DataFrame(rows)
    by_tenure: dict[str, int] = {}
    for tenure, _method, n, _first, _last in responses:
        by_tenure[tenure] = by_tenure.get(tenure, 0) + n
    add("A", "; ".join(f"{t} {n:,} responses" for t, n in by_tenure.items()), "computed")
    first = min(r[3] for r in responses)
    last = max(r[4] for r in responses)
    if survey.get("fieldwork_start") and survey.get("fieldwork_end"):
        add("B", f"fieldwork {survey.get('fieldwork_start')} to {survey.get('fieldwork_end')} "
                 f"(responses dated {first} to {last})", "declared")
    else:
        add("B", f"responses dated {first} to {last} (fieldwork dates {NOT_DECLARED})", "computed")
    add("C", "; ".join(f"{t} {m.replace('_', ' ')} {n:,}" for t, m, n, _a, _b in responses), "computed")
    method = survey.get("sample_method")
    if isinstance(method, dict):
        add("D", "; ".join(f"{t} {m.replace('_', ' ')}" for t, m in method.items()), "declared")
    else:
        add("D", *_declared(survey, "sample_method"))
    characteristics = survey.characteristics
    if characteristics and not representativeness.empty:
        flagged = representativeness[representativeness["flagged"]]
        before = representativeness[representativeness["flagged_before_weighting"]]
        threshold = f"{survey.flag_threshold_points:g}"
        text = (f"assessed against the relevant tenant population on {', '.join(characteristics)}; "
                f"{len(before)} group(s) of respondents differ from the population by more than "
                f"{threshold} points" + (
                    f" before weighting, {len(flagged)} after" if survey.weighting != "none" else ""))
        if len(before):
            text += " (" + ", ".join(
                f"{r.tenure} {r.characteristic} {r.group} {r.difference_points:+.1f}"
                for r in before.itertuples()) + ")"
        rationale = survey.get("characteristics_rationale")
        add("E", text + (f"; rationale: {rationale}" if rationale else ""), "computed")
    else:
        add("E", f"characteristics {NOT_DECLARED}" if not characteristics
            else "no survey_population.csv to compare against", "not declared")
    if survey.weighting == "none":
        add("F", "no weighting applied" if "weighting" in survey.declared else
            f"weighting {NOT_DECLARED}: results are unweighted", "declared" if "weighting" in
            survey.declared else "not declared")
    else:
        stats = "; ".join(
            f"{r.tenure} efficiency {r.weighting_efficiency:.1f}%, design effect {r.design_effect:.2f}"
            for r in weighting_stats.itertuples())
        how = (f"rim weighting on {', '.join(survey.weight_by)}" if survey.weighting == "rim"
               else "the contractor's weights")
        add("F", f"{how}; {stats}", "declared")
    contractor, source = _declared(survey, "contractor", "contractor_role")
    add("G", contractor, source)
    excluded = survey.get("excluded_households")
    if excluded is None:
        add("H", NOT_DECLARED, "not declared")
    else:
        reason = survey.get("excluded_reason") or ""
        if isinstance(excluded, dict):  # per tenure
            excluded = "; ".join(f"{t} {n}" for t, n in excluded.items())
        add("H", f"{excluded} household(s) excluded" + (f": {reason}" if reason else ""), "declared")
    headline = accuracy[accuracy["measure_code"] == "TP01"] if not accuracy.empty else accuracy
    short = headline[headline["meets_requirement"].astype(str) != "yes"] \
        if not headline.empty else headline
    if short.empty:
        add("I", "the required accuracy was met for every tenure", "computed")
    else:
        reason, source = _declared(survey, "shortfall_reason")
        parts = [(f"{r.tenure}: no valid TP01 responses" if pd.isna(r.margin_of_error) else
                  f"{r.tenure}: ±{r.margin_of_error:.1f} against ±{r.required_margin:g}")
                 + (" (a census, sufficient under 2,500 units)" if r.meets_requirement != "no" else "")
                 for r in short.itertuples()]
        add("I", "; ".join(parts) + f"; reason: {reason}", source)
    add("J", *_declared(survey, "incentives"))
    add("K", *_declared(survey, "other_issues"))
    return pd.DataFrame(rows)
