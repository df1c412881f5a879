"""The contracts ship in the project's own docs (issue 18): every input file and column of
schemas/inputs is named in docs/inputs.md, and every column of tsm.csv and
complaints_kpis.csv in docs/outputs.md. The lists are read from the code at run time, so a
column added to the code without its documentation fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.report.outputs import KPI_COLUMNS, TSM_COLUMNS
from schemas.inputs import INPUT_SPECS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _code_spans(path: Path) -> set[str]:
    """Every `code span` of a Markdown file: names count as documented only when written as
    code, so a word that happens to appear in the prose ("year", "group") does not."""
    return set(re.findall(r"`([^`\n]+)`", path.read_text(encoding="utf-8")))


def _names(spans: set[str]) -> set[str]:
    """The spans, and each identifier inside a span (`tp01` … `tp12`, `[complaints.rename]`)."""
    names = set(spans)
    for span in spans:
        names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    return names


INPUT_NAMES = _names(_code_spans(DOCS / "inputs.md"))
OUTPUT_NAMES = _names(_code_spans(DOCS / "outputs.md"))


@pytest.mark.parametrize("name", sorted(INPUT_SPECS))
def test_every_input_file_is_in_docs_inputs(name):
    spans = _code_spans(DOCS / "inputs.md")
    assert f"{name}.csv" in spans or any(s.startswith(f"{name}.csv") for s in spans), (
        f"docs/inputs.md does not name the input file {name}.csv")


@pytest.mark.parametrize("name, column", [
    (spec.name, column) for spec in INPUT_SPECS.values() for column in spec.columns])
def test_every_input_column_is_in_docs_inputs(name, column):
    assert column in INPUT_NAMES, f"docs/inputs.md does not document {name}.csv column {column}"


@pytest.mark.parametrize("output, column", [
    *(("tsm.csv", c) for c in TSM_COLUMNS), *(("complaints_kpis.csv", c) for c in KPI_COLUMNS)])
def test_every_output_column_is_in_docs_outputs(output, column):
    assert column in OUTPUT_NAMES, f"docs/outputs.md does not document {output} column {column}"


def test_every_kpi_of_the_mart_is_in_docs_outputs():
    """Each kpi name the complaints mart writes is explained in docs/outputs.md."""
    sql = (DOCS.parent / "sql" / "marts" / "chc_complaint_kpis.sql").read_text(encoding="utf-8")
    kpis = set(re.findall(r"\('([a-z0-9_]+)', [a-z]\.", sql))  # ('received', h.received, ...)
    kpis |= set(re.findall(r"'([a-z0-9_]{2,})' as kpi", sql))  # not the 's' of || 's' as kpi
    kpis |= set(re.findall(r"\('(ombudsman_[a-z_]+)'\)", sql))  # values ('ombudsman_orders'), ...
    # built as 'complaint_handling_failure_' || kind || 's' from the kinds order and notice
    kpis |= {f"complaint_handling_failure_{kind}s" for kind in ("order", "notice")}
    assert {"received", "escalated_to_stage_2", "working_days_to_respond_p90", "outcome",
            "ombudsman_orders", "tp09_satisfied_with_complaint_handling"} <= kpis
    missing = sorted(k for k in kpis if k not in OUTPUT_NAMES)
    assert not missing, f"docs/outputs.md does not explain kpi(s) {missing}"


def test_the_check_fails_for_an_undocumented_name():
    """The test cannot pass vacuously: a name no doc mentions is reported missing."""
    assert "no_such_column_xyz" not in INPUT_NAMES | OUTPUT_NAMES
    assert "complaint_ref" in INPUT_NAMES and "denominator_description" in OUTPUT_NAMES
