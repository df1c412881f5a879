"""Which SQL models a refresh rebuilds, and how (issue 9: the cost of a night grows with
what arrived that night, not with all history).

A model's fingerprint is a hash of its SQL, of the run's configuration and of the version of
every relation its SQL names (found by pattern: `staging.repairs`, `params.calendar`, ...):

- a staging source, the audit and the quarantine tables: the loads behind them (load ids
  only grow, and a load never changes once it is in);
- a params table, or a model of at most SMALL_ROWS rows: its content (a hash of every row);
- a bigger model: its own fingerprint.

A model whose fingerprint is the one it was last built with is kept as it is. A model whose
SQL says `-- incremental: by <key> from staging.<source>` (a key's rows depend only on
that source's rows of the same key) is, when only that source
changed and only by new loads, rebuilt for the keys those loads carry: their rows are deleted
and computed again from the same SQL over just those keys. Anything else is rebuilt whole.
The state lives in audit.model_state, in the same warehouse file, so it is swapped in with
the tables it describes (pipeline.run_guard) or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.errors import PipelineError
from pipeline.sqltext import ident
from pipeline.warehouse import REPO_ROOT

REFERENCE = re.compile(r"\b(staging|intermediate|params|marts|report|audit|quarantine)\.([a-z0-9_]+)\b")
INCREMENTAL = re.compile(
    r"^-- incremental: by ([a-z0-9_]+) from staging\.([a-z0-9_]+)\s*$", re.MULTILINE)
SMALL_ROWS = 200_000
STAGING_SUFFIXES = ("_rows", "_superseded")

STATE_DDL = """create table if not exists audit.model_state (
    model VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    inputs VARCHAR NOT NULL,
    how VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL
)"""


@dataclass(frozen=True)
class Built:
    model: str
    how: str  # 'kept', 'incremental (N keys)', 'rebuilt'


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def inputs_of(body: str, model: str) -> list[str]:
    return sorted({f"{s}.{n}" for s, n in REFERENCE.findall(body)} - {model})


class ModelState:
    """The versions of the relations a run has seen, and the state of the last build."""

    def __init__(self, con: duckdb.DuckDBPyConnection, config: str) -> None:
        self.con = con
        self.config = config
        self.versions: dict[str, str] = {}
        con.execute(STATE_DDL)
        self.previous = {
            model: (fingerprint, version, json.loads(inputs))
            for model, fingerprint, version, inputs in con.execute(
                "select model, fingerprint, version, inputs from audit.model_state").fetchall()
        }
        self._loads: dict[str, list[int]] | None = None

    # ------------------------------------------------------------------ versions

    def loads(self) -> dict[str, list[int]]:
        if self._loads is None:
            self._loads = {}
            for source, load_id in self.con.execute(
                    "select source, load_id from audit.loads order by load_id").fetchall():
                self._loads.setdefault(source, []).append(load_id)
        return self._loads

    def version(self, relation: str) -> str:
        if relation in self.versions:
            return self.versions[relation]
        schema, name = relation.split(".", 1)
        if schema == "staging":
            source = name
            for suffix in STAGING_SUFFIXES:
                source = source.removesuffix(suffix)
            version = "loads " + ",".join(map(str, self.loads().get(source, [])))
        elif schema in ("audit", "quarantine"):
            version = "loads " + ",".join(str(i) for ids in self.loads().values() for i in ids)
        else:
            version = self.content(schema, name) or "missing"
        self.versions[relation] = version
        return version

    def content(self, schema: str, name: str) -> str | None:
        if not self.exists(schema, name):
            return None
        rows, total = self.con.execute(
            f"select count(*), coalesce(sum(hash(t)), 0) from {ident(schema)}.{ident(name)} t"
        ).fetchone()
        return f"rows {rows} hash {total}"

    def exists(self, schema: str, name: str) -> bool:
        return self.con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?", [schema, name]).fetchone()[0] > 0

    # ------------------------------------------------------------------ building

    def fingerprint(self, body: str, inputs: dict[str, str]) -> str:
        return _digest(self.config, body, json.dumps(inputs, sort_keys=True))

    def build(self, path: Path) -> Built:
        """Create <folder>.<file stem> from one SQL file holding a single select, or keep it,
        or bring it up to date for the keys new loads carry."""
        schema, table = path.parent.name, path.stem
        model = f"{schema}.{table}"
        body = path.read_text(encoding="utf-8")
        inputs = {relation: self.version(relation) for relation in inputs_of(body, model)}
        fingerprint = self.fingerprint(body, inputs)
        previous = self.previous.get(model)
        exists = self.exists(schema, table)
        try:
            if previous and previous[0] == fingerprint and exists:
                self.versions[model] = previous[1]
                self.con.execute("update audit.model_state set how = 'kept' where model = ?", [model])
                return Built(model, "kept")
            new_loads = self._incremental_loads(body, inputs, previous) if exists else None
            if new_loads:
                how = f"incremental: {self._rebuild_keys(schema, table, body, new_loads)} key(s)"
            else:
                self.con.execute(f"create or replace table {ident(schema)}.{ident(table)} as\n{body}")
                how = "rebuilt"
        except duckdb.Error as exc:
            raise PipelineError(f"{path.relative_to(REPO_ROOT)}: {exc}") from None
        rows = self.con.execute(f"select count(*) from {ident(schema)}.{ident(table)}").fetchone()[0]
        version = self.content(schema, table) if rows <= SMALL_ROWS else f"built {fingerprint}"
        self.versions[model] = version
        self.record(model, fingerprint, version, inputs, how)
        return Built(model, how)

    def record(self, model: str, fingerprint: str, version: str, inputs: dict, how: str) -> None:
        self.con.execute("delete from audit.model_state where model = ?", [model])
        self.con.execute("insert into audit.model_state values (?, ?, ?, ?, ?, ?)",
                         [model, fingerprint, version, json.dumps(inputs, sort_keys=True), how,
                          datetime.now()])

    def _incremental_loads(self, body: str, inputs: dict[str, str],
                           previous: tuple | None) -> list[int] | None:
        """The new loads of the model's keyed source, when they are all that changed."""
        declared = INCREMENTAL.search(body)
        if not declared or previous is None:
            return None
        source = f"staging.{declared.group(2)}"
        before = previous[2]
        if set(before) != set(inputs) or source not in inputs:
            return None
        if previous[0] != self.fingerprint(body, {**inputs, source: before[source]}):
            return None  # the SQL, the configuration or another input changed too
        old = before[source].removeprefix("loads ").split(",")
        new = inputs[source].removeprefix("loads ").split(",")
        if not before[source].startswith("loads ") or new[:len(old)] != old or len(new) == len(old):
            return None
        return [int(i) for i in new[len(old):] if i]

    def _rebuild_keys(self, schema: str, table: str, body: str, new_loads: list[int]) -> int:
        key, source = INCREMENTAL.search(body).groups()
        target = f"{ident(schema)}.{ident(table)}"
        loads = ", ".join(str(int(i)) for i in new_loads)
        self.con.execute(
            f"""create or replace temp table _touched_keys as
            select distinct {ident(key)} from staging.{ident(source + '_rows')}
            where load_id in ({loads})""")
        self.con.execute(f"delete from {target} where {ident(key)} in "
                         f"(select {ident(key)} from _touched_keys)")
        # the same SQL over only the touched keys of its source
        only_touched = (f"(select * from staging.{ident(source)} where {ident(key)} in "
                        f"(select {ident(key)} from _touched_keys))")
        keyed_body = re.sub(rf"\bstaging\.{re.escape(source)}\b", only_touched, body)
        self.con.execute(f"insert into {target} select * from (\n{keyed_body}\n)")
        touched = self.con.execute("select count(*) from _touched_keys").fetchone()[0]
        self.con.execute("drop table _touched_keys")
        return touched
