"""The DuckDB warehouse: one schema per layer (outputs.md) and the audit tables."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.errors import PipelineError
from pipeline.sqltext import literal

REPO_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = REPO_ROOT / "sql"
MEMORY_LIMIT = "3GB"  # the large-landlord target is under 4 GiB for the whole process
LAYERS = ("raw", "staging", "quarantine", "audit", "params", "intermediate", "marts", "report")

AUDIT_DDL = """
create table if not exists quarantine.rows (
    load_id INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    source_row BIGINT,
    column_name VARCHAR,
    value VARCHAR,
    rule VARCHAR NOT NULL,
    message VARCHAR NOT NULL
);
create table if not exists audit.loads (
    load_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    export_date DATE,
    encoding VARCHAR,
    headers VARCHAR[],
    loaded_at TIMESTAMP NOT NULL,
    rows_read BIGINT,
    rows_raw BIGINT,
    rows_rejected BIGINT,
    rows_staged BIGINT,
    rows_quarantined BIGINT,
    file_size BIGINT,
    file_mtime_ns BIGINT
);
create table if not exists audit.runs (
    run_id INTEGER PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    config_fingerprint VARCHAR,
    files_loaded INTEGER,
    status VARCHAR
);
alter table audit.runs add column if not exists build_fingerprint VARCHAR;
"""


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if read_only and not path.exists():
        raise PipelineError(f"warehouse {path} does not exist: run `make refresh` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise PipelineError(f"cannot open warehouse {path}: {exc}") from None
    if not read_only:
        # a big load spills to disk beside the warehouse rather than growing without bound
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        if str(path) != ":memory:":
            con.execute(f"set temp_directory = {literal(str(path.parent / '.duckdb_tmp'))}")
        con.execute("set preserve_insertion_order = true")
        for layer in LAYERS:
            con.execute(f"create schema if not exists {layer}")
        con.execute(AUDIT_DDL)
    return con


def query_df(con: duckdb.DuckDBPyConnection, sql: str, params=None):
    return con.execute(sql, params or []).df()
