"""Shared fixtures: a tiny dataset written into tmp_path and a warehouse built from it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.run import refresh
from pipeline.settings import RunConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO_ROOT / "data" / "sample"

HOMES_CSV = "home_ref,tenure\nH1,LCRA\nH2,LCRA\nH3,LCHO\n"


def write_dataset(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"homes.csv": HOMES_CSV, **files}
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return folder


@pytest.fixture
def build(tmp_path):
    """build({file: content}, year=2024) -> read-only connection to the refreshed warehouse."""
    connections = []

    def _build(files: dict[str, str | bytes], year: int | None = 2024, name: str = "ds"):
        dataset = write_dataset(tmp_path / name, files)
        config = RunConfig.create(dataset, tmp_path / f"{name}-out", year=year, render=False)
        refresh(config)
        con = duckdb.connect(str(config.warehouse_path), read_only=True)
        connections.append(con)
        return con

    yield _build
    for con in connections:
        con.close()
