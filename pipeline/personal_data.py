"""Personal data (issue 6, issue 23): columns holding names, addresses, phone numbers, e-mail
addresses or free text about a resident never go beyond raw. They are recognised by name, in
any style (`Resident Name`, `resident_name`, `RespondentName`, `E-mail`), or listed in
mapping.toml (`personal_data = ["Resident Name", ...]` in a file's table), kept apart in
raw.<source>.personal_data, and erased from raw once older than landlord.toml's
`personal_data_retention_days` (default 30). A listed column that the mapping also makes a
column the pipeline reads is a conflict (exit 2). A malformed row's line in quarantine keeps
its non-personal fields only (mask_line), and retention erases the line too."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import duckdb

from pipeline.errors import PipelineError
from pipeline.landlord import Landlord, parse_landlord
from pipeline.sqltext import ident

MASK = "<personal data>"
_WORDS = re.compile(
    r"(^|_)(name|names|forename|forenames|surname|firstname|lastname|fullname|resident|tenant|"
    r"customer|complainant|respondent|occupant|householder|next_of_kin|contact|address|addr|"
    r"street|postcode|post_code|postal|zip|zipcode|phone|telephone|tel|mobile|landline|email|"
    r"e_mail|mail|emailaddress|phonenumber|phoneno|mobileno|mobilenumber|telno|telephoneno|"
    r"dob|birth|dateofbirth|ni_number|ni_no|nino|national_insurance|sort_code|bank_account|iban|"
    r"notes|note|comment|comments|description|details|narrative|free_text|freetext|summary|"
    r"remarks)(_|$)")
# A word that is personal only beside another: `summary` alone is the canonical column of
# complaint_handling_failures.csv (the Ombudsman's words about the landlord), while a
# `Case Summary` is free text about a resident.
_ONLY_IN_COMPOUNDS = {"summary"}


def _words(header: str) -> str:
    """snake_case words of a header in any style: `RespondentName` -> respondent_name,
    `NINumber` -> ni_number, `Address1` -> address_1, `E-mail` -> e_mail."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", header.strip())
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([A-Za-z])([0-9])", r"\1_\2", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def is_personal_column(header: str, listed: list[str] | tuple[str, ...] = ()) -> bool:
    """A column the mapping lists as personal, or whose name says it holds personal data."""
    folded = {h.strip().casefold() for h in listed}
    if header.strip().casefold() in folded:
        return True
    words = _words(header)
    return words not in _ONLY_IN_COMPOUNDS and bool(_WORDS.search(words))


def personal_positions(file_name: str, source: str, header: list[str], canonical: dict[int, str],
                       extras: dict[int, str], mapping, survey_groups: set[str] = frozenset()
                       ) -> dict[int, str]:
    """Position -> name of each column of a file kept as personal data (raw only).

    A header listed in mapping.toml `personal_data` is personal whatever else the mapping
    does with it: renamed onto (or named as) a column the pipeline reads, it would reach
    staging, so that is exit 2. A header personal only by its name is a canonical column when
    mapping.toml renames it onto one (`Contact Method` -> channel says what it holds), and a
    group when survey.toml names it (or its new name) as a characteristic; renamed to any
    other name it stays personal. `header` is the file's header as read, `canonical` and
    `extras` the positions read_csv.map_header gave it."""
    listed = {h.strip().casefold() for h in mapping.personal_data}
    for pos, column in sorted(canonical.items()):
        if header[pos].strip().casefold() not in listed:
            continue
        renamed = [old for old in mapping.rename if old.strip().casefold() == header[pos].strip().casefold()]
        if renamed:
            raise PipelineError(
                f"{file_name}: mapping.toml [{source}] renames {renamed[0]!r}, a personal-data "
                f"column, onto {column!r}: personal data never leaves raw; remove it from rename "
                "or from personal_data")
        raise PipelineError(
            f"{file_name}: mapping.toml [{source}] lists {header[pos]!r} in personal_data, but "
            f"it is the column {column!r} the pipeline reads: personal data never leaves raw; "
            "remove it from personal_data or rename the export's column")
    personal = {}
    for pos, name in extras.items():
        names = {header[pos].strip(), name.strip()} if pos < len(header) else {name.strip()}
        if any(n.casefold() in listed for n in names) or (
                any(is_personal_column(n) for n in names)
                and not any(n.casefold() in survey_groups for n in names)):
            personal[pos] = name
    return personal


def split_fields(line: str, delimiter: str) -> list[str]:
    """The fields of one CSV line as written (quotes kept), split at each delimiter outside
    double quotes. For a line the CSV reader rejected: where its quoting is broken this may
    find more or fewer fields than the header, and then no field is trusted (mask_line)."""
    fields, start, quoted = [], 0, False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            fields.append(line[start:i])
            start = i + 1
    fields.append(line[start:])
    return fields


def mask_line(line: str | None, delimiter: str, n_columns: int, personal: set[int] | dict,
              limit: int = 500) -> str | None:
    """A rejected line as quarantine keeps it: whole when the file has no personal column;
    with each personal column's field replaced by MASK when its fields line up with the
    header; otherwise only its size, never its text (a shifted field could be a name)."""
    if line is None:
        return None
    line = line.rstrip("\r\n")
    if not personal:
        return line[:limit]
    fields = split_fields(line, delimiter)
    if len(fields) == n_columns:
        return delimiter.join(MASK if i in personal else f for i, f in enumerate(fields))[:limit]
    return (f"<line not kept: {len(line)} characters in {len(fields)} field(s) where the header "
            f"has {n_columns}, and the file has personal-data columns>")


def retention_days(landlord) -> int:
    """landlord.toml `personal_data_retention_days` of a checked Landlord (pipeline.landlord);
    a wrong value stopped the run when the file was read, it never falls back to the default."""
    if not isinstance(landlord, Landlord):  # the settings of landlord.toml as a dict
        landlord = parse_landlord(landlord)
    return landlord.personal_data_retention_days


# Quarantine text that may hold personal data: a malformed row's line (masked when it was
# stored, but a line that could not be lined up with the header, or stored by an older version,
# is no safer than raw). A staged column's failing value is a canonical column's, never
# personal (personal_positions), and is kept: the report reads it (e.g. a third stage).
_QUARANTINE_TEXT = "rule = 'malformed_row' and value is not null"


def erase_expired(con: duckdb.DuckDBPyConnection, sources: list[str], days: int,
                  now: datetime | None = None) -> int:
    """Blank raw.<source>.personal_data, and the text of malformed rows in quarantine, for
    loads older than the retention; returns the rows erased."""
    cutoff = (now or datetime.now()) - timedelta(days=days)
    erased = 0
    for source in sources:
        erased += con.execute(
            f"""update raw.{ident(source)} set personal_data = NULL
                where personal_data is not null and load_id in (
                    select load_id from audit.loads where loaded_at < ?)""", [cutoff]
        ).fetchone()[0]
    erased += con.execute(
        f"""update quarantine.rows set value = NULL
            where {_QUARANTINE_TEXT} and load_id in (
                select load_id from audit.loads where loaded_at < ?)""", [cutoff]
    ).fetchone()[0]
    return erased


def expired_rows(con: duckdb.DuckDBPyConnection, sources: list[str], days: int) -> int:
    """Rows whose personal data (raw) or quarantined line is past the retention: a run with
    nothing new still refreshes to erase them."""
    cutoff = datetime.now() - timedelta(days=days)
    total = 0
    for source in sources:
        total += con.execute(
            f"""select count(*) from raw.{ident(source)} r join audit.loads l using (load_id)
                where r.personal_data is not null and l.loaded_at < ?""", [cutoff]
        ).fetchone()[0]
    total += con.execute(
        f"""select count(*) from quarantine.rows q join audit.loads l using (load_id)
            where {_QUARANTINE_TEXT} and l.loaded_at < ?""",
        [cutoff]).fetchone()[0]
    return total
