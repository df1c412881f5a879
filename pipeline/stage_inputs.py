"""raw -> staging | quarantine, inside DuckDB.

Each canonical column is cleaned (trimmed, blank -> null), recoded by mapping.toml,
parsed by its Field kind and checked. A row with any failing column goes to
quarantine.rows, one row per failure (file, row, column, value, rule, message);
a row with none goes to staging.<source>_rows. Every raw row lands in exactly one
of the two (sql/audits/every_raw_row_is_staged_or_quarantined.sql checks it).
staging.<source> is then the current record per key: the latest export wins and a
key missing from a later export keeps its last-seen row (inputs.md).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.dataset import FileMapping
from pipeline.errors import ContractError
from pipeline.sqltext import ident, literal, literal_list
from schemas.fields import Field, InputSpec
from schemas.staged import staged_model

ISO_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f",
               "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f"]
UK_FORMATS = ["%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]
TRUE_WORDS = ("y", "yes", "true", "1")
FALSE_WORDS = ("n", "no", "false", "0")
WHITESPACE = "' ' || chr(9) || chr(10) || chr(13) || chr(160)"
WHITESPACE_CHARS = "' \t\n\r\u00a0'"
VALIDATION_CHUNK_ROWS = 250_000
VALIDATION_MAX_ROWS = 10_000  # every row is checked in SQL; pandera checks this sample

MESSAGES = {
    "required": "required value is blank",
    "invalid_date": "not a valid date: expected YYYY-MM-DD or DD/MM/YYYY (day first, never month-first)",
    "invalid_datetime": "not a valid date/time: expected YYYY-MM-DD or DD/MM/YYYY, optional HH:MM[:SS]",
    "invalid_boolean": "not a yes/no value: expected Y/N, Yes/No, TRUE/FALSE or 1/0",
    "invalid_money": "not an amount of money: expected e.g. 1250, 1,250.00, £1,250.00 or (50.00)",
    "invalid_integer": "not a whole number",
    "invalid_decimal": "not a number (a finite decimal, e.g. 1.25)",
    "not_positive": "must be a number greater than 0",
}


def date_formats(mapping: FileMapping) -> list[str]:
    """Formats tried in order. 'dayfirst' or no setting: ISO then UK day-first.
    An explicit format replaces the UK ones (ISO is always understood); its date part is
    read with or without a time HH:MM[:SS] after it, as every date may have (inputs.md)."""
    fmt = mapping.date_format
    if not fmt or fmt.strip().lower() == "dayfirst":
        return ISO_FORMATS + UK_FORMATS
    date_part = fmt.strip().split("%H")[0].split("%I")[0].strip()
    with_time = [date_part, f"{date_part} %H:%M", f"{date_part} %H:%M:%S"] if date_part else []
    return list(dict.fromkeys([fmt.strip(), *with_time, *ISO_FORMATS]))


# A recode table up to this size is a CASE in the query; a bigger one is a table the rows are
# joined to, so the work grows with the rows and not with rows x entries (a CASE of 50,000
# branches took minutes to plan on a file of 30 rows).
RECODE_INLINE_MAX = 16


def _recode_entries(recode: dict[str, object]) -> tuple[dict[str, str], str | None]:
    """(export value, trimmed and in lower case -> code text, the first entry winning as a
    CASE's first branch does; the code for blank cells, from a blank key, or None)."""
    entries: dict[str, str] = {}
    blank = None
    for k, v in recode.items():
        key = str(k).strip().lower()
        if key:
            entries.setdefault(key, _code_text(v))
        else:
            blank = _code_text(v)  # the last blank key, as before
    return entries, blank


def _cleaned(column: str) -> str:
    col = ident(column)
    # trim with a set of characters is slow (a second per ten million values), so it runs
    # only on values that start or end with one of them
    trimmed = (f"(case when contains({WHITESPACE_CHARS}, left({col}, 1)) or contains("
               f"{WHITESPACE_CHARS}, right({col}, 1)) then trim({col}, {WHITESPACE}) else {col} end)")
    return f"nullif({trimmed}, '')"


def _recoded(column: str, recode: dict[str, object] | None, joined: str | None = None) -> str:
    """The cleaned, recoded text of a raw column. `joined`: the alias of the recode table
    joined to the rows on this column (_recode_joins), for a recode too big for a CASE."""
    cleaned = _cleaned(column)
    if not recode:
        return cleaned
    entries, blank = _recode_entries(recode)
    if joined:
        recoded = f"coalesce({joined}._recode_value, {cleaned})"
    elif entries:
        cases = " ".join(f"when {literal(k)} then {literal(v)}" for k, v in entries.items())
        recoded = f"(case lower({cleaned}) {cases} else {cleaned} end)"
    else:
        recoded = cleaned
    # a value recoded to "" becomes blank (unknown), and a "" key recodes blank cells
    if blank is not None:
        recoded = f"coalesce({recoded}, {literal(blank)})"
    return f"nullif({recoded}, '')"


def _recode_joins(con: duckdb.DuckDBPyConnection, spec: InputSpec, mapping: FileMapping,
                  load_id: int) -> dict[str, str]:
    """For each column whose recode table is bigger than RECODE_INLINE_MAX: a temp table of
    its entries (unique keys, so the left join never repeats a row); column -> alias."""
    aliases = {}
    for i, f in enumerate(spec.fields):
        recode = mapping.values.get(f.name)
        if not recode or len(recode) <= RECODE_INLINE_MAX:
            continue
        entries, _blank = _recode_entries(recode)
        alias = f"_recode_{int(load_id)}_{i}"
        con.execute(f"create or replace temp table {alias} as select unnest(?::VARCHAR[]) as "
                    "_recode_key, unnest(?::VARCHAR[]) as _recode_value",
                    [list(entries), list(entries.values())])
        aliases[f.name] = alias
    return aliases


def _rows_from(spec: InputSpec, load_id: int, joins: dict[str, str]) -> str:
    """The load's raw rows, left-joined to each big recode table on its column's value."""
    sql = f"raw.{ident(spec.name)}"
    for column, alias in joins.items():
        sql += f" left join {alias} on {alias}._recode_key = lower({_cleaned(column)})"
    return f"{sql} where load_id = {int(load_id)}"


def _drop_recode_joins(con: duckdb.DuckDBPyConnection, joins: dict[str, str]) -> None:
    for alias in joins.values():
        con.execute(f"drop table if exists {alias}")


def _code_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _normalised_code(v: str, codes: tuple = ()) -> str:
    """'Very Satisfied' -> very_satisfied, "Don't know" -> dont_know. A value that already is
    one of the codes in any case (nearly all of them) skips the two regular expressions."""
    no_apostrophes = f"regexp_replace({v}, '[''\u2019]', '', 'g')"
    normalised = f"lower(regexp_replace({no_apostrophes}, '[\\s-]+', '_', 'g'))"
    if not codes:
        return normalised
    return f"(case when {_one_of(f'lower({v})', codes)} then lower({v}) else {normalised} end)"


def _one_of(expr: str, values) -> str:
    """`expr in (values)` as a function call: DuckDB turns an IN list of constants into a
    join, which over ten million rows cost seconds per column."""
    return f"list_contains({literal_list([str(v) for v in values])}, {expr})"


def parse_expression(f: Field, v: str, formats: list[str]) -> tuple[str, str | None]:
    """(SQL giving the typed value from cleaned text v, rule broken when it is null but v is not)."""
    if f.kind in ("ref", "text"):
        return v, None
    if f.kind == "code":
        normalised = _normalised_code(v, f.codes if all(isinstance(c, str) for c in f.codes) else ())
        if {"yes", "no"} <= set(f.codes):
            # a yes/no code (survey routing) takes every boolean spelling (inputs.md)
            return (f"(case when {_one_of(f'lower({v})', TRUE_WORDS)} then 'yes' "
                    f"when {_one_of(f'lower({v})', FALSE_WORDS)} then 'no' else {normalised} end)"), None
        return normalised, None
    if f.kind == "tenure":
        return (f"(case when {_one_of(f'upper({v})', ('LCRA', 'LCHO'))} then upper({v}) "
                f"else {_normalised_code(v)} end)"), None
    if f.kind in ("date", "datetime"):
        # a year outside 1900-2100 is a typo or a two-digit year ('01/04/23' is not 2023)
        ts = f"try_strptime({v}, {literal_list(formats)})"
        checked = f"(case when year({ts}) between 1900 and 2100 then {ts} end)"
        if f.kind == "date":
            return f"{checked}::DATE", "invalid_date"
        return checked, "invalid_datetime"
    if f.kind == "bool":
        return (f"(case when {_one_of(f'lower({v})', TRUE_WORDS)} then true "
                f"when {_one_of(f'lower({v})', FALSE_WORDS)} then false end)"), "invalid_boolean"
    if f.kind == "money":
        digits = f"replace(replace(replace({v}, '£', ''), ',', ''), ' ', '')"
        return (f"(case when {digits} like '(%)' "
                f"then -try_cast(trim({digits}, '()') as DECIMAL(18,2)) "
                f"else try_cast({digits} as DECIMAL(18,2)) end)"), "invalid_money"
    if f.kind == "integer":
        number = f"try_cast({v} as DOUBLE)"
        return (f"(case when {number} = round({number}) and abs({number}) < 2e9 "
                f"then {number}::INTEGER end)"), "invalid_integer"
    if f.kind == "decimal":  # 'inf' and 'nan' cast to a DOUBLE but are no number for a measure
        number = f"try_cast({v} as DOUBLE)"
        return f"(case when isfinite({number}) then {number} end)", "invalid_decimal"
    raise ValueError(f.kind)


def _most_used_first(con: duckdb.DuckDBPyConnection, rows: str, v: str,
                     formats: list[str]) -> list[str]:
    """The date formats ordered by how many of the load's first values each reads.

    try_strptime tries a list in order, so a column of '2023-04-01 09:12' would fail six
    formats before its own: ten million values took seconds. No value can be read by two of
    the formats (each consumes the whole text, and they differ in separators or parts), so
    the order changes the speed, never the result."""
    sample = f"(select {v} as v from {rows} limit 2000)"
    counts = con.execute(
        "select " + ", ".join(f"count(try_strptime(v, {literal(fmt)}))" for fmt in formats)
        + f" from {sample}").fetchone()
    return [fmt for _, _, fmt in sorted(zip([-n for n in counts], range(len(formats)), formats))]


def _error_expression(f: Field, v: str, parsed: str, rule: str | None) -> str:
    checks = []
    if f.required:
        checks.append(f"when {v} is null then 'required'")
    if rule:
        checks.append(f"when {v} is not null and {parsed} is null then {literal(rule)}")
    if f.positive:
        checks.append(f"when {parsed} is not null and {parsed} <= 0 then 'not_positive'")
    if f.codes:
        allowed = (
            "[" + ", ".join(str(int(c)) for c in f.codes) + "]" if f.kind == "integer"
            else literal_list(f.codes)
        )
        checks.append(f"when {parsed} is not null and not list_contains({allowed}, {parsed}) "
                      "then 'invalid_code'")
    return f"(case {' '.join(checks)} end)" if checks else "NULL::VARCHAR"


def _message(f: Field, rule: str) -> str:
    if rule == "invalid_code":
        return f"not one of the allowed codes: {', '.join(str(c) for c in f.codes)}"
    return MESSAGES[rule]


def ensure_staging_table(con: duckdb.DuckDBPyConnection, spec: InputSpec) -> None:
    cols = ",\n    ".join(f"{ident(f.name)} {f.staged_type}" for f in spec.fields)
    extra = ",\n    extra_columns MAP(VARCHAR, VARCHAR)" if spec.keep_extra_columns else ""
    con.execute(
        f"""create table if not exists staging.{ident(spec.name + '_rows')} (
    load_id INTEGER NOT NULL, source_file VARCHAR NOT NULL, source_sha256 VARCHAR NOT NULL,
    export_date DATE, source_row BIGINT NOT NULL,
    {cols}{extra})"""
    )


def stage_load(con: duckdb.DuckDBPyConnection, spec: InputSpec, mapping: FileMapping, load_id: int) -> tuple[int, int]:
    """Parse one load's raw rows; returns (rows staged, rows quarantined).

    Two passes over raw and no table in between (a ten-million-row intermediate copy cost
    more than parsing twice): the first writes each failing row's failures (column, value,
    rule) to quarantine, the second stages every other row. Then a repeated key's later
    rows move from staging to quarantine as duplicate_key (the first is kept)."""
    ensure_staging_table(con, spec)
    lineage = con.execute(
        f"select source_file, source_sha256, export_date from raw.{ident(spec.name)} "
        f"where load_id = {int(load_id)} limit 1").fetchone()
    if lineage is None:  # an export with a header and no rows
        return 0, _rows_quarantined(con, load_id)
    source_file, sha, export_date = (literal(lineage[0]), literal(lineage[1]),
                                     f"{literal(str(lineage[2]))}::DATE" if lineage[2] else "NULL::DATE")
    joins = _recode_joins(con, spec, mapping, load_id)
    typed, errors = _parse_query(con, spec, mapping, load_id, joins)
    _quarantine_failures(con, spec, load_id, source_file, sha,
                         f"select source_row, {errors} as _errors from ({typed})")
    extra = ", extra_columns" if spec.keep_extra_columns else ""
    columns = ", ".join(ident(f.name) for f in spec.fields) + extra
    staged = con.execute(
        f"""insert into staging.{ident(spec.name + '_rows')}
        select {int(load_id)}, {source_file}, {sha}, {export_date}, source_row, {columns}
        from ({typed})
        where source_row not in (select source_row from quarantine.rows
                                 where load_id = {int(load_id)} and source_row is not null)
        {'order by source_row' if joins else ''}"""  # a join need not keep the file's order
    ).fetchone()[0]
    _drop_recode_joins(con, joins)
    staged -= _quarantine_repeated_keys(con, spec, load_id, source_file, sha)
    return staged, _rows_quarantined(con, load_id)


def _rows_quarantined(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    return con.execute("select count(distinct source_row) from quarantine.rows where load_id = ?",
                       [load_id]).fetchone()[0]


def _parse_query(con: duckdb.DuckDBPyConnection, spec: InputSpec, mapping: FileMapping,
                 load_id: int, joins: dict[str, str] | None = None) -> tuple[str, str]:
    """(a select of source_row, each field typed and each field's cleaned text as
    <field>__text; the expression listing a row's failures over those columns).

    Layered (clean, parse, check) so each step reads as one rule per column. DuckDB may
    inline the layers and repeat a parse inside its check; that is cheap once each date
    column tries its most used format first (_most_used_first)."""
    joins = joins or {}
    rows = _rows_from(spec, load_id, joins)
    cleaned, parsing, typed, failures = [], [], [], []
    for f in spec.fields:
        col = ident(f.name)
        text = ident(f.name + "__text")
        recoded = _recoded(f.name, mapping.values.get(f.name), joins.get(f.name))
        cleaned.append(f"{recoded} as {col}")
        if f.kind in ("date", "datetime"):
            formats = _most_used_first(con, rows, recoded, date_formats(mapping))
            parsing.append(f"{col} as {text}, try_strptime({col}, {literal_list(formats)}) as {col}")
            # a year outside 1900-2100 is a typo or a two-digit year ('01/04/23' is not 2023)
            parsed = f"(case when year({col}) between 1900 and 2100 then {col} end)"
            parsed, rule = (f"{parsed}::DATE", "invalid_date") if f.kind == "date" \
                else (parsed, "invalid_datetime")
        else:
            parsing.append(f"{col} as {text}, {col}")
            parsed, rule = parse_expression(f, col, [])
        typed.append(f"{text}, {parsed} as {col}")
        error = _error_expression(f, text, col, rule)
        if error != "NULL::VARCHAR":
            failures.append(f"case when {error} is not null then {{'column_name': {literal(f.name)}, "
                            f"'value': {text}, 'rule': {error}}} end")
    errors = f"[x for x in [{', '.join(failures)}] if x is not null]" if failures else "[]"
    extra = ", extra_columns" if spec.keep_extra_columns else ""
    query = f"""select source_row, {', '.join(typed)}{extra}
              from (select source_row, {', '.join(parsing)}{extra}
                    from (select source_row, {', '.join(cleaned)}{extra}
                          from {rows}))"""
    return query, errors


def _quarantine_failures(con: duckdb.DuckDBPyConnection, spec: InputSpec, load_id: int,
                        source_file: str, sha: str, rows_with_errors: str) -> None:
    messages = [(f.name, rule, _message(f, rule))
                for f in spec.fields for rule in [*MESSAGES, *(["invalid_code"] if f.codes else [])]]
    con.execute("create or replace temp table _messages (column_name VARCHAR, rule VARCHAR, "
                "message VARCHAR)")
    con.executemany("insert into _messages values (?, ?, ?)", messages)
    con.execute(
        f"""insert into quarantine.rows
        select {int(load_id)}, {literal(spec.name)}, {source_file}, {sha}, f.source_row,
               f.e.column_name, f.e.value, f.e.rule, m.message
        from (select source_row, unnest(_errors) as e from ({rows_with_errors})
              where len(_errors) > 0) f
        join _messages m on m.column_name = f.e.column_name and m.rule = f.e.rule
        order by f.source_row"""
    )
    con.execute("drop table _messages")


def _quarantine_repeated_keys(con: duckdb.DuckDBPyConnection, spec: InputSpec, load_id: int,
                              source_file: str, sha: str) -> int:
    """Later rows of a key repeated within the file: quarantined as duplicate_key and taken
    out of staging (the first is kept). Found with a group by, so only the repeated keys,
    not every row, go through a window. Returns how many rows moved."""
    rows = f"staging.{ident(spec.name + '_rows')}"
    key = ", ".join(ident(k) for k in spec.key)
    con.execute(
        f"""create or replace temp table _repeats as
        select {key}, source_row, min(source_row) over (partition by {key}) as _first_row
        from {rows}
        where load_id = {int(load_id)} and ({key}) in (
            select ({key}) from {rows} where load_id = {int(load_id)}
            group by {key} having count(*) > 1)"""
    )
    key_label = "+".join(spec.key)
    key_text = " || '|' || ".join(f"coalesce(r.{ident(k)}::VARCHAR, '')" for k in spec.key)
    moved = con.execute(
        f"""insert into quarantine.rows
        select {int(load_id)}, {literal(spec.name)}, {source_file}, {sha}, r.source_row,
               {literal(key_label)}, {key_text}, 'duplicate_key',
               'same ' || {literal(key_label)} || ' as row ' || r._first_row || ' of this file; '
               || 'the first row is kept'
        from _repeats r
        where r.source_row > r._first_row
        order by r.source_row"""
    ).fetchone()[0]
    if moved:
        con.execute(f"""delete from {rows} where load_id = {int(load_id)} and source_row in (
            select source_row from _repeats where source_row > _first_row)""")
    con.execute("drop table _repeats")
    return moved


def validate_staged(con: duckdb.DuckDBPyConnection, spec: InputSpec, load_id: int) -> None:
    """Check one load's staged rows against the staging contract.

    Every row is checked in DuckDB SQL (required columns not null, codes in their lists),
    and the pandera model built from the same Field specs checks the first
    VALIDATION_MAX_ROWS rows in chunks (types, codes, lengths): a big load is never
    materialised in pandas whole, and ten million rows are not converted to pandas for a
    second check of what SQL has already checked."""
    table = f"staging.{ident(spec.name + '_rows')}"
    counts = []
    for f in spec.fields:
        col = ident(f.name)
        conditions = []
        if f.required:
            conditions.append(f"{col} is null")
        if f.codes:
            allowed = ", ".join(str(int(c)) if f.kind == "integer" else literal(c) for c in f.codes)
            conditions.append(f"({col} is not null and {col} not in ({allowed}))")
        if f.positive:
            conditions.append(f"({col} is not null and not ({col} > 0 and isfinite({col})))")
        if conditions:
            counts.append((f.name, f"count(*) filter (where {' or '.join(conditions)})"))
    row = con.execute(f"select {', '.join(c for _, c in counts)} from {table} where load_id = ?",
                      [load_id]).fetchone() if counts else ()
    broken = [f"{name}: {n} row(s)" for (name, _), n in zip(counts, row) if n]
    if broken:
        raise ContractError(f"{table} breaks its contract for load {load_id}: {'; '.join(broken)}")
    model = staged_model(spec)
    result = con.execute(
        f"select * from {table} where load_id = ? order by source_row limit {VALIDATION_MAX_ROWS}",
        [load_id])
    while True:
        chunk: pd.DataFrame = result.fetch_df_chunk(VALIDATION_CHUNK_ROWS // 2048 or 1)
        if chunk.empty:
            break
        try:
            model.validate(chunk, lazy=True)
        except Exception as exc:  # pandera.errors.SchemaErrors
            raise ContractError(f"staging.{spec.name}_rows fails its contract {model.name}: {exc}") from None


def build_current(con: duckdb.DuckDBPyConnection, spec: InputSpec,
                  new_loads: list[int] | None = None) -> None:
    """staging.<source>: one row per key, from the latest export (inputs.md, dated exports).
    An undated file is older than every dated one; among equals, the later load wins.

    It is a view: the staged rows less staging.<source>_superseded, the rows a later export
    replaced. Nothing is copied, so ten million rows cost nothing here. With `new_loads` only
    the keys those loads carry are re-decided (the cost of a night grows with what arrived,
    not with all history); a source with one load has nothing superseded (keys are unique
    within a file)."""
    ensure_staging_table(con, spec)
    name = spec.name
    rows, current = f"staging.{ident(name + '_rows')}", f"staging.{ident(name)}"
    superseded = f"staging.{ident(name + '_superseded')}"
    key = ", ".join(ident(k) for k in spec.key)
    latest_first = "order by export_date desc nulls last, load_id desc, source_row desc"
    con.execute(f"create table if not exists {superseded} (load_id INTEGER NOT NULL, "
                "source_row BIGINT NOT NULL)")
    if new_loads and _object_type(con, "staging", name) == "VIEW":
        loads = ", ".join(str(int(i)) for i in new_loads)
        # the current rows of the keys the new loads carry, the new rows among them
        con.execute(
            f"""insert into {superseded}
            select load_id, source_row from {current}
            where ({key}) in (select ({key}) from {rows} where load_id in ({loads}))
            qualify row_number() over (partition by {key} {latest_first}) > 1""")
    else:
        con.execute(f"delete from {superseded}")
        load_count = con.execute(f"select count(distinct load_id) from {rows}").fetchone()[0]
        if load_count > 1:
            con.execute(
                f"""insert into {superseded}
                select load_id, source_row from {rows}
                qualify row_number() over (partition by {key} {latest_first}) > 1""")
    drop_relation(con, "staging", name)
    if con.execute(f"select count(*) from {superseded}").fetchone()[0]:
        con.execute(f"""create view {current} as
            select r.* from {rows} r anti join {superseded} s using (load_id, source_row)""")
    else:
        con.execute(f"create view {current} as select * from {rows}")


def _object_type(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    row = con.execute("select table_type from information_schema.tables where table_schema = ? "
                      "and table_name = ?", [schema, name]).fetchone()
    return row[0] if row else None


def drop_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> None:
    """Drop a table or a view of that name (a warehouse from an older version has tables
    where this one has views)."""
    kind = _object_type(con, schema, name)
    if kind is not None:
        con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} {ident(schema)}.{ident(name)}")
