"""Read the regulator's "TSM Full Data" workbook (any year) into three tables.

    values, landlords, exclusions = read_rsh_workbook("TSM_2024_Full_Data_v1.1.xlsx")

Rules (docs/benchmarks.md explains them with the traps they avoid):
- Sheets are found by name, `TSM<yy>_<table>` (spaces ignored): `TSM24_` is 2023/24.
- Each sheet's header row is the first of its first 20 rows holding both "Landlord name" and
  "Landlord code"; data rows follow it until the first row with neither a name nor a code.
- Headers are compared after normalising them: NBSP and zero-width characters, footnote digits
  glued to a word or a bracket ("size2,3", "(BS02)5"), case and spacing are ignored.
- A header is mapped to a row of the workbook's own Data Dictionary sheet (same table): by
  equal normalised text, else by the closest text naming the same TSM codes. The dictionary
  row gives the regulator's Data Field Name, which pipeline/reference/data_return_fields.csv
  maps to our measure code, part, tenure and item. So labels only locate a column; its
  meaning comes from the field name. A header the dictionary does not know is an error.
- `[X]` (left blank), `[Z]` (not required), `[E]` (excluded by the regulator), `[S]`
  (suppressed), `[U]` (denominator 0) and blanks are missing.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import PipelineError

HEADER_SEARCH_ROWS = 20
MISSING_MARKERS = frozenset({"[X]", "[Z]", "[E]", "[S]", "[U]"})
FUZZY_MIN_RATIO = 0.85
FIELDS_CSV = Path(__file__).resolve().parents[1] / "reference" / "data_return_fields.csv"

# sheet table name (spaces removed) -> what it holds
DATA_TABLES = {
    "LCRA_Perception": "LCRA",
    "LCHO_Perception": "LCHO",
    "Combined_Perception": "ALL",
    "Management_Info": "MI",
}
NOT_INCLUDED_TABLES = {
    "Perception_Not_Inc": "perception",
    "Man_Info_Not_Inc": "management_info",
}
# normalised header -> landlord attribute (these columns are "System Property" in the dictionary)
ATTRIBUTE_HEADERS = {
    "landlord name": "name",
    "landlord code": "code",
    "landlord type": "type",
    "landlord tsm publication url": "url",
    "landlord group size (homes owned, lcra and lcho combined)": "size_band",
    "landlord predominant region": "region",
    "lcra above 30% supported housing": "supported",
    "predominant collection method": "survey_method",
    "any additional notes from rsh": "rsh_note",
}
REQUIRED_ATTRIBUTES = ("name", "code", "type", "size_band", "region")
VALUE_ITEMS = ("result", "numerator", "denominator")
SATISFIED_COUNTS = {"count_very_satisfied", "count_fairly_satisfied", "count_strongly_agree",
                    "count_agree"}
SCALE_COUNTS = SATISFIED_COUNTS | {"count_neither", "count_fairly_dissatisfied",
                                   "count_very_dissatisfied", "count_disagree",
                                   "count_strongly_disagree"}
TYPE_CODES = {"PRP": "PRP", "LARP": "LA", "LA": "LA"}
SIZE_BANDS = {"<5,000": "<5,000", "5,000-40,000": "5,000-40,000", ">40,000": ">40,000"}
REGIONS = {"south", "midlands", "north", "london", "mixed"}
SURVEY_METHODS = {"telephone": "telephone", "internet": "internet", "facetoface": "face_to_face",
                  "postal": "postal", "sms": "sms", "other": "other",
                  "nopredominantmethod": "no_predominant_method"}
MERGED = "merged during year"

VALUE_COLUMNS = ["year", "landlord_code", "measure_code", "measure_part", "tenure", "value",
                 "numerator", "denominator", "basis"]
LANDLORD_COLUMNS = ["year", "code", "name", "type", "size_band", "region",
                    "supported_over_30pct", "merged_during_year", "survey_method_lcra",
                    "survey_method_lcho", "survey_method_combined", "weighted_lcra",
                    "weighted_lcho"]
EXCLUSION_COLUMNS = ["year", "landlord_code", "landlord_name", "scope", "sheet",
                     "excluded_measures", "note"]


class RshLayoutError(PipelineError):
    """The workbook is laid out in a way this reader does not know."""


@dataclass(frozen=True)
class Column:
    """One mapped column of a data sheet."""

    index: int
    header: str
    field_name: str = ""
    attribute: str = ""


@dataclass(frozen=True)
class Sheet:
    """One data sheet: its name, year label, table kind, 1-based header row number, mapped
    columns and data rows."""

    name: str
    year: str
    kind: str
    header_row: int
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]


# ---------------------------------------------------------------- text helpers

def normalise_header(text) -> str:
    """Header text for comparison: NBSP -> space, zero-width/format characters dropped,
    footnote digits glued to a lowercase word or a closing bracket dropped ("size2,3",
    "(BS02)5", "- SMS6"), lowercase, single spaces. TSM codes (TP01, "CH01 1") are kept
    because their digits follow a capital letter or a space."""
    text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in str(text or ""))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = re.sub(r"(?<=[a-z)])\d(?:,\d)*(?=\s|$|[^\w])", "", text)
    text = re.sub(r"(?<=[A-Z]{3})\d$", "", text)  # "- SMS6": a footnote after a capital word
    return re.sub(r"\s+", " ", text).strip().lower()


def tsm_codes(text: str) -> frozenset[str]:
    """The TSM codes a normalised header names, e.g. {'tp01'} or {'ch02'}."""
    return frozenset(re.findall(r"\b(?:tp|bs|rp|ch|nm)\d\d\b", text))


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def year_label(prefix_digits: str) -> str:
    """'24' (TSM24_) -> '2023/24': the regulator names the sheets by the year a year ends."""
    end = int(prefix_digits)
    return f"20{end - 1:02d}/{end:02d}"


def is_missing(value) -> bool:
    """Blank, whitespace or one of the regulator's markers [X] [Z] [E] [S] [U]."""
    return value is None or (isinstance(value, str) and
                             (value.strip() == "" or value.strip() in MISSING_MARKERS))


def to_number(value, sheet: str, index: int, header: str, row_number: int) -> float | None:
    """A cell as a float, None when missing; text that is not a number is an error."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise RshLayoutError(f"{sheet} column {column_letter(index)} ({header!r}) row "
                             f"{row_number}: {value!r} is not a number")
    try:
        return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except ValueError:
        raise RshLayoutError(f"{sheet} column {column_letter(index)} ({header!r}) row "
                             f"{row_number}: {value!r} is not a number") from None


def landlord_code(value) -> str:
    """Codes are text ('L4172', '45UB'); some cells hold them as numbers (5060)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# ---------------------------------------------------------------- reference tables

def read_return_fields(path: Path = FIELDS_CSV) -> dict[str, dict]:
    """data_return_fields.csv keyed by the regulator's field name (a row naming two fields,
    'A/B', is listed under both)."""
    fields: dict[str, dict] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in (row["field_name"] or "").split("/"):
                if name.strip():
                    fields[name.strip()] = row
    return fields


def read_dictionary(workbook) -> pd.DataFrame:
    """The 'Data Dictionary' sheet: table (spaces removed), heading, normalised heading,
    field_name and dp_code (taken from whichever column holds a DP_TSML code: 2023/24 swaps
    Survey_Datapoint and Survey_QuestionReference on the management-information rows)."""
    name = next((s for s in workbook.sheetnames if normalise_header(s) == "data dictionary"), None)
    if name is None:
        raise RshLayoutError("no 'Data Dictionary' sheet: cannot map the columns to field names")
    rows = list(workbook[name].iter_rows(max_col=8, values_only=True))
    start = next((i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS])
                  if normalise_header(r[0]) == "table"), None)
    if start is None or [normalise_header(c) for c in rows[start][:3]] != [
            "table", "column heading", "data field name"]:
        raise RshLayoutError(f"{name}: expected the columns 'Table', 'Column Heading', "
                             f"'Data Field Name' in the first {HEADER_SEARCH_ROWS} rows")
    records = []
    for r in rows[start + 1:]:
        if r[0] is None:
            continue
        dp = next((str(c) for c in (r[3], r[4]) if c and str(c).startswith("DP_TSML")), "")
        records.append({"table": str(r[0]).replace(" ", ""), "heading": str(r[1] or ""),
                        "norm": normalise_header(r[1]), "field_name": str(r[2] or "").strip(),
                        "dp_code": dp})
    return pd.DataFrame(records)


# ---------------------------------------------------------------- sheets

def classify_sheets(sheetnames: list[str]) -> dict[str, tuple[str, str, str]]:
    """Sheet name -> (year label, kind, table) for the data and not-included sheets."""
    found = {}
    for name in sheetnames:
        match = re.fullmatch(r"TSM(\d\d)_(.+)", name.replace(" ", ""))
        if not match:
            continue
        table = match.group(2)
        kind = DATA_TABLES.get(table) or NOT_INCLUDED_TABLES.get(table)
        if kind is None:
            raise RshLayoutError(f"sheet {name!r}: unknown TSM table {table!r}; expected one of "
                                 f"{sorted(DATA_TABLES) + sorted(NOT_INCLUDED_TABLES)}")
        found[name] = (year_label(match.group(1)), kind, f"TSM{match.group(1)}_{table}")
    if not any(kind in DATA_TABLES.values() for _, kind, _ in found.values()):
        raise RshLayoutError("no TSM<yy>_LCRA_Perception / _Management_Info sheets: "
                             f"not a TSM Full Data workbook (sheets: {sheetnames})")
    years = {year for year, _, _ in found.values()}
    if len(years) != 1:
        raise RshLayoutError(f"sheets for more than one year in one workbook: {sorted(years)}")
    return found


def find_header_row(rows: list[tuple], sheet: str) -> int:
    """Index (0-based) of the first of the first 20 rows holding both 'Landlord name' and
    'Landlord code'."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = {normalise_header(c) for c in row if c is not None}
        if {"landlord name", "landlord code"} <= cells:
            return i
    raise RshLayoutError(f"{sheet}: no header row with 'Landlord name' and 'Landlord code' in "
                         f"the first {HEADER_SEARCH_ROWS} rows")


def data_rows(rows: list[tuple], header_index: int, name_col: int, code_col: int) -> list[tuple]:
    """The rows after the header up to the first with neither a landlord name nor a code
    (the notes below the 2023/24 tables start after a blank row)."""
    out = []
    for row in rows[header_index + 1:]:
        if is_missing(row[name_col]) and is_missing(row[code_col]):
            break
        out.append(row)
    return out


def match_headers(sheet: str, headers: dict[int, str],
                  dictionary: pd.DataFrame) -> dict[int, str]:
    """Column index -> dictionary field name, for the headers (column index -> normalised
    header) that are not landlord attributes.
    First pass: equal normalised text (each dictionary row used once, in order). Second pass:
    the closest remaining dictionary heading with a similarity of at least 0.85 and no
    conflicting TSM code. Anything left is an error naming the sheet and the column."""
    candidates = list(dictionary.itertuples(index=False))
    used: set[int] = set()
    matched: dict[int, str] = {}
    for index, header in headers.items():
        for k, cand in enumerate(candidates):
            if k not in used and cand.norm == header:
                used.add(k)
                matched[index] = cand.field_name
                break
    for index, header in headers.items():
        if index in matched:
            continue
        best, best_ratio = None, 0.0
        for k, cand in enumerate(candidates):
            if k in used or (tsm_codes(header) and tsm_codes(cand.norm)
                             and tsm_codes(header) != tsm_codes(cand.norm)):
                continue
            ratio = difflib.SequenceMatcher(None, header, cand.norm).ratio()
            if ratio > best_ratio:
                best, best_ratio = k, ratio
        if best is None or best_ratio < FUZZY_MIN_RATIO:
            raise RshLayoutError(f"{sheet} column {column_letter(index)}: header {header!r} is "
                                 "not in the workbook's Data Dictionary for this table")
        used.add(best)
        matched[index] = candidates[best].field_name
    return matched


def map_columns(sheet: str, header_row: tuple, dictionary: pd.DataFrame) -> tuple[Column, ...]:
    """The sheet's columns: landlord attributes by their header, the rest through the
    dictionary (match_headers). Empty trailing header cells are ignored."""
    headers = {i: normalise_header(h) for i, h in enumerate(header_row) if not is_missing(h)}
    columns, other = [], {}
    for index, header in headers.items():
        key = "landlord group size (homes owned, lcra and lcho combined)" \
            if header.startswith("landlord group size") else header
        if key in ATTRIBUTE_HEADERS:
            columns.append(Column(index, header, attribute=ATTRIBUTE_HEADERS[key]))
        else:
            other[index] = header
    attributes = {c.attribute for c in columns}
    for needed in REQUIRED_ATTRIBUTES:
        if needed not in attributes:
            raise RshLayoutError(f"{sheet}: no column for the landlord {needed.replace('_', ' ')}"
                                 f" in the header row (columns: {list(headers.values())[:8]}...)")
    fields = match_headers(sheet, dict(sorted(other.items())), dictionary)
    for index, header in other.items():
        columns.append(Column(index, header, field_name=fields[index]))
    return tuple(sorted(columns, key=lambda c: c.index))


def read_sheet(workbook, name: str, year: str, kind: str, table: str,
               dictionary: pd.DataFrame) -> Sheet:
    """One data sheet, its header row found and its columns mapped."""
    rows = list(workbook[name].iter_rows(values_only=True))
    header_index = find_header_row(rows, name)
    columns = map_columns(name, rows[header_index], dictionary[dictionary["table"] == table])
    by_attr = {c.attribute: c.index for c in columns if c.attribute}
    body = data_rows(rows, header_index, by_attr["name"], by_attr["code"])
    return Sheet(name, year, kind, header_index + 1, columns, tuple(body))


def header_row_number(path: str | Path) -> dict[str, int]:
    """Sheet name -> 1-based row number of its header row, for every data sheet (a check
    on find_header_row that tests and docs use)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for name in classify_sheets(workbook.sheetnames):
            rows = list(workbook[name].iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
            out[name] = find_header_row(rows, name) + 1
        return out
    finally:
        workbook.close()


# ---------------------------------------------------------------- landlords

def normalise_type(value, sheet: str) -> str:
    """'PRP' stays; 'LARP' (2023/24) and 'LA' (2024/25) become 'LA'."""
    code = str(value or "").strip().upper()
    if code not in TYPE_CODES:
        raise RshLayoutError(f"{sheet}: unknown landlord type {value!r}; expected PRP, LA or LARP")
    return TYPE_CODES[code]


def normalise_size_band(value) -> str | None:
    """'<5,000', '5,000-40,000', '>40,000' ('>40000' in 2023/24); None when blank or
    'Merged during year'."""
    if is_missing(value) or normalise_header(value) == MERGED:
        return None
    text = str(value).replace(" ", "")
    text = re.sub(r"(\d)(\d{3})(?!\d)", r"\1,\2", text.replace(",", ""))
    if text not in SIZE_BANDS:
        raise RshLayoutError(f"unknown landlord group size band {value!r}")
    return SIZE_BANDS[text]


def normalise_region(value) -> str | None:
    """South, Midlands, North, London or Mixed; None when blank or 'Merged during year'."""
    if is_missing(value) or normalise_header(value) == MERGED:
        return None
    if normalise_header(value) not in REGIONS:
        raise RshLayoutError(f"unknown landlord region {value!r}")
    return str(value).strip().title()


def normalise_yes_no(value) -> bool | None:
    """'Yes' -> True, 'No' -> False, anything else (blank, 'Merged during year') -> None."""
    text = normalise_header(value)
    return {"yes": True, "no": False}.get(text)


def normalise_survey_method(value) -> str | None:
    """'Face to Face' / 'FacetoFace' -> 'face_to_face', 'No predominant method' ->
    'no_predominant_method', 'Telephone' -> 'telephone', ...; None when blank."""
    if is_missing(value):
        return None
    key = re.sub(r"[^a-z]", "", str(value).lower())
    if key not in SURVEY_METHODS:
        raise RshLayoutError(f"unknown predominant collection method {value!r}")
    return SURVEY_METHODS[key]


def sheet_landlords(sheet: Sheet, fields: dict[str, dict]) -> list[dict]:
    """One record per landlord row of a data sheet, attributes normalised; on the LCRA and
    LCHO sheets also whether the survey was weighted (field Weighting_used_a / _b)."""
    idx = {c.attribute: c.index for c in sheet.columns if c.attribute}
    weighted = next((c.index for c in sheet.columns if sheet.kind in ("LCRA", "LCHO")
                     and fields.get(c.field_name, {}).get("item") == "weighted"
                     and fields[c.field_name]["tenure"] == sheet.kind), None)
    method_key = {"LCRA": "survey_method_lcra", "LCHO": "survey_method_lcho",
                  "ALL": "survey_method_combined"}.get(sheet.kind)
    records = []
    for row in sheet.rows:
        size = row[idx["size_band"]]
        record = {"year": sheet.year, "code": landlord_code(row[idx["code"]]),
                  "name": str(row[idx["name"]]).strip(),
                  "type": normalise_type(row[idx["type"]], sheet.name),
                  "size_band": normalise_size_band(size),
                  "region": normalise_region(row[idx["region"]]),
                  "merged_during_year": normalise_header(size) == MERGED}
        if "supported" in idx:
            record["supported_over_30pct"] = normalise_yes_no(row[idx["supported"]])
        if method_key and "survey_method" in idx:
            record[method_key] = normalise_survey_method(row[idx["survey_method"]])
        if weighted is not None:
            record[f"weighted_{sheet.kind.lower()}"] = normalise_yes_no(row[weighted])
        records.append(record)
    return records


def combine_landlords(records: list[dict]) -> pd.DataFrame:
    """One row per landlord and year: each attribute from the first sheet that gives it
    (sheets in the order LCRA, LCHO, combined, management information)."""
    merged: dict[tuple, dict] = {}
    for record in records:
        target = merged.setdefault((record["year"], record["code"]), {})
        for key, value in record.items():
            if target.get(key) is None and value is not None:
                target[key] = value
    frame = pd.DataFrame(list(merged.values())).reindex(columns=LANDLORD_COLUMNS)
    frame["merged_during_year"] = frame["merged_during_year"].fillna(False).astype(bool)
    return frame.sort_values(["year", "code"]).reset_index(drop=True)


# ---------------------------------------------------------------- values

def value_columns(sheet: Sheet, fields: dict[str, dict]) -> dict[tuple, dict[str, Column]]:
    """(measure_code, measure_part, tenure) -> {item: column} for the columns whose field is a
    measure's result, numerator, denominator or survey answer count, of the sheet's tenure
    (any tenure on the management-information sheet). Each such header must name the measure
    code its field belongs to (a check that the dictionary match was right)."""
    groups: dict[tuple, dict[str, Column]] = {}
    for col in sheet.columns:
        spec = fields.get(col.field_name)
        if not spec or not spec["measure_code"] or spec["item"] not in (
                set(VALUE_ITEMS) | SCALE_COUNTS):
            continue
        if sheet.kind != "MI" and spec["tenure"] != sheet.kind:
            continue
        check_header_names_measure(sheet.name, col, spec)
        key = (spec["measure_code"], spec["measure_part"], spec["tenure"])
        groups.setdefault(key, {})[spec["item"]] = col
    return groups


def check_header_names_measure(sheet: str, col: Column, spec: dict) -> None:
    """A value column's header names its field's measure code and, when it starts with a
    tenure ('LCRA - ', 'LCHO - ', 'Combined - '), the field's tenure."""
    if spec["measure_code"].lower() not in tsm_codes(col.header):
        raise RshLayoutError(f"{sheet} column {column_letter(col.index)}: header {col.header!r} "
                             f"maps to field {col.field_name} ({spec['measure_code']}) but does "
                             "not name that measure")
    prefix = re.match(r"(lcra|lcho|combined) -", col.header)
    if prefix and {"lcra": "LCRA", "lcho": "LCHO", "combined": "ALL"}[prefix.group(1)] \
            != spec["tenure"]:
        raise RshLayoutError(f"{sheet} column {column_letter(col.index)}: header {col.header!r} "
                             f"is for another tenure than field {col.field_name}")


def row_value(sheet: Sheet, row: tuple, row_number: int, items: dict[str, Column]) -> dict:
    """value, numerator, denominator and basis for one landlord and measure part.
    Management information: numerator and denominator as published. Perception: numerator =
    the two satisfied (agree) answer counts, denominator = the five scale answer counts
    (not 'don't know'), only when all five are given. A calculated value of 0 whose published
    denominator is missing is missing too (2023/24 writes 0 where 2024/25 writes [U])."""
    def number(col: Column | None):
        return None if col is None else to_number(row[col.index], sheet.name, col.index,
                                                  col.header, row_number)

    value = number(items.get("result"))
    if "numerator" in items or "denominator" in items:
        numerator, denominator = number(items.get("numerator")), number(items.get("denominator"))
        basis = "numerator/denominator"
        if value == 0 and denominator is None:
            value = None
    else:
        counts = {item: number(col) for item, col in items.items() if item in SCALE_COUNTS}
        complete = len(counts) == 5 and all(v is not None for v in counts.values())
        numerator = sum(v for k, v in counts.items() if k in SATISFIED_COUNTS) if complete else None
        denominator = sum(counts.values()) if complete else None
        basis = "answer counts"
    return {"value": value, "numerator": numerator, "denominator": denominator, "basis": basis}


def sheet_values(sheet: Sheet, fields: dict[str, dict]) -> list[dict]:
    """Long rows (year, landlord_code, measure, part, tenure, value, numerator, denominator,
    basis) for one data sheet; rows with nothing published are left out. The combined
    perception sheet is skipped: its few landlords could not split LCRA and LCHO, and
    perception measures are compared only within one tenure."""
    if sheet.kind == "ALL":
        return []
    code_index = next(c.index for c in sheet.columns if c.attribute == "code")
    out = []
    for key, items in sorted(value_columns(sheet, fields).items()):
        if "result" not in items:
            raise RshLayoutError(f"{sheet.name}: no result column for {key[0]} {key[1]} {key[2]}"
                                 f" (field names found: {[c.field_name for c in items.values()]})")
        for offset, row in enumerate(sheet.rows):
            numbers = row_value(sheet, row, sheet.header_row + 1 + offset, items)
            if all(numbers[k] is None for k in ("value", "numerator", "denominator")):
                continue
            out.append({"year": sheet.year, "landlord_code": landlord_code(row[code_index]),
                        "measure_code": key[0], "measure_part": key[1], "tenure": key[2],
                        **numbers})
    return out


# ---------------------------------------------------------------- exclusions

def sheet_exclusions(sheet: Sheet, fields: dict[str, dict]) -> list[dict]:
    """A row per landlord whose data-sheet row carries an 'Any additional notes from RSH'
    note or [E] (excluded) cells; excluded_measures lists the measures of the [E] cells."""
    idx = {c.attribute: c.index for c in sheet.columns if c.attribute}
    scope = {"LCRA": "LCRA perception", "LCHO": "LCHO perception",
             "ALL": "combined perception", "MI": "management information"}[sheet.kind]
    out = []
    for row in sheet.rows:
        note = row[idx["rsh_note"]] if "rsh_note" in idx else None
        excluded = sorted({measure_label(fields.get(c.field_name), c)
                           for c in sheet.columns if c.field_name and
                           isinstance(row[c.index], str) and row[c.index].strip() == "[E]"})
        if is_missing(note) and not excluded:
            continue
        out.append({"year": sheet.year, "landlord_code": landlord_code(row[idx["code"]]),
                    "landlord_name": str(row[idx["name"]]).strip(), "scope": scope,
                    "sheet": sheet.name, "excluded_measures": ";".join(excluded),
                    "note": "" if is_missing(note) else str(note).strip()})
    return out


def measure_label(spec: dict | None, col: Column) -> str:
    """'RP02 non_emergency' for a field of a measure part, 'RP01' for a whole measure; for a
    column whose field is not a measure's, the TSM codes its header names ('TP10'), else its
    field name."""
    if spec and spec["measure_code"]:
        return " ".join(p for p in (spec["measure_code"], spec["measure_part"]) if p)
    codes = sorted(c.upper() for c in tsm_codes(col.header))
    return ";".join(codes) if codes else col.field_name


def not_included(workbook, name: str, year: str, scope: str) -> list[dict]:
    """The 'Perception/Management information not included' sheets: landlords whose whole
    perception or management-information return the regulator left out, with its note."""
    rows = list(workbook[name].iter_rows(values_only=True))
    header = find_header_row(rows, name)
    heads = [normalise_header(h) for h in rows[header]]
    note_col = next((i for i, h in enumerate(heads) if h.startswith("notes")), None)
    if note_col is None:
        raise RshLayoutError(f"{name}: no 'Notes from RSH' column in the header row")
    name_col, code_col = heads.index("landlord name"), heads.index("landlord code")
    return [{"year": year, "landlord_code": landlord_code(r[code_col]),
             "landlord_name": str(r[name_col]).strip(), "scope": f"{scope} (whole return)",
             "sheet": name, "excluded_measures": "ALL",
             "note": "" if is_missing(r[note_col]) else str(r[note_col]).strip()}
            for r in data_rows(rows, header, name_col, code_col)]


# ---------------------------------------------------------------- the workbook

def read_rsh_workbook(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(values, landlords, exclusions) from one "TSM Full Data" workbook.

    values: year ('2023/24'), landlord_code, measure_code, measure_part ('' or stage_1,
      stage_2, emergency, non_emergency, asb, hate), tenure (LCRA/LCHO for perception and
      CH01/CH02; ALL for BS01-BS05, NM01 and the combined CH01/CH02; LCRA for RP01/RP02),
      value (percent 0-100, or per 1,000 homes for CH01 and NM01), numerator, denominator
      (NaN where the file gives neither), basis ('numerator/denominator' or 'answer counts').
    landlords: year, code, name, type (PRP/LA), size_band, region, supported_over_30pct,
      merged_during_year, survey_method_lcra/_lcho/_combined, weighted_lcra/_lcho (survey
      weighted: then the published answer counts are unweighted and need not reproduce the %).
    exclusions: year, landlord_code, landlord_name, scope, sheet, excluded_measures, note.
    """
    import openpyxl

    path = Path(path)
    if not path.is_file():
        raise RshLayoutError(f"{path}: no such workbook")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not xlsx: openpyxl raises several kinds
        raise RshLayoutError(f"{path}: cannot open as an .xlsx workbook ({exc})") from None
    try:
        return _read(workbook)
    finally:
        workbook.close()


def _read(workbook) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The work of read_rsh_workbook on an open workbook."""
    sheets = classify_sheets(workbook.sheetnames)
    dictionary = read_dictionary(workbook)
    fields = read_return_fields()
    values, landlords, exclusions = [], [], []
    order = {"LCRA": 0, "LCHO": 1, "ALL": 2, "MI": 3}
    for name, (year, kind, table) in sorted(sheets.items(),
                                            key=lambda kv: order.get(kv[1][1], 9)):
        if kind in NOT_INCLUDED_TABLES.values():
            exclusions += not_included(workbook, name, year, kind.replace("_", " "))
            continue
        sheet = read_sheet(workbook, name, year, kind, table, dictionary)
        values += sheet_values(sheet, fields)
        landlords += sheet_landlords(sheet, fields)
        exclusions += sheet_exclusions(sheet, fields)
    return (pd.DataFrame(values, columns=VALUE_COLUMNS), combine_landlords(landlords),
            pd.DataFrame(exclusions, columns=EXCLUSION_COLUMNS))
