"""The reporting year (outputs.md): YEAR=2024 is 1 April 2023 - 31 March 2024, '2023/24'."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


class YearError(ValueError):
    """A YEAR the pipeline cannot read."""


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    end_year: int  # the calendar year in which the reporting year ends (31 March)

    @classmethod
    def parse(cls, text: str | int) -> ReportingPeriod:
        """Read YEAR as given on the command line: 2024, 2023/24 or 2023-24."""
        value = str(text).strip()
        if re.fullmatch(r"\d{4}", value):
            end = int(value)
        else:
            match = re.fullmatch(r"(\d{4})[/-](\d{2})", value)
            if not match:
                raise YearError(
                    f"YEAR={text!r} is not a reporting year: use the year it ends, e.g. "
                    "YEAR=2024 for 1 April 2023 - 31 March 2024 (or 2023/24, 2023-24)"
                )
            start, short_end = int(match.group(1)), int(match.group(2))
            if (start + 1) % 100 != short_end:
                raise YearError(
                    f"YEAR={text!r}: {start}/{short_end:02d} is not a reporting year "
                    f"(did you mean {start}/{(start + 1) % 100:02d}?)"
                )
            end = start + 1
        if not 2000 <= end <= 2100:
            raise YearError(f"YEAR={text!r} is outside the years this pipeline supports (2000-2100)")
        return cls(end)

    @classmethod
    def containing(cls, day: date) -> ReportingPeriod:
        return cls(day.year + 1 if day.month >= 4 else day.year)

    @property
    def start_date(self) -> date:
        return date(self.end_year - 1, 4, 1)

    @property
    def end_date(self) -> date:
        return date(self.end_year, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.end_year - 1}/{self.end_year % 100:02d}"

    @property
    def path_label(self) -> str:
        return self.label.replace("/", "-")

    def previous(self) -> ReportingPeriod:
        return ReportingPeriod(self.end_year - 1)

    def __str__(self) -> str:
        return self.label
