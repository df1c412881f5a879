"""The report notebooks are committed clean (a parameters cell, no outputs, no SQL or file
reads of their own), are the ones render.py runs, and each runs ad hoc: from a folder holding
outputs/warehouse.duckdb, with no parameters, for the latest complete year."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

import pipeline
from pipeline.report import render

NOTEBOOK_DIR = Path(pipeline.__file__).resolve().parents[1] / "notebooks" / "report"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# the notebooks display what package functions return; reading files or the warehouse
# themselves would put logic (and untested SQL) in the notebook
FORBIDDEN = ("duckdb.connect", "read_csv", "select ", "open(", "pd.read", ".execute(",
             "read_parquet", "read_excel", "import duckdb", "sqlite")


def test_there_are_report_notebooks():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


def test_render_runs_every_notebook_in_order():
    assert [p.name for p in NOTEBOOKS] == list(render.NOTEBOOKS)


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
    assert namespace["dataset_dir"] is None
    assert namespace["tables_dir"] is None
    assert namespace["small_number_threshold"] is None


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


def test_no_heading_above_level_2(notebook):
    """render.py gives the report its one h1; each notebook starts at h2."""
    for cell in notebook.cells:
        lines = cell.source.splitlines()
        assert not any(line.startswith("# ") for line in lines if cell.cell_type == "markdown")
        assert "Markdown(\"# " not in cell.source and "Markdown(f\"# " not in cell.source


@pytest.fixture(scope="module")
def ad_hoc_folder(tmp_path_factory):
    """A folder laid out like the repository root: outputs/warehouse.duckdb (the tiny one)."""
    from tests.end_to_end.tiny_report_dataset import build

    config = build(tmp_path_factory.mktemp("tiny"), with_outputs=False)
    root = tmp_path_factory.mktemp("root")
    (root / "outputs").mkdir()
    shutil.copy(config.warehouse_path, root / "outputs" / "warehouse.duckdb")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_notebook_runs_ad_hoc_with_no_parameters(ad_hoc_folder, name, tmp_path):
    executed = render.execute_notebook(NOTEBOOK_DIR / name, tmp_path / name, {}, cwd=ad_hoc_folder)
    shown = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "text/html" in o.get("data", {}) or "text/markdown" in o.get("data", {})]
    assert shown, f"{name} displayed nothing"
    errors = [o for c in executed.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    if name.startswith("01"):
        # the latest complete year: complaints run to October 2023, so 2022/23
        text = "".join(str(o["data"]) for o in shown)
        assert "Reporting year 1 April 2022 to 31 March 2023" in text
