"""A refresh killed at any point leaves the previous warehouse intact and readable; a second
run started while one is running exits at once with its own exit code; a killed run leaves
no lock behind. Each test runs the real CLI in a subprocess."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import duckdb
import pytest

from tests.conftest import REPO_ROOT, write_dataset

pytestmark = pytest.mark.slow

COMPLAINTS = "complaint_ref,stage,received_date\nA,1,2023-05-01\nB,1,2023-06-01\n"
NEW_EXPORT = "complaint_ref,stage,received_date\nC,1,2023-07-01\n"


def _cli(dataset, outputs, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "refresh", "--dataset", str(dataset), "--outputs",
         str(outputs)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, start_new_session=True)


def _wait_for(proc, text, timeout=60):
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if text in line:
            return
        if proc.poll() is not None:
            break
    raise AssertionError(f"never saw {text!r}; last line {line!r}; stderr {proc.stderr.read()}")


def _complaint_refs(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return sorted(r[0] for r in con.execute("select complaint_ref from staging.complaints").fetchall())
    finally:
        con.close()


@pytest.fixture
def first_night(tmp_path):
    dataset = write_dataset(tmp_path / "ds", {"complaints_2024-03-30.csv": COMPLAINTS})
    outputs = tmp_path / "out"
    proc = _cli(dataset, outputs)
    assert proc.wait(120) == 0, proc.stderr.read()
    (dataset / "complaints_2024-03-31.csv").write_text(NEW_EXPORT)
    return dataset, outputs


@pytest.mark.parametrize("stage", ["after_load", "after_marts", "before_swap"])
def test_killed_run_leaves_the_previous_warehouse_intact(first_night, stage):
    dataset, outputs = first_night
    warehouse = outputs / "warehouse.duckdb"
    before = warehouse.read_bytes()
    proc = _cli(dataset, outputs, {"TSM_PAUSE_AT": stage, "TSM_PAUSE_SECONDS": "60"})
    _wait_for(proc, f"paused at {stage}")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert warehouse.read_bytes() == before
    assert _complaint_refs(warehouse) == ["A", "B"]
    # the next night is not blocked by a stale lock, and finishes the job
    retry = _cli(dataset, outputs)
    assert retry.wait(120) == 0, retry.stderr.read()
    assert _complaint_refs(warehouse) == ["A", "B", "C"]
    assert not (outputs / "warehouse.duckdb.building").exists()


def test_a_second_run_exits_at_once_while_one_is_running(first_night):
    dataset, outputs = first_night
    first = _cli(dataset, outputs, {"TSM_PAUSE_AT": "after_load", "TSM_PAUSE_SECONDS": "60"})
    _wait_for(first, "paused at after_load")
    started = time.monotonic()
    second = _cli(dataset, outputs)
    assert second.wait(30) == 75
    assert time.monotonic() - started < 20
    assert "is being refreshed by pid" in second.stderr.read()
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(30)


def test_logs_and_warehouse_are_private_and_summarised(first_night):
    dataset, outputs = first_night
    mode = stat.S_IMODE((outputs / "warehouse.duckdb").stat().st_mode)
    assert mode & 0o077 == 0  # 3 homes + 2 complaints below
    logs = sorted((outputs / "logs").glob("*-refresh.log"))
    assert logs and stat.S_IMODE((outputs / "logs").stat().st_mode) == 0o700
    assert "summary: 2 file(s) loaded of 2, 5 rows staged, 0 rows quarantined" in logs[-1].read_text()


def test_second_refresh_with_no_new_files_changes_nothing(first_night):
    dataset, outputs = first_night
    assert _cli(dataset, outputs).wait(120) == 0
    warehouse = outputs / "warehouse.duckdb"
    before = (warehouse.read_bytes(), warehouse.stat().st_mtime_ns)
    again = _cli(dataset, outputs)
    assert again.wait(120) == 0
    assert "0 new file(s)" in again.stdout.read()
    assert (warehouse.read_bytes(), warehouse.stat().st_mtime_ns) == before


def _report_cli(dataset, outputs, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "report", "--year", "2024", "--no-render",
         "--dataset", str(dataset), "--outputs", str(outputs)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, start_new_session=True)


def _hidden(outputs):
    return sorted(p.name for p in outputs.iterdir() if p.name.startswith(".2023-24"))


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_with_one_line_and_nothing_left_behind(first_night, signum, code):
    dataset, outputs = first_night
    warehouse = outputs / "warehouse.duckdb"
    before = warehouse.read_bytes()
    proc = _cli(dataset, outputs, {"TSM_PAUSE_AT": "after_load", "TSM_PAUSE_SECONDS": "60"})
    _wait_for(proc, "paused at after_load")
    assert (outputs / "warehouse.duckdb.building").exists()
    proc.send_signal(signum)
    assert proc.wait(30) == code
    assert proc.stderr.read() == (f"interrupted ({signal.Signals(signum).name}): nothing was "
                                  "changed; the warehouse keeps its last good state\n")
    assert warehouse.read_bytes() == before
    assert not (outputs / "warehouse.duckdb.building").exists()
    log = sorted((outputs / "logs").glob("*-refresh.log"))[-1].read_text()
    assert f"INTERRUPTED ({signal.Signals(signum).name})" in log
    retry = _cli(dataset, outputs)
    assert retry.wait(120) == 0, retry.stderr.read()
    assert _complaint_refs(warehouse) == ["A", "B", "C"]


def test_a_report_killed_while_writing_outputs_leaves_what_the_next_run_cleans(first_night):
    dataset, outputs = first_night
    # interrupted once its refresh is in (C loaded): one line, its staging folder removed
    proc = _report_cli(dataset, outputs, {"TSM_PAUSE_AT": "outputs_staged",
                                          "TSM_PAUSE_SECONDS": "60"})
    _wait_for(proc, "paused at outputs_staged")
    assert len(_hidden(outputs)) == 1
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 130
    assert proc.stderr.read() == (f"interrupted (SIGINT) after the warehouse was refreshed: "
                                  f"{outputs / '2023-24'} was not changed; run the report again\n")
    assert _hidden(outputs) == [] and not (outputs / "2023-24").exists()
    assert _complaint_refs(outputs / "warehouse.duckdb") == ["A", "B", "C"]
    # killed outright at the same point: its staging folder stays ...
    proc = _report_cli(dataset, outputs, {"TSM_PAUSE_AT": "outputs_staged",
                                          "TSM_PAUSE_SECONDS": "60"})
    _wait_for(proc, "paused at outputs_staged")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert len(_hidden(outputs)) == 1 and not (outputs / "2023-24").exists()
    # ... until the next run, which removes it under the lock
    retry = _report_cli(dataset, outputs)
    assert retry.wait(120) == 0, retry.stderr.read()
    assert _hidden(outputs) == [] and (outputs / "2023-24" / "tsm.csv").exists()
