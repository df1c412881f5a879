"""The regulator's rounding (tsm.md): one decimal place, half away from zero, from the exact
numerator and denominator, never from a binary float (0.15 * 100 is 14.999...)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def exact_value(numerator: float, denominator: float, scale: int) -> Decimal | None:
    """numerator / denominator * scale as an exact Decimal (scale 100 or 1000)."""
    if denominator in (None, 0) or numerator is None:
        return None
    return Decimal(str(numerator)) * scale / Decimal(str(denominator))


def round_half_away(value: Decimal | float, places: int = 1) -> Decimal:
    """ROUND_HALF_UP on a Decimal rounds half away from zero for negatives too."""
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def published(numerator, denominator, unit: str, places: int = 1) -> str:
    """The value as published: '60.6%' for a percentage, '35.9' for a rate per 1,000 homes."""
    scale = 100 if unit == "percent" else 1000
    value = exact_value(numerator, denominator, scale)
    if value is None:
        return ""
    text = f"{round_half_away(value, places):.{places}f}"
    return text + "%" if unit == "percent" else text
