"""The committed sample dataset is exactly what pipeline.sample writes."""

from __future__ import annotations

import csv
import io
import tomllib
from datetime import date
from pathlib import Path

import holidays
import pytest

from pipeline import sample

COMMITTED = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    sample.write_sample(out)
    return out


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def test_regenerated_file_names_match_committed(regenerated: Path) -> None:
    assert _names(regenerated) == _names(COMMITTED)


def test_regenerated_files_are_byte_identical(regenerated: Path) -> None:
    differing = [
        name
        for name in _names(regenerated)
        if (regenerated / name).read_bytes() != (COMMITTED / name).read_bytes()
    ]
    assert differing == [], "run `python -m pipeline.sample` and commit data/sample/"


def test_write_sample_returns_the_paths_it_wrote(tmp_path: Path) -> None:
    written = sample.write_sample(tmp_path)
    assert sorted(p.name for p in written) == _names(tmp_path)


def test_built_in_bank_holidays_match_the_holidays_package() -> None:
    years = range(2022, 2027)
    package = holidays.country_holidays("GB", subdiv="ENG", years=years)
    weekdays = sorted(d for d in package if d.weekday() < 5)
    assert sorted(sample.BANK_HOLIDAYS) == weekdays


def _read_export(name: str) -> list[dict[str, str]]:
    spec = next(s for s in sample.EXPORTS if s.file == name)
    text = (COMMITTED / name).read_bytes().decode(spec.encoding)
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("bad", sample.DELIBERATE_BAD_ROWS, ids=lambda b: b.complaint_ref)
def test_each_deliberate_bad_row_is_in_its_file_only(bad: sample.BadRow) -> None:
    rows = _read_export(bad.file)
    mine = [r for r in rows if r["complaint_ref"] == bad.complaint_ref]
    assert any(r["stage"] == str(bad.stage) for r in mine)
    if bad.action == "edit":
        assert any(r[bad.column] == bad.value for r in mine)
    for other in (s.file for s in sample.EXPORTS if s.file != bad.file):
        assert bad.complaint_ref not in {r["complaint_ref"] for r in _read_export(other)}


def test_complaint_exports_have_the_canonical_header() -> None:
    for spec in sample.EXPORTS:
        with (COMMITTED / spec.file).open(encoding=spec.encoding, newline="") as f:
            assert tuple(next(csv.reader(f))) == sample.COMPLAINT_COLUMNS


def test_toml_files_parse() -> None:
    landlord = tomllib.loads((COMMITTED / "landlord.toml").read_text(encoding="utf-8"))
    assert landlord["name"] == "North Shire Homes"
    assert landlord["closure_days"] == [date(2023, 12, 27), date(2024, 12, 27)]
    mapping = tomllib.loads((COMMITTED / "mapping.toml").read_text(encoding="utf-8"))
    cases = mapping["ombudsman_cases"]
    assert set(cases["rename"]) == set(sample.HOS_COLUMNS)
    assert set(cases["values"]["finding"].values()) == set(sample.FINDING_LABELS)


def _read_register(name: str) -> list[dict[str, str]]:
    with (COMMITTED / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        (sample.REPAIRS_FILE, sample.REPAIR_COLUMNS),
        (sample.DECENT_HOMES_FILE, sample.DECENT_HOMES_COLUMNS),
        (sample.SAFETY_FILE, sample.SAFETY_COLUMNS),
        (sample.ASB_FILE, sample.ASB_COLUMNS),
    ],
)
def test_register_files_have_the_canonical_header_and_crlf(
    name: str, columns: tuple[str, ...]
) -> None:
    raw = (COMMITTED / name).read_bytes()
    assert raw.startswith((",".join(columns) + "\r\n").encode())
    assert raw.count(b"\n") == raw.count(b"\r\n")


def test_each_repair_trap_is_in_repairs_csv_once() -> None:
    rows = _read_register(sample.REPAIRS_FILE)
    by_ref: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_ref.setdefault(row["job_ref"], []).append(row)
    assert all(len(v) == 1 for v in by_ref.values()), "job_ref must be unique"
    for trap in sample.REPAIR_TRAPS:
        (row,) = by_ref[trap.job_ref]
        assert (row["priority"], row["reported_at"], row["completed_at"], row["target_at"]) == (
            trap.priority,
            trap.reported_at,
            trap.completed_at,
            trap.target_at,
        )


def test_landlord_priorities_match_the_generator() -> None:
    landlord = tomllib.loads((COMMITTED / "landlord.toml").read_text(encoding="utf-8"))
    declared = {
        code: (p["class"], unit, p[unit])
        for code, p in landlord["priorities"].items()
        for unit in ("hours", "working_days", "calendar_days")
        if unit in p
    }
    assert declared == sample.PRIORITIES


def test_register_values_follow_the_input_contract() -> None:
    repairs = _read_register(sample.REPAIRS_FILE)
    assert all(r["target_at"] == "" for r in repairs if r["priority"] != "P2")
    assert {r["status"] for r in repairs} == {"completed", "open", "cancelled", ""}
    checks = _read_register(sample.SAFETY_FILE)
    assert all(c["compliant"] == "" for c in checks if c["required"] == "N")
    assert {c["as_at"] for c in checks} == {d.isoformat() for d in sample.YEAR_ENDS}
    assessments = _read_register(sample.DECENT_HOMES_FILE)
    assert all((a["meets_standard"] == "N") == bool(a["failure_reason"]) for a in assessments)
    for case in _read_register(sample.ASB_FILE):
        for column in ("opened_date", "closed_date"):
            if case[column]:
                day, month, _ = case[column].split("/")
                assert 1 <= int(month) <= 12 and 1 <= int(day) <= 31
