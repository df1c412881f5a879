"""Render the complaints report: papermill runs notebooks/report/complaints.ipynb for one year,
nbconvert turns the executed notebook into one self-contained report.html (no code shown,
figures embedded as base64 PNG), and the figures are kept as PNG and SVG beside it.

Everything is produced in a temporary folder and moved into place only on success, so a
failed render never leaves a report.html (or half a figures folder) behind.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

import pipeline
from pipeline.errors import PipelineError

REPO_ROOT = Path(pipeline.__file__).resolve().parents[1]
NOTEBOOK = REPO_ROOT / "notebooks" / "report" / "complaints.ipynb"
KERNEL_NAME = "python3"
CELL_TIMEOUT_SECONDS = 600
REPORT_CSS = """
<style>
  body { max-width: 1100px; margin: 0 auto; }
  .jp-RenderedHTMLCommon table.report-table {
    border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; table-layout: auto; }
  .jp-RenderedHTMLCommon table.report-table th,
  .jp-RenderedHTMLCommon table.report-table td {
    border-bottom: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top;
    white-space: nowrap; }
  .jp-RenderedHTMLCommon table.report-table td.wrap { white-space: normal; min-width: 12em; }
  .jp-RenderedHTMLCommon table.report-table th.num,
  .jp-RenderedHTMLCommon table.report-table td.num { text-align: right; white-space: nowrap; }
  .jp-RenderedHTMLCommon table.report-table thead th { border-bottom: 2px solid #333; }
  figure.report-figure { margin: 0.5em 0 1.5em; }
</style>
"""


class ThisInterpreterKernelManager(AsyncKernelManager):
    """Runs the 'python3' kernel on this interpreter (sys.executable), whatever 'python3'
    kernelspec the Jupyter paths hold, so the notebook imports the same pipeline package
    and dependencies as the process that renders it."""

    @property
    def kernel_spec(self) -> KernelSpec | None:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                # log_level ERROR: no warning about the local loopback TCP connection on
                # every run; errors in the notebook still arrive as cell errors
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                      "--IPKernelApp.log_level=ERROR"],
                display_name="Python 3 (ipykernel)",
                language="python",
                metadata={"debugger": True},
            )
        return self._kernel_spec


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def execute_notebook(notebook: Path, output: Path, parameters: dict) -> nbformat.NotebookNode:
    """Run the notebook with papermill; a failing cell raises PipelineError (one line)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            kernel_manager_class=ThisInterpreterKernelManager,
            cwd=str(REPO_ROOT),
            progress_bar=False,
            log_output=False,
            execution_timeout=CELL_TIMEOUT_SECONDS,
        )
    except PapermillExecutionError as exc:
        message = f"{exc.ename}: {exc.evalue}" if exc.evalue else exc.ename
        raise PipelineError(
            f"report notebook {notebook.name} failed in cell {exc.exec_count}: "
            f"{_one_line(message)}"
        ) from None


def to_html(executed: nbformat.NotebookNode, title: str) -> str:
    """The executed notebook as one HTML page: outputs only, images inline."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(executed, resources={"metadata": {"name": title}})
    return body.replace("</head>", REPORT_CSS + "</head>", 1)


def render_report(warehouse_path: Path, end_year: int, year_dir: Path,
                  landlord_name: str) -> Path:
    """Write year_dir/report.html and year_dir/figures/*.png|svg; return the report's path."""
    warehouse_path = Path(warehouse_path).resolve()
    year_dir = Path(year_dir).resolve()
    if not warehouse_path.exists():
        raise PipelineError(f"no warehouse at {warehouse_path}: run `python -m pipeline refresh`")
    if not NOTEBOOK.exists():
        raise PipelineError(f"report notebook missing: {NOTEBOOK}")
    year_dir.mkdir(parents=True, exist_ok=True)
    report = year_dir / "report.html"
    figures = year_dir / "figures"
    work = Path(tempfile.mkdtemp(prefix=".render-", dir=year_dir))
    try:
        parameters = {
            "warehouse": str(warehouse_path),
            "year": int(end_year),
            "figures_dir": str(work / "figures"),
            "landlord_name": landlord_name or "",
        }
        executed = execute_notebook(NOTEBOOK, work / NOTEBOOK.name, parameters)
        name = f"{landlord_name}: " if landlord_name else ""
        page = to_html(executed, f"{name}Complaints performance report")
        (work / "report.html").write_text(page, encoding="utf-8")
        # success: move the figures, then the report, into place
        if figures.exists():
            shutil.rmtree(figures)
        if (work / "figures").exists():
            (work / "figures").rename(figures)
        os.replace(work / "report.html", report)
    except BaseException:
        report.unlink(missing_ok=True)  # a failed render never leaves a report looking current
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report
