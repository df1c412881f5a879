"""Benchmarks: each measure against the sector's quartile band, when the dataset folder holds
a sector quartiles file (format: pipeline.report.inputs.read_sector_quartiles).

`quartile_position` is the one place a value is placed in a band; it is kept separate so a
regulator-data benchmark (pipeline.benchmarks.benchmark_position, being built) can replace
it without touching the report.
"""

from __future__ import annotations

import html

import pandas as pd

from pipeline.report.publication import measure_label
from pipeline.report.report_data import to_html

QUARTILES = ("lowest quartile", "second quartile", "third quartile", "highest quartile")


def quartile_position(value: float, lower: float, median: float, upper: float) -> str:
    """The quartile of the sector a value falls in: below the lower quartile is the lowest
    quarter, from the lower quartile up to the median the second, from the median up to the
    upper quartile the third, above the upper quartile the highest. A value on a boundary
    goes to the quartile above it, except the upper quartile itself (third quartile).
    Placement only: whether higher is better depends on the measure (RP01, CH01 and NM01
    are rates where lower is usually, not always, better)."""
    if value < lower:
        return QUARTILES[0]
    if value < median:
        return QUARTILES[1]
    if value <= upper:
        return QUARTILES[2]
    return QUARTILES[3]


def benchmark_table(publication_year: pd.DataFrame, quartiles: pd.DataFrame,
                    end_year: int) -> pd.DataFrame:
    """Each measure with a result and a band: the band of the report's year, or else the
    latest earlier year the file has (said in `band_year`)."""
    rows = []
    ok = publication_year[publication_year["status"] == "ok"]
    for r in ok.itertuples():
        match = quartiles[(quartiles["measure_code"] == r.measure_code)
                          & (quartiles["measure_part"] == r.measure_part)
                          & (quartiles["tenure"] == r.tenure)
                          & (quartiles["end_year"] <= end_year)]
        if match.empty:
            continue
        band = match.sort_values("end_year").iloc[-1]
        value = float(r.value)
        rows.append({
            "measure": measure_label(r.measure_code, r.measure_part), "measure_code": r.measure_code,
            "tenure": r.tenure, "unit": r.unit, "value": value, "published": r.published,
            "lower_quartile": float(band["lower_quartile"]), "median": float(band["median"]),
            "upper_quartile": float(band["upper_quartile"]),
            "band_year": int(band["end_year"]),
            "position": quartile_position(value, band["lower_quartile"], band["median"],
                                          band["upper_quartile"]),
            "note": band["note"], "illustrative": bool(band["illustrative"])})
    return pd.DataFrame(rows, columns=[
        "measure", "measure_code", "tenure", "unit", "value", "published", "lower_quartile",
        "median", "upper_quartile", "band_year", "position", "note", "illustrative"])


def _band_value(value: float, unit: str) -> str:
    return f"{value:.1f}%" if unit == "percent" else f"{value:.1f}"


def benchmark_html(table: pd.DataFrame, end_year: int) -> str:
    shown = pd.DataFrame({
        "Measure": table["measure"], "Tenure": table["tenure"], "Our result": table["published"],
        "Lower quartile": [_band_value(v, u) for v, u in zip(table["lower_quartile"], table["unit"])],
        "Median": [_band_value(v, u) for v, u in zip(table["median"], table["unit"])],
        "Upper quartile": [_band_value(v, u) for v, u in zip(table["upper_quartile"], table["unit"])],
        "Our position in the sector": [
            p + ("" if y == end_year else f" (band of {y - 1}/{str(y)[2:]})")
            for p, y in zip(table["position"], table["band_year"])],
    })
    return to_html(shown, numeric=("Our result", "Lower quartile", "Median", "Upper quartile"))


def provenance_html(quartiles: pd.DataFrame) -> str:
    """Where the band figures come from; an illustrative file is said to be one, loudly."""
    notes = sorted({str(n) for n in quartiles["note"] if str(n).strip()})
    source = quartiles["source_file"].iloc[0]
    text = f"Sector quartiles from <code>{source}</code>."
    if quartiles["illustrative"].any():
        text = ('<p class="illustrative"><strong>Illustrative figures, not real sector '
                f'benchmarks.</strong> The bands below come from <code>{source}</code>, made up to '
                "show how the report presents benchmarks. Do not compare the landlord with them."
                "</p>")
    else:
        text = f"<p>{text}</p>"
    if notes:
        text += "<p>Note in the file: " + "; ".join(html.escape(n) for n in notes) + "</p>"
    return text


def summary_text(table: pd.DataFrame) -> str:
    if table.empty:
        return "No measure has a sector band to compare with."
    counts = table["position"].value_counts()
    parts = [f"{int(counts[q])} in the {q}" for q in QUARTILES if q in counts.index]
    return f"{len(table)} measure results have a sector band: " + ", ".join(parts) + "."
