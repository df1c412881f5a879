"""Outputs are safe to open in a spreadsheet (issue 23, OWASP's CSV-injection guidance).

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be read by
Excel or LibreOffice as a formula (`=HYPERLINK(...)`, `@SUM(A1)`, `-2+3`). Every writer of a
CSV or XLSX output goes through this module:

- CSV: such a text cell is written with a single quote in front (`'=HYPERLINK(...)`), which a
  spreadsheet shows as text. A text cell that already begins with quotes followed by one of
  those characters gets one more quote, so `unescape_text` gives back exactly what was escaped.
- XLSX: such a cell is a string cell (never a formula) marked "quote prefix", Excel's own
  "this is text" flag, so it shows the text as it is and stays text when edited.

Numbers stay numbers: only `str` values are escaped (a -5 in a numeric column is written -5).
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def needs_escape(value: object) -> bool:
    return isinstance(value, str) and value.lstrip(QUOTE).startswith(FORMULA_STARTS)


def escape_text(value: object) -> object:
    """A text value a spreadsheet would read as a formula, with a quote in front; anything
    else (numbers, None, other text) as it is."""
    return QUOTE + value if needs_escape(value) else value


def unescape_text(value: object) -> object:
    """The inverse of escape_text, for a program reading an output back."""
    if isinstance(value, str) and value.startswith(QUOTE) and needs_escape(value[1:]):
        return value[1:]
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell escaped; the frame itself when no cell needs it (so its
    columns keep their dtypes and a CSV of it is written byte for byte as before)."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
            continue  # numbers, dates and booleans are never text
        mask = series.map(needs_escape).astype(bool)
        if not mask.any():
            continue
        if out is frame:
            out = frame.copy()
            out.attrs = dict(frame.attrs)
        escaped = series.astype(object).copy()
        escaped[mask] = [QUOTE + v for v in series[mask]]
        out[column] = escaped
    return out


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read back from a CSV output, with escape_text undone on its text cells."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(unescape_text)
    return out


def write_csv(frame: pd.DataFrame, path, **to_csv_args) -> None:
    """frame.to_csv(path, index=False, **to_csv_args) with every text cell escaped."""
    escape_frame(frame).to_csv(path, index=False, **to_csv_args)


def make_cell_text(cell) -> None:
    """An openpyxl cell: a text value that would be a formula becomes a string cell marked
    quote prefix (shown and kept as text, never evaluated). Numbers are left alone."""
    value = cell.value
    if cell.data_type == "f" or needs_escape(value):
        if isinstance(value, str):
            cell.data_type = "s"
            cell.quotePrefix = True


def make_sheet_text(sheet) -> None:
    """make_cell_text on every cell of an openpyxl worksheet."""
    for row in sheet.iter_rows():
        for cell in row:
            make_cell_text(cell)
