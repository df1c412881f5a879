"""Issue 23: outputs safe to open (no live formula in any CSV or XLSX), failures of the
environment as one line (exit 2) naming the path and what to do, a removed required input
stopping the run, and file names with any bytes surviving the run log and the console.
The CLI runs in this process (pipeline.cli.main) on tiny datasets."""

from __future__ import annotations

import csv
import errno
import io
import logging
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipeline import cli, run_guard
from pipeline.errors import PipelineError
from pipeline.report.safe_cells import FORMULA_STARTS
from pipeline.run_guard import environment_error, printable, run_log
from tests.conftest import write_dataset
from tests.end_to_end.tiny_report_dataset import SURVEY_HEADER, survey_rows

COMPLAINTS = "complaint_ref,stage,received_date\nA,1,2023-05-01\nB,1,2023-06-01\n"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3"]


def _main(*args: str) -> int:
    return cli.main(list(args))


def _refresh(dataset: Path, outputs: Path) -> int:
    return _main("refresh", "--dataset", str(dataset), "--outputs", str(outputs))


def _report(dataset: Path, outputs: Path) -> int:
    return _main("report", "--year", "2024", "--dataset", str(dataset), "--outputs", str(outputs),
                 "--no-render")


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --------------------------------------------------------------------------- formula injection

def _hostile_dataset(folder: Path) -> Path:
    rows = ["complaint_ref,stage,received_date,responded_date,home_ref,outcome,category,"
            "service_area"]
    for i, value in enumerate(HOSTILE):
        quoted = '"' + value.replace('"', '""') + '"'
        rows.append(f"C{i},1,2023-05-0{i + 1},2023-05-1{i},H1,upheld,{quoted},{quoted}")
    return write_dataset(folder, {
        "complaints.csv": "\n".join(rows) + "\n",
        "survey_responses.csv": SURVEY_HEADER + survey_rows(),
        "landlord.toml": 'name = "=cmd"\nsmall_number_threshold = 1\n',
        "survey.toml": '[surveys."2023/24"]\ncontractor = "=1+1"\n',
    })


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_formula_like_text_is_written_as_text_in_every_output(tmp_path):
    dataset = _hostile_dataset(tmp_path / "ds")
    assert _report(dataset, tmp_path / "out") == 0
    year = tmp_path / "out" / "2023-24"
    csvs = sorted(year.glob("*.csv"))
    assert {p.name for p in csvs} >= {"tsm.csv", "complaints_kpis.csv", "data_quality.csv",
                                      "data_return.csv", "survey_summary_of_approach.csv"}
    cells: dict[str, list[str]] = {}
    for path in csvs:
        with open(path, newline="", encoding="utf-8") as handle:
            cells[path.name] = [c for row in csv.reader(handle) for c in row]
        for cell in cells[path.name]:
            if cell.startswith(FORMULA_STARTS):  # only a number may start with - or +
                assert _is_number(cell), (path.name, cell)
    # the traps are there, quoted (categories and service areas are codes: lower case)
    kpis = cells["complaints_kpis.csv"]
    for value in ('\'=hyperlink("http://x","y")', "'+1", "'@sum(a1)", "'-2+3"):
        assert kpis.count(value) >= 2, value  # category and service_area groups
    assert "'=1+1" in cells["survey_summary_of_approach.csv"]  # survey.toml contractor
    book = load_workbook(year / "data_return.xlsx")
    formulas = [c.coordinate for s in book for row in s.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []
    title = book["Data return"]["A1"]
    assert title.value.startswith("=cmd: Tenant Satisfaction Measures data return")
    assert (title.data_type, title.quotePrefix) == ("s", True)
    for sheet in book:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS):
                    assert (c.data_type, c.quotePrefix) == ("s", True), c.coordinate


# --------------------------------------------------------------------------- environment

@pytest.fixture
def first_night(tmp_path, capsys):
    dataset = write_dataset(tmp_path / "ds", {"complaints_2024-03-30.csv": COMPLAINTS})
    outputs = tmp_path / "out"
    assert _refresh(dataset, outputs) == 0
    capsys.readouterr()
    return dataset, outputs


def test_outputs_folder_that_is_a_file(tmp_path, capsys):
    dataset = write_dataset(tmp_path / "ds", {})
    (tmp_path / "out").write_text("not a folder")
    assert _refresh(dataset, tmp_path / "out") == 2
    line = _one_line(capsys)
    assert line == (f"error: {tmp_path / 'out'} is a file, not a folder: move the file away "
                    "or give --outputs a folder")


def test_outputs_folder_under_a_file(tmp_path, capsys):
    dataset = write_dataset(tmp_path / "ds", {})
    (tmp_path / "file").write_text("x")
    assert _report(dataset, tmp_path / "file" / "out") == 2
    line = _one_line(capsys)
    assert line.startswith(f"error: {tmp_path / 'file'} is a file, so the folder "
                           f"{tmp_path / 'file' / 'out'} cannot be made under it")


def test_outputs_folder_on_a_read_only_filesystem(tmp_path, capsys, monkeypatch):
    dataset = write_dataset(tmp_path / "ds", {})
    (tmp_path / "out").mkdir()
    real = os.statvfs

    class ReadOnly:
        def __init__(self, path):
            self.f_flag = real(path).f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", ReadOnly)
    assert _refresh(dataset, tmp_path / "out") == 2
    assert _one_line(capsys) == (f"error: {tmp_path / 'out'} is on a read-only filesystem: give "
                                 "--outputs a folder on a writable one")
    assert list((tmp_path / "out").iterdir()) == []


def test_permission_denied_while_writing_is_one_line(tmp_path, capsys, monkeypatch):
    """As root a chmod 555 folder stays writable: the error is raised where the run log is
    opened, as the operating system would raise it."""
    dataset = write_dataset(tmp_path / "ds", {})

    def denied(self, path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(run_guard.RunLogHandler, "__init__", denied)
    assert _refresh(dataset, tmp_path / "out") == 2
    line = _one_line(capsys)
    assert line.startswith(f"error: permission denied on {tmp_path / 'out' / 'logs'}")
    assert "give --outputs another folder" in line


def _warehouse_state(outputs: Path):
    warehouse = outputs / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        refs = sorted(r[0] for r in con.execute("select complaint_ref from staging.complaints").fetchall())
    finally:
        con.close()
    return warehouse.read_bytes(), refs


@pytest.mark.parametrize("where", ["copy", "marts"])
def test_disk_full_while_the_warehouse_is_written(first_night, capsys, monkeypatch, where):
    dataset, outputs = first_night
    before = _warehouse_state(outputs)
    (dataset / "complaints_2024-03-31.csv").write_text("complaint_ref,stage,received_date\n"
                                                       "C,1,2023-07-01\n")
    if where == "copy":  # the working copy cannot even be made
        def full(src, dst, *args, **kwargs):
            Path(dst).write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(run_guard.shutil, "copy2", full)
    else:  # DuckDB's own error, as a stage wraps it (pipeline.model_state)
        def full(con, *args, **kwargs):
            try:
                raise duckdb.IOException(
                    'IO Error: Could not write file "warehouse.duckdb.building": '
                    "No space left on device")
            except duckdb.Error as exc:
                raise PipelineError(f"sql/marts/x.sql: {exc}") from None

        monkeypatch.setattr("pipeline.run.build_marts", full)
    assert _refresh(dataset, outputs) == 2
    line = _one_line(capsys)
    warehouse = outputs / "warehouse.duckdb"
    assert line.startswith("error: the disk is full (writing ")
    assert line.endswith(f": free some space and run again; the warehouse {warehouse} keeps "
                         "its last good state")
    assert _warehouse_state(outputs) == before
    assert not (outputs / "warehouse.duckdb.building").exists()
    monkeypatch.undo()
    assert _refresh(dataset, outputs) == 0  # space freed: the next night catches up
    assert _warehouse_state(outputs)[1] == ["A", "B", "C"]


def test_disk_full_while_outputs_are_written(tmp_path, capsys, monkeypatch):
    dataset = write_dataset(tmp_path / "ds", {"complaints.csv": COMPLAINTS})
    outputs = tmp_path / "out"
    assert _report(dataset, outputs) == 0
    year = outputs / "2023-24"
    before = {p.name: p.read_bytes() for p in year.iterdir()}
    capsys.readouterr()

    def full(frame, path, *args, **kwargs):
        Path(path).write_bytes(b"PK half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pipeline.report.outputs.write_data_return_xlsx", full)
    assert _report(dataset, outputs) == 2
    assert _one_line(capsys) == (f"error: the disk is full (writing {year}): free some space "
                                 f"and run again; {year} was not changed")
    assert {p.name: p.read_bytes() for p in year.iterdir()} == before
    assert [p.name for p in outputs.iterdir() if p.name.startswith(".2023-24")] == []


@pytest.mark.parametrize("code, start", [
    (errno.ENOSPC, "the disk is full (writing /w/x)"),
    (errno.EDQUOT, "the disk quota is used up (writing /w/x)"),
    (errno.EROFS, "/w/x is on a read-only filesystem"),
    (errno.EACCES, "permission denied on /w/x"),
    (errno.EPERM, "permission denied on /w/x"),
    (errno.ENOTDIR, "/w/x (or a folder above it) is a file where a folder is needed"),
])
def test_environment_errors_name_the_path_and_what_to_do(code, start):
    failure = environment_error(OSError(code, os.strerror(code), "/w/x"), "/elsewhere", "kept")
    assert str(failure).startswith(start) and str(failure).endswith("; kept")
    assert failure.exit_code == 2
    assert environment_error(ValueError("no"), "/w") is None
    assert environment_error(OSError(errno.ENOENT, "gone", "/w/x"), "/w") is None


# --------------------------------------------------------------------------- removed inputs

def test_a_removed_homes_csv_stops_the_run_on_either_path(first_night, capsys):
    dataset, outputs = first_night
    (dataset / "homes.csv").unlink()
    # nothing else changed: the "nothing new" shortcut must not report from the old homes
    assert _refresh(dataset, outputs) == 2
    line = _one_line(capsys)
    assert line.startswith(f"error: {dataset}: homes.csv is required and missing (the "
                           "warehouse loaded homes.csv on an earlier run")
    # a new export as well: the full path says the same
    (dataset / "complaints_2024-03-31.csv").write_text("complaint_ref,stage,received_date\n"
                                                       "C,1,2023-07-01\n")
    assert _report(dataset, outputs) == 2
    assert "homes.csv is required and missing" in _one_line(capsys)
    assert not (outputs / "2023-24").exists()
    log = sorted((outputs / "logs").glob("*-refresh.log"))[-1].read_text()
    assert ("input removed from the dataset folder since it was loaded: homes.csv (homes)"
            in log)
    assert "input new: complaints_2024-03-31.csv (complaints)" in log


def test_the_run_log_says_which_inputs_are_new_changed_or_removed(first_night):
    dataset, outputs = first_night
    (dataset / "complaints_2024-03-30.csv").unlink()
    (dataset / "complaints_2024-03-31.csv").write_text(COMPLAINTS + "C,1,2023-07-01\n")
    with open(dataset / "homes.csv", "a") as handle:
        handle.write("H4,LCRA\n")
    assert _refresh(dataset, outputs) == 0
    log = sorted((outputs / "logs").glob("*-refresh.log"))[-1].read_text()
    assert "input changed since it was loaded: homes.csv (homes)" in log
    assert "input new: complaints_2024-03-31.csv (complaints)" in log
    assert ("input removed from the dataset folder since it was loaded: "
            "complaints_2024-03-30.csv (complaints); the rows it gave stay in the warehouse"
            in log)


# --------------------------------------------------------------------------- any bytes in names

def test_a_file_name_with_a_byte_not_valid_utf8_survives_the_log_and_the_console(tmp_path):
    name = os.fsdecode(b"complaints_\xff.csv")  # 'complaints_\udcff.csv'
    with run_log(tmp_path, "refresh") as log:
        log.info("input new: %s", name)
        log.warning("odd name %s", name)
    text = next((tmp_path / "logs").glob("*-refresh.log")).read_text(encoding="utf-8")
    assert "input new: complaints_\\udcff.csv" in text
    assert printable(name) == "complaints_\\udcff.csv"
    strict = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    cli._say(f"error: {name}: cannot be read", strict)  # print() of it raises
    strict.flush()
    assert strict.buffer.getvalue() == b"error: complaints_\\udcff.csv: cannot be read\n"
    # the warnings handler on stderr formats the same way
    record = logging.LogRecord("tsm", logging.WARNING, "", 0, "odd %s", (name,), None)
    assert run_guard.PrintableFormatter("warning: %(message)s").format(record) == \
        "warning: odd complaints_\\udcff.csv"


def test_a_real_file_named_with_a_byte_not_valid_utf8(tmp_path, capsys):
    """A mapped export whose name holds byte 0xff: the run log is written and the run ends
    with one line naming the file, whatever ingest makes of it."""
    dataset = write_dataset(tmp_path / "ds", {"mapping.toml":
                                              '[complaints]\nsource = "complaints*.csv"\n'})
    try:
        with open(os.fsencode(dataset) + b"/complaints_\xff.csv", "w") as handle:
            handle.write(COMPLAINTS)
    except OSError:
        pytest.skip("this filesystem refuses the name")
    code = _refresh(dataset, tmp_path / "out")
    err = capsys.readouterr().err
    assert "Traceback" not in err and code in (0, 2)
    log = next((tmp_path / "out" / "logs").glob("*-refresh.log")).read_text(encoding="utf-8")
    assert "input new: complaints_\\udcff.csv (complaints)" in log
    if code == 2:
        assert err.startswith("error: complaints_\\udcff.csv")


def test_stale_staging_folders_are_removed_by_the_next_report(tmp_path):
    dataset = write_dataset(tmp_path / "ds", {"complaints.csv": COMPLAINTS})
    outputs = tmp_path / "out"
    for name in (".2023-24-k1ll3d", ".2022-23-old-x", ".2023-24-abc"):
        (outputs / name / "figures").mkdir(parents=True)
    (outputs / ".2023-24-file").write_text("not ours: a file")
    (outputs / "notes").mkdir()
    assert _report(dataset, outputs) == 0
    left = sorted(p.name for p in outputs.iterdir())
    assert left == [".2023-24-file", ".warehouse.duckdb.lock", "2023-24", "logs", "notes",
                    "warehouse.duckdb"]
    shutil.rmtree(outputs)
