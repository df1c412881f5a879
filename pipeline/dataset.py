"""Find a dataset's files and read its TOML files (inputs.md).

A dataset is one folder. For each input of the contract the files are: the
canonical name (`complaints.csv`), dated exports (`complaints_2024-03-30.csv`,
`complaints_20240331.csv`) and any file matching the `source` glob in
mapping.toml, dated by the first date in its name.
"""

from __future__ import annotations

import codecs
import difflib
import fnmatch
import logging
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pipeline.errors import PipelineError

log = logging.getLogger("tsm")
MAPPING_KEYS = {"source", "encoding", "delimiter", "skip_rows", "date_format", "rename", "values",
                "personal_data"}
# a date, and in a compact stamp (20240331, 202403311200, 20240331120000) any time after it
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?:\d{4}|\d{6})?(?!\d)")


@dataclass(frozen=True)
class FileMapping:
    """How one export is made to fit the contract: one block of mapping.toml (a `[complaints]`
    table, or one entry of a `[[complaints]]` array of tables)."""

    source: str | None = None
    encoding: str | None = None
    delimiter: str = ","
    skip_rows: int = 0
    date_format: str | None = None
    rename: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    personal_data: tuple[str, ...] = ()  # headers holding personal data: kept in raw only
    block: str = ""  # where mapping.toml declares it, e.g. "[complaints]"; "" for no block


@dataclass(frozen=True)
class DatasetFile:
    source: str  # canonical input name, e.g. "complaints"
    path: Path
    export_date: date | None  # None: undated, older than every dated export
    # the mapping block that fits this file (first whose source matches its name)
    mapping: FileMapping = field(default_factory=FileMapping, compare=False)


def export_date_from_name(name: str) -> date | None:
    """The first YYYY-MM-DD or YYYYMMDD date in a file name, or None."""
    for match in _DATE_IN_NAME.finditer(name):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


MAX_TOML_BYTES = 16 * 1024 * 1024  # a configuration file is kilobytes; a larger one is a mistake
_NOT_A_FILE = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _not_a_file(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _NOT_A_FILE if test(mode)), "a special file")


def read_toml(path: Path) -> dict:
    """A dataset's TOML file as a dict; {} when there is none. Anything but a regular UTF-8
    text file inside the dataset folder holding valid TOML is a one-line PipelineError naming
    the file. A named pipe or device is never opened (reading one would wait forever)."""
    path = Path(path)
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise PipelineError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(link.st_mode):
        folder = path.parent.resolve()
        if not path.resolve().is_relative_to(folder):
            raise PipelineError(f"{path}: is a link to a file outside the dataset folder {folder}; "
                                "copy the file into the folder instead of linking to it")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise PipelineError(f"{path}: is a link to a file that does not exist") from None
    except OSError as exc:
        raise PipelineError(f"{path}: cannot be read ({exc.strerror})") from None
    what = _not_a_file(mode)
    if what:
        raise PipelineError(f"{path}: is {what}, not a file; it must be a text file of TOML "
                            "settings")
    try:  # non-blocking, and checked again once open: the path may change after the stat
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PipelineError(f"{path}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        opened = os.fstat(fh.fileno())
        what = _not_a_file(opened.st_mode)
        if what:
            raise PipelineError(f"{path}: is {what}, not a file; it must be a text file of TOML "
                                "settings")
        if opened.st_size > MAX_TOML_BYTES:
            raise PipelineError(f"{path}: is {opened.st_size:,} bytes; a settings file is at most "
                                f"{MAX_TOML_BYTES // (1024 * 1024)} MB")
        data = fh.read(MAX_TOML_BYTES + 1)
    return parse_toml(data, path)


def parse_toml(data: bytes, path: Path | str) -> dict:
    """TOML bytes as a dict: UTF-8, with or without a byte-order mark (Notepad writes one)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise PipelineError(f"{path}: saved as {encoding}; save it as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data[:2] or b"\x00" in data[2:4]:  # ASCII text in UTF-16, no byte-order mark
        raise PipelineError(f"{path}: saved as UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise PipelineError(f"{path}: is not UTF-8 text (byte 0x{data[exc.start]:02x} on line "
                            f"{line}); save it as UTF-8") from None
    if "\x00" in text:
        raise PipelineError(f"{path}: holds NUL bytes, so is not a text file; save it as UTF-8 "
                            "text")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # thousands of nested arrays
        raise PipelineError(f"{path}: not valid TOML: nested too deeply") from None


Mappings = dict[str, tuple[FileMapping, ...]]  # input name -> its blocks, in file order


def read_mappings(dataset_dir: Path) -> Mappings:
    """mapping.toml: for each input, its blocks in the order written. An input may have one
    `[complaints]` table or an array of tables `[[complaints]]`, one per kind of export
    (inputs.md, "Exports change over time"). Every key is checked for its type here, so a
    wrong one stops the run with one line naming the key, never later inside ingest."""
    from schemas.inputs import INPUT_SPECS

    global _MAPPING_FILE
    _MAPPING_FILE = str((Path(dataset_dir) / "mapping.toml").resolve())
    raw = read_toml(dataset_dir / "mapping.toml")
    unknown_tables = sorted(set(raw) - set(INPUT_SPECS) - OTHER_DATASET_FILES)
    if unknown_tables:
        # a misspelt table would leave its file unmapped and its measures quietly not available
        raise PipelineError(f"mapping.toml: [{'], ['.join(unknown_tables)}] is not an input of the "
                            f"contract; the tables are named after the files: {', '.join(INPUT_SPECS)}")
    mappings: Mappings = {}
    for name, tables in raw.items():
        if isinstance(tables, dict):
            mappings[name] = (_file_mapping(name, f"[{name}]", tables),)
        elif isinstance(tables, list):
            for i, table in enumerate(tables, start=1):
                if not isinstance(table, dict):
                    raise PipelineError(
                        f"mapping.toml: [[{name}]] entry {i} must be a table of settings for "
                        f"{name}.csv, not {_kind(table)}")
            mappings[name] = tuple(_file_mapping(name, f"[[{name}]] block {i}", table)
                                   for i, table in enumerate(tables, start=1))
        else:
            raise PipelineError(f"mapping.toml: [{name}] must be a table of settings for "
                                f"{name}.csv, not {_kind(tables)}")
    return mappings


def _kind(value: object) -> str:
    """What a TOML value is, for an error message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__} ({value})"


_MAPPING_FILE = "mapping.toml"  # the file read_mappings is reading, for warn_once


def _file_mapping(name: str, block: str, table: dict) -> FileMapping:
    where = f"mapping.toml: {block}"
    unknown = sorted(set(table) - MAPPING_KEYS)
    for key in unknown:
        # not fatal: a key meant for a newer version must not stop the nightly run
        near = difflib.get_close_matches(key, sorted(MAPPING_KEYS), n=1)
        from pipeline.config_checks import warn_once  # once per file a run, however often read

        hint = f" (did you mean {near[0]!r}?)" if near else ""
        warn_once(_MAPPING_FILE, f"{where} ignores unknown key {key!r}{hint}; known keys: "
                  f"{', '.join(sorted(MAPPING_KEYS))}")
    source = table.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise PipelineError(f'{where} source must be a file-name glob such as "CRM_Export*.csv", '
                            f"not {_kind(source)}")
    encoding = table.get("encoding")
    if encoding is not None:
        encoding = _checked_encoding(where, encoding)
    skip = table.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        raise PipelineError(f"{where} skip_rows must be a whole number >= 0, not {_kind(skip)}")
    delimiter = table.get("delimiter", ",")
    if delimiter == "\\t":
        delimiter = "\t"
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise PipelineError(f"{where} delimiter must be one character, not {_kind(delimiter)}")
    date_format = table.get("date_format")
    if date_format is not None:
        _check_date_format(where, date_format)
    rename = table.get("rename", {})
    if not isinstance(rename, dict):
        raise PipelineError(f'{where} rename must be a table of "export header" = "column", '
                            f'e.g. rename = {{ "Case Ref" = "complaint_ref" }}, not {_kind(rename)}')
    for old, new in rename.items():
        if not isinstance(new, str) or not new.strip():
            raise PipelineError(f"{where} rename of {old!r} must name a column as a string, "
                                f"not {'a blank string' if isinstance(new, str) else _kind(new)}")
    values = table.get("values", {})
    if not isinstance(values, dict):
        raise PipelineError(f"{where} values must be tables [{name}.values.<column>] of "
                            f'"export value" = "code", not {_kind(values)}')
    for column, codes in values.items():
        if not isinstance(codes, dict):
            raise PipelineError(f"{where} values.{column} must be a table of "
                                f'"export value" = "code" ([{name}.values.{column}]), '
                                f"not {_kind(codes)}")
        for key, code in codes.items():
            if isinstance(code, (list, dict)):
                raise PipelineError(f"{where} values.{column} recodes {key!r} to {_kind(code)}; "
                                    "a code is a string, number or true/false")
    personal = table.get("personal_data", [])
    if not isinstance(personal, list) or not all(isinstance(h, str) for h in personal):
        raise PipelineError(f'{where} personal_data must be a list of headers, e.g. '
                            f'personal_data = ["Resident Name"], not {_kind(personal)}')
    return FileMapping(
        source=source,
        encoding=encoding,
        delimiter=delimiter,
        skip_rows=skip,
        date_format=date_format,
        rename={str(k): v for k, v in rename.items()},
        values={str(c): {str(k): v for k, v in m.items()} for c, m in values.items()},
        personal_data=tuple(personal),
        block=block,
    )


def _checked_encoding(where: str, encoding: object) -> str:
    if not isinstance(encoding, str):
        raise PipelineError(f'{where} encoding must be the name of an encoding such as "cp1252", '
                            f"not {_kind(encoding)}")
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise PipelineError(f'{where} encoding {encoding!r} is not an encoding Python knows; '
                            'use e.g. "utf-8", "cp1252" or "utf-16"') from None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13: not a text encoding
        raise PipelineError(f"{where} encoding {encoding!r} is not a text encoding; "
                            'use e.g. "utf-8", "cp1252" or "utf-16"')
    return encoding


# a date that reads back only if the format has its day, month and year
_PROBE_DATE = datetime(2024, 3, 31, 13, 45, 30)


def _check_date_format(where: str, fmt: object) -> None:
    if not isinstance(fmt, str):
        raise PipelineError(f'{where} date_format must be "dayfirst" or a strptime format such '
                            f'as "%d/%m/%Y %H:%M", not {_kind(fmt)}')
    if fmt.strip().lower() == "dayfirst":
        return
    ok = _reads_back(fmt.strip())
    if not ok:
        raise PipelineError(f"{where} date_format {fmt!r} cannot read a date: it needs a day, a "
                            'month and a year, e.g. "%d/%m/%Y %H:%M" (or "dayfirst")')


def _reads_back(fmt: str) -> bool:
    """Python and DuckDB (which parses the dates) both read the probe date back through fmt."""
    import duckdb

    from pipeline.sqltext import literal

    try:
        text = _PROBE_DATE.strftime(fmt)
        if datetime.strptime(text, fmt).date() != _PROBE_DATE.date():
            return False
        with duckdb.connect() as con:
            parsed = con.execute(f"select try_strptime({literal(text)}, {literal(fmt)})").fetchone()[0]
    except (ValueError, duckdb.Error):
        return False
    return parsed is not None and parsed.date() == _PROBE_DATE.date()


def mapping_for(name: str, blocks: tuple[FileMapping, ...], canonical: bool) -> FileMapping:
    """The block that fits a file: the first whose `source` matches its name (in any case,
    as Windows names do); a block without `source` matches the canonical names."""
    for block in blocks:
        if block.source is None:
            if canonical:
                return block
        elif fnmatch.fnmatchcase(name.casefold(), block.source.casefold()):
            return block
    return FileMapping()


def glob_escape(name: str) -> str:
    """A file name as a `source` glob that matches that name only."""
    return re.sub(r"([*?\[])", r"[\1]", name)


# files of a dataset (inputs.md) read by the report, not loaded into the warehouse
OTHER_DATASET_FILES = {"self_assessment", "improvement_plan"}

# inputs that may also arrive as an SPSS file (read with its value labels)
SAV_SOURCES = {"survey_responses"}


def _canonical_pattern(source: str) -> re.Pattern:
    suffix = r"\.(?:csv|sav)" if source in SAV_SOURCES else r"\.csv"
    return re.compile(
        rf"^{re.escape(source)}(?:_(\d{{4}}-\d{{2}}-\d{{2}}|\d{{8}}(?:\d{{4}}|\d{{6}})?))?{suffix}$",
        re.IGNORECASE)


def _inside(dataset_dir: Path, name: str) -> Path:
    """A dataset's file, refusing one that leads outside the folder (a symlink, say)."""
    path = dataset_dir / name
    if not path.resolve().is_relative_to(dataset_dir.resolve()):
        raise PipelineError(f"{name}: leads outside the dataset folder {dataset_dir}; "
                            "copy the file into the folder instead of linking to it")
    return path


def find_files(dataset_dir: Path, sources: list[str], mappings: Mappings) -> list[DatasetFile]:
    """Every file of each source in the dataset folder, oldest export first, each with the
    mapping block that fits it. Files fitted by different blocks are still one source."""
    if not dataset_dir.is_dir():
        raise PipelineError(f"dataset folder {dataset_dir} does not exist")
    names = sorted(p.name for p in dataset_dir.iterdir() if p.is_file())
    found: list[DatasetFile] = []
    for source in sources:
        pattern = _canonical_pattern(source)
        blocks = mappings.get(source, ())
        globs = [b.source.casefold() for b in blocks if b.source]
        files = []
        for n in names:
            canonical = bool(pattern.match(n))
            # file names are matched in any case, as Windows (where exports come from) does
            if canonical or any(fnmatch.fnmatchcase(n.casefold(), g) for g in globs):
                files.append(DatasetFile(source, _inside(dataset_dir, n), export_date_from_name(n),
                                         mapping_for(n, blocks, canonical)))
        undated = [f.path.name for f in files if f.export_date is None]
        if len(undated) > 1:
            raise PipelineError(
                f"{source}: {len(undated)} undated files {undated}; only one undated export of a "
                "source is allowed (date the others as <name>_YYYY-MM-DD.csv)"
            )
        files.sort(key=lambda f: (f.export_date or date.min, f.path.name))
        found.extend(files)
    return found
