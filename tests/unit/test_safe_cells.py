"""pipeline.report.safe_cells: text a spreadsheet would run as a formula is written as text
(issue 23, OWASP CSV injection); numbers stay numbers."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipeline.report.safe_cells import (
    escape_frame,
    escape_text,
    make_sheet_text,
    unescape_frame,
    unescape_text,
    write_csv,
)


@pytest.mark.parametrize("value, written", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+1", "'+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("'=1", "''=1"),  # already quoted by the landlord: one more, so reading back is exact
    ("a=1", "a=1"),   # only the first character counts
    (" =1", " =1"),   # a leading space: a spreadsheet does not read it as a formula
    ("'", "'"),
    ("", ""),
    ("North Shire Homes", "North Shire Homes"),
    (-5, -5),         # numbers are never text
    (-0.5, -0.5),
    (None, None),
])
def test_escape_text(value, written):
    assert escape_text(value) == written
    assert unescape_text(escape_text(value)) == value


def test_text_that_is_not_escaped_is_read_back_as_it_is():
    assert unescape_text("'quoted'") == "'quoted'"  # not followed by a formula character
    assert unescape_text("it's") == "it's"


def test_a_frame_keeps_its_numbers_and_dtypes(tmp_path):
    frame = pd.DataFrame({
        "group": ["=cmd", "-2+3", "repairs", None],
        "count": [-5, 3, 0, 1],
        "value": [-1.5, float("nan"), 2.25, 0.0],
        "mixed": ["-7", -7, "@x", 1.5],  # an object column: only its str cells are escaped
    })
    escaped = escape_frame(frame)
    assert escaped["group"].tolist() == ["'=cmd", "'-2+3", "repairs", None]
    assert escaped["count"].dtype == frame["count"].dtype
    assert escaped["mixed"].tolist() == ["'-7", -7, "'@x", 1.5]
    assert frame["group"].tolist() == ["=cmd", "-2+3", "repairs", None]  # not changed in place
    write_csv(frame, tmp_path / "t.csv", float_format="%.15g")
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["group", "count", "value", "mixed"],
                    ["'=cmd", "-5", "-1.5", "'-7"],
                    ["'-2+3", "3", "", "-7"],
                    ["repairs", "0", "2.25", "'@x"],
                    ["", "1", "0", "1.5"]]
    back = unescape_frame(pd.read_csv(tmp_path / "t.csv"))
    assert back["group"].tolist()[:3] == ["=cmd", "-2+3", "repairs"]


def test_a_frame_with_nothing_to_escape_is_the_same_frame():
    frame = pd.DataFrame({"a": ["x", "y"], "b": [-1, 2]})
    assert escape_frame(frame) is frame


def test_xlsx_cells_are_text_never_formulas(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["=cmd: Tenant Satisfaction Measures", "+1", -5, "@SUM(A1)", "plain"])
    assert sheet["A1"].data_type == "f"  # what openpyxl does with a str starting with =
    make_sheet_text(sheet)
    workbook.save(tmp_path / "t.xlsx")
    cells = list(load_workbook(tmp_path / "t.xlsx").active.iter_rows())[0]
    assert [c.value for c in cells] == ["=cmd: Tenant Satisfaction Measures", "+1", -5,
                                        "@SUM(A1)", "plain"]
    assert [c.data_type for c in cells] == ["s", "s", "n", "s", "s"]
    assert [c.quotePrefix for c in cells] == [True, True, False, True, False]
