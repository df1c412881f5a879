"""The TSM publication: all 22 measures grouped under the regulator's themes, in its wording,
with the values as published (one decimal place, half away from zero, from the exact
numerator and denominator) and the LCRA / LCHO split. A measure that cannot be calculated
says 'not available: <reason>'."""

from __future__ import annotations

import html

import pandas as pd

from pipeline.report import fmt
from pipeline.rounding import published

THEMES = (
    "Overall satisfaction",
    "Keeping properties in good repair",
    "Maintaining building safety",
    "Respectful and helpful engagement",
    "Effective handling of complaints",
    "Responsible neighbourhood management",
)
PARTS = {"stage_1": "stage 1", "stage_2": "stage 2", "emergency": "emergency",
         "non_emergency": "non-emergency", "asb": "all ASB cases", "hate": "hate incidents"}
TENURES = ("LCRA", "LCHO", "ALL")
NUM = ' class="num"'
TENURE_HEADINGS = {"LCRA": "Low cost rental (LCRA)", "LCHO": "Low cost home ownership (LCHO)",
                   "ALL": "All homes (LCRA and LCHO)"}
MEASURE_CODES = ("TP01", "TP02", "TP03", "TP04", "RP01", "RP02", "TP05", "BS01", "BS02", "BS03",
                 "BS04", "BS05", "TP06", "TP07", "TP08", "TP09", "CH01", "CH02", "TP10", "TP11",
                 "TP12", "NM01")


def result_text(numerator, denominator, unit: str, status: str, reason) -> str:
    if status == "ok":
        return published(numerator, denominator, unit)
    reason = "" if fmt.is_missing(reason) else str(reason)
    if status == "provisional":  # beside the figure, the date it runs to (outputs.md)
        return f"{published(numerator, denominator, unit)} (provisional: {reason})"
    return f"not available: {reason}" if reason else "not available"


def publication(con, end_year: int | None = None) -> pd.DataFrame:
    """report.report_tsm_publication_table with 'published' (the result or 'not available:
    reason'); every year when end_year is None."""
    where, args = ("where end_year = ?", [end_year]) if end_year is not None else ("", [])
    frame = con.execute(
        f"""select end_year, year_label, sort_order, theme, measure_code,
                   coalesce(measure_part, '') as measure_part, tenure, description, numerator,
                   denominator, value, unit, status, status_reason
            from report.report_tsm_publication_table {where}
            order by end_year, sort_order,
                     case tenure when 'LCRA' then 1 when 'LCHO' then 2 else 3 end""", args).df()
    frame["published"] = [result_text(n, d, u, s, r) for n, d, u, s, r in zip(
        frame["numerator"], frame["denominator"], frame["unit"], frame["status"],
        frame["status_reason"])]
    return frame


def measure_label(code: str, part: str) -> str:
    return f"{code} ({PARTS.get(part, part.replace('_', ' '))})" if part else code


def theme_table(frame: pd.DataFrame, theme: str) -> pd.DataFrame:
    """One theme, one row per measure part, a column per tenure (blank where the regulator
    asks for no figure of that tenure)."""
    rows = []
    part = frame[frame["theme"] == theme]
    for (_, code, measure_part), group in part.groupby(
            ["sort_order", "measure_code", "measure_part"], sort=True):
        row = {"code": measure_label(code, measure_part),
               "description": group["description"].iloc[0]}
        for tenure in TENURES:
            hit = group[group["tenure"] == tenure]
            row[tenure] = hit["published"].iloc[0] if len(hit) else ""
        rows.append(row)
    out = pd.DataFrame(rows, columns=["code", "description", *TENURES])
    return out[["code", "description", *[t for t in TENURES if (out[t] != "").any()]]]


def theme_html(frame: pd.DataFrame, theme: str) -> str:
    table = theme_table(frame, theme)
    tenures = [t for t in TENURES if t in table.columns]
    headings = [("code", "Measure"), ("description", "The regulator's wording")] + [
        (t, TENURE_HEADINGS[t]) for t in tenures]
    head = "".join(
        f'<th scope="col"{NUM if t in tenures else ""}>{html.escape(h)}</th>' for t, h in headings)
    body = []
    for r in table.itertuples(index=False):
        cells = [f'<th scope="row">{html.escape(r.code)}</th>',
                 f'<td class="wrap">{html.escape(r.description)}</td>']
        for t in tenures:
            value = getattr(r, t)
            if value.startswith("not available"):
                cells.append(f'<td class="na">{html.escape(value)}</td>')
            else:
                cells.append(f'<td class="num">{html.escape(value)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table class="report-table tsm-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def themes(frame: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(frame["theme"]))
    return [t for t in THEMES if t in present] + [t for t in present if t not in THEMES]


def summary_text(frame: pd.DataFrame) -> str:
    ok = frame[frame["status"].isin(["ok", "provisional"])]
    codes = sorted(set(frame["measure_code"]))
    missing = sorted(set(frame["measure_code"]) - set(ok["measure_code"]))
    text = (f"{len(codes)} measures; {len(set(ok['measure_code']))} with a result this year.")
    if missing:
        text += f" Not available: {', '.join(missing)} (the reason is given in the table)."
    return text
