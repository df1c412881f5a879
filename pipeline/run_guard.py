"""What makes an unattended nightly refresh safe (issue 6):

- one run at a time: an exclusive lock (flock) on outputs/.warehouse.lock; a second run
  exits at once with EXIT_LOCKED. The operating system drops the lock when a run dies, so
  a killed run never leaves a stale lock behind;
- atomic: the run works on a copy of the warehouse and replaces the real file (os.replace,
  an atomic rename) only after every stage and contract check passed. Killed at any point,
  the previous warehouse is untouched; the half-built copy is removed by the next run;
- private: files are created readable by the owner only (umask 077);
- a log per run in outputs/logs/ ending with a one-line summary.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pipeline.errors import PipelineError

log = logging.getLogger("tsm")
WORKING_SUFFIX = ".building"


class WarehouseLocked(PipelineError):
    """Another refresh holds the lock."""

    exit_code = 75  # EX_TEMPFAIL: try again later


@contextlib.contextmanager
def private_files() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.parent / f".{warehouse.name}.lock"
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseLocked(
                f"{warehouse} is being refreshed by {holder}; this run did nothing "
                "(try again when that run has finished)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def working_copy(warehouse: Path) -> Iterator[Path]:
    """A copy of the warehouse to build into; it replaces the warehouse only if the block
    finishes without an exception (call .commit by leaving the block normally)."""
    working = warehouse.with_name(warehouse.name + WORKING_SUFFIX)
    for leftover in (working, working.with_name(working.name + ".wal")):
        leftover.unlink(missing_ok=True)  # from a run that was killed
    if warehouse.exists():
        shutil.copy2(warehouse, working)
    try:
        yield working
    except BaseException:
        working.unlink(missing_ok=True)
        working.with_name(working.name + ".wal").unlink(missing_ok=True)
        raise
    pause_for_tests("before_swap")
    os.replace(working, warehouse)


def pause_for_tests(stage: str) -> None:
    """Kill tests stop a run at a named stage: TSM_PAUSE_AT=<stage> TSM_PAUSE_SECONDS=<s>."""
    if os.environ.get("TSM_PAUSE_AT") == stage:
        print(f"paused at {stage}", flush=True)
        time.sleep(float(os.environ.get("TSM_PAUSE_SECONDS", "30")))


@contextlib.contextmanager
def run_log(outputs_dir: Path, command: str) -> Iterator[logging.Logger]:
    logs = outputs_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    os.chmod(logs, 0o700)
    path = logs / f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}-{command}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield log
    except PipelineError as exc:
        log.error("FAILED: %s", exc)
        raise
    except BaseException as exc:
        log.error("FAILED (internal error %s): %s", type(exc).__name__, exc)
        raise
    finally:
        log.removeHandler(handler)
        handler.close()
