from decimal import Decimal

from pipeline.rounding import published, round_half_away


def test_half_rounds_away_from_zero_not_to_even():
    assert round_half_away(Decimal("0.25")) == Decimal("0.3")  # Python's round gives 0.2
    assert round_half_away(Decimal("0.35")) == Decimal("0.4")
    assert round_half_away(Decimal("-0.25")) == Decimal("-0.3")


def test_percentage_from_exact_counts():
    # 1 of 8 = 12.5% -> 12.5%; 3 of 16 = 18.75% -> 18.8% (a float path can give 18.7)
    assert published(1, 8, "percent") == "12.5%"
    assert published(3, 16, "percent") == "18.8%"
    # 1212 of 2000 = 60.6%
    assert published(1212, 2000, "percent") == "60.6%"


def test_rate_per_thousand_homes():
    # 287 complaints / 8,000 homes * 1000 = 35.875 -> 35.9
    assert published(287, 8000, "per_1000_homes") == "35.9"
    # 1 / 3 homes * 1000 = 333.33.. -> 333.3
    assert published(1, 3, "per_1000_homes") == "333.3"


def test_no_denominator_publishes_nothing():
    assert published(0, 0, "percent") == ""
