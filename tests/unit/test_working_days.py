"""Working-day arithmetic on the warehouse calendar, every expected date counted by hand."""

from datetime import date

import duckdb
import pytest

from pipeline.working_days import add_working_days, build_calendar, working_days_between


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute("create schema params")
    build_calendar(con)
    return con


@pytest.fixture(scope="module")
def con_with_closure():
    con = duckdb.connect()
    con.execute("create schema params")
    build_calendar(con, [date(2023, 12, 27)])
    return con


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        # Christmas 2023: Mon 25 and Tue 26 Dec are bank holidays
        (date(2023, 12, 22), 1, date(2023, 12, 27), "Fri 22 Dec + 1 skips Christmas and Boxing Day"),
        # 27, 28, 29 Dec, (Mon 1 Jan New Year), 2, 3 Jan
        (date(2023, 12, 22), 5, date(2024, 1, 3), "over Christmas and New Year"),
        # Easter 2024: Good Friday 29 Mar, Easter Monday 1 Apr
        (date(2024, 3, 28), 1, date(2024, 4, 2), "Thu before Easter + 1 is Tuesday"),
        # Queen's funeral, Monday 19 September 2022 (one-off)
        (date(2022, 9, 16), 1, date(2022, 9, 20), "Fri 16 Sep 2022 + 1 skips the state funeral"),
        # 1 May 2023 early May bank holiday and 8 May 2023 coronation (one-off)
        (date(2023, 4, 28), 5, date(2023, 5, 9), "2, 3, 4, 5, (8 coronation), 9 May"),
        # Platinum Jubilee 2 and 3 June 2022 (Thu, Fri)
        (date(2022, 6, 1), 1, date(2022, 6, 6), "Wed 1 Jun 2022 + 1 skips the jubilee days"),
        # received on a Saturday: counted from Monday; the spec's example
        (date(2023, 9, 16), 10, date(2023, 10, 2), "Sat 16 Sep 2023: day 10 is Mon 2 Oct"),
        # received on a bank holiday: counted from the next working day
        (date(2024, 4, 1), 10, date(2024, 4, 16), "Easter Monday 2024 + 10"),
        (date(2024, 3, 4), 0, date(2024, 3, 4), "a working day + 0 is itself"),
    ],
)
def test_add_working_days(con, start, n, expected, why):
    assert add_working_days(con, start, n) == expected, why


def test_landlord_closure_day_is_not_a_working_day(con_with_closure):
    # 27 Dec 2023 declared closed: Fri 22 Dec + 1 is Thu 28 Dec
    assert add_working_days(con_with_closure, date(2023, 12, 22), 1) == date(2023, 12, 28)


def test_working_days_between_counts_a_response_on_day_n_as_n(con):
    assert working_days_between(con, date(2023, 9, 16), date(2023, 10, 2)) == 10
    # Mon 4 Mar 2024 -> Mon 18 Mar 2024: two full weeks
    assert working_days_between(con, date(2024, 3, 4), date(2024, 3, 18)) == 10
    # a response on the Saturday after Friday (day 4 from Mon) is still day 4
    assert working_days_between(con, date(2024, 3, 4), date(2024, 3, 9)) == 4


def test_calendar_marks_bank_holidays_with_their_name(con):
    row = con.execute(
        "select is_working_day, non_working_reason from params.calendar where date = '2023-05-08'"
    ).fetchone()
    assert row[0] is False and "Coronation" in row[1]
