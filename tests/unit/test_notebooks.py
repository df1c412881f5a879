"""The report notebooks are committed clean: a parameters cell, no outputs, no SQL."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import pipeline

NOTEBOOK_DIR = Path(pipeline.__file__).resolve().parents[1] / "notebooks" / "report"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
FORBIDDEN = ("duckdb.connect", "read_csv", "select ")


def test_there_are_report_notebooks():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_is_valid_nbformat_4(notebook):
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert notebook.metadata.kernelspec.name == "python3"


def test_has_a_parameters_cell_first(notebook):
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells[0] is tagged[0]


def test_parameters_have_ad_hoc_defaults(notebook):
    source = next(c.source for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    namespace: dict = {}
    exec(source, namespace)  # plain assignments only
    assert namespace["warehouse"] == "outputs/warehouse.duckdb"
    assert namespace["year"] is None
    assert namespace["figures_dir"] is None
    assert namespace["landlord_name"] == ""


def test_committed_without_outputs_or_execution_counts(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {cell.get('id')} has outputs"
            assert cell.execution_count is None, f"cell {cell.get('id')} has an execution count"


def test_no_sql_or_file_reading_in_cells(notebook):
    for cell in notebook.cells:
        text = cell.source.lower()
        for word in FORBIDDEN:
            assert word not in text, f"cell {cell.get('id')} contains {word!r}"
