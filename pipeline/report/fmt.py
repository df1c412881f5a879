"""Numbers as the report shows them: counts with thousands separators, small counts in
breakdowns suppressed ('<5'), percentages as the regulator publishes them (one decimal
place, half away from zero, from the exact numerator and denominator)."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.rounding import published


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def count(value) -> str:
    """12345 -> '12,345'; blank for missing."""
    if is_missing(value):
        return ""
    return f"{float(value):,.0f}"


def small(value, threshold: int) -> str:
    """A count in a breakdown: 1 to threshold-1 shown as '<threshold' (a small group could
    identify a resident); zero and larger counts as they are."""
    if is_missing(value):
        return ""
    n = float(value)
    if 0 < n < threshold:
        return f"<{threshold}"
    return count(n)


def percent(numerator, denominator, threshold: int | None = None) -> str:
    """A percentage as published ('60.6%'); blank with no denominator. With a threshold, a
    percentage of fewer than `threshold` cases is withheld, since it would reveal the count."""
    if is_missing(denominator) or float(denominator) == 0 or is_missing(numerator):
        return ""
    if threshold is not None and 0 < float(denominator) < threshold:
        return f"withheld (<{threshold} cases)"
    return published(numerator, denominator, "percent")


def money(value) -> str:
    if is_missing(value):
        return ""
    return f"£{float(value):,.2f}"


def points(value, places: int = 1) -> str:
    """A difference in percentage points, signed: '+2.3', '-0.4', '0.0'."""
    if is_missing(value):
        return ""
    text = f"{float(value):+.{places}f}"
    return "0.0" if text in ("+0.0", "-0.0") else text
