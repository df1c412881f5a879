"""The report's benchmark section (notebook 05: `section_html`).

For a year the Regulator of Social Housing has published (data/reference/rsh/, read by
pipeline.benchmarks): each measure result placed in its peer group's quartiles
(pipeline.benchmarks.position.benchmark_position; landlord.toml [benchmarks] peer_group,
default all landlords of its landlord_type), beside the sector median and the landlord's own
previous year, as a chart and a table, with the regulator's credit.

For a year it has not published: said plainly, then the dataset's own sector quartiles file
when there is one (format: pipeline.report.inputs.read_sector_quartiles; an illustrative file
is marked so), placed by `quartile_position`.
"""

from __future__ import annotations

import html

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pipeline.benchmarks.position import (
    DEFAULT_PEER_GROUP,
    benchmark_position,
    peer_group_spec,
    sector_quartiles,
)
from pipeline.benchmarks.reference import load_reference
from pipeline.landlord import read_landlord
from pipeline.report import figures
from pipeline.report.figures import OKABE_ITO
from pipeline.report.inputs import read_sector_quartiles
from pipeline.report.publication import measure_label, publication
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


# ---------------------------------------------------------------------------------------------
# The regulator's published data (pipeline.benchmarks): the report's benchmark section
# ---------------------------------------------------------------------------------------------

SECTOR_CREDIT = ("Sector figures: Regulator of Social Housing, Tenant Satisfaction Measures "
                 "{years}, Open Government Licence v3.0")
QUARTILE_NAMES = {4: "top quartile", 3: "upper-middle quartile", 2: "lower-middle quartile",
                  1: "bottom quartile"}
SMALL_GROUP = 10
# measures the regulator publishes per tenure; a landlord's combined (ALL) figure is compared
# only when it has no per-tenure figure (the sector's ALL rows are the two or three landlords
# that could not split their figures)
PER_TENURE = ("CH01", "CH02")
SECTOR_COLUMNS = [
    "measure", "measure_code", "measure_part", "tenure", "unit", "value", "published",
    "previous", "previous_value", "better", "peer_group", "peer_value", "peer_label",
    "n_landlords", "small_group", "lower_quartile", "median", "upper_quartile", "sector_n",
    "sector_median", "quartile", "position"]
TYPE_NAMES = {"PRP": "housing associations and other private registered providers (PRP)",
              "LA": "local authorities (LA)"}


def published_years(quartiles: pd.DataFrame | None = None) -> list[str]:
    """The year labels ('2023/24') the regulator's shipped data cover."""
    table = quartiles if quartiles is not None else sector_quartiles()
    return sorted(set(table["year"]))


def credit_line(year_label: str) -> str:
    return SECTOR_CREDIT.format(years=year_label)


def peer_label(group: str, peer_value) -> str:
    """'all landlords', 'local authorities (LA)', 'landlords in the North' ..."""
    if group == "all" or peer_value == "all":
        return "all landlords"
    if group == "type":
        return TYPE_NAMES.get(str(peer_value), f"landlords of type {peer_value}")
    if group == "size_band":
        return f"landlords with {peer_value} homes"
    if group == "region":
        return f"landlords in the {peer_value} region" if peer_value != "Mixed" else \
            "landlords in several regions (Mixed)"
    if group == "supported_housing":
        return ("landlords with over 30% supported housing" if peer_value == "over_30pct"
                else "landlords with 30% or less supported housing")
    if group == "survey_method":
        return f"landlords whose survey was mainly by {peer_value}"
    return f"{group} = {peer_value}"


def short_peer_label(group: str, peer_value) -> str:
    """The peer group in a few characters, for the table: 'PRP', 'all', 'North' ..."""
    if not isinstance(peer_value, str):
        return ""
    if group == "supported_housing":
        return "over 30% supported" if peer_value == "over_30pct" else "≤30% supported"
    return "all" if peer_value == "all" else peer_value


def landlord_spec(dataset_dir, year_label: str) -> tuple[dict, str]:
    """The peer group spec from landlord.toml ([benchmarks] peer_group, default all landlords
    of its landlord_type) and a sentence on how it was chosen."""
    settings = read_landlord(dataset_dir).settings if dataset_dir is not None else {}
    section = settings.get("benchmarks", {}) or {}
    _, landlords, _ = load_reference()
    spec = peer_group_spec(settings, landlords, year_label)
    chosen = "peer_group" in section
    how = (f"landlord.toml <code>[benchmarks] peer_group = \"{html.escape(spec['peer_group'])}"
           "\"</code>" if chosen else
           f"the default (<code>peer_group = \"{DEFAULT_PEER_GROUP}\"</code>: all landlords of "
           "the landlord's own type)")
    return spec, how


def landlord_values(publication_year: pd.DataFrame) -> pd.DataFrame:
    """The year's measure results to benchmark (status ok), without the combined (ALL) CH01 and
    CH02 rows of a landlord that also has them per tenure."""
    ok = publication_year[publication_year["status"] == "ok"].copy()
    split = ok[(ok["tenure"] != "ALL") & ok["measure_code"].isin(PER_TENURE)]
    has_split = set(zip(split["measure_code"], split["measure_part"]))
    keep = [not (t == "ALL" and (c, p) in has_split)
            for c, p, t in zip(ok["measure_code"], ok["measure_part"], ok["tenure"])]
    return ok[keep].reset_index(drop=True)


def sector_table(publication_all: pd.DataFrame, end_year: int, year_label: str, spec: dict,
                 quartiles: pd.DataFrame | None = None) -> pd.DataFrame:
    """SECTOR_COLUMNS, one row per measure result of the year: the landlord's value beside its
    previous year's, its peer group's quartiles and size (the group of `spec`; all landlords
    where the landlord's attribute is not known or the group does not apply to the measure),
    the sector median (all landlords) and the landlord's quartile, 1 bottom ... 4 top
    (pipeline.benchmarks.position.quartile_of: a value on a boundary gets the better quarter).
    Perception measures are compared only within their own tenure."""
    this = landlord_values(publication_all[publication_all["end_year"] == end_year])
    before = publication_all[(publication_all["end_year"] == end_year - 1)
                             & (publication_all["status"] == "ok")]
    if this.empty:
        return pd.DataFrame(columns=SECTOR_COLUMNS)
    frame = this[["measure_code", "measure_part", "tenure", "value"]].astype({"value": float})
    position = benchmark_position(frame, year_label, spec, quartiles)
    unknown = position["peer_value"].isna()
    if unknown.any():  # the landlord's attribute is not known, or the group does not apply
        fallback = benchmark_position(frame[unknown.to_numpy()], year_label,
                                      {"peer_group": "all"}, quartiles)
        fallback.index = position.index[unknown]
        known = position[~unknown]
        position = (pd.concat([known, fallback]) if len(known) else fallback).sort_index()
    keys = ["measure_code", "measure_part", "tenure"]
    previous = before[keys + ["published", "value"]].rename(
        columns={"published": "previous", "value": "previous_value"})
    table = (this[keys + ["unit", "published"]]
             .merge(position, on=keys, how="left").merge(previous, on=keys, how="left"))
    table["measure"] = [measure_label(c, p) for c, p in zip(table["measure_code"],
                                                            table["measure_part"])]
    table["peer_label"] = [peer_label(g, v) if isinstance(v, str) else ""
                           for g, v in zip(table["peer_group"], table["peer_value"])]
    table["small_group"] = [bool(s) if not pd.isna(s) else False for s in table["small_group"]]
    table["position"] = [QUARTILE_NAMES.get(int(q), "") if not pd.isna(q) else ""
                         for q in table["quartile"]]
    return table[SECTOR_COLUMNS]


def _number(value, unit: str) -> str:
    if pd.isna(value):
        return "–"
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"


def _count(n) -> str:
    return "–" if pd.isna(n) else f"{int(n):,}"


def quartile_text(quartile) -> str:
    """4 -> 'Q4 (top)', 3 -> 'Q3', 2 -> 'Q2', 1 -> 'Q1 (bottom)'; '–' when not placed."""
    if pd.isna(quartile):
        return "–"
    q = int(quartile)
    return f"Q{q}" + {4: " (top)", 1: " (bottom)"}.get(q, "")


def sector_html(table: pd.DataFrame, year_label: str, previous_label: str) -> str:
    """The measures table: ours this year and last, the peer group and its size, its quartiles,
    our quartile (Q4 = best), and the sector median (all landlords) with its size."""
    ours, before = f"Ours {year_label}", f"Ours {previous_label}"
    shown = pd.DataFrame({
        "Measure": [m + (" ↓" if b == "lower" else "")
                    for m, b in zip(table["measure"], table["better"])],
        "Tenure": table["tenure"],
        ours: table["published"],
        before: [p if isinstance(p, str) else "–" for p in table["previous"]],
        "Peer group (n)": [
            f"{short_peer_label(g, v)} ({_count(n)})" + (" ⚠ under 10" if s else "")
            if not pd.isna(n) else "no published figures"
            for g, v, n, s in zip(table["peer_group"], table["peer_value"], table["n_landlords"],
                                  table["small_group"])],
        "Lower quartile": [_number(v, u) for v, u in zip(table["lower_quartile"], table["unit"])],
        "Median": [_number(v, u) for v, u in zip(table["median"], table["unit"])],
        "Upper quartile": [_number(v, u) for v, u in zip(table["upper_quartile"], table["unit"])],
        "Our quartile": [quartile_text(q) for q in table["quartile"]],
        "Sector median (n)": [
            _number(v, u) + (f" ({int(n):,})" if not pd.isna(n) else "")
            for v, u, n in zip(table["sector_median"], table["unit"], table["sector_n"])],
    })
    note = ("<p>↓: lower is better (CH01 and NM01 are per 1,000 homes). n: the number of "
            "landlords with a figure. Quartiles are the peer group's; Q4 is its best quarter "
            "whichever way the measure is better. The sector median is that of all landlords "
            "with a figure for the same measure and tenure.</p>")
    return '<div class="table-scroll">' + to_html(shown, numeric=(
        ours, before, "Peer group (n)", "Lower quartile", "Median", "Upper quartile",
        "Sector median (n)")) + "</div>" + note


def sector_summary(table: pd.DataFrame) -> str:
    placed = table[table["quartile"].notna()]
    if placed.empty:
        return "No measure result has published sector figures to compare with."
    counts = placed["quartile"].astype(int).value_counts()
    parts = [f"{int(counts[q])} in the {QUARTILE_NAMES[q]}" for q in (4, 3, 2, 1)
             if q in counts.index]
    return (f"{len(placed)} of {len(table)} measure results are placed in their peer group's "
            "quartiles: " + ", ".join(parts) + ".")


def peer_group_text(table: pd.DataFrame, spec: dict, how: str) -> str:
    """Which peer group, chosen how, and how many landlords it holds per measure."""
    placed = table[table["n_landlords"].notna()]
    parts = []
    for label, group in placed.groupby("peer_label", sort=False):
        first = group.iloc[0]
        low, high = int(group["n_landlords"].min()), int(group["n_landlords"].max())
        size = (f"{low:,} landlords" if low == high else
                f"{low:,} to {high:,} landlords by measure and tenure ({first['measure']} "
                f"{first['tenure']}: {int(first['n_landlords']):,})")
        parts.append(f"<strong>{html.escape(label)}</strong>, {size}")
    sizes = "; ".join(parts)
    text = f"<p>Peer group, from {how}: {sizes or 'none with published figures'}.</p>"
    notes = []
    if spec["peer_group"] == "type" and spec.get("type") is None:
        notes.append("landlord.toml sets no <code>landlord_type</code> (\"PRP\" or \"LA\"), so "
                     "every measure is compared with all landlords")
    elif spec["peer_group"] != "all" and (table["peer_value"] == "all").any():
        which = ", ".join(f"{m} {t}" for m, t in zip(
            table.loc[table["peer_value"] == "all", "measure"],
            table.loc[table["peer_value"] == "all", "tenure"]))
        notes.append(f"the peer group is not known or does not apply for {which}: those are "
                     "compared with all landlords")
    small = table[table["small_group"]]
    if len(small):
        notes.append("⚠ a peer group of fewer than 10 landlords is too small for its quartiles "
                     "to mean much: " + ", ".join(
                         f"{m} {t} ({int(n)} landlords)" for m, t, n in zip(
                             small["measure"], small["tenure"], small["n_landlords"])))
    return text + "".join(f"<p>{n[0].upper() + n[1:]}.</p>" for n in notes)


def sector_figure(table: pd.DataFrame, unit: str, year_label: str, previous_label: str):
    """Per measure (one unit per figure): the peer group's interquartile band split at its
    median, the sector median (all landlords), our previous year and our result. Okabe-Ito
    colours, and a different marker shape for each series."""
    part = table[(table["unit"] == unit) & table["quartile"].notna()].reset_index(drop=True)
    names = [f"{m} {t}" + (" ↓" if b == "lower" else "")
             for m, t, b in zip(part["measure"], part["tenure"], part["better"])]
    fig = Figure(figsize=(9, max(3.0, 0.34 * len(part) + 2.0)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = list(range(len(part)))
    ax.barh(y, part["median"] - part["lower_quartile"], left=part["lower_quartile"], height=0.6,
            color=OKABE_ITO["sky_blue"], alpha=0.35, label="Peer group: lower quartile to median")
    ax.barh(y, part["upper_quartile"] - part["median"], left=part["median"], height=0.6,
            color=OKABE_ITO["sky_blue"], alpha=0.8, label="Peer group: median to upper quartile")
    ax.scatter(part["sector_median"], y, marker="D", s=30, facecolor="white",
               edgecolor=OKABE_ITO["black"], zorder=3, clip_on=False,
               label="Sector median (all landlords)")
    has_previous = part["previous_value"].notna()
    if has_previous.any():
        ax.scatter(part.loc[has_previous, "previous_value"],
                   [y[i] for i in part.index[has_previous]], marker="s", s=34, facecolor="none",
                   edgecolor=OKABE_ITO["blue"], linewidth=1.5, zorder=4, clip_on=False,
                   label=f"Ours {previous_label}")
    ax.scatter(part["value"], y, marker="o", s=46, color=OKABE_ITO["vermillion"], zorder=5,
               clip_on=False, label=f"Ours {year_label}")
    for i, (q, small) in enumerate(zip(part["quartile"], part["small_group"])):
        ax.annotate(f"Q{int(q)}" + (" ⚠ n<10" if small else ""), xy=(1.02, i),
                    xycoords=("axes fraction", "data"), va="center", fontsize=8)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_ylim(len(part) - 0.5, -0.5)
    if unit == "percent":
        ax.set_xlim(0, 102)
        ax.set_xticks(range(0, 101, 10))
        ax.set_xlabel("Result (%)")
    else:  # CH01 in tens, NM01 hate incidents below 1: linear up to 1, logarithmic above
        ax.set_xscale("symlog", linthresh=1, linscale=0.6)
        ax.set_xlim(left=0)
        ax.set_xticks([0, 0.5, 1, 2, 5, 10, 20, 50, 100], ["0", "0.5", "1", "2", "5", "10",
                                                           "20", "50", "100"])
        ax.set_xlabel("Result per 1,000 homes (logarithmic scale above 1)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.suptitle(f"Our {year_label} results in the peer group's quartiles (Q4 = best quarter; "
                 "↓ lower is better)", fontsize=10)
    ax.set_title(credit_line(year_label), fontsize=7, color="#555555")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3,
               frameon=False, fontsize=8)
    parts = [f"{n}: {p}, {pos} (peer {lbl}, {int(k)} landlords: quartiles "
             f"{_number(lq, unit)}, {_number(md, unit)}, {_number(uq, unit)}; sector median "
             f"{_number(sm, unit)}" + (f"; {previous_label} {pv}" if isinstance(pv, str) else "")
             + ")"
             for n, p, pos, lbl, k, lq, md, uq, sm, pv in zip(
                 names, part["published"], part["position"], part["peer_label"],
                 part["n_landlords"], part["lower_quartile"], part["median"],
                 part["upper_quartile"], part["sector_median"], part["previous"])]
    alt = (f"Chart of {len(part)} of our {year_label} results, each a dot on its peer group's "
           "quartile band with the sector median and our previous year: " + "; ".join(parts)
           + ".")
    fig.alt_text = alt
    return fig, alt


def _illustrative_section(con, end_year: int, quartiles: pd.DataFrame,
                          figures_dir) -> list[str]:
    """The dataset's own quartiles file (illustrative or not), as the report showed it before
    the regulator's data: provenance, summary, table and one chart per unit."""
    table = benchmark_table(publication(con, end_year), quartiles, end_year)
    out = [provenance_html(quartiles), f"<p>{html.escape(summary_text(table))}</p>",
           benchmark_html(table, end_year)]
    for unit in table["unit"].unique():
        fig, alt = figures.benchmark_bands(table, unit, bool(quartiles["illustrative"].any()))
        out.append(figures.publish(fig, alt, f"benchmarks_{unit}", figures_dir))
    return out


def _file_table(con, end_year: int, quartiles: pd.DataFrame) -> str:
    """The dataset's own quartiles file, collapsed below the regulator's figures."""
    table = benchmark_table(publication(con, end_year), quartiles, end_year)
    source = html.escape(str(quartiles["source_file"].iloc[0]))
    marker = ("Illustrative figures, not real sector benchmarks" if quartiles["illustrative"].any()
              else "The dataset's own sector quartiles")
    return (f"<details><summary>{marker}: <code>{source}</code> from the dataset folder "
            "(not used above)</summary>" + provenance_html(quartiles)
            + f"<p>{html.escape(summary_text(table))}</p>" + benchmark_html(table, end_year)
            + "</details>")


def section_html(con, end_year: int, year_label: str, dataset_dir=None, figures_dir=None,
                 no_dataset_text: str = "") -> str:
    """The report's benchmark section. A year the regulator has published: every measure
    result in its peer group's quartiles (landlord.toml [benchmarks]), beside the sector median
    and our previous year, as a chart per unit and a table, with the regulator's credit. A year
    it has not: said plainly, then the dataset's sector quartiles file if there is one
    (marked illustrative when it is), else nothing."""
    quartiles_file = read_sector_quartiles(dataset_dir)
    years = published_years()
    if year_label not in years:
        out = [f"<p>The Regulator of Social Housing has published no sector figures for "
               f"{html.escape(year_label)} (the project holds its data for "
               f"{' and '.join(years)}), so this report cannot compare {html.escape(year_label)}"
               " with the sector.</p>"]
        if quartiles_file is not None:
            out += _illustrative_section(con, end_year, quartiles_file, figures_dir)
        elif dataset_dir is None and no_dataset_text:
            out.append(f"<p>{html.escape(no_dataset_text)}</p>")
        return "\n".join(out)
    spec, how = landlord_spec(dataset_dir, year_label)
    previous_label = f"{end_year - 2}/{str(end_year - 1)[2:]}"
    table = sector_table(publication(con, None), end_year, year_label, spec)
    out = [f"<p>Each of our {html.escape(year_label)} measure results placed in the quartiles of "
           "its peer group from the regulator's published Tenant Satisfaction Measures, beside "
           "the sector median (all landlords) and our own previous year. Quartile 4 is the best "
           "quarter of the group and 1 the worst, whichever way the measure is better (lower "
           "for CH01 complaints and NM01 ASB cases per 1,000 homes and RP01 non-decent homes); "
           "a result exactly on a quartile counts in the better quarter. Perception measures "
           "(TP01–TP12) are compared only with the same tenure's survey results (LCRA with "
           "LCRA, LCHO with LCHO).</p>",
           peer_group_text(table, spec, how),
           f"<p>{html.escape(sector_summary(table))}</p>"]
    for unit in ("percent", "per_1000_homes"):
        if ((table["unit"] == unit) & table["quartile"].notna()).any():
            fig, alt = sector_figure(table, unit, year_label, previous_label)
            out.append(figures.publish(fig, alt, f"benchmarks_{unit}", figures_dir))
    out.append(sector_html(table, year_label, previous_label))
    out.append(f'<p class="credit">{html.escape(credit_line(year_label))}.</p>')
    if quartiles_file is not None:
        out.append(_file_table(con, end_year, quartiles_file))
    return "\n".join(out)
