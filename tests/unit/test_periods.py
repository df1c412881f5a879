from datetime import date

import pytest

from pipeline.periods import ReportingPeriod, YearError


@pytest.mark.parametrize("text", ["2024", "2023/24", "2023-24", " 2024 ", 2024])
def test_year_2024_is_april_2023_to_march_2024(text):
    period = ReportingPeriod.parse(text)
    assert period.start_date == date(2023, 4, 1)
    assert period.end_date == date(2024, 3, 31)
    assert period.label == "2023/24"
    assert period.path_label == "2023-24"

@pytest.mark.parametrize("text", ["24", "2023/25", "2023-2024", "FY24", "", "2023/4", "abcd", "1899"])
def test_bad_year_is_a_clear_error(text):
    with pytest.raises(YearError, match="YEAR="):
        ReportingPeriod.parse(text)


def test_31_march_and_1_april_fall_in_different_years():
    assert ReportingPeriod.containing(date(2024, 3, 31)).label == "2023/24"
    assert ReportingPeriod.containing(date(2024, 4, 1)).label == "2024/25"


def test_century_boundary_label():
    assert ReportingPeriod.parse(2100).label == "2099/00"
    assert ReportingPeriod.parse("2099/00").end_year == 2100
