"""Which SQL models a refresh rebuilds, and how (issue 9: the cost of a night grows with
what arrived that night, not with all history; D41).

A model's fingerprint is a hash of its SQL, of the run's configuration and code
(code_fingerprint) and of the version of every relation its SQL names (found by pattern:
`staging.repairs`, `params.calendar`, ...):

- a staging source, audit.loads and quarantine.rows: the loads behind them (load ids only
  grow, and a load never changes once it is in);
- any other table of at most TINY_ROWS rows: its column names and types and its rows; of
  at most SMALL_ROWS rows: its columns and a sum of row hashes;
- a bigger model: its own fingerprint.

A model whose fingerprint is the one it was last built with is kept as it is. A model whose
SQL says `-- incremental: by <key> from <relation>[, <relation>...]` (a key's rows depend
only on those relations' rows of the same key, every other input being unchanged) is, when
only those relations changed and each can say which keys (a staging source: the keys of its
new loads; a tiny table: the keys of the rows that differ; a model built by key earlier in
the run: its keys), recomputed for those keys: their rows are deleted and computed again by
the same SQL with each declared relation narrowed to those keys. Anything else is rebuilt
whole. The state lives in audit.model_state, in the same warehouse file, so it is swapped in
with the tables it describes (pipeline.run_guard) or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.errors import PipelineError
from pipeline.sqltext import ident, literal
from pipeline.warehouse import REPO_ROOT

REFERENCE = re.compile(
    r"\b(raw|staging|intermediate|params|marts|report|audit|quarantine)\.([a-z0-9_]+)\b")
BY_LOADS = ("audit.loads", "quarantine.rows")  # written only by loads, never changed after
INCREMENTAL = re.compile(
    r"^-- incremental: by ([a-z0-9_]+) from ([a-z0-9_.]+(?:, *[a-z0-9_.]+)*)\s*$", re.MULTILINE)
TINY_ROWS = 500  # a table this small is versioned by its rows themselves
SMALL_ROWS = 200_000  # ... this small, by a hash of its rows; a bigger model by its fingerprint
TINY_PREFIX = "table "
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
    how: str  # 'kept', 'incremental: N key(s)', 'rebuilt'


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _ids(version: str) -> list[int]:
    return [int(i) for i in version.removeprefix("loads ").split(",") if i]


def code_fingerprint() -> str:
    """The pipeline's Python and the libraries that compute: a model built by other code is
    rebuilt (the SQL is in each model's own fingerprint)."""
    import pandas

    parts = [duckdb.__version__, pandas.__version__]
    for folder in (REPO_ROOT / "pipeline", REPO_ROOT / "schemas"):
        for path in sorted(folder.rglob("*.py")):
            parts.append(f"{path.relative_to(REPO_ROOT)}\0{path.read_text(encoding='utf-8')}")
    return _digest(*parts)


def build_fingerprint(dataset_dir: Path) -> str:
    """What the models are built from besides the loaded files and the load rules: the code,
    the SQL, the reference tables and survey.toml. A refresh with no new file still
    rebuilds when this changed (an upgrade, or a survey.toml edit, takes effect at once)."""
    parts = [code_fingerprint()]
    for folder in (REPO_ROOT / "sql", REPO_ROOT / "pipeline" / "reference"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts.append(f"{path.relative_to(REPO_ROOT)}\0{path.read_bytes().hex()}")
    survey = dataset_dir / "survey.toml"
    parts.append(survey.read_bytes().hex() if survey.exists() else "")
    return _digest(*parts)


def inputs_of(body: str, model: str) -> list[str]:
    return sorted({f"{s}.{n}" for s, n in REFERENCE.findall(body)} - {model})


class ModelState:
    """The versions of the relations a run has seen, and the state of the last build."""

    def __init__(self, con: duckdb.DuckDBPyConnection, config: str) -> None:
        self.con = con
        self.config = config
        self.versions: dict[str, str] = {}
        self.changes: dict[str, tuple[str, str]] = {}  # model -> (key, temp table of the keys)
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
        elif relation in BY_LOADS:
            version = "loads " + ",".join(str(i) for ids in self.loads().values() for i in ids)
        else:
            version = self.content(schema, name) or "missing"
        self.versions[relation] = version
        return version

    def content(self, schema: str, name: str) -> str | None:
        """The table's column names and types and its rows: the rows themselves for a tiny
        table, else their count and a sum of row hashes (DuckDB's hash of a row ignores
        column names and integer widths, hence the columns)."""
        if not self.exists(schema, name):
            return None
        columns = self.con.execute(
            "select list(column_name || ' ' || data_type order by ordinal_position) "
            "from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, name]).fetchone()[0]
        relation = f"{ident(schema)}.{ident(name)}"
        rows, total = self.con.execute(
            f"select count(*), coalesce(sum(hash(t)), 0) from {relation} t").fetchone()
        if rows <= TINY_ROWS:
            listed = self.con.execute(
                f"select coalesce(list(to_json(t)::VARCHAR order by to_json(t)::VARCHAR), []) "
                f"from {relation} t").fetchone()[0]
            return TINY_PREFIX + json.dumps({"columns": columns, "rows": listed})
        return f"columns {json.dumps(columns)} rows {rows} hash {total}"

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
        try:
            if self.keep(model, fingerprint):
                return Built(model, "kept")
            keyed = self._touched_keys(body, inputs, previous) \
                if self.exists(schema, table) else None
            if keyed:
                how = f"incremental: {self._rebuild_keys(schema, table, body, *keyed)} key(s)"
            else:
                self.con.execute(f"create or replace table {ident(schema)}.{ident(table)} as\n{body}")
                how = "rebuilt"
        except duckdb.Error as exc:
            raise PipelineError(f"{path.relative_to(REPO_ROOT)}: {exc}") from None
        return self.built(model, fingerprint, inputs, how)

    def keep(self, model: str, fingerprint: str) -> bool:
        """True, and the model noted as kept, when it exists and was built with this
        fingerprint."""
        previous = self.previous.get(model)
        if not (previous and previous[0] == fingerprint and self.exists(*model.split(".", 1))):
            return False
        self.versions[model] = previous[1]
        self.con.execute("update audit.model_state set how = 'kept' where model = ?", [model])
        return True

    def built(self, model: str, fingerprint: str, inputs: dict, how: str) -> Built:
        """Record a model just built: its version for the models that read it, and its state."""
        schema, table = model.split(".", 1)
        rows = self.con.execute(f"select count(*) from {ident(schema)}.{ident(table)}").fetchone()[0]
        version = self.content(schema, table) if rows <= SMALL_ROWS else f"built {fingerprint}"
        self.versions[model] = version
        self.con.execute("delete from audit.model_state where model = ?", [model])
        self.con.execute("insert into audit.model_state values (?, ?, ?, ?, ?, ?)",
                         [model, fingerprint, version, json.dumps(inputs, sort_keys=True), how,
                          datetime.now()])
        return Built(model, how)

    def _touched_keys(self, body: str, inputs: dict[str, str], previous: tuple | None
                      ) -> tuple[str, list[str]] | None:
        """(key, declared sources) with _touched_keys filled, when every input that changed
        is one of the model's declared sources and can say which keys it changed."""
        declared = INCREMENTAL.search(body)
        if not declared or previous is None:
            return None
        key = declared.group(1)
        sources = [r.strip() for r in declared.group(2).split(",")]
        before = previous[2]
        if set(before) != set(inputs) or previous[0] != self.fingerprint(body, before):
            return None  # the SQL or the configuration changed, or the inputs did
        changed = [r for r in inputs if inputs[r] != before[r]]
        if not changed or any(r not in sources for r in changed):
            return None
        queries = []
        for relation in changed:
            query = self._changed_keys(relation, key, before[relation], inputs[relation])
            if query is None:
                return None
            queries.append(query)
        self.con.execute("create or replace temp table _touched_keys as "
                         + " union ".join(f"({q})" for q in queries))
        return key, sources

    def _changed_keys(self, relation: str, key: str, old: str, new: str) -> str | None:
        """A query for the keys a changed input changed, or None when it cannot say."""
        k = ident(key)
        if relation.startswith("staging.") and old.startswith("loads ") and new.startswith("loads "):
            before, after = _ids(old), _ids(new)
            added = after[len(before):]
            source = relation.split(".", 1)[1]
            if after[:len(before)] != before or not added or source.endswith(STAGING_SUFFIXES):
                return None
            return (f"select distinct {k} from staging.{ident(source + '_rows')} "
                    f"where load_id in ({', '.join(map(str, added))})")
        if old.startswith(TINY_PREFIX) and new.startswith(TINY_PREFIX):
            before, after = json.loads(old[len(TINY_PREFIX):]), json.loads(new[len(TINY_PREFIX):])
            if before["columns"] != after["columns"]:
                return None
            # rows in one and not the other, counting repeats
            rows = (Counter(before["rows"]) - Counter(after["rows"])) \
                + (Counter(after["rows"]) - Counter(before["rows"]))
            values = list({json.dumps(json.loads(r).get(key)): json.loads(r).get(key)
                           for r in rows}.values())
            if any(v is None for v in values):
                return None
            if not values:
                return f"select * from (select null as {k}) where false"
            items = ", ".join(literal(v) if isinstance(v, str) else json.dumps(v) for v in values)
            return f"select unnest([{items}]) as {k}"
        change = self.changes.get(relation)
        if change and change[0] == key and self.previous.get(relation, (None, None))[1] == old:
            return f"select {k} from {change[1]}"
        return None

    def _rebuild_keys(self, schema: str, table: str, body: str, key: str,
                      sources: list[str]) -> int:
        """Delete the touched keys' rows and compute them again from the same SQL, each
        declared source narrowed to those keys."""
        target = f"{ident(schema)}.{ident(table)}"
        k = ident(key)
        found = self.con.execute(
            "select data_type from information_schema.columns where table_schema = ? "
            "and table_name = ? and column_name = ?", [schema, table, key]).fetchone()
        if found is None:
            raise PipelineError(f"sql/{schema}/{table}.sql declares 'incremental: by {key}' "
                                f"but has no column {key}")
        column_type = found[0]
        kept = f"_changed_{schema}_{table}"
        self.con.execute(f"create or replace temp table {ident(kept)} as "
                         f"select distinct {k}::{column_type} as {k} from _touched_keys "
                         f"where {k} is not null")
        self.con.execute("drop table _touched_keys")
        self.con.execute(f"delete from {target} where {k} in (select {k} from {ident(kept)})")
        keyed_body = body
        for relation in sources:
            only_touched = f"(select * from {relation} where {k} in (select {k} from {ident(kept)}))"
            keyed_body = re.sub(rf"\b{re.escape(relation)}\b", only_touched, keyed_body)
        self.con.execute(f"insert into {target} select * from (\n{keyed_body}\n)")
        # what this model changed, for a model declared incremental on it
        self.changes[f"{schema}.{table}"] = (key, ident(kept))
        return self.con.execute(f"select count(*) from {ident(kept)}").fetchone()[0]
