"""Personal data (issue 6): columns holding names, addresses, phone numbers, e-mail
addresses or free text about a resident never go beyond raw. They are recognised by name, or
listed in mapping.toml (`personal_data = ["Resident Name", ...]` in a file's table), kept
apart in raw.<source>.personal_data, and erased from raw once older than landlord.toml's
`personal_data_retention_days` (default 30)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import duckdb

from pipeline.landlord import Landlord, parse_landlord
from pipeline.sqltext import ident

_WORDS = re.compile(
    r"(^|_)(name|names|forename|forenames|surname|firstname|lastname|fullname|resident|tenant|"
    r"customer|complainant|contact|address|addr|street|postcode|post_code|zip|phone|telephone|"
    r"tel|mobile|landline|email|e_mail|mail|dob|birth|ni_number|national_insurance|notes|note|"
    r"comment|comments|description|details|narrative|free_text|freetext|summary|remarks)(_|$)")


def _words(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def is_personal_column(header: str, listed: list[str] | tuple[str, ...] = ()) -> bool:
    """A column the mapping lists as personal, or whose name says it holds personal data."""
    folded = {h.strip().casefold() for h in listed}
    return header.strip().casefold() in folded or bool(_WORDS.search(_words(header)))


def retention_days(landlord) -> int:
    """landlord.toml `personal_data_retention_days` of a checked Landlord (pipeline.landlord);
    a wrong value stopped the run when the file was read, it never falls back to the default."""
    if not isinstance(landlord, Landlord):  # the settings of landlord.toml as a dict
        landlord = parse_landlord(landlord)
    return landlord.personal_data_retention_days


def erase_expired(con: duckdb.DuckDBPyConnection, sources: list[str], days: int,
                  now: datetime | None = None) -> int:
    """Blank raw.<source>.personal_data for loads older than the retention; returns rows."""
    cutoff = (now or datetime.now()) - timedelta(days=days)
    erased = 0
    for source in sources:
        erased += con.execute(
            f"""update raw.{ident(source)} set personal_data = NULL
                where personal_data is not null and load_id in (
                    select load_id from audit.loads where loaded_at < ?)""", [cutoff]
        ).fetchone()[0]
    return erased


def expired_rows(con: duckdb.DuckDBPyConnection, sources: list[str], days: int) -> int:
    cutoff = datetime.now() - timedelta(days=days)
    total = 0
    for source in sources:
        total += con.execute(
            f"""select count(*) from raw.{ident(source)} r join audit.loads l using (load_id)
                where r.personal_data is not null and l.loaded_at < ?""", [cutoff]
        ).fetchone()[0]
    return total
