"""Checks for the values of a dataset's TOML files (landlord.toml, survey.toml), each failure a
one-line PipelineError naming the file, the table and the key: "landlord.toml: [priorities.P1]
hours must be a number greater than 0 and at most 87600, not inf".

TOML already types its values; these checks are strict about them ("30" is not the whole
number 30, 5.0 is not a count, true is not 1), with one leniency the project has always had:
a date may be quoted ("2024-01-29"), as spreadsheets and hand editing often leave it."""

from __future__ import annotations

import difflib
import logging
import math
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.errors import PipelineError

log = logging.getLogger("tsm")
_warned: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Where:
    """A table of a TOML file: 'landlord.toml' or 'survey.toml [surveys."2023/24"]'."""

    file: str
    table: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.table} " if self.table else f"{self.file}: "

    def sub(self, table: str) -> Where:
        return Where(self.file, table)

    def error(self, key: str, must: str, value: object = ...) -> PipelineError:
        shown = "" if value is ... else f", not {_shown(value)}"
        return PipelineError(f"{self}{key} must be {must}{shown}")

    def problem(self, text: str, value: object = ...) -> PipelineError:
        shown = "" if value is ... else f", not {_shown(value)}"
        return PipelineError(f"{self}{text}{shown}")


def _shown(value: object) -> str:
    text = value.isoformat() if isinstance(value, date) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def warn_once(source: str, message: str) -> None:
    """A warning printed once per file and message in a process (the files are read by
    several stages of one run)."""
    if (source, message) not in _warned:
        _warned.add((source, message))
        log.warning("%s", message)


def unknown_keys(where: Where, table: dict, known, source: str) -> None:
    """Warn about each key the pipeline does not read, with the nearest known key. Not fatal:
    a key meant for a newer version must not stop the nightly run (as mapping.toml)."""
    for key in sorted(set(table) - set(known), key=str):
        near = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]}?)" if near else f"; known keys: {', '.join(sorted(known))}"
        warn_once(source, f"{where}ignores unknown key {key}{hint}")


def text(where: Where, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise where.error(key, 'text in quotes, e.g. "..."', value)
    return value


def choice(where: Where, key: str, value: object, choices) -> str:
    """One of `choices`, in any letter case; returned as written in `choices`."""
    folded = {c.casefold(): c for c in choices}
    if not isinstance(value, str) or value.strip().casefold() not in folded:
        raise where.error(key, f"one of {', '.join(choices)}", value)
    return folded[value.strip().casefold()]


def whole(where: Where, key: str, value: object, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise where.error(key, f"a whole number from {minimum:,} to {maximum:,}", value)
    return value


def positive(where: Where, key: str, value: object, maximum: float) -> float:
    """A finite number greater than 0 and at most `maximum` (nan, inf and 1e18 are not)."""
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or not 0 < value <= maximum):
        raise where.error(key, f"a number greater than 0 and at most {maximum:,g}", value)
    return value


def a_date(where: Where, key: str, value: object) -> date:
    """A TOML date (2024-01-29) or the same in quotes; not a date and time."""
    if isinstance(value, datetime):
        raise where.error(key, "a date like 2024-01-29 without a time", value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise where.error(key, "a date like 2024-01-29", value)


def dates(where: Where, key: str, value: object) -> list[date]:
    if not isinstance(value, list):
        raise where.error(key, "a list of dates, e.g. [2023-12-27]", value)
    return [a_date(where, f"{key}[{i}]", v) for i, v in enumerate(value)]


def texts(where: Where, key: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error(key, 'a list of names in quotes, e.g. ["stock_type", "area"]', value)
    return list(value)


def table(where: Where, key: str, value: object, example: str) -> dict:
    if not isinstance(value, dict):
        raise where.error(key, f"a table, e.g. {example}", value)
    return value


def by_tenure(where: Where, key: str, value: dict, check) -> dict:
    """{ LCRA = ..., LCHO = ... }: tenure keys in any case, returned upper case."""
    out = {}
    for tenure, v in value.items():
        if not isinstance(tenure, str) or tenure.strip().upper() not in ("LCRA", "LCHO"):
            raise where.problem(f"{key} has the key {tenure!r}; its keys are the tenures LCRA "
                                "and LCHO")
        out[tenure.strip().upper()] = check(where, f"{key}.{tenure}", v)
    return out
