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


# Small inputs of the annual report written by hand (not generated): the self-assessment
# against the Code, the improvement plan and an illustrative sector-quartiles file.
HAND_WRITTEN = {"self_assessment.csv", "improvement_plan.csv", "sector_quartiles_illustrative.csv"}


def test_regenerated_file_names_match_committed(regenerated: Path) -> None:
    assert _names(regenerated) == [n for n in _names(COMMITTED) if n not in HAND_WRITTEN]


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


# --------------------------------------------------------------------------- tenant survey
# The .sav is compared byte for byte too (test_regenerated_files_are_byte_identical): the
# generator overwrites the creation time ReadStat writes into the header. If a pyreadstat
# upgrade changes the bytes it writes, regenerate the sample; the read-back test below
# checks the content independently of the bytes.

SAV = COMMITTED / "survey_responses_2024-03-22.sav"
SURVEY_CSVS = ("survey_responses_2023-03-24.csv", "survey_responses_2025-03-21.csv")
SCALE = {*sample.SATISFACTION, *sample.AGREEMENT}


def _normalised(value: object) -> str:
    """As the pipeline reads a code: trimmed, lower case, no apostrophes, spaces to _."""
    text = "" if value is None or value != value else str(value)
    return "_".join(text.strip().replace("'", "").lower().split())


def _survey(name: str) -> list[dict[str, str]]:
    """A survey export's rows as canonical codes (numbers recoded as mapping.toml says)."""
    mapping = tomllib.loads((COMMITTED / "mapping.toml").read_text(encoding="utf-8"))
    recode = mapping["survey_responses"]["values"]
    if name.endswith(".sav"):
        import pyreadstat

        frame, _meta = pyreadstat.read_sav(
            str(COMMITTED / name), apply_value_formats=True, formats_as_category=False
        )
        rows = [
            {k: "" if v is None or v != v else str(v) for k, v in r.items()}
            for r in frame.to_dict("records")
        ]
    else:
        with (COMMITTED / name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    lowered = {c: {k.lower(): v for k, v in m.items()} for c, m in recode.items()}
    return [
        {
            c: _normalised(lowered.get(c, {}).get(v.strip().lower(), v))
            if c in lowered or c == "collection_method"
            else v
            for c, v in row.items()
        }
        for row in rows
    ]


def test_survey_csvs_have_the_canonical_header_and_crlf() -> None:
    for name in SURVEY_CSVS:
        raw = (COMMITTED / name).read_bytes()
        assert raw.startswith((",".join(sample.SURVEY_COLUMNS) + "\r\n").encode())
        assert raw.count(b"\n") == raw.count(b"\r\n")


def test_sav_reads_back_with_value_labels_and_a_fixed_header_time() -> None:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(SAV))
    assert tuple(frame.columns) == sample.SURVEY_COLUMNS
    for tp in sample.TP_COLUMNS:
        expected = sample.AGREEMENT_LABELS if tp == "tp08" else sample.SATISFACTION_LABELS
        assert meta.variable_value_labels[tp] == {float(k): v for k, v in expected.items()}
        assert set(frame[tp].dropna()) <= {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}
    assert meta.variable_value_labels["communal_areas"] == {
        1.0: "Yes",
        2.0: "No",
        3.0: "Don't know",
    }
    assert meta.variable_value_labels["repair_last_12m"] == {1.0: "Yes", 2.0: "No"}
    assert meta.original_variable_types["response_date"].startswith("DATE")
    assert all(date(2024, 1, 22) <= d <= date(2024, 3, 15) for d in frame["response_date"])
    assert SAV.read_bytes()[92:109] == b"22 Mar 2407:00:00"


def test_survey_population_totals_agree_and_cover_every_respondent_group() -> None:
    population = _read_register(sample.POPULATION_FILE)
    totals: dict[tuple[str, str], set[int]] = {}
    groups: dict[tuple[str, str, str], set[str]] = {}
    for row in population:
        key = (row["year"], row["tenure"])
        by_characteristic = groups.setdefault((*key, row["characteristic"]), set())
        by_characteristic.add(row["group"])
    for year, tenure in {(r["year"], r["tenure"]) for r in population}:
        sums = {
            c: sum(
                int(r["households"])
                for r in population
                if (r["year"], r["tenure"], r["characteristic"]) == (year, tenure, c)
            )
            for c in sample.SURVEY_CHARACTERISTICS
        }
        totals[(year, tenure)] = set(sums.values())
    assert all(len(v) == 1 for v in totals.values()), totals
    assert {y for y, _t in totals} == {s.label for s in sample.SURVEYS}
    for spec in sample.SURVEYS:
        for row in _survey(spec.file):
            for c in sample.SURVEY_CHARACTERISTICS:
                assert row[c] in groups[(spec.label, row["tenure"], c)], (spec.file, row)


def test_survey_answers_are_codes_the_pipeline_accepts() -> None:
    ids: set[str] = set()
    for spec in sample.SURVEYS:
        rows = _survey(spec.file)
        assert len(rows) >= sum(spec.respondents)
        for row in rows:
            assert row["response_id"].startswith(spec.prefix + "-")
            assert row["tenure"] in ("LCRA", "LCHO")
            assert row["collection_method"] in sample.SURVEY_METHODS
            for tp in sample.TP_COLUMNS:
                assert row[tp] in (SCALE | {"dont_know", ""}), (spec.file, tp, row[tp])
            assert row["communal_areas"] in ("yes", "no", "dont_know")
            assert row["repair_last_12m"] in (("yes", "no") if row["tenure"] == "LCRA" else ("",))
            if row["tenure"] == "LCHO":
                assert row["tp03"] == row["tp04"] == ""
        year_ids = {r["response_id"] for r in rows}
        assert len(year_ids) == len(rows) and not year_ids & ids
        ids |= year_ids


def test_each_survey_trap_is_in_its_file_and_nothing_else_breaks_routing() -> None:
    listed = {(t.file, t.kind): set(t.response_ids) for t in sample.SURVEY_TRAPS}
    for spec in sample.SURVEYS:
        found: dict[str, set[str]] = {}
        for row in _survey(spec.file):
            ref = row["response_id"]
            lcra = row["tenure"] == "LCRA"
            if lcra and row["repair_last_12m"] == "no" and (row["tp02"] or row["tp03"]):
                assert row["collection_method"] == "postal"
                found.setdefault("repair_routing", set()).add(ref)
            if row["communal_areas"] != "yes" and row["tp10"]:
                assert row["communal_areas"] == "no"
                found.setdefault("communal_routing", set()).add(ref)
            if row["tp01"] == "dont_know":
                found.setdefault("tp01_dont_know", set()).add(ref)
            if not lcra and row["tp02"]:
                found.setdefault("lcho_tp02", set()).add(ref)
            if row["complaint_last_12m"] != "yes":
                assert row["tp09"] == ""
        expected = {kind: ids for (file, kind), ids in listed.items() if file == spec.file}
        assert found == expected, spec.file
    assert 9 <= min(len(t.response_ids) for t in sample.SURVEY_TRAPS if t.kind == "repair_routing")


def test_survey_toml_declares_each_year() -> None:
    surveys = tomllib.loads((COMMITTED / "survey.toml").read_text(encoding="utf-8"))["surveys"]
    assert list(surveys) == [s.label for s in sample.SURVEYS]
    for spec in sample.SURVEYS:
        declared = surveys[spec.label]
        assert (declared["fieldwork_start"], declared["fieldwork_end"]) == spec.fieldwork
        assert declared["characteristics"] == list(sample.SURVEY_CHARACTERISTICS)
        assert declared["weighting"] == spec.weighting
        assert declared["sample_method"] == "census"
    assert surveys["2024/25"]["weight_by"] == ["age_band", "area"]
    assert "shortfall_reason" not in surveys["2023/24"]
    assert "other_issues" not in surveys["2023/24"]


def test_mapping_recodes_the_survey_codes() -> None:
    mapping = tomllib.loads((COMMITTED / "mapping.toml").read_text(encoding="utf-8"))
    values = mapping["survey_responses"]["values"]
    assert set(values) == {*sample.TP_COLUMNS, *sample.ROUTING_COLUMNS}
    assert values["tp01"]["1"] == "very_satisfied" and values["tp01"]["9"] == "dont_know"
    assert values["tp08"]["1"] == "strongly_agree" and values["tp08"]["5"] == "strongly_disagree"
    assert values["communal_areas"] == {"1": "yes", "2": "no", "3": "dont_know"}
    assert values["complaint_last_12m"] == {"1": "yes", "2": "no"}
    assert mapping["ombudsman_cases"]["source"] == "HOS_determinations_export*.csv"
