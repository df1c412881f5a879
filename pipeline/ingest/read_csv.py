"""Load one export into raw.<source>: every field as text, with lineage.

DuckDB reads the file (never row by row in Python): explicit positional columns,
all VARCHAR, the delimiter and header given rather than sniffed, and
`store_rejects` so a malformed record (too many or too few fields, bad quoting)
lands in quarantine with its row instead of stopping the load. Row numbers are
the row Excel shows: header = row 1 (after any skipped preamble lines).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipeline.dataset import DatasetFile, FileMapping, glob_escape
from pipeline.errors import PipelineError
from pipeline.ingest.encodings import (
    FileShape,
    detect_encoding,
    file_shape,
    has_blank_lines,
    needs_transcoding,
    normalise_encoding,
    utf8_copy,
)
from pipeline.personal_data import mask_line, personal_positions
from pipeline.sqltext import ident, literal, literal_list
from schemas.fields import InputSpec

log = logging.getLogger("tsm")

LINEAGE_DDL = """
    load_id INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    export_date DATE,
    source_row BIGINT"""  # set right after the insert (see _copy_into_raw)


@dataclass
class RawLoad:
    load_id: int
    rows_raw: int
    rows_rejected: int
    encoding: str
    headers: list[str]


def ensure_raw_table(con: duckdb.DuckDBPyConnection, spec: InputSpec) -> None:
    cols = ",\n    ".join(f"{ident(c)} VARCHAR" for c in spec.columns)
    con.execute(
        f"create table if not exists raw.{ident(spec.name)} ({LINEAGE_DDL},\n    {cols},\n"
        "    extra_columns MAP(VARCHAR, VARCHAR),\n"
        "    personal_data MAP(VARCHAR, VARCHAR))"
    )


def read_header(path: Path, encoding: str, delimiter: str, skip_rows: int) -> list[str]:
    """The header row, after `skip_rows` preamble lines."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        for _ in range(skip_rows):
            if not fh.readline():
                break
        line = fh.readline()
    if not line.strip():
        raise PipelineError(f"{path.name}: no header row (file is empty after {skip_rows} skipped line(s))")
    header = next(csv.reader(io.StringIO(line), delimiter=delimiter))
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    if any("\x00" in h for h in header):
        raise PipelineError(f"{path.name}: the header row contains a NUL byte; is it a CSV file?")
    # a trailing delimiter on every line (common in exports) leaves a nameless column: it is
    # kept in raw as an extra column named by its position
    return [h or f"column_{i + 1}" for i, h in enumerate(header)]


def _distinct_extra_names(file_name: str, header: list[str], spec: InputSpec,
                          mapping: FileMapping) -> list[str]:
    """A repeated header is an error when the pipeline reads that column (which one would it
    be?); a repeated column it does not read is kept in raw as <name>_2, <name>_3, ..."""
    # personal data too: a second copy renamed <name>_2 would escape personal_data
    read = ({c.casefold() for c in spec.columns} | {old.strip().casefold() for old in mapping.rename}
            | {h.strip().casefold() for h in mapping.personal_data})
    counts: dict[str, int] = {}
    for h in header:
        counts[h.casefold()] = counts.get(h.casefold(), 0) + 1
    ambiguous = sorted({h for h in header if counts[h.casefold()] > 1 and h.casefold() in read})
    if ambiguous:
        raise PipelineError(f"{file_name}: header repeats column name(s) {ambiguous}; "
                            "rename one of them in the export or in mapping.toml")
    taken = {h.casefold() for h in header}
    seen: dict[str, int] = {}
    names = []
    for h in header:
        n = seen[h.casefold()] = seen.get(h.casefold(), 0) + 1
        if n > 1:
            k = n
            while f"{h}_{k}".casefold() in taken:
                k += 1
            h = f"{h}_{k}"
            taken.add(h.casefold())
        names.append(h)
    return names


def map_header(
    file_name: str, header: list[str], spec: InputSpec, mapping: FileMapping
) -> tuple[dict[int, str], dict[int, str]]:
    """(position -> canonical column, position -> name of an extra column), after renames.
    A rename applies to the headers the file has (inputs.md, "Exports change over time"):
    older exports may already carry the canonical name. A rename to a name outside the
    contract keeps that column, under its new name, as an extra column in raw only."""
    original = list(header)
    header = _distinct_extra_names(file_name, header, spec, mapping)
    by_exact = {h: i for i, h in enumerate(header)}
    by_folded = {h.casefold(): i for i, h in enumerate(header)}
    canonical: dict[int, str] = {}
    renamed_extras: dict[int, str] = {}
    not_applied: dict[str, str] = {}  # rename entries whose header this file lacks
    for old, new in mapping.rename.items():
        pos = by_exact.get(old, by_folded.get(old.strip().casefold()))
        if pos is None:
            not_applied[old] = new
        elif new in spec.columns:
            canonical[pos] = new
        else:
            renamed_extras[pos] = new
    wanted = {c.casefold(): c for c in spec.columns}
    for pos, name in enumerate(header):
        if pos not in canonical and pos not in renamed_extras and name.casefold() in wanted:
            canonical[pos] = wanted[name.casefold()]
    seen: dict[str, int] = {}
    for pos, name in sorted(canonical.items()):
        if name in seen:
            raise PipelineError(
                f"{file_name}: columns {header[seen[name]]!r} and {header[pos]!r} both map to {name!r}"
            )
        seen[name] = pos
    missing = [c for c in spec.required_columns if c not in seen]
    if missing:
        unmapped = [h for i, h in enumerate(original) if i not in canonical and i not in renamed_extras]
        raise PipelineError(_missing_columns_message(file_name, spec, mapping, missing, original,
                                                     unmapped, not_applied))
    for old, new in not_applied.items():
        if new in spec.columns and new not in seen:
            # a misspelt header in a rename would otherwise lose an optional column unseen
            log.warning("%s: mapping.toml %s renames %r, which this file lacks, and the file has "
                        "no column %s either; %s is blank for its rows", file_name,
                        mapping.block, old, new, new)
    for col, _codes in mapping.values.items():
        if col not in spec.columns:
            raise PipelineError(
                f"mapping.toml: [{spec.name}.values.{col}] recodes {col!r}, which is not a column "
                f"of {spec.name}.csv"
            )
    extras = {i: renamed_extras.get(i, h) for i, h in enumerate(header) if i not in canonical}
    return canonical, extras


def _normalised_name(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_")


def closest_header(column: str, headers: list[str]) -> str | None:
    """The header most like a canonical column's name, if one is plausibly it: close as a
    string ('Recieved Date'), or sharing a word with it ('Date Logged' for received_date)."""
    if not headers:
        return None
    names = {_normalised_name(h): h for h in reversed(headers)}  # first header wins a tie
    close = difflib.get_close_matches(_normalised_name(column), list(names), n=1, cutoff=0.6)
    if close:
        return names[close[0]]
    words = set(_normalised_name(column).split("_"))
    sharing = [h for h in headers if words & set(_normalised_name(h).split("_"))]
    if not sharing:
        return None
    return max(sharing, key=lambda h: difflib.SequenceMatcher(
        None, _normalised_name(column), _normalised_name(h)).ratio())


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _missing_columns_message(file_name: str, spec: InputSpec, mapping: FileMapping,
                             missing: list[str], headers: list[str], unmapped: list[str],
                             not_applied: dict[str, str]) -> str:
    """One line: the file, the column(s), the headers found and the mapping entry that would
    fit the file."""
    entries, left = [], list(unmapped)
    for column in missing:
        near = closest_header(column, left)
        if near is not None:
            left.remove(near)
        entries.append(f"{_toml_string(near or '<your header>')} = {_toml_string(column)}")
    columns = (f"required column {missing[0]} is" if len(missing) == 1
               else f"required columns {', '.join(missing)} are")
    message = f"{file_name}: {columns} missing after mapping; headers found: {headers}"
    lacking = [old for old, new in not_applied.items() if new in missing]
    if lacking:
        message += (f"; mapping.toml {mapping.block} renames {', '.join(map(repr, lacking))}, "
                    "which this file lacks")
    if mapping.block:
        # a rename applies only to the headers a file has, so one more entry in the block
        # that fits this file fits it without disturbing the other exports of that block
        source = f" (source = {_toml_string(mapping.source)})" if mapping.source else ""
        return (f"{message}; to fit it add to rename in mapping.toml's {mapping.block}{source}: "
                f"{', '.join(entries)}")
    return (f"{message}; to fit it add to mapping.toml: [[{spec.name}]] "
            f"source = {_toml_string(glob_escape(file_name))} rename = {{ {', '.join(entries)} }}")


def load_raw(
    con: duckdb.DuckDBPyConnection,
    dfile: DatasetFile,
    spec: InputSpec,
    mapping: FileMapping,
    load_id: int,
    sha256: str,
    shape: FileShape | None = None,
) -> RawLoad:
    """Append the file's records to raw.<source>; structural rejects go to quarantine."""
    if dfile.path.suffix.lower() == ".sav":
        return _load_sav(con, dfile, spec, mapping, load_id, sha256)
    try:
        encoding = normalise_encoding(mapping.encoding) if mapping.encoding else detect_encoding(dfile.path)
    except ValueError as exc:
        raise PipelineError(f"mapping.toml: [{spec.name}] {exc}") from None
    header = read_header(dfile.path, encoding, mapping.delimiter, mapping.skip_rows)
    positions, extras = map_header(dfile.path.name, header, spec, mapping)
    ensure_raw_table(con, spec)
    with tempfile.TemporaryDirectory(prefix="tsm-ingest-") as tmp:
        path = _literal_path(dfile.path, Path(tmp))
        if needs_transcoding(encoding):
            path = utf8_copy(dfile.path, encoding, Path(tmp) / "utf8.csv")
            shape = None
        shape = shape or file_shape(path)
        if shape.quote_count % 2:
            raise PipelineError(
                f"{dfile.path.name}: a quoted field is never closed (the file has an odd number "
                'of " characters), so rows after it cannot be told apart; fix the export')
        # Without quotes a record is a line, so a blank line (which DuckDB skips, shifting
        # every later row number) shows as fewer records than lines; with quotes, look for one.
        blank = has_blank_lines(path) if shape.quote_count else None
        try:
            rows_raw, rows_rejected = None, None
            if not (shape.has_mixed_newlines or blank):
                rows_raw, rows_rejected = _copy_into_raw(con, path, dfile, spec, mapping, header,
                                                         positions, extras, load_id, sha256)
                lines_expected = shape.line_count - mapping.skip_rows - 1
                if blank is None and rows_raw + rows_rejected != lines_expected:
                    _discard_load(con, spec, load_id)
                    rows_raw = None
            if rows_raw is None:
                path, row_map = _normalised_copy(path, mapping, Path(tmp) / "normalised.csv")
                rows_raw, rows_rejected = _copy_into_raw(con, path, dfile, spec, mapping, header,
                                                         positions, extras, load_id, sha256,
                                                         row_map)
        except duckdb.Error as exc:
            raise PipelineError(f"{dfile.path.name}: cannot be read as CSV: "
                                f"{str(exc).splitlines()[0]}") from None
    if rows_raw + rows_rejected == 0 and _has_data_after_header(dfile.path, encoding, mapping):
        raise PipelineError(f"{dfile.path.name}: no rows could be read although the file has "
                            "data after its header; check the delimiter and quoting")
    return RawLoad(load_id, rows_raw, rows_rejected, encoding, header)


GLOB_CHARACTERS = re.compile(r"[*?\[\]{}]")


def _literal_path(path: Path, tmp: Path) -> Path:
    """A path DuckDB's read_csv reads as this one file. read_csv expands *, ? and [...] as a
    glob, so a file literally named `complaints_*.csv` would be read together with every
    other file its name matches; such a path is read through a link with a plain name."""
    if not GLOB_CHARACTERS.search(str(path)):
        return path
    link = tmp / "input.csv"
    if GLOB_CHARACTERS.search(str(link)):
        raise PipelineError(f"{path.name}: the temporary folder {tmp} has a glob character in "
                            "its path; set TMPDIR to a plain folder")
    try:
        os.symlink(path.resolve(), link)
    except OSError:  # no symlinks here (some Windows setups): read a copy
        import shutil

        shutil.copyfile(path, link)
    return link


def _discard_load(con: duckdb.DuckDBPyConnection, spec: InputSpec, load_id: int) -> None:
    con.execute(f"delete from raw.{ident(spec.name)} where load_id = {int(load_id)}")
    con.execute("delete from quarantine.rows where load_id = ?", [load_id])


def _has_data_after_header(path: Path, encoding: str, mapping: FileMapping) -> bool:
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        for _ in range(mapping.skip_rows + 1):
            fh.readline()
        return any(line.strip() for line in iter(lambda: fh.readline(), ""))


def _normalised_copy(path: Path, mapping: FileMapping, target: Path) -> tuple[Path, list[int]]:
    """DuckDB skips blank lines, which would shift every later row number, and rejects a file
    mixing CRLF and LF line ends. Such a file (rare) is rewritten without blank lines and with
    one line ending, keeping each record's Excel row. This is the one per-row Python path in
    ingest, and only for such files."""
    row_map: list[int] = []  # Excel row of each record kept, the header first
    with path.open("r", encoding="utf-8", newline="") as src, \
            target.open("w", encoding="utf-8", newline="") as dst:
        for _ in range(mapping.skip_rows):
            # one line ending throughout: a CRLF preamble over LF records reads as no records
            dst.write(src.readline().rstrip("\r\n") + "\n")
        reader = csv.reader(src, delimiter=mapping.delimiter)
        writer = csv.writer(dst, delimiter=mapping.delimiter, lineterminator="\n")
        excel_row = mapping.skip_rows
        for record in reader:
            excel_row += 1
            if record:  # [] is a blank line; ",," is a row of blanks and is kept
                writer.writerow(record)
                row_map.append(excel_row)
    return target, row_map


def _copy_into_raw(con, path, dfile, spec, mapping, header, positions, extras, load_id, sha256,
                   row_map=None):
    """Insert the file's records into raw straight from read_csv, then give each its Excel row.

    The fast path reads in parallel (DuckDB keeps the file's order, preserve_insertion_order)
    and numbers the records by their position in the insert: record n is Excel row
    first_row + n. That holds only when no record was rejected and the file was not
    rewritten; otherwise the load is read again single-threaded and each good record takes
    the n-th row number that was not rejected (the path every awkward file takes)."""
    parallel = row_map is None
    # a column survey.toml names as a characteristic is a group, not personal data, even when
    # its name says otherwise (tenant_age_band); listing it in personal_data still wins
    survey_groups = survey_characteristics(dfile.path.parent) if spec.keep_extra_columns else set()
    personal = personal_positions(dfile.path.name, spec.name, header, positions, extras, mapping,
                                  survey_groups)
    rows_good, rejected = _insert_records(con, path, dfile, spec, mapping, header, positions,
                                          extras, personal, load_id, sha256, parallel)
    if parallel and rejected:
        con.execute(f"delete from raw.{ident(spec.name)} where load_id = {int(load_id)}")
        rows_good, rejected = _insert_records(con, path, dfile, spec, mapping, header, positions,
                                              extras, personal, load_id, sha256, parallel=False)
    first_row = mapping.skip_rows + 2  # Excel row of the first record: preamble, header, then data
    table = f"raw.{ident(spec.name)}"
    if not rejected and row_map is None:
        con.execute(
            f"""update {table} set source_row = rowid - (select min(rowid) from {table}
                where load_id = {int(load_id)}) + {first_row}
            where load_id = {int(load_id)}""")
    else:
        con.execute("create or replace temp table _rejected_rows (line BIGINT)")
        if rejected:
            con.executemany("insert into _rejected_rows values (?)", [(r[0],) for r in rejected])
        # n-th good record -> its Excel row: the n-th row number that was not rejected.
        con.execute(
            f"""create or replace temp table _row_numbers as
            select row_number() over (order by r) - 1 as good_ordinal, r as source_row
            from range({first_row}, {first_row + rows_good + len(rejected)}) t(r)
            anti join _rejected_rows on _rejected_rows.line = t.r"""
        )
        if row_map is not None:
            # record numbers of the rewritten file -> the Excel rows of the original
            first_line = mapping.skip_rows + 1
            con.execute("create or replace temp table _row_map (line BIGINT, excel_row BIGINT)")
            con.executemany("insert into _row_map values (?, ?)",
                            [(first_line + i, r) for i, r in enumerate(row_map)])
            con.execute("""create or replace temp table _row_numbers as
                select n.good_ordinal, m.excel_row as source_row
                from _row_numbers n join _row_map m on m.line = n.source_row""")
            original = {first_line + i: r for i, r in enumerate(row_map)}
            rejected = [(original.get(r[0], r[0]), *r[1:]) for r in rejected]
        base = con.execute(f"select min(rowid) from {table} where load_id = {int(load_id)}"
                           ).fetchone()[0] or 0
        con.execute(
            f"""update {table} set source_row = n.source_row from _row_numbers n
            where {table}.load_id = {int(load_id)} and n.good_ordinal = {table}.rowid - {int(base)}""")
        con.execute("drop table _rejected_rows; drop table _row_numbers; drop table if exists _row_map")
    for line, column, error_type, csv_line, message in rejected:
        pos = int(column[1:]) if column and column.startswith("c") and column[1:].isdigit() else None
        col_name = positions.get(pos, header[pos]) if pos is not None and pos < len(header) else None
        con.execute(
            "insert into quarantine.rows values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [load_id, spec.name, dfile.path.name, sha256, line, col_name,
             # the line keeps its non-personal fields only (pipeline.personal_data.mask_line)
             mask_line(csv_line or "", mapping.delimiter, len(header), personal), "malformed_row",
             f"{error_type.lower()}: {message}" if error_type else message],
        )
    return rows_good, len(rejected)


def survey_characteristics(dataset_dir: Path) -> set[str]:
    """Every column survey.toml names as a characteristic or weights by, any year."""
    from pipeline.survey.config import read_survey_config

    return {c.strip().casefold() for survey in read_survey_config(dataset_dir).values()
            for c in (*survey.characteristics, *survey.weight_by)}


def _insert_records(con, path, dfile, spec, mapping, header, positions, extras, personal,
                    load_id, sha256, parallel: bool) -> tuple[int, list[tuple]]:
    """Append the file's good records to raw (source_row still unset), the `personal`
    positions apart in personal_data; return their count and the rejected lines (line,
    column, error type, text, message)."""
    columns = "{" + ", ".join(f"{literal(f'c{i}')}: 'VARCHAR'" for i in range(len(header))) + "}"
    scan = f"_rejects_scan_{load_id}"
    errors = f"_rejects_{load_id}"
    target = [ident(c) for c in spec.columns]
    by_name = {name: pos for pos, name in positions.items()}
    selected = [f"c{by_name[c]}" if c in by_name else "NULL" for c in spec.columns]
    others = {i: n for i, n in extras.items() if i not in personal}
    extra, personal_map = (
        f"map({literal_list(cols.values())}, [{', '.join(f'c{i}' for i in cols)}])"
        if cols else empty
        for cols, empty in ((others, "map()::MAP(VARCHAR, VARCHAR)"),
                            (personal, "NULL::MAP(VARCHAR, VARCHAR)"))
    )
    export_date = literal(dfile.export_date.isoformat()) + "::DATE" if dfile.export_date else "NULL"
    rows_good = con.execute(
        f"""insert into raw.{ident(spec.name)}
            (load_id, source_file, source_sha256, export_date, source_row, {', '.join(target)},
             extra_columns, personal_data)
        select {int(load_id)}, {literal(dfile.path.name)}, {literal(sha256)}, {export_date},
               NULL, {', '.join(selected)}, {extra}, {personal_map}
        from read_csv({literal(str(path))}, columns = {columns}, header = true,
            skip = {int(mapping.skip_rows)}, delim = {literal(mapping.delimiter)}, quote = '"',
            escape = '"', auto_detect = false, strict_mode = true, null_padding = false,
            store_rejects = true, rejects_scan = {literal(scan)}, rejects_table = {literal(errors)},
            max_line_size = 10000000, parallel = {str(parallel).lower()})"""
    ).fetchone()[0]
    rejected = con.execute(
        f"""select line, any_value(column_name), any_value(error_type), any_value(csv_line),
                   any_value(error_message)
            from {errors} group by line order by line"""
    ).fetchall()
    con.execute(f"drop table if exists {errors}; drop table if exists {scan}")
    return rows_good, rejected


def _load_sav(con, dfile, spec, mapping, load_id, sha256) -> RawLoad:
    """An SPSS file: read with its value labels (a labelled 1 becomes 'Very satisfied'), then
    loaded exactly like a CSV export, so recoding, validation and quarantine are the same.
    Unlabelled numeric codes stay numbers, for mapping.toml to recode."""
    import pyreadstat

    try:
        frame, _meta = pyreadstat.read_sav(str(dfile.path), apply_value_formats=True,
                                           formats_as_category=False)
    except Exception as exc:  # pyreadstat raises its own error types for unreadable files
        raise PipelineError(f"{dfile.path.name}: not a readable SPSS .sav file ({exc})") from None
    for column in frame.columns:
        if frame[column].dtype.kind == "f" and frame[column].dropna().mod(1).eq(0).all():
            frame[column] = frame[column].astype("Int64")  # 1.0 -> 1, as the codes were entered
        elif frame[column].dtype == object:
            # a partly labelled column: labels are text, unlabelled codes stay floats (9.0);
            # write them as entered (9) so mapping.toml's "9" = "dont_know" matches
            frame[column] = frame[column].map(
                lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
    with tempfile.TemporaryDirectory(prefix="tsm-sav-") as tmp:
        csv_path = Path(tmp) / "survey.csv"  # never the file's own name: it may hold a * or [
        frame.to_csv(csv_path, index=False, encoding="utf-8", date_format="%Y-%m-%d")
        # the CSV written here is plain: the block's reading settings do not apply to it
        csv_mapping = replace(mapping, encoding=None, delimiter=",", skip_rows=0)
        header = read_header(csv_path, "utf-8", ",", 0)
        positions, extras = map_header(dfile.path.name, header, spec, csv_mapping)
        ensure_raw_table(con, spec)
        rows_raw, rows_rejected = _copy_into_raw(con, csv_path, dfile, spec, csv_mapping, header,
                                                 positions, extras, load_id, sha256)
    return RawLoad(load_id, rows_raw, rows_rejected, "spss", header)
