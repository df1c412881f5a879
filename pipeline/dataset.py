"""Find a dataset's files and read its TOML files (inputs.md).

A dataset is one folder. For each input of the contract the files are: the
canonical name (`complaints.csv`), dated exports (`complaints_2024-03-30.csv`,
`complaints_20240331.csv`) and any file matching the `source` glob in
mapping.toml, dated by the first date in its name.
"""

from __future__ import annotations

import codecs
import fnmatch
import logging
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.errors import PipelineError

log = logging.getLogger("tsm")
MAPPING_KEYS = {"source", "encoding", "delimiter", "skip_rows", "date_format", "rename", "values",
                "personal_data"}
# a date, and in a compact stamp (20240331, 202403311200, 20240331120000) any time after it
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?:\d{4}|\d{6})?(?!\d)")


@dataclass(frozen=True)
class FileMapping:
    """How one export is made to fit the contract (mapping.toml, one table per file)."""

    source: str | None = None
    encoding: str | None = None
    delimiter: str = ","
    skip_rows: int = 0
    date_format: str | None = None
    rename: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    personal_data: tuple[str, ...] = ()  # headers holding personal data: kept in raw only


@dataclass(frozen=True)
class DatasetFile:
    source: str  # canonical input name, e.g. "complaints"
    path: Path
    export_date: date | None  # None: undated, older than every dated export


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


def read_mappings(dataset_dir: Path) -> dict[str, FileMapping]:
    from schemas.inputs import INPUT_SPECS

    raw = read_toml(dataset_dir / "mapping.toml")
    mappings = {}
    unknown_tables = sorted(set(raw) - set(INPUT_SPECS) - OTHER_DATASET_FILES)
    if unknown_tables:
        # a misspelt table would leave its file unmapped and its measures quietly not available
        raise PipelineError(f"mapping.toml: [{'], ['.join(unknown_tables)}] is not an input of the "
                            f"contract; the tables are named after the files: {', '.join(INPUT_SPECS)}")
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise PipelineError(f"mapping.toml: [{name}] must be a table of settings for {name}.csv")
        unknown = set(table) - MAPPING_KEYS
        if unknown:
            # not fatal: a key meant for a newer version must not stop the nightly run
            log.warning("mapping.toml: [%s] ignores unknown key(s) %s; known keys: %s",
                        name, sorted(unknown), sorted(MAPPING_KEYS))
        skip = table.get("skip_rows", 0)
        if not isinstance(skip, int) or skip < 0:
            raise PipelineError(f"mapping.toml: [{name}] skip_rows must be a whole number >= 0")
        delimiter = table.get("delimiter", ",")
        if delimiter == "\\t":
            delimiter = "\t"
        if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
            raise PipelineError(f"mapping.toml: [{name}] delimiter must be one character")
        values = table.get("values", {})
        if not all(isinstance(v, dict) for v in values.values()):
            raise PipelineError(f"mapping.toml: [{name}.values.<column>] must be tables")
        mappings[name] = FileMapping(
            source=table.get("source"),
            encoding=table.get("encoding"),
            delimiter=delimiter,
            skip_rows=skip,
            date_format=table.get("date_format"),
            rename={str(k): str(v) for k, v in table.get("rename", {}).items()},
            values={str(c): {str(k): v for k, v in m.items()} for c, m in values.items()},
            personal_data=tuple(str(h) for h in table.get("personal_data", [])),
        )
    return mappings


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


def find_files(dataset_dir: Path, sources: list[str], mappings: dict[str, FileMapping]) -> list[DatasetFile]:
    """Every file of each source in the dataset folder, oldest export first."""
    if not dataset_dir.is_dir():
        raise PipelineError(f"dataset folder {dataset_dir} does not exist")
    names = sorted(p.name for p in dataset_dir.iterdir() if p.is_file())
    found: list[DatasetFile] = []
    for source in sources:
        pattern = _canonical_pattern(source)
        glob = mappings.get(source, FileMapping()).source
        matched = [
            # file names are matched in any case, as Windows (where exports come from) does
            n for n in names
            if pattern.match(n) or (glob and fnmatch.fnmatchcase(n.casefold(), glob.casefold()))
        ]
        files = [DatasetFile(source, _inside(dataset_dir, n), export_date_from_name(n))
                 for n in matched]
        undated = [f.path.name for f in files if f.export_date is None]
        if len(undated) > 1:
            raise PipelineError(
                f"{source}: {len(undated)} undated files {undated}; only one undated export of a "
                "source is allowed (date the others as <name>_YYYY-MM-DD.csv)"
            )
        files.sort(key=lambda f: (f.export_date or date.min, f.path.name))
        found.extend(files)
    return found
