"""The working-day calendar (complaints.md): Monday to Friday except England and Wales
bank holidays (the holidays package, which has one-off days such as 19 September 2022
and 8 May 2023) and the landlord's declared closure days.

params.calendar holds every date with a running working-day index, so that working-day
arithmetic is a join, never a Python loop per row:
- wd_index: working days up to and including the date (a non-working day shares the
  index of the working day before it);
- wd_start: the index of the date itself if it is a working day, else of the next one.
  "Within N working days of D": a D on a weekend or holiday counts as received on the
  next working day, day 1 is the working day after that, so the last allowed day is the
  working day whose wd_index = wd_start(D) + N.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
import holidays
import pandas as pd

CALENDAR_START = date(2015, 1, 1)
CALENDAR_END = date(2040, 12, 31)


def bank_holidays(years: Iterable[int]) -> dict[date, str]:
    """England and Wales bank holidays (the same list for both nations)."""
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=list(years)).items())


def calendar_frame(closure_days: Iterable[date] = (), start: date = CALENDAR_START,
                   end: date = CALENDAR_END) -> pd.DataFrame:
    """One row per date: is_working_day, the reason it is not, wd_index and wd_start."""
    days = pd.date_range(start, end, freq="D")
    holiday_names = bank_holidays(range(start.year, end.year + 1))
    closures = set(closure_days)
    reason = []
    for d in days.date:
        if d.weekday() >= 5:
            reason.append("weekend")
        elif d in holiday_names:
            reason.append("bank holiday: " + holiday_names[d])
        elif d in closures:
            reason.append("landlord closure day")
        else:
            reason.append(None)
    frame = pd.DataFrame({"date": days.date, "non_working_reason": reason})
    frame["is_working_day"] = frame["non_working_reason"].isna()
    frame["wd_index"] = frame["is_working_day"].cumsum().astype("int64")
    frame["wd_start"] = frame["wd_index"] + (~frame["is_working_day"]).astype("int64")
    return frame[["date", "is_working_day", "non_working_reason", "wd_index", "wd_start"]]


def build_calendar(con: duckdb.DuckDBPyConnection, closure_days: Iterable[date] = ()) -> None:
    frame = calendar_frame(closure_days)  # ~9,500 rows: a small frame, built once per run
    con.register("_calendar_frame", frame)
    con.execute(
        """create or replace table params.calendar as
        select date::DATE as date, is_working_day, non_working_reason, wd_index, wd_start
        from _calendar_frame order by date"""
    )
    con.unregister("_calendar_frame")


def add_working_days(con: duckdb.DuckDBPyConnection, day: date, n: int) -> date:
    """`day` + n working days, by the rule above (a convenience for tests and notebooks)."""
    row = con.execute(
        """select w.date from params.calendar d
        join params.calendar w on w.is_working_day and w.wd_index = d.wd_start + ?
        where d.date = ?""",
        [n, day],
    ).fetchone()
    if row is None:
        raise ValueError(f"{day} + {n} working days is outside the calendar")
    return row[0]


def working_days_between(con: duckdb.DuckDBPyConnection, start: date, end: date) -> int:
    """Working days from `start` (day 0) to `end`: a response on day N gives N."""
    row = con.execute(
        """select e.wd_index - s.wd_start from params.calendar s, params.calendar e
        where s.date = ? and e.date = ?""",
        [start, end],
    ).fetchone()
    if row is None:
        raise ValueError(f"{start} or {end} is outside the calendar")
    return row[0]

