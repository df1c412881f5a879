"""The report's figures: one function per figure, a report_data frame in, (Figure, alt text) out.

Figures are drawn on the Agg backend. Colours are Okabe-Ito (safe for the common colour-vision deficiencies), and each figure
carries a short alt text (also kept on the figure as fig.alt_text) for the HTML report.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pipeline.report.publication import PARTS
from pipeline.report.report_data import (
    OUTCOME_LABELS,
    OUTCOMES,
    TIMELINESS,
    TIMELINESS_LABELS,
    label,
)

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}
STAGE_COLOURS = {"stage_1": OKABE_ITO["blue"], "stage_2": OKABE_ITO["orange"]}
TIMELINESS_COLOURS = {
    "on_time": OKABE_ITO["bluish_green"],
    "on_time_extended": OKABE_ITO["sky_blue"],
    "late": OKABE_ITO["vermillion"],
    "open": OKABE_ITO["grey"],
    "withdrawn_no_response": OKABE_ITO["reddish_purple"],
}
OUTCOME_COLOURS = {
    "upheld": OKABE_ITO["vermillion"],
    "partly_upheld": OKABE_ITO["orange"],
    "not_upheld": OKABE_ITO["blue"],
    "withdrawn": OKABE_ITO["grey"],
    "no_outcome": OKABE_ITO["yellow"],
}
FIGSIZE = (8, 4.5)


def _new_figure(figsize=FIGSIZE) -> tuple[Figure, Axes]:
    # Figure() on an Agg canvas rather than plt.figure(): no pyplot state and no global
    # backend switch, so nothing accumulates in (or changes for) the kernel that draws them
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _finish(fig: Figure, alt_text: str) -> tuple[Figure, str]:
    fig.alt_text = alt_text
    return fig, alt_text


def _year_suffix(year_label: str) -> str:
    return f", {year_label}" if year_label else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def complaints_per_month(monthly: pd.DataFrame, year_label: str = "") -> tuple[Figure, str]:
    """Grouped bars: complaint stages received per month, April to March, stage 1 and 2."""
    fig, ax = _new_figure()
    x = range(len(monthly))
    width = 0.4
    for offset, stage, name in ((-width / 2, "stage_1", "Stage 1"),
                                (width / 2, "stage_2", "Stage 2")):
        ax.bar([i + offset for i in x], monthly[stage], width=width, label=name,
               color=STAGE_COLOURS[stage])
    ax.set_xticks(list(x), [m.split(" ")[0] for m in monthly["month_label"]])
    ax.set_xlabel("Month received")
    ax.set_ylabel("Complaints received")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Complaints received per month by stage{_year_suffix(year_label)}")
    ax.legend(frameon=False)
    s1, s2 = int(monthly["stage_1"].sum()), int(monthly["stage_2"].sum())
    busiest = monthly.loc[(monthly["stage_1"] + monthly["stage_2"]).idxmax(), "month_label"]
    alt = (f"Bar chart of complaints received per month{_year_suffix(year_label)}: "
           f"{_plural(s1, 'stage 1 complaint')} and {_plural(s2, 'stage 2 complaint')} in total"
           + (f"; the busiest month was {busiest}." if s1 + s2 else "."))
    return _finish(fig, alt)


def timescale_performance(timeliness: pd.DataFrame, year_label: str = "") -> tuple[Figure, str]:
    """Stacked bars per stage: on time, on time within an agreed extension, late, open."""
    fig, ax = _new_figure((8, 3.5))
    kinds = [k for k in TIMELINESS
             if k in timeliness and (k != "withdrawn_no_response" or timeliness[k].sum() > 0)]
    left = pd.Series(0, index=timeliness.index, dtype=float)
    widest = max(float(timeliness["total"].max()) if len(timeliness) else 0.0, 1.0)
    for kind in kinds:
        values = timeliness[kind].astype(float)
        bars = ax.barh(timeliness["stage"], values, left=left, label=TIMELINESS_LABELS[kind],
                       color=TIMELINESS_COLOURS[kind])
        # label a segment only where it is wide enough to hold its number
        ax.bar_label(bars, labels=[f"{int(v)}" if v >= 0.04 * widest else "" for v in values],
                     label_type="center", fontsize=9)
        left += values
    ax.invert_yaxis()
    ax.set_xlabel("Complaints received in the year")
    ax.set_ylabel("")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Response against the Complaint Handling Code timescale{_year_suffix(year_label)}")
    ax.legend(frameon=False, ncols=min(len(kinds), 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.25), fontsize=9)
    parts = []
    for _, row in timeliness.iterrows():
        counts = ", ".join(f"{int(row[k])} {TIMELINESS_LABELS[k].lower()}" for k in kinds)
        parts.append(f"{row['stage']}: {counts}")
    alt = (f"Stacked bar chart of complaint responses against the Code timescale"
           f"{_year_suffix(year_label)}. " + "; ".join(parts) + ".")
    return _finish(fig, alt)


def categories(categories: pd.DataFrame, year_label: str = "",
               threshold: int | None = None) -> tuple[Figure, str]:
    """Horizontal bars: complaints received per category (stages 1 and 2), largest first.
    With a threshold, categories with 1 to threshold-1 complaints are not drawn (a bar would
    show the small number the tables suppress); the alt text says how many were left out."""
    hidden = 0
    if threshold:
        small = (categories["received"] > 0) & (categories["received"] < threshold)
        hidden = int(small.sum())
        categories = categories[~small]
    height = max(2.5, 0.45 * len(categories) + 1.5)
    fig, ax = _new_figure((8, height))
    names = [label(c) for c in categories["category"]]
    if categories.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No category to draw" + (
            f": each has fewer than {threshold} complaints (see the table)" if hidden else ""),
            ha="center", va="center", transform=ax.transAxes)
    bars = ax.barh(names, categories["received"], color=OKABE_ITO["blue"])
    ax.bar_label(bars, labels=[
        f"{n}  ({p} upheld)" if p else f"{n}"
        for n, p in zip(categories["received"], categories["upheld_published"])
    ], padding=3, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Complaints received (stages 1 and 2)")
    ax.set_ylabel("Category")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.25)
    ax.set_title(f"Complaints by category{_year_suffix(year_label)}")
    if len(categories):
        top = categories.iloc[0]
        alt = (f"Horizontal bar chart of complaints by category{_year_suffix(year_label)}: "
               f"{len(categories)} categories; the largest is {label(top['category']).lower()} "
               f"with {int(top['received'])} complaints.")
    else:
        alt = f"Horizontal bar chart of complaints by category{_year_suffix(year_label)}: none."
    if hidden:
        alt += (f" {_plural(hidden, 'category')} with fewer than {threshold} complaints "
                "not drawn.")
    return _finish(fig, alt)


def outcomes(outcomes: pd.DataFrame, year_label: str = "") -> tuple[Figure, str]:
    """Stacked horizontal bars per stage: the share of complaints by outcome."""
    fig, ax = _new_figure((8, 3.5))
    kinds = [k for k in OUTCOMES if k in outcomes and (k != "no_outcome" or outcomes[k].sum())]
    totals = outcomes["total"].where(outcomes["total"] > 0).astype(float)
    left = pd.Series(0.0, index=outcomes.index)
    for kind in kinds:
        shares = (outcomes[kind] * 100 / totals).fillna(0)
        bars = ax.barh(outcomes["stage"], shares, left=left, label=OUTCOME_LABELS[kind],
                       color=OUTCOME_COLOURS[kind])
        ax.bar_label(bars, labels=[f"{v:.0f}%" if v >= 5 else "" for v in shares],
                     label_type="center", fontsize=9)
        left += shares
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of complaints received in the year (%)")
    ax.set_title(f"Complaint outcomes by stage{_year_suffix(year_label)}")
    ax.legend(frameon=False, ncols=min(len(kinds), 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.25), fontsize=9)
    parts = []
    for _, row in outcomes.iterrows():
        counts = ", ".join(f"{int(row[k])} {OUTCOME_LABELS[k].lower()}" for k in kinds)
        parts.append(f"{row['stage']} ({int(row['total'])} received): {counts}")
    alt = (f"Stacked bar chart of complaint outcomes{_year_suffix(year_label)}. "
           + "; ".join(parts) + ".")
    return _finish(fig, alt)


TENURE_COLOURS = {"LCRA": OKABE_ITO["blue"], "LCHO": OKABE_ITO["orange"],
                  "ALL": OKABE_ITO["bluish_green"]}
TENURE_MARKERS = {"LCRA": "o", "LCHO": "s", "ALL": "D"}


def perception_intervals(results: pd.DataFrame, year_label: str = "") -> tuple[Figure, str]:
    """Dot and whisker per perception measure and tenure: the result and its 95% confidence
    interval. `results` as survey_section.results_with_intervals (rows without a result are
    left out)."""
    shown = results[results["p"].notna()].reset_index(drop=True)
    codes = list(dict.fromkeys(shown["measure_code"]))
    tenures = [t for t in ("LCRA", "LCHO") if t in set(shown["tenure"])]
    fig, ax = _new_figure((8, max(2.5, 0.42 * len(codes) + 1.6)))
    offsets = {t: (i - (len(tenures) - 1) / 2) * 0.3 for i, t in enumerate(tenures)}
    for tenure in tenures:
        part = shown[shown["tenure"] == tenure]
        y = [codes.index(c) + offsets[tenure] for c in part["measure_code"]]
        ax.errorbar(part["p"], y, xerr=[part["p"] - part["low"], part["high"] - part["p"]],
                    fmt=TENURE_MARKERS[tenure], color=TENURE_COLOURS[tenure], capsize=3,
                    label=tenure, markersize=5)
    ax.set_yticks(range(len(codes)), codes)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Satisfied (%), with 95% confidence interval")
    ax.set_title(f"Tenant perception measures{_year_suffix(year_label)}")
    if tenures:
        ax.legend(frameon=False, loc="lower left")
    if len(shown):
        best = shown.loc[shown["p"].idxmax()]
        worst = shown.loc[shown["p"].idxmin()]
        alt = (f"Dot chart of {len(shown)} perception results{_year_suffix(year_label)} with 95% "
               f"confidence intervals; highest {best['measure_code']} {best['tenure']} "
               f"{best['p']:.1f}% (±{best['margin']:.1f}), lowest {worst['measure_code']} "
               f"{worst['tenure']} {worst['p']:.1f}% (±{worst['margin']:.1f}).")
    else:
        alt = f"Dot chart of perception results{_year_suffix(year_label)}: no results."
    return _finish(fig, alt)


def trend_small_multiples(frame: pd.DataFrame, columns: int = 4) -> tuple[Figure, str]:
    """One small line chart per measure part with a result in any year, a line per tenure.
    `frame` is the publication table over years (trends.trend_frame)."""
    ok = frame[frame["status"] == "ok"].copy()
    ok["panel"] = [f"{c} {PARTS.get(p, p)}".strip() for c, p in
                   zip(ok["measure_code"], ok["measure_part"])]
    panels = list(dict.fromkeys(ok.sort_values("sort_order")["panel"]))
    labels = sorted(frame["year_label"].unique())
    rows = max(1, -(-len(panels) // columns))
    fig = Figure(figsize=(2.6 * columns, 2.0 * rows + 0.6), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, columns, squeeze=False)
    summaries = []
    for i, ax in enumerate(axes.flat):
        if i >= len(panels):
            ax.set_visible(False)
            continue
        panel = ok[ok["panel"] == panels[i]]
        ax.spines[["top", "right"]].set_visible(False)
        for tenure in ("LCRA", "LCHO", "ALL"):
            line = panel[panel["tenure"] == tenure].sort_values("end_year")
            if line.empty:
                continue
            ax.plot([labels.index(y) for y in line["year_label"]], line["value"],
                    marker=TENURE_MARKERS[tenure], color=TENURE_COLOURS[tenure], label=tenure,
                    markersize=4)
        unit = panel["unit"].iloc[0]
        low, high = float(panel["value"].min()), float(panel["value"].max())
        if unit == "percent":  # at least a 10-point window, so small moves do not look large
            middle = (low + high) / 2
            half = max(5.0, (high - low) / 2 + 1)
            bottom = max(0.0, min(middle - half, 100.0 - 2 * half))
            ax.set_ylim(bottom, min(100.0, bottom + 2 * half) + 0.5)
        else:
            ax.set_ylim(0, high * 1.15 if high > 0 else 1)
        ax.set_title(panels[i] + (" (%)" if unit == "percent" else " (per 1,000)"), fontsize=9)
        ax.set_xticks(range(len(labels)), [y[2:] for y in labels], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlim(-0.4, len(labels) - 0.6)
        main = panel[panel["tenure"] == panel["tenure"].iloc[0]].sort_values("end_year")
        first, last = main.iloc[0], main.iloc[-1]
        summaries.append(f"{panels[i]} {first['tenure']} {first['published']} in "
                         f"{first['year_label']} to {last['published']} in {last['year_label']}")
    found = {}
    for ax in axes.flat:
        for h, name in zip(*ax.get_legend_handles_labels()):
            found.setdefault(name, h)
    handles = {t: found[t] for t in ("LCRA", "LCHO", "ALL") if t in found}
    if handles:
        fig.legend(list(handles.values()), list(handles.keys()), loc="outside lower center",
                   ncols=len(handles), frameon=False)
    span = f"{labels[0]} to {labels[-1]}" if labels else ""
    alt = (f"Small multiple line charts of {len(panels)} measures over {span}, one line per "
           f"tenure: " + "; ".join(summaries) + "." if panels else
           "Small multiple line charts: no measure has a result in any year.")
    return _finish(fig, alt)


def benchmark_bands(table: pd.DataFrame, unit: str, illustrative: bool = False
                    ) -> tuple[Figure, str]:
    """Per measure, the sector's interquartile band (a bar from the lower to the upper
    quartile), its median (a tick) and the landlord's result (a dot). One unit per figure."""
    part = table[table["unit"] == unit].reset_index(drop=True)
    names = [f"{m} {t}" for m, t in zip(part["measure"], part["tenure"])]
    fig, ax = _new_figure((8, max(2.5, 0.4 * len(part) + 1.6)))
    y = range(len(part))
    ax.barh(y, part["upper_quartile"] - part["lower_quartile"], left=part["lower_quartile"],
            color=OKABE_ITO["sky_blue"], alpha=0.6, label="Sector interquartile range")
    ax.scatter(part["median"], y, marker="|", s=200, color=OKABE_ITO["black"], label="Sector median")
    ax.scatter(part["value"], y, marker="o", s=36, color=OKABE_ITO["vermillion"], zorder=3,
               label="Our result")
    ax.set_yticks(list(y), names, fontsize=8)
    ax.invert_yaxis()
    what = "Result (%)" if unit == "percent" else "Result per 1,000 homes"
    ax.set_xlabel(what)
    marker = " (ILLUSTRATIVE bands)" if illustrative else ""
    ax.set_title(f"Our results against the sector's quartiles{marker}")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=3, fontsize=8)
    parts = [f"{n}: {v} ({p})" for n, v, p in zip(names, part["published"], part["position"])]
    alt = (f"Chart of {len(part)} results against sector quartile bands"
           + (" (illustrative figures, not real benchmarks)" if illustrative else "") + ": "
           + "; ".join(parts) + ".")
    return _finish(fig, alt)


def save_figure(fig: Figure, figures_dir: str | Path, name: str) -> list[Path]:
    """Write figures_dir/name.png and name.svg; returns both paths."""
    folder = Path(figures_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "svg"):
        path = folder / f"{name}.{ext}"
        # fixed metadata so the same data give the same files
        metadata = {"Software": None} if ext == "png" else {"Date": None, "Creator": None}
        fig.savefig(path, format=ext, dpi=150, metadata=metadata)
        paths.append(path)
    return paths


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def to_html(fig: Figure, alt_text: str | None = None) -> str:
    """The figure as a self-contained <img> (base64 PNG) carrying its alt text."""
    alt = alt_text if alt_text is not None else getattr(fig, "alt_text", "")
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    return (f'<figure class="report-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width:100%;height:auto"></figure>')


def publish(fig: Figure, alt_text: str, name: str, figures_dir: str | Path | None = None) -> str:
    """Save the figure as name.png/.svg when figures_dir is set; return it as inline HTML."""
    if figures_dir:
        save_figure(fig, figures_dir, name)
    return to_html(fig, alt_text)
