"""Render the annual report: papermill runs the report notebooks in notebooks/report/ in order
(01_tsm_publication, 02_complaints, 03_survey, 04_data_quality, 05_trends_and_benchmarks),
and their outputs are combined into one self-contained report.html: a title, a contents list
built from the headings (h1, h2, h3, in order), no code, figures embedded as base64 PNG with
alt text, tables as HTML tables, and a print stylesheet. Each figure is kept as PNG and SVG
in figures/ beside it.

Everything is produced in a temporary folder and moved into place only on success, so a
failed render (any notebook failing) never leaves a report.html (or half a figures folder).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

import pipeline
from pipeline.errors import PipelineError

REPO_ROOT = Path(pipeline.__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks" / "report"
NOTEBOOKS = ("01_tsm_publication.ipynb", "02_complaints.ipynb", "03_survey.ipynb",
             "04_data_quality.ipynb", "05_trends_and_benchmarks.ipynb")
KERNEL_NAME = "python3"
CELL_TIMEOUT_SECONDS = 600
# Okabe-Ito blue and vermillion for links and flags; text #1a1a1a on white (contrast > 15:1)
REPORT_CSS = """
  :root { color-scheme: light; }
  body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: #1a1a1a;
         background: #fff; max-width: 1100px; margin: 0 auto; padding: 1em 1.5em 3em;
         line-height: 1.45; }
  h1 { font-size: 1.9em; margin-bottom: 0.2em; }
  h2 { font-size: 1.5em; margin-top: 2em; border-bottom: 3px solid #0072B2; padding-bottom: 0.2em; }
  h3 { font-size: 1.2em; margin-top: 1.5em; }
  a { color: #005a8c; }
  a:focus, a:hover { outline: 2px solid #E69F00; }
  nav.contents { border: 1px solid #bbb; padding: 0.5em 1.5em 1em; margin: 1em 0 2em;
                 background: #f6f6f6; }
  nav.contents ol { margin: 0.2em 0; }
  nav.contents li.h3 { font-size: 0.95em; }
  table.report-table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
  table.report-table th, table.report-table td { border-bottom: 1px solid #bbb;
         padding: 4px 10px; text-align: left; vertical-align: top; }
  table.report-table thead th { border-bottom: 2px solid #333; }
  table.report-table td.wrap { min-width: 7em; }
  table.report-table th.num, table.report-table td.num { text-align: right; white-space: nowrap; }
  table.report-table td.na { color: #444; font-style: italic; }
  table.report-table td.flag { background: #fbe3d6; }
  table.report-table tbody tr:nth-child(even) { background: #f7f7f7; }
  .table-scroll { overflow-x: auto; }
  figure.report-figure { margin: 0.5em 0 1.5em; }
  figure.report-figure img { max-width: 100%; height: auto; }
  p.illustrative { border-left: 6px solid #D55E00; padding: 0.4em 0.8em; background: #fdf0e8; }
  code { font-size: 0.95em; }
  @media print {
    body { max-width: none; padding: 0; font-size: 10pt; }
    a { color: inherit; text-decoration: none; }
    nav.contents { background: none; page-break-after: always; }
    h2 { page-break-before: always; }
    h2, h3 { page-break-after: avoid; break-after: avoid; }
    figure.report-figure, table.report-table tr { page-break-inside: avoid; break-inside: avoid; }
    table.report-table thead { display: table-header-group; }
    table.report-table tbody tr:nth-child(even) { background: none; }
    table.report-table td.flag { background: none; border-left: 3px solid #000; }
    .table-scroll { overflow: visible; }
  }
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


def execute_notebook(notebook: Path, output: Path, parameters: dict,
                     cwd: Path = REPO_ROOT) -> nbformat.NotebookNode:
    """Run the notebook with papermill (in `cwd`, where its default paths are relative to);
    a failing cell raises PipelineError (one line)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            kernel_manager_class=ThisInterpreterKernelManager,
            cwd=str(cwd),
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


def _markdown(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune(text)
    # nbconvert adds an anchor link and an id to headings; the contents list makes its own
    rendered = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", rendered, flags=re.S)
    return re.sub(r"<(h[1-6])\s+id=\"[^\"]*\"\s*>", r"<\1>", rendered)


def cell_html(cell: nbformat.NotebookNode) -> list[str]:
    """A cell as HTML: a markdown cell rendered; a code cell's displayed HTML or Markdown
    (never its source, nor stdout, stderr or plain-text results)."""
    if cell.cell_type == "markdown":
        return [_markdown(cell.source)]
    parts = []
    if cell.cell_type == "code":
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                parts.append("".join(data["text/html"]))
            elif "text/markdown" in data:
                parts.append(_markdown("".join(data["text/markdown"])))
    return parts


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", html.unescape(re.sub(r"<[^>]+>", "", text)).lower()).strip("-")
    base = base or "section"
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    return slug


def with_contents(body: str) -> tuple[str, str]:
    """Give each h2/h3 an id and build the contents list (an ordered list of links)."""
    used: set[str] = set()
    entries = []

    def anchor(match: re.Match) -> str:
        level, inner = match.group(1), match.group(2)
        slug = _slug(inner, used)
        entries.append((int(level), slug, re.sub(r"<[^>]+>", "", inner).strip()))
        return f'<h{level} id="{slug}">{inner}</h{level}>'

    body = re.sub(r"<h([23])>(.*?)</h\1>", anchor, body, flags=re.S)
    items, open_sub = [], False
    for level, slug, text in entries:
        if level == 2:
            if open_sub:
                items.append("</ol></li>")
                open_sub = False
            elif items:
                items.append("</li>")
            items.append(f'<li><a href="#{slug}">{text}</a>')
        else:
            if not open_sub:
                items.append("<ol>")
                open_sub = True
            items.append(f'<li class="h3"><a href="#{slug}">{text}</a></li>')
    if items:
        items.append("</ol></li>" if open_sub else "</li>")
    nav = ('<nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents</h2>'
           f'<ol>{"".join(items)}</ol></nav>')
    return nav, body


def _wrap_tables(body: str) -> str:
    return re.sub(r'(<table class="report-table.*?</table>)',
                  r'<div class="table-scroll">\1</div>', body, flags=re.S)


def assemble(executed: list[nbformat.NotebookNode], title: str, subtitle: str) -> str:
    """One HTML page from the executed notebooks, in order."""
    parts = []
    for notebook in executed:
        for cell in notebook.cells:
            if "parameters" in cell.metadata.get("tags", []) or "injected-parameters" in \
                    cell.metadata.get("tags", []):
                continue
            parts.extend(cell_html(cell))
    nav, body = with_contents(_wrap_tables("\n".join(parts)))
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{REPORT_CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<p>{html.escape(subtitle)}</p>
</header>
{nav}
<main>
{body}
</main>
</body>
</html>
"""


def provisional_note(warehouse_path: Path, end_year: int) -> str:
    """For the title block: the sources whose figures are year to date, with their dates."""
    import duckdb

    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        reasons = [r[0] for r in con.execute(
            """select status_reason from intermediate.int_source_coverage
               where end_year = ? and status = 'provisional' order by source""",
            [end_year]).fetchall()]
    finally:
        con.close()
    if not reasons:
        return ""
    return (" Provisional: some figures cover the year to date only ("
            + "; ".join(r.removeprefix("year to date: ") for r in reasons)
            + "); they are marked provisional beside each figure.")


def render_report(warehouse_path: Path, end_year: int, year_dir: Path, landlord_name: str,
                  dataset_dir: Path | None = None) -> Path:
    """Write year_dir/report.html and year_dir/figures/*.png|svg; return the report's path.
    `dataset_dir`: the dataset folder, for self_assessment.csv, improvement_plan.csv, the
    sector quartiles, survey.toml and landlord.toml; the survey_*.csv already in year_dir are
    what the survey section shows."""
    warehouse_path = Path(warehouse_path).resolve()
    year_dir = Path(year_dir).resolve()
    if not warehouse_path.exists():
        raise PipelineError(f"no warehouse at {warehouse_path}: run `python -m pipeline refresh`")
    missing = [n for n in NOTEBOOKS if not (NOTEBOOK_DIR / n).exists()]
    if missing:
        raise PipelineError(f"report notebook(s) missing from {NOTEBOOK_DIR}: {', '.join(missing)}")
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
            "dataset_dir": str(Path(dataset_dir).resolve()) if dataset_dir else None,
            "tables_dir": str(year_dir),
        }
        executed = [execute_notebook(NOTEBOOK_DIR / name, work / name, parameters)
                    for name in NOTEBOOKS]
        label = f"{int(end_year) - 1}/{str(int(end_year))[2:]}"
        provisional = provisional_note(warehouse_path, int(end_year))
        name = f"{landlord_name}: " if landlord_name else ""
        page = assemble(
            executed, f"{name}Annual report {label}",
            f"Tenant Satisfaction Measures and complaints performance for the reporting year "
            f"1 April {int(end_year) - 1} to 31 March {int(end_year)}. Produced "
            f"{date.today():%-d %B %Y} by tsm-pipeline." + provisional)
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
