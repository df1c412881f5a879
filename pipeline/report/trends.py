"""Trends: every measure for every complete reporting year in the warehouse, and for the
perception measures the year-on-year change with a two-proportion test (finite population
correction; pipeline.survey.statistics.two_proportion_test) saying which changes are
significant at the 5% level.

The test uses unweighted counts: x = satisfied and n = valid responses per tenure from
intermediate.int_survey_answers; N = the relevant tenant population of the year (the survey
population file, else the dwelling units owned at year end, as survey_accuracy.csv does)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.report import fmt
from pipeline.report.publication import measure_label, publication
from pipeline.report.report_data import to_html
from pipeline.survey.accuracy import population_by_tenure
from pipeline.survey.statistics import two_proportion_test

ALPHA = 0.05


def complete_years(con) -> list[int]:
    """Reporting years that have ended by the latest complaint received (as
    report_data.latest_year judges it); every year if there are no complaints."""
    years = [int(r[0]) for r in con.execute(
        "select distinct end_year from report.report_tsm_publication_table order by 1").fetchall()]
    last = con.execute("select max(received_date) from intermediate.int_complaint_stages"
                       ).fetchone()[0]
    complete = [y for y in years if last is None or date(y, 3, 31) <= last]
    return complete or years[-1:]


def trend_frame(con, end_year: int) -> pd.DataFrame:
    """The publication table for every complete year (and the report's year)."""
    years = sorted(set(complete_years(con)) | {end_year})
    frame = publication(con)
    return frame[frame["end_year"].isin(years)].reset_index(drop=True)


def trend_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per measure part and tenure, one column per year label (published text)."""
    frame = frame.assign(measure=[measure_label(c, p) for c, p in
                                  zip(frame["measure_code"], frame["measure_part"])])
    frame["text"] = ["n/a" if s != "ok" else p for s, p in zip(frame["status"], frame["published"])]
    order = frame.drop_duplicates(["measure", "tenure"])[["sort_order", "measure", "tenure"]]
    wide = frame.pivot_table(index=["measure", "tenure"], columns="year_label", values="text",
                             aggfunc="first").reset_index()
    wide = order.merge(wide, on=["measure", "tenure"]).sort_values(
        ["sort_order", "tenure"], key=lambda s: s.map({"LCRA": 1, "LCHO": 2, "ALL": 3})
        if s.name == "tenure" else s)
    labels = sorted(frame["year_label"].unique())
    return wide[["measure", "tenure", *labels]].fillna("").reset_index(drop=True)


def trend_html(frame: pd.DataFrame, end_year_label: str) -> str:
    table = trend_table(frame)
    years = [c for c in table.columns if c not in ("measure", "tenure")]
    renamed = table.rename(columns={"measure": "Measure", "tenure": "Tenure",
                                    **{y: (f"{y} (this report)" if y == end_year_label else y)
                                       for y in years}})
    return to_html(renamed, numeric=tuple(c for c in renamed.columns
                                          if c not in ("Measure", "Tenure")))


def _population(con, end_year: int, year_label: str, tenure: str) -> int | None:
    try:
        population = population_by_tenure(con, year_label)
    except (PipelineError, duckdb.Error):  # disagreeing totals, or no survey_population table
        population = {}
    if tenure in population:
        return int(population[tenure])
    row = con.execute("""select homes_at_year_end from intermediate.int_tsm_tenure_groups
                         where end_year = ? and tenure = ?""", [end_year, tenure]).fetchone()
    return int(row[0]) if row and row[0] else None


def perception_changes(con, end_year: int) -> pd.DataFrame:
    """Year-on-year changes in TP01-TP12 per tenure, each year against the year before,
    for the years up to and including end_year; unweighted counts, two-sided test at 5%."""
    columns = ["measure_code", "tenure", "year_label", "previous_label", "x1", "n1", "x2", "n2",
               "N1", "N2", "p1", "p2", "change_points", "z", "p_value", "significant"]
    counts = con.execute(
        """select a.measure_code, a.tenure, a.end_year, y.year_label,
                  count(*) filter (where a.is_satisfied and a.is_valid) as x,
                  count(*) filter (where a.is_valid) as n
           from intermediate.int_survey_answers a
           join intermediate.int_reporting_years y using (end_year)
           where a.end_year <= ?
           group by all having count(*) filter (where a.is_valid) > 0
           order by 1, 2, 3""", [end_year]).df()
    rows = []
    for (code, tenure), group in counts.groupby(["measure_code", "tenure"], sort=True):
        group = group.sort_values("end_year")
        for prev, cur in zip(group.itertuples(), group.iloc[1:].itertuples()):
            if cur.end_year != prev.end_year + 1:
                continue
            big1 = _population(con, cur.end_year, cur.year_label, tenure)
            big2 = _population(con, prev.end_year, prev.year_label, tenure)
            big1 = big1 if big1 and big1 >= cur.n else None
            big2 = big2 if big2 and big2 >= prev.n else None
            z, p = two_proportion_test(int(cur.x), int(cur.n), int(prev.x), int(prev.n), big1, big2)
            rows.append({
                "measure_code": code, "tenure": tenure, "year_label": cur.year_label,
                "previous_label": prev.year_label, "x1": int(cur.x), "n1": int(cur.n),
                "x2": int(prev.x), "n2": int(prev.n), "N1": big1, "N2": big2,
                "p1": cur.x / cur.n * 100, "p2": prev.x / prev.n * 100,
                "change_points": (cur.x / cur.n - prev.x / prev.n) * 100, "z": z, "p_value": p,
                "significant": p < ALPHA})
    return pd.DataFrame(rows, columns=columns)


def changes_html(changes: pd.DataFrame) -> str:
    if changes.empty:
        return ("<p>No perception measure has survey results in two consecutive years, so no "
                "year-on-year change can be tested.</p>")
    shown = pd.DataFrame({
        "Measure": changes["measure_code"], "Tenure": changes["tenure"],
        "Years": [f"{a} → {b}" for a, b in zip(changes["previous_label"], changes["year_label"])],
        "Before": [f"{v:.1f}%" for v in changes["p2"]],
        "After": [f"{v:.1f}%" for v in changes["p1"]],
        "Change (points)": [fmt.points(v) for v in changes["change_points"]],
        "p-value": [f"{v:.3f}" if v >= 0.001 else "<0.001" for v in changes["p_value"]],
        "Significant at 5%": ["yes: a real change" if s else "no: within sampling error"
                              for s in changes["significant"]],
    })
    return to_html(shown, numeric=("Before", "After", "Change (points)", "p-value"))


def changes_text(changes: pd.DataFrame, year_label: str) -> str:
    latest = changes[changes["year_label"] == year_label]
    if latest.empty:
        return f"No perception measure can be compared with the year before {year_label}."
    real = latest[latest["significant"]]
    if real.empty:
        return (f"None of the {len(latest)} changes in perception measures from the year "
                f"before to {year_label} is significant at the 5% level.")
    parts = [f"{r.measure_code} {r.tenure} ({fmt.points(r.change_points)} points)"
             for r in real.itertuples()]
    return (f"{len(real)} of {len(latest)} changes to {year_label} are significant at the 5% "
            f"level: {', '.join(parts)}. The others are within sampling error.")
