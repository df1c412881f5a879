"""The corpus in tests/data/bad_inputs/: each file, given as its source's only export, must
end as cases.toml says: a clear error (never a traceback), or rows quarantined with the
expected rule, or loaded; in every case every row read is staged or quarantined."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import PipelineError
from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.conftest import write_dataset

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text())


def _run(tmp_path, source: str, content: bytes):
    files = {f"{source}.csv": content}
    dataset = write_dataset(tmp_path / "ds", files)
    config = RunConfig.create(dataset, tmp_path / "out", year=2024, render=False)
    return config, refresh(config)


def test_the_corpus_has_at_least_30_cases():
    assert len(CASES) >= 30
    assert all((CORPUS / name).exists() for name in CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(tmp_path, name):
    case = CASES[name]
    content = (CORPUS / name).read_bytes()
    if case["outcome"] == "error":
        with pytest.raises(PipelineError, match=case.get("match") or None) as info:
            _run(tmp_path, case["source"], content)
        assert str(info.value) and "Traceback" not in str(info.value)
        assert not (tmp_path / "out" / "warehouse.duckdb").exists()  # nothing half-built kept
        return
    config, _ = _run(tmp_path, case["source"], content)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        file_name = f"{case['source']}.csv"
        staged = con.execute(f"select count(*) from staging.{case['source']}_rows "
                             "where source_file = ?", [file_name]).fetchone()[0]
        rules = con.execute("select rule, count(distinct source_row) from quarantine.rows "
                            "where source_file = ? group by rule", [file_name]).fetchall()
        read = con.execute("select rows_read from audit.loads where source_file = ?",
                           [file_name]).fetchone()[0]
    finally:
        con.close()
    quarantined = sum(n for _, n in rules)
    assert staged == case.get("staged", staged)
    assert quarantined == case.get("quarantined", 0)
    assert read == staged + quarantined
    if case["outcome"] == "quarantine":
        assert any(case["match"] in rule for rule, _ in rules), rules


def test_a_huge_field_is_quarantined_not_fatal(tmp_path):
    content = ("complaint_ref,stage,received_date,category\nA,1,2023-05-01,"
               + "x" * 11_000_000 + "\nB,1,2023-05-02,y\n").encode()
    config, result = _run(tmp_path, "complaints", content)
    assert (result.summary.rows_staged, result.summary.rows_quarantined) == (4, 1)  # 3 homes + B


def test_files_outside_the_dataset_folder_are_never_read(tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text("complaint_ref,stage,received_date\nX,1,2023-05-01\n")
    dataset = write_dataset(tmp_path / "ds", {
        "mapping.toml": '[complaints]\nsource = "../secret*.csv"\n'})
    (dataset / "complaints.csv").symlink_to(outside)
    config = RunConfig.create(dataset, tmp_path / "out", render=False)
    with pytest.raises(PipelineError, match="outside the dataset folder"):
        refresh(config)


BAD_MAPPINGS = tomllib.loads((CORPUS / "bad_mappings.toml").read_text())


@pytest.mark.parametrize("name", sorted(BAD_MAPPINGS))
def test_bad_mapping_toml_is_one_line_naming_the_key(tmp_path, capsys, name):
    from pipeline.cli import main

    case = BAD_MAPPINGS[name]
    dataset = write_dataset(tmp_path / "ds", {
        "complaints.csv": "complaint_ref,stage,received_date\nA,1,2023-05-01\n",
        "mapping.toml": case["mapping"].replace("\\n", "\n") + "\n"})
    code = main(["refresh", "--dataset", str(dataset), "--outputs", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: mapping.toml: "), err
    assert case["match"] in err, err


def test_an_unknown_mapping_key_warns_and_suggests_the_nearest(tmp_path, caplog):
    dataset = write_dataset(tmp_path / "ds", {
        "complaints.csv": "Ref,stage,received_date\nA,1,2023-05-01\n",
        "mapping.toml": ('[complaints]\nrenmae = { "Ref" = "x" }\nrename = { "Ref" = "complaint_ref" }\n'
                         'colour = "blue"\n')})
    with caplog.at_level("WARNING", logger="tsm"):
        result = refresh(RunConfig.create(dataset, tmp_path / "out", render=False))
    assert result.summary.rows_staged == 3 + 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        "mapping.toml: [complaints] ignores unknown key 'colour'; known keys: "
        "date_format, delimiter, encoding, personal_data, rename, skip_rows, source, values",
        "mapping.toml: [complaints] ignores unknown key 'renmae' (did you mean "
        "'rename'?); known keys: date_format, delimiter, encoding, personal_data, rename, "
        "skip_rows, source, values"]
