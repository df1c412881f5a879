"""Reusable field definitions for the input contract (../shared/spec/inputs.md).

One `Field` describes one canonical column: its kind (how a text value is parsed),
whether it is required, and, for codes, the allowed values. The same definition
drives both the row-level parsing/quarantine SQL run inside DuckDB
(`pipeline.stage_inputs`) and the pandera model that checks the staged table
(`schemas.inputs.staged_model`), so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of value a column may hold, and the DuckDB type each is staged as.
STAGED_TYPES = {
    "ref": "VARCHAR",  # a key such as home_ref: trimmed text, case kept
    "text": "VARCHAR",  # free text, trimmed
    "code": "VARCHAR",  # one of `codes`, lower case, spaces/hyphens as underscores
    "tenure": "VARCHAR",  # LCRA / LCHO upper case; any other code kept, lower case
    "date": "DATE",  # ISO or UK day-first; a time part is allowed and dropped
    "datetime": "TIMESTAMP",  # ISO or UK day-first, Europe/London local time
    "bool": "BOOLEAN",  # Y/N, Yes/No, TRUE/FALSE, 1/0, any case
    "money": "DECIMAL(18,2)",  # pounds; '£1,250.00', '1250', '(50.00)' negative
    "integer": "INTEGER",  # whole number; allowed values in `codes` if given
    "decimal": "DOUBLE",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool = False
    codes: tuple = ()
    description: str = ""
    # the column must be in the file though a blank value is allowed (safety_checks.compliant:
    # blank on a required check is staged and read as not compliant, tsm.md)
    column_required: bool = False
    # a number that must be greater than 0 (a survey weight): 0 or less is a row error
    positive: bool = False

    def __post_init__(self) -> None:
        if self.kind not in STAGED_TYPES:
            raise ValueError(f"unknown field kind {self.kind!r} for {self.name}")

    @property
    def staged_type(self) -> str:
        return STAGED_TYPES[self.kind]


@dataclass(frozen=True)
class InputSpec:
    """One input file of the contract: its canonical name, key and fields."""

    name: str  # canonical file name without .csv, also the warehouse table name
    key: tuple[str, ...]  # the record key: latest export wins per key
    fields: tuple[Field, ...]
    description: str = ""
    required_file: bool = False
    # carry the file's other columns into staging as a MAP (survey characteristics)
    keep_extra_columns: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.fields if f.required or f.column_required]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def ref(name: str, required: bool = False, description: str = "") -> Field:
    return Field(name, "ref", required, description=description)


def text(name: str, description: str = "") -> Field:
    return Field(name, "text", description=description)


def uk_date(name: str, required: bool = False, description: str = "") -> Field:
    return Field(name, "date", required, description=description)


def uk_datetime(name: str, required: bool = False, description: str = "") -> Field:
    return Field(name, "datetime", required, description=description)


def yes_no(name: str, required: bool = False, description: str = "",
           column_required: bool = False) -> Field:
    return Field(name, "bool", required, description=description, column_required=column_required)


def gbp(name: str, description: str = "") -> Field:
    return Field(name, "money", description=description)


def code(name: str, codes: tuple[str, ...], required: bool = False, description: str = "") -> Field:
    return Field(name, "code", required, codes=tuple(codes), description=description)


def tenure(name: str = "tenure", required: bool = False) -> Field:
    return Field(name, "tenure", required, description="LCRA / LCHO; any other code is out of scope")
