"""The compact CSVs extracted once from the regulator's workbooks, shipped in
data/reference/rsh/ (see its README.md): per year `tsm_values_<yyyy-yy>.csv`,
`landlords_<yyyy-yy>.csv` and `exclusions_<yyyy-yy>.csv`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.benchmarks.rsh_reader import (
    EXCLUSION_COLUMNS,
    LANDLORD_COLUMNS,
    VALUE_COLUMNS,
    RshLayoutError,
    read_rsh_workbook,
)

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference" / "rsh"
KINDS = {"values": "tsm_values", "landlords": "landlords", "exclusions": "exclusions"}
FLOAT_FORMAT = "%.10g"  # 10 significant digits: exact for counts, far below 0.0005 for values
TEXT_COLUMNS = ["year", "landlord_code", "code", "measure_code", "measure_part", "tenure",
                "basis", "name", "type", "size_band", "region", "survey_method_lcra",
                "survey_method_lcho", "survey_method_combined", "landlord_name", "scope",
                "sheet", "excluded_measures", "note"]


def file_year(year: str) -> str:
    """'2023/24' -> '2023-24' (file names have no slash)."""
    return year.replace("/", "-")


def write_extract(workbook: str | Path, out_dir: str | Path) -> list[Path]:
    """Read one workbook and write its three CSVs into out_dir; returns the paths written."""
    values, landlords, exclusions = read_rsh_workbook(workbook)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    year = file_year(values["year"].iloc[0] if len(values) else landlords["year"].iloc[0])
    written = []
    for kind, frame in (("values", values), ("landlords", landlords),
                        ("exclusions", exclusions)):
        path = out_dir / f"{KINDS[kind]}_{year}.csv"
        frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        written.append(path)
    return written


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """One shipped CSV with its text columns kept as text ('' not NaN) and its columns checked."""
    dtypes = {c: str for c in TEXT_COLUMNS if c in columns}
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={
        c: [""] for c in columns if c not in dtypes})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RshLayoutError(f"{path}: missing columns {missing}; regenerate it with "
                             "`python -m pipeline benchmarks extract`")
    return frame[columns]


def load_reference(folder: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                              pd.DataFrame]:
    """(values, landlords, exclusions) for every year shipped in folder (default
    data/reference/rsh/), in the shapes read_rsh_workbook returns."""
    return tuple(f.copy() for f in _load(str(Path(folder or REFERENCE_DIR).resolve())))


@lru_cache(maxsize=4)
def _load(folder: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cached load_reference (the report calls it once per measure table)."""
    base = Path(folder)
    frames = []
    for kind, columns in (("values", VALUE_COLUMNS), ("landlords", LANDLORD_COLUMNS),
                          ("exclusions", EXCLUSION_COLUMNS)):
        paths = sorted(base.glob(f"{KINDS[kind]}_*.csv"))
        if not paths:
            raise RshLayoutError(f"{base}: no {KINDS[kind]}_<year>.csv; extract them with "
                                 "`python -m pipeline benchmarks extract --rsh FILE`")
        frames.append(pd.concat([_read_csv(p, columns) for p in paths], ignore_index=True))
    values, landlords, exclusions = frames
    landlords = landlords.astype(object).where(landlords != "", None)  # blank attribute: None
    for column in ("supported_over_30pct", "weighted_lcra", "weighted_lcho"):
        landlords[column] = landlords[column].map(
            {"True": True, "False": False, True: True, False: False})
    landlords["merged_during_year"] = landlords["merged_during_year"].astype(str) == "True"
    return values, landlords, exclusions


def read_workbooks(paths: list[str | Path]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """read_rsh_workbook for several workbooks (one per year), concatenated."""
    parts = [read_rsh_workbook(p) for p in paths]
    return tuple(pd.concat([p[i] for p in parts], ignore_index=True) for i in range(3))
