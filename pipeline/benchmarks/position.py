"""One landlord's measures placed in its peer group's quartiles: what the report shows.

    spec = peer_group_spec(read_landlord(dataset_dir).settings)
    table = benchmark_position(landlord_values, "2023/24", spec)

landlord.toml:
    landlord_type = "PRP"          # or "LA"; may also sit under [benchmarks]
    [benchmarks]
    peer_group = "type"            # all | type | size_band | region | supported_housing |
                                   # survey_method (default "type")
    rsh_code = "L4172"             # optional: the landlord's code in the regulator's data;
                                   # fills type, size band, region, supported housing and
                                   # survey method from the published landlord table
    size_band = "5,000-40,000"     # optional, for peer_group = "size_band"
    region = "North"               # optional, for peer_group = "region"
    supported_over_30pct = false   # optional, for peer_group = "supported_housing"
    survey_method = "telephone"    # optional, for peer_group = "survey_method" (or a table
                                   # {LCRA = "telephone", LCHO = "internet"})
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from pipeline.benchmarks.peers import PEER_GROUPS, peer_quartiles
from pipeline.benchmarks.reference import load_reference
from pipeline.errors import PipelineError

DEFAULT_PEER_GROUP = "type"
# which way is better, per measure: lower for complaints and ASB cases per 1,000 homes and
# for non-decent homes; higher for every satisfaction and compliance percentage
LOWER_IS_BETTER = frozenset({"CH01", "NM01", "RP01"})
BETTER_DIRECTION = pd.DataFrame(
    [(code, "lower" if code in LOWER_IS_BETTER else "higher") for code in (
        "TP01", "TP02", "TP03", "TP04", "TP05", "TP06", "TP07", "TP08", "TP09", "TP10",
        "TP11", "TP12", "RP01", "RP02", "BS01", "BS02", "BS03", "BS04", "BS05", "CH01",
        "CH02", "NM01")],
    columns=["measure_code", "better"])
POSITION_COLUMNS = ["measure_code", "measure_part", "tenure", "value", "better", "peer_group",
                    "peer_value", "n_landlords", "small_group", "lower_quartile", "median",
                    "upper_quartile", "sector_n", "sector_median", "quartile"]
TYPE_ALIASES = {"PRP": "PRP", "HA": "PRP", "LA": "LA", "LARP": "LA"}


def better(measure_code: str) -> str:
    """'lower' for CH01, NM01 and RP01; 'higher' for the rest."""
    return "lower" if measure_code in LOWER_IS_BETTER else "higher"


def quartile_of(value: float, lq: float, median: float, uq: float, direction: str):
    """1 = bottom (worst) quarter ... 4 = top (best), for a measure where `direction` is better.
    Higher is better: value < LQ -> 1, LQ <= value < median -> 2, median <= value < UQ -> 3,
    value >= UQ -> 4. Lower is better mirrors it: value > UQ -> 1, median < value <= UQ -> 2,
    LQ < value <= median -> 3, value <= LQ -> 4. So a value on a quartile boundary gets the
    better quarter. None when the value or the quartiles are missing."""
    if any(pd.isna(x) for x in (value, lq, median, uq)):
        return None
    if direction == "lower":
        return 1 if value > uq else 2 if value > median else 3 if value > lq else 4
    return 1 if value < lq else 2 if value < median else 3 if value < uq else 4


def peer_group_spec(settings: dict, landlords: pd.DataFrame | None = None,
                    year_label: str | None = None) -> dict:
    """The peer group from landlord.toml's settings (a plain dict of the TOML): {'peer_group',
    'type', 'size_band', 'region', 'supported_over_30pct', 'survey_method': {tenure: method}}.
    With [benchmarks] rsh_code and the published landlord table, blank attributes are taken
    from the landlord's own row (of year_label, else its latest year)."""
    section = settings.get("benchmarks", {}) or {}
    group = str(section.get("peer_group", DEFAULT_PEER_GROUP))
    if group not in PEER_GROUPS:
        raise PipelineError(f"landlord.toml: [benchmarks] peer_group = {group!r}; expected one "
                            f"of {', '.join(PEER_GROUPS)}")
    method = section.get("survey_method")
    spec = {"peer_group": group,
            "type": settings.get("landlord_type", section.get("landlord_type")),
            "size_band": section.get("size_band"), "region": section.get("region"),
            "supported_over_30pct": section.get("supported_over_30pct"),
            "survey_method": method if isinstance(method, dict) else
            ({"LCRA": method, "LCHO": method} if method else {})}
    if section.get("rsh_code") and landlords is not None:
        spec = fill_from_published(spec, str(section["rsh_code"]), landlords, year_label)
    if spec["type"] is not None:
        spec["type"] = TYPE_ALIASES.get(str(spec["type"]).upper())
        if spec["type"] is None:
            raise PipelineError("landlord.toml: landlord_type must be \"PRP\" or \"LA\"")
    return spec


def fill_from_published(spec: dict, code: str, landlords: pd.DataFrame,
                        year_label: str | None) -> dict:
    """spec with its blank attributes taken from the landlord's row in the published table."""
    rows = landlords[landlords["code"] == code]
    if year_label is not None and (rows["year"] == year_label).any():
        rows = rows[rows["year"] == year_label]
    if rows.empty:
        raise PipelineError(f"landlord.toml: [benchmarks] rsh_code = {code!r} is not in the "
                            "regulator's published data")
    row = rows.sort_values("year").iloc[-1]
    filled = dict(spec)
    for key in ("type", "size_band", "region", "supported_over_30pct"):
        if filled.get(key) is None and not pd.isna(row[key]):
            filled[key] = row[key]
    methods = {"LCRA": row["survey_method_lcra"], "LCHO": row["survey_method_lcho"]}
    filled["survey_method"] = {**{t: m for t, m in methods.items() if not pd.isna(m)},
                               **filled["survey_method"]}
    return filled


def spec_peer_value(spec: dict, measure_code: str, tenure: str) -> str | None:
    """The peer_value of the spec's peer group for one measure and tenure (None when the
    landlord's attribute is not known or the group does not apply to the measure)."""
    group = spec["peer_group"]
    if group == "all":
        return "all"
    if group == "supported_housing":
        flag = spec.get("supported_over_30pct")
        if flag is None or tenure == "LCHO":
            return None
        return "over_30pct" if bool(flag) else "not_over_30pct"
    if group == "survey_method":
        return spec.get("survey_method", {}).get(tenure) if measure_code.startswith("TP") \
            else None
    return spec.get(group)


def sector_quartiles(folder=None) -> pd.DataFrame:
    """peer_quartiles of the shipped CSVs (data/reference/rsh/), computed once per folder."""
    return _sector_quartiles(str(folder) if folder else None).copy()


@lru_cache(maxsize=4)
def _sector_quartiles(folder: str | None) -> pd.DataFrame:
    values, landlords, _ = load_reference(folder)
    return peer_quartiles(values, landlords)


def benchmark_position(landlord_values: pd.DataFrame, year_label: str, peer_group_spec: dict,
                       quartiles: pd.DataFrame | None = None) -> pd.DataFrame:
    """POSITION_COLUMNS, one row per landlord measure (measure_code, measure_part, tenure,
    value): its peer group and that group's n, quartiles and small_group flag, the sector
    (all landlords) n and median for the same measure part and tenure, which way is better and
    the landlord's quartile (1 = bottom ... 4 = top, see quartile_of). Perception measures are
    compared only within their own tenure. A measure with no peer data keeps its row with
    blanks; so does a spec whose attribute is unknown (it falls back to no group, not to all).
    quartiles defaults to the shipped regulator data (peer_quartiles of data/reference/rsh)."""
    table = quartiles if quartiles is not None else sector_quartiles()
    table = table[table["year"] == year_label]
    keys = ["measure_code", "measure_part", "tenure"]
    sector = table[table["peer_group"] == "all"].set_index(keys)
    peers = table[table["peer_group"] == peer_group_spec["peer_group"]].set_index(
        keys + ["peer_value"])
    rows = []
    for lv in landlord_values.fillna({"measure_part": ""}).itertuples(index=False):
        key = (lv.measure_code, lv.measure_part, lv.tenure)
        pv = spec_peer_value(peer_group_spec, lv.measure_code, lv.tenure)
        peer = peers.loc[key + (pv,)] if pv is not None and key + (pv,) in peers.index else None
        sec = sector.loc[key] if key in sector.index else None
        direction = better(lv.measure_code)
        rows.append({
            "measure_code": lv.measure_code, "measure_part": lv.measure_part,
            "tenure": lv.tenure, "value": lv.value, "better": direction,
            "peer_group": peer_group_spec["peer_group"], "peer_value": pv,
            **{c: (peer[c] if peer is not None else np.nan) for c in (
                "n_landlords", "small_group", "lower_quartile", "median", "upper_quartile")},
            "sector_n": sec["n_landlords"] if sec is not None else np.nan,
            "sector_median": sec["median"] if sec is not None else np.nan,
            "quartile": None if peer is None else quartile_of(
                lv.value, peer["lower_quartile"], peer["median"], peer["upper_quartile"],
                direction)})
    frame = pd.DataFrame(rows, columns=POSITION_COLUMNS)
    frame["quartile"] = frame["quartile"].astype("Int64")
    return frame
