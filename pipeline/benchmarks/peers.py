"""Peer-group quartiles of the regulator's published TSM values, and the published values that
disagree with their own numerator and denominator.

Quartiles: lower quartile, median and upper quartile by linear interpolation between the
sorted values, position (n - 1) * p: the same as Excel's QUARTILE.INC / PERCENTILE.INC and
numpy's default ("linear") method. Missing values ([X], [Z], [E], [S], [U]) are left out, and
n_landlords counts the landlords with a value.

Peer groups, per year, measure part and tenure (perception measures are only ever compared
within one tenure, because every group is split by tenure):
- all: every landlord.
- type: PRP (housing associations) or LA (local authorities; 'LARP' in 2023/24).
- size_band: '<5,000', '5,000-40,000', '>40,000' homes (group size, LCRA + LCHO).
- region: South, Midlands, North, London, Mixed.
- supported_housing: 'over_30pct' or 'not_over_30pct' of LCRA homes supported housing; for
  LCRA and ALL (management information) values, not LCHO perception.
- survey_method: the predominant collection method of the survey of the value's tenure
  (telephone, internet, postal, face_to_face, sms, other, no_predominant_method); perception
  measures only.
A group of fewer than 10 landlords is kept and flagged small_group = True. Landlords whose
attribute is blank (merged during the year) are in no group of that kind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SMALL_GROUP = 10
PEER_GROUPS = ("all", "type", "size_band", "region", "supported_housing", "survey_method")
PER_1000_HOMES = frozenset({"CH01", "NM01"})
QUARTILE_COLUMNS = ["year", "measure_code", "measure_part", "tenure", "peer_group",
                    "peer_value", "n_landlords", "lower_quartile", "median", "upper_quartile",
                    "small_group"]
DISAGREEMENT_COLUMNS = ["year", "landlord_code", "landlord_name", "measure_code",
                        "measure_part", "tenure", "published_value", "numerator",
                        "denominator", "basis", "recomputed_value", "difference", "tolerance",
                        "survey_weighted"]
# a published value disagrees with its own numbers by more than rounding explains: half a unit
# of the last decimal place its column (year, measure part, tenure) is published to
WHOLE_TOLERANCE = 0.5  # every value of the column a whole number (2023/24 LCHO CH01)
ROUNDED_TOLERANCE = 0.05  # every value at most 1 dp (2024/25)
UNROUNDED_TOLERANCE = 0.0005  # unrounded values (2023/24)
FLOAT_SLACK = 1e-9


def quartiles(values) -> tuple[int, float, float, float]:
    """(n, lower quartile, median, upper quartile) of the non-missing values, QUARTILE.INC
    (numpy 'linear'); NaNs when there is no value."""
    data = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    if data.size == 0:
        return 0, np.nan, np.nan, np.nan
    lq, med, uq = np.percentile(data, [25, 50, 75], method="linear")
    return int(data.size), float(lq), float(med), float(uq)


def is_perception(measure_code: str) -> bool:
    """TP01-TP12 are the tenant perception (survey) measures."""
    return str(measure_code).startswith("TP")


def peer_value(row: pd.Series, group: str) -> str | None:
    """The peer group a value's landlord belongs to, or None when the group does not apply
    to the value (see the module docstring)."""
    if group == "all":
        return "all"
    if group in ("type", "size_band", "region"):
        value = row.get(group)
        return None if pd.isna(value) or value == "" else str(value)
    if group == "supported_housing":
        flag = row.get("supported_over_30pct")
        if row["tenure"] == "LCHO" or flag is None or pd.isna(flag):
            return None
        return "over_30pct" if bool(flag) else "not_over_30pct"
    if group == "survey_method":
        column = {"LCRA": "survey_method_lcra", "LCHO": "survey_method_lcho",
                  "ALL": "survey_method_combined"}[row["tenure"]]
        method = row.get(column)
        if not is_perception(row["measure_code"]) or method is None or pd.isna(method):
            return None
        return str(method)
    raise ValueError(f"unknown peer group {group!r}; expected one of {PEER_GROUPS}")


def with_landlords(values: pd.DataFrame, landlords: pd.DataFrame) -> pd.DataFrame:
    """values joined to their landlord's attributes (same year and code)."""
    attrs = landlords.rename(columns={"code": "landlord_code", "name": "landlord_name"})
    return values.merge(attrs, on=["year", "landlord_code"], how="left")


def peer_quartiles(values: pd.DataFrame, landlords: pd.DataFrame,
                   groups: tuple[str, ...] = PEER_GROUPS) -> pd.DataFrame:
    """QUARTILE_COLUMNS: one row per year, measure part, tenure, peer group and group value."""
    joined = with_landlords(values.dropna(subset=["value"]), landlords)
    keys = ["year", "measure_code", "measure_part", "tenure"]
    rows = []
    for group in groups:
        labelled = joined.assign(peer_group=group, peer_value=joined.apply(
            peer_value, axis=1, group=group) if len(joined) else [])
        labelled = labelled.dropna(subset=["peer_value"])
        for key, part in labelled.groupby(keys + ["peer_group", "peer_value"], sort=True):
            n, lq, med, uq = quartiles(part["value"])
            rows.append(dict(zip(keys + ["peer_group", "peer_value"], key),
                             n_landlords=n, lower_quartile=lq, median=med, upper_quartile=uq,
                             small_group=n < SMALL_GROUP))
    return pd.DataFrame(rows, columns=QUARTILE_COLUMNS)


def rounding_tolerance(values: pd.Series) -> float:
    """Half a unit of the last place a column of published values uses: 0.5 when every value
    is whole, 0.05 when every value has at most one decimal place, else 0.0005 (unrounded)."""
    data = pd.to_numeric(values, errors="coerce").dropna()
    for places, tolerance in ((0, WHOLE_TOLERANCE), (1, ROUNDED_TOLERANCE)):
        if len(data) and ((data - data.round(places)).abs() < FLOAT_SLACK).all():
            return tolerance
    return UNROUNDED_TOLERANCE


def recomputed(frame: pd.DataFrame) -> pd.Series:
    """numerator / denominator x 100 (percent) or x 1,000 (CH01, NM01: per 1,000 homes);
    NaN where either is missing or the denominator is 0."""
    scale = np.where(frame["measure_code"].isin(PER_1000_HOMES), 1000.0, 100.0)
    den = frame["denominator"].where(frame["denominator"] != 0)
    return frame["numerator"] / den * scale


def published_value_disagreements(values: pd.DataFrame,
                                  landlords: pd.DataFrame | None = None) -> pd.DataFrame:
    """DISAGREEMENT_COLUMNS: the rows whose published value differs from the value recomputed
    from the same row's published numerator and denominator (perception: from the published
    answer counts) by more than rounding explains: by more than rounding_tolerance of the
    published column (year, measure part, tenure): > 0.5 for whole numbers, > 0.05 for values
    published to 1 dp (2024/25), > 0.0005 for unrounded values (2023/24), plus 1e-9 slack.
    survey_weighted (perception rows, with landlords given): a weighted survey publishes
    weighted % but unweighted answer counts, so its disagreement is expected."""
    out = []
    keys = ["year", "measure_code", "measure_part", "tenure"]
    for _, column in values.groupby(keys):
        tolerance = rounding_tolerance(column["value"])
        part = column.dropna(subset=["value", "numerator", "denominator"])
        part = part.assign(recomputed_value=recomputed(part)).dropna(subset=["recomputed_value"])
        part = part.assign(difference=part["value"] - part["recomputed_value"],
                           tolerance=tolerance)
        out.append(part[part["difference"].abs() > tolerance + FLOAT_SLACK])
    frame = pd.concat(out, ignore_index=True) if out else values.iloc[0:0].assign(
        recomputed_value=[], difference=[], tolerance=[])
    frame = frame.rename(columns={"value": "published_value"})
    if landlords is not None:
        frame = with_landlords(frame, landlords)
        weighted = np.where(frame["tenure"] == "LCHO", frame["weighted_lcho"],
                            frame["weighted_lcra"])
        frame["survey_weighted"] = pd.Series(weighted, index=frame.index).where(
            frame["measure_code"].map(is_perception))
    return frame.reindex(columns=DISAGREEMENT_COLUMNS).sort_values(
        ["year", "measure_code", "measure_part", "tenure", "landlord_code"]).reset_index(drop=True)
