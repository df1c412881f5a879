"""pandera models for the staging layer, built from the same Field specs as the SQL.

The row-level rules run inside DuckDB (pipeline.stage_inputs) so that ten million
rows never pass through pandas; this model is the contract the staged table must
then meet. It is checked in chunks: a failure here is a bug in the pipeline, not
bad input, and stops the run.
"""

from __future__ import annotations

import pandera.pandas as pa

from schemas.fields import Field, InputSpec

LINEAGE_COLUMNS = {
    "load_id": pa.Column(int, nullable=False, coerce=True),
    "source_file": pa.Column(str, nullable=False),
    "source_sha256": pa.Column(str, pa.Check.str_length(64, 64), nullable=False),
    "source_row": pa.Column(int, pa.Check.ge(1), nullable=False, coerce=True),
}

_DTYPES = {
    "ref": str,
    "text": str,
    "code": str,
    "tenure": str,
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
    "bool": "boolean",
    "money": float,
    "integer": "Int64",
    "decimal": float,
}


def _column(f: Field) -> pa.Column:
    checks = []
    if f.codes:
        checks.append(pa.Check.isin(list(f.codes)))
    if f.kind in ("ref", "text", "code", "tenure"):
        # blank means unknown: staged as null, never as an empty string
        checks.append(pa.Check.str_length(min_value=1))
    if f.positive:
        checks.append(pa.Check.gt(0))
    if f.kind == "tenure":
        checks.append(pa.Check(lambda s: ~s.str.upper().isin(["LCRA", "LCHO"]) | s.isin(["LCRA", "LCHO"]),
                               element_wise=False, name="tenure_upper_case"))
    return pa.Column(_DTYPES[f.kind], checks=checks, nullable=not f.required, coerce=True)


def staged_model(spec: InputSpec) -> pa.DataFrameSchema:
    columns = dict(LINEAGE_COLUMNS)
    columns.update({f.name: _column(f) for f in spec.fields})
    return pa.DataFrameSchema(columns, strict=False, name=f"{spec.name.title()}Staged")
