"""landlord.toml's repair priorities as a table, and the check that every priority code in
repairs.csv has one (tsm.md, RP02: the landlord's own target per priority)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.landlord import Landlord

COLUMNS = ["priority_key", "priority_code", "class", "target_unit", "target_value"]


def priorities_frame(landlord: Landlord) -> pd.DataFrame:
    """One row per [priorities.<code>], checked when landlord.toml was read
    (pipeline.landlord): codes are matched in any case, so the key is the code lower case."""
    rows = [(p.code.strip().lower(), p.code, p.klass, p.unit, float(p.value))
            for p in landlord.priorities.values()]
    return pd.DataFrame(rows, columns=COLUMNS)


def load_priorities(con: duckdb.DuckDBPyConnection, landlord: Landlord) -> None:
    frame = priorities_frame(landlord)
    con.execute("""create or replace table params.repair_priorities (priority_key VARCHAR,
        priority_code VARCHAR, class VARCHAR, target_unit VARCHAR, target_value DOUBLE)""")
    if len(frame):
        con.register("_priorities", frame)
        con.execute("insert into params.repair_priorities select * from _priorities")
        con.unregister("_priorities")


def check_every_priority_is_mapped(con: duckdb.DuckDBPyConnection) -> None:
    """A responsive job whose priority has no [priorities.<code>] cannot be judged: stop."""
    unmapped = con.execute(
        """select r.priority, count(*) from staging.repairs r
           anti join params.repair_priorities p on p.priority_key = lower(trim(r.priority))
           where coalesce(r.repair_type, 'responsive') = 'responsive'
             and coalesce(r.status, '') <> 'cancelled'
           group by all order by 1"""
    ).fetchall()
    if unmapped:
        found = con.execute(
            "select string_agg(distinct priority, ', ' order by priority) from staging.repairs"
        ).fetchone()[0]
        mapped = con.execute(
            "select coalesce(string_agg(priority_code, ', ' order by priority_code), 'none') "
            "from params.repair_priorities"
        ).fetchone()[0]
        missing = ", ".join(f"{code!r} ({n} jobs)" for code, n in unmapped)
        raise PipelineError(
            f"repairs.csv: priority code(s) {missing} have no [priorities.<code>] table in "
            f"landlord.toml (class and target); codes found in repairs: {found}; "
            f"codes in landlord.toml: {mapped}")
