"""render_report on a tiny warehouse: papermill runs the notebook, nbconvert writes one
self-contained report.html without code, and the figures are kept as PNG and SVG."""

from __future__ import annotations

import re

import pytest

from pipeline.errors import PipelineError
from pipeline.report.render import render_report
from tests.unit.test_report_data import build_tiny_warehouse

pytestmark = pytest.mark.slow

FIGURES = ("complaints_per_month", "timescale_performance", "categories", "outcomes")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_tiny_warehouse(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def rendered(warehouse, tmp_path_factory):
    year_dir = tmp_path_factory.mktemp("out") / "2023-24"
    path = render_report(warehouse, 2024, year_dir, "Tiny Homes")
    return year_dir, path


def test_report_written(rendered):
    year_dir, path = rendered
    assert path == year_dir / "report.html"
    assert path.exists()
    assert [p.name for p in year_dir.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_report_content(rendered):
    html = rendered[1].read_text(encoding="utf-8")
    assert "Tiny Homes: Complaints performance 2023/24" in html
    assert "CH01" in html and "CH02" in html
    assert "1000.0" in html  # CH01 stage 1 LCRA
    assert "<img" in html and "data:image/png;base64" in html
    assert 'alt="Bar chart of complaints received per month' in html


def test_report_has_no_code(rendered):
    html = rendered[1].read_text(encoding="utf-8")
    # markdown cells render inside jp-InputArea too; no *code* cell may have an input area
    cells = re.split(r'(?=<div class="jp-Cell )', html)
    code_cells = [c for c in cells if c.startswith('<div class="jp-Cell jp-CodeCell')]
    assert code_cells
    for cell in code_cells:
        assert '<div class="jp-InputArea' not in cell
    assert '<div class="jp-InputPrompt' not in html
    assert "report_data.load(" not in html
    assert "from pipeline.report import" not in html


def test_report_is_self_contained(rendered):
    html = rendered[1].read_text(encoding="utf-8")
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)


def test_figures_written(rendered):
    figures = rendered[0] / "figures"
    for name in FIGURES:
        assert (figures / f"{name}.png").stat().st_size > 1000
        assert (figures / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert sorted(p.name for p in figures.glob("*.png")) == sorted(f"{n}.png" for n in FIGURES)


def test_failing_notebook_raises_one_line_and_leaves_no_report(warehouse, tmp_path):
    year_dir = tmp_path / "2029-30"
    year_dir.mkdir()
    (year_dir / "report.html").write_text("stale", encoding="utf-8")
    with pytest.raises(PipelineError) as info:
        render_report(warehouse, 2030, year_dir, "")
    message = str(info.value)
    assert "\n" not in message
    assert "PipelineError" in message and "2030" in message
    assert not (year_dir / "report.html").exists()
    assert not (year_dir / "figures").exists()
    assert list(year_dir.iterdir()) == []
