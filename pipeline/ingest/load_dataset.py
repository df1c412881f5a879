"""Load every new export of a dataset into raw, then staging or quarantine.

A file whose sha256 is already in audit.loads is skipped, so a refresh with no new
files changes nothing. When mapping.toml, landlord.toml or the pipeline's own input
rules change, what was staged under the old rules is stale: the warehouse's input
layers are then rebuilt from the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline import __version__
from pipeline.dataset import find_files, read_mappings
from pipeline.errors import PipelineError
from pipeline.ingest.encodings import FileShape, file_shape
from pipeline.ingest.read_csv import ensure_raw_table, load_raw, survey_characteristics
from pipeline.sqltext import ident
from pipeline.stage_inputs import (
    build_current,
    drop_relation,
    ensure_staging_table,
    stage_load,
    validate_staged,
)
from schemas.inputs import INPUT_SPECS


@dataclass
class LoadSummary:
    files_seen: int = 0
    files_loaded: int = 0
    rows_read: int = 0
    rows_staged: int = 0
    rows_quarantined: int = 0


def config_fingerprint(dataset_dir: Path) -> str:
    digest = hashlib.sha256(__version__.encode())
    for name in ("mapping.toml", "landlord.toml"):
        path = dataset_dir / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    for spec in INPUT_SPECS.values():
        digest.update(repr(spec).encode())
    # survey characteristics decide which survey columns are personal data (read_csv)
    digest.update(repr(sorted(survey_characteristics(dataset_dir))).encode())
    return digest.hexdigest()


def _last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select config_fingerprint from audit.runs where status = 'ok' order by run_id desc limit 1"
    ).fetchone()
    return row[0] if row else None


def reset_input_layers(con: duckdb.DuckDBPyConnection) -> None:
    for spec in INPUT_SPECS.values():
        con.execute(f"drop table if exists raw.{ident(spec.name)}")
        drop_relation(con, "staging", spec.name)
        con.execute(f"drop table if exists staging.{ident(spec.name + '_rows')}")
        con.execute(f"drop table if exists staging.{ident(spec.name + '_superseded')}")
    con.execute("delete from quarantine.rows; delete from audit.loads")


def _size_and_mtime(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def known_file_hashes(con: duckdb.DuckDBPyConnection) -> dict[tuple, str]:
    """(source, file name, size, mtime) -> sha256 of files already loaded."""
    return {(r[0], r[1], r[2], r[3]): r[4] for r in con.execute(
        "select source, source_file, file_size, file_mtime_ns, source_sha256 from audit.loads "
        "where file_size is not null").fetchall()}


def file_sha256(dfile, known: dict[tuple, str]) -> str:
    return file_identity(dfile, known)[0]


def file_identity(dfile, known: dict[tuple, str]) -> tuple[str, FileShape | None]:
    """(sha256, the file's shape if it had to be read). A file with the same name, size and
    modification time as one already loaded is taken to be that file (as make and rsync do),
    so a night does not re-read every old export; anything else is hashed, and the same
    read gives the shape ingest needs."""
    size, mtime = _size_and_mtime(dfile.path)
    sha = known.get((dfile.source, dfile.path.name, size, mtime))
    if sha:
        return sha, None
    shape = file_shape(dfile.path)
    return shape.sha256, shape


def load_dataset(con: duckdb.DuckDBPyConnection, dataset_dir: Path, run_id: int) -> LoadSummary:
    mappings = read_mappings(dataset_dir)
    fingerprint = config_fingerprint(dataset_dir)
    previous = _last_fingerprint(con)
    if previous is not None and previous != fingerprint:
        reset_input_layers(con)
    con.execute("update audit.runs set config_fingerprint = ? where run_id = ?", [fingerprint, run_id])

    files = find_files(dataset_dir, list(INPUT_SPECS), mappings)
    if not any(f.source == "homes" for f in files):
        raise PipelineError(f"{dataset_dir}: homes.csv (the stock register) is required and missing")
    summary = LoadSummary(files_seen=len(files))
    known_files = known_file_hashes(con)
    changed: dict[str, list[int]] = {}  # source -> the loads this run added
    loaded = {
        (s, h) for s, h in con.execute("select source, source_sha256 from audit.loads").fetchall()
    }
    next_id = con.execute("select coalesce(max(load_id), 0) + 1 from audit.loads").fetchone()[0]
    for dfile in files:
        sha, shape = file_identity(dfile, known_files)
        if (dfile.source, sha) in loaded:
            continue
        # each file has its own mapping block (the first whose source matches its name)
        spec, mapping = INPUT_SPECS[dfile.source], dfile.mapping
        con.execute("begin transaction")
        try:
            raw = load_raw(con, dfile, spec, mapping, next_id, sha, shape)
            staged, quarantined = stage_load(con, spec, mapping, next_id)
            validate_staged(con, spec, next_id)
            rows_read = raw.rows_raw + raw.rows_rejected
            con.execute(
                "insert into audit.loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [next_id, run_id, spec.name, dfile.path.name, sha, dfile.export_date, raw.encoding,
                 raw.headers, datetime.now(), rows_read, raw.rows_raw, raw.rows_rejected, staged,
                 quarantined, *_size_and_mtime(dfile.path)],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        loaded.add((dfile.source, sha))
        summary.files_loaded += 1
        changed.setdefault(dfile.source, []).append(next_id)
        summary.rows_read += rows_read
        summary.rows_staged += staged
        summary.rows_quarantined += quarantined
        next_id += 1
    for spec in INPUT_SPECS.values():
        ensure_raw_table(con, spec)
        ensure_staging_table(con, spec)
        # the current record per key changes only where a file of that source arrived
        if spec.name in changed or not _table_exists(con, "staging", spec.name):
            build_current(con, spec, new_loads=changed.get(spec.name))
    return summary


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute("select count(*) from information_schema.tables where table_schema = ? "
                       "and table_name = ?", [schema, table]).fetchone()[0] > 0
