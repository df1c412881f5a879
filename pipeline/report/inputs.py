"""The report's own optional inputs from the dataset folder (inputs.md): the self-assessment
against the Complaint Handling Code, the service improvement plan, and a sector quartiles
file for benchmarks; plus the report settings in landlord.toml.

They are small hand-kept files, so they are read with pandas here rather than through the
warehouse. Every problem is one PipelineError line naming the file, the row (as Excel shows
it: the header is row 1) and the column.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.landlord import DEFAULT_SMALL_NUMBER_THRESHOLD, read_landlord

SELF_ASSESSMENT = "self_assessment.csv"
IMPROVEMENT_PLAN = "improvement_plan.csv"
SECTOR_QUARTILES = ("sector_quartiles.csv", "sector_quartiles_illustrative.csv")

SELF_ASSESSMENT_COLUMNS = ["code_section", "requirement", "complies", "evidence", "commentary"]
COMPLIES = ("yes", "no", "partly", "n/a")
IMPROVEMENT_COLUMNS = ["code_refs", "requirement", "improvement", "due_date", "status",
                       "completed_date", "notes"]
STATUSES = ("not_started", "in_progress", "completed")
QUARTILE_COLUMNS = ["measure_code", "measure_part", "tenure", "year", "lower_quartile", "median",
                    "upper_quartile"]

# a Code provision: 6.2, 5.3, 1.2a ("section" numbers of the Complaint Handling Code)
SECTION = re.compile(r"^\d{1,2}(\.\d{1,2})?[a-z]?$")
YEAR = re.compile(r"^(\d{4})(?:[/-](\d{2}))?$")


def _read(path: Path, required: list[str], optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """All columns as stripped text ('' for blank); a missing required column is an error."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PipelineError(f"{path.name}: not a readable CSV file ({' '.join(str(exc).split())})"
                            ) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns and c not in optional]
    if missing:
        raise PipelineError(f"{path.name}: missing column(s) {', '.join(missing)} "
                            f"(found: {', '.join(frame.columns)})")
    for column in required:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.apply(lambda s: s.str.strip())
    frame["row"] = range(2, len(frame) + 2)  # the row Excel shows; the header is row 1
    return frame


def _error(path: Path, row: int, column: str, value: str, expected: str) -> PipelineError:
    return PipelineError(f"{path.name} row {row} column {column}: {value!r}: {expected}")


def _date(path: Path, row: int, column: str, value: str, required: bool) -> date | None:
    """ISO YYYY-MM-DD or UK DD/MM/YYYY, never month-first (inputs.md)."""
    if not value:
        if required:
            raise _error(path, row, column, value, "a date is required")
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return pd.to_datetime(value, format=pattern).date()
        except ValueError:
            continue
    raise _error(path, row, column, value,
                 "not a valid date: expected YYYY-MM-DD or DD/MM/YYYY (day first)")


def _code(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def read_self_assessment(dataset_dir: str | Path | None) -> pd.DataFrame | None:
    """self_assessment.csv: code_section, requirement, complies (yes / no / partly / n/a),
    evidence, commentary (optional). None when the dataset has no such file."""
    if dataset_dir is None:
        return None
    path = Path(dataset_dir) / SELF_ASSESSMENT
    if not path.exists():
        return None
    frame = _read(path, SELF_ASSESSMENT_COLUMNS, optional=("evidence", "commentary"))
    for r in frame.itertuples():
        if not SECTION.match(r.code_section):
            raise _error(path, r.row, "code_section", r.code_section,
                         "expected a Code provision such as 6.2")
        if not r.requirement:
            raise _error(path, r.row, "requirement", r.requirement, "a requirement is required")
    frame["complies"] = [{"na": "n/a", "not applicable": "n/a", "y": "yes", "n": "no"}.get(
        c.lower(), c.lower()) for c in frame["complies"]]
    for r in frame.itertuples():
        if r.complies not in COMPLIES:
            raise _error(path, r.row, "complies", r.complies,
                         f"expected one of {', '.join(COMPLIES)}")
    return frame[["row", *SELF_ASSESSMENT_COLUMNS]].reset_index(drop=True)


def split_code_refs(text: str) -> list[str]:
    """'5.9; 6.4, 6.15' -> ['5.9', '6.4', '6.15']."""
    return [p.strip() for p in re.split(r"[;,]", text or "") if p.strip()]


def read_improvement_plan(dataset_dir: str | Path | None) -> pd.DataFrame | None:
    """improvement_plan.csv: code_refs (one or more provisions, '5.9; 6.4'), requirement,
    improvement, due_date, status (not_started / in_progress / completed), completed_date,
    notes. None when the dataset has no such file."""
    if dataset_dir is None:
        return None
    path = Path(dataset_dir) / IMPROVEMENT_PLAN
    if not path.exists():
        return None
    frame = _read(path, IMPROVEMENT_COLUMNS, optional=("requirement", "completed_date", "notes"))
    due, completed, statuses = [], [], []
    for r in frame.itertuples():
        refs = split_code_refs(r.code_refs)
        bad = [ref for ref in refs if not SECTION.match(ref)]
        if bad or not refs:
            raise _error(path, r.row, "code_refs", r.code_refs,
                         "expected Code provisions separated by ';', such as 5.9; 6.4")
        if not r.improvement:
            raise _error(path, r.row, "improvement", r.improvement, "an improvement is required")
        status = _code(r.status)
        if status not in STATUSES:
            raise _error(path, r.row, "status", r.status, f"expected one of {', '.join(STATUSES)}")
        done = _date(path, r.row, "completed_date", r.completed_date, required=False)
        if status == "completed" and done is None:
            raise _error(path, r.row, "completed_date", r.completed_date,
                         "a completed action needs its completed date")
        due.append(_date(path, r.row, "due_date", r.due_date, required=True))
        completed.append(done)
        statuses.append(status)
    frame["due_date"] = due
    frame["completed_date"] = completed
    frame["status"] = statuses
    return frame[["row", *IMPROVEMENT_COLUMNS]].reset_index(drop=True)


def parse_year(text: str) -> int | None:
    """'2023/24', '2023-24' or '2024' (the year ending 31 March 2024) -> 2024."""
    m = YEAR.match(text.strip())
    if not m:
        return None
    start, end = int(m.group(1)), m.group(2)
    if end is None:
        return start
    if (start + 1) % 100 != int(end):
        return None
    return start + 1


def sector_quartiles_path(dataset_dir: str | Path | None) -> Path | None:
    if dataset_dir is None:
        return None
    for name in SECTOR_QUARTILES:
        path = Path(dataset_dir) / name
        if path.exists():
            return path
    return None


def read_sector_quartiles(dataset_dir: str | Path | None) -> pd.DataFrame | None:
    """The sector's quartiles per measure, for benchmarks: `sector_quartiles.csv` (or, for
    made-up figures, `sector_quartiles_illustrative.csv`) in the dataset folder.

    Columns:
      measure_code    TP01 ... NM01
      measure_part    stage_1 / stage_2, emergency / non_emergency, asb / hate; blank otherwise
      tenure          LCRA, LCHO or ALL (as in tsm.csv)
      year            the reporting year, '2023/24' (or 2024, the year it ends)
      lower_quartile, median, upper_quartile   in the measure's unit (percent 0-100, or per
                      1,000 homes), lower_quartile <= median <= upper_quartile
      note            optional: where the figures come from; the report prints it
    A file whose name contains 'illustrative' is marked illustrative in the report.
    None when neither file is present."""
    path = sector_quartiles_path(dataset_dir)
    if path is None:
        return None
    frame = _read(path, QUARTILE_COLUMNS + ["note"], optional=("measure_part", "note"))
    years, numbers = [], {c: [] for c in ("lower_quartile", "median", "upper_quartile")}
    for r in frame.itertuples():
        if not re.match(r"^(TP(0[1-9]|1[0-2])|BS0[1-5]|CH0[12]|NM01|RP0[12])$",
                        r.measure_code.upper()):
            raise _error(path, r.row, "measure_code", r.measure_code, "expected a TSM code such as TP01")
        if r.tenure.upper() not in ("LCRA", "LCHO", "ALL"):
            raise _error(path, r.row, "tenure", r.tenure, "expected LCRA, LCHO or ALL")
        year = parse_year(r.year)
        if year is None:
            raise _error(path, r.row, "year", r.year, "expected a reporting year such as 2023/24")
        years.append(year)
        values = []
        for column in numbers:
            text = getattr(r, column)
            try:
                values.append(float(text))
            except ValueError:
                raise _error(path, r.row, column, text, "expected a number") from None
            numbers[column].append(values[-1])
        if not values[0] <= values[1] <= values[2]:
            raise _error(path, r.row, "median", r.median,
                         "expected lower_quartile <= median <= upper_quartile")
    frame["measure_code"] = frame["measure_code"].str.upper()
    frame["measure_part"] = frame["measure_part"].map(_code)
    frame["tenure"] = frame["tenure"].str.upper()
    frame["end_year"] = years
    for column, values in numbers.items():
        frame[column] = values
    frame["source_file"] = path.name
    frame["illustrative"] = "illustrative" in path.name.lower()
    return frame[["measure_code", "measure_part", "tenure", "end_year", "lower_quartile", "median",
                  "upper_quartile", "note", "source_file", "illustrative"]]


def small_number_threshold(dataset_dir: str | Path | None) -> int:
    """landlord.toml `small_number_threshold` (default 5): counts from 1 to one below it are
    shown as '<5' in breakdowns. Read through pipeline.landlord, as the run reads it, so the
    notebooks and the published CSVs can never disagree about it."""
    if dataset_dir is None:
        return DEFAULT_SMALL_NUMBER_THRESHOLD
    return read_landlord(Path(dataset_dir)).small_number_threshold


def read_text_input(dataset_dir: Path, name: str) -> str | None:
    """An optional text file of the dataset (governing_body_response.md): None when absent.
    Only a regular file inside the dataset folder is read (a pipe, device, folder or a link
    leading out of the folder is an error naming it); UTF-8, else Windows-1252, and any byte
    neither can read becomes U+FFFD rather than stopping the report."""
    import stat

    path = Path(dataset_dir) / name
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise PipelineError(f"{path}: not a regular file; {name} must be a text file")
    if not path.resolve().is_relative_to(Path(dataset_dir).resolve()):
        raise PipelineError(f"{path}: leads outside the dataset folder; copy the file into it")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
