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
