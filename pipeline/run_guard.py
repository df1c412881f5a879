"""What makes an unattended nightly refresh safe (issue 6):

- one run at a time: an exclusive lock (flock) on outputs/.warehouse.lock; a second run
  exits at once with EXIT_LOCKED. The operating system drops the lock when a run dies, so
  a killed run never leaves a stale lock behind;
- atomic: the run works on a copy of the warehouse and replaces the real file (os.replace,
  an atomic rename) only after every stage and contract check passed. Killed at any point,
  the previous warehouse is untouched; the half-built copy is removed by the next run;
- private: files are created readable by the owner only (umask 077);
- a log per run in outputs/logs/ ending with a one-line summary;
- interruptible: SIGINT and SIGTERM stop the run with one line (Interrupted, caught by
  pipeline.cli), the working copy and staging folders are removed on the way out, and a
  run killed outright (SIGKILL) leaves only what the next run removes under the lock;
- environment failures (disk full, a read-only or missing folder, a file where a folder
  should be) are one line naming the path and what to do (environment_error).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import signal
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pipeline.errors import PipelineError

log = logging.getLogger("tsm")
WORKING_SUFFIX = ".building"
DUCKDB_TEMP = ".duckdb_tmp"  # pipeline.warehouse.connect: where a big load spills


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt, not an Exception
    """SIGINT or SIGTERM arrived: raised once by the handler install_signal_handlers sets.
    A BaseException, so the `except Exception` of the stages cannot swallow it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: list[int] = []  # the signals this process received (install_signal_handlers)
_state = {"warehouse_replaced": False}


def signal_received() -> int | None:
    return _received[0] if _received else None


def warehouse_replaced() -> bool:
    """True once this run has swapped its refreshed warehouse in."""
    return _state["warehouse_replaced"]


def check_interrupted() -> None:
    """Raise Interrupted if a signal arrived, even one a library turned into another error
    that something caught (DuckDB turns it into RuntimeError('Query interrupted')): called
    before anything is swapped into place."""
    if _received:
        raise Interrupted(_received[0])


def _on_signal(signum: int, _frame) -> None:
    first = not _received
    _received.append(signum)
    if first:  # later signals are noted only: they must not break the clean-up under way
        raise Interrupted(signum)


@contextlib.contextmanager
def install_signal_handlers() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted (once) for the length of the block."""
    _received.clear()
    _state["warehouse_replaced"] = False
    previous = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _on_signal)
    except ValueError:  # not the main thread: leave signals as they are
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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
        remove_leftovers(warehouse)
        yield
    finally:
        handle.close()


def remove_leftovers(warehouse: Path) -> None:
    """What a run killed outright left beside the warehouse: its working copy (and WAL) and
    DuckDB's spill folder. Called holding the lock, so no live run is using them."""
    working = warehouse.with_name(warehouse.name + WORKING_SUFFIX)
    for leftover in (working, working.with_name(working.name + ".wal")):
        leftover.unlink(missing_ok=True)
    spill = warehouse.parent / DUCKDB_TEMP
    if spill.is_dir() and not spill.is_symlink():
        shutil.rmtree(spill, ignore_errors=True)


@contextlib.contextmanager
def working_copy(warehouse: Path) -> Iterator[Path]:
    """A copy of the warehouse to build into; it replaces the warehouse only if the block
    finishes without an exception (call .commit by leaving the block normally). On any
    failure the copy is removed and the warehouse is left as it was; a full disk or a
    read-only folder is said as such (environment_error)."""
    working = warehouse.with_name(warehouse.name + WORKING_SUFFIX)
    try:
        remove_leftovers(warehouse)  # from a run that was killed
        if warehouse.exists():
            shutil.copy2(warehouse, working)
        yield working
        pause_for_tests("before_swap")
        check_interrupted()
        os.replace(working, warehouse)
    except BaseException as exc:
        working.unlink(missing_ok=True)
        working.with_name(working.name + ".wal").unlink(missing_ok=True)
        failure = environment_error(
            exc, warehouse, f"the warehouse {warehouse} keeps its last good state")
        if failure is not None:
            raise failure from None
        raise
    _state["warehouse_replaced"] = True


# --------------------------------------------------------------------------- environment

_ERRNO_TEXTS = {  # errors DuckDB (or a stage wrapping it) reports as text
    os.strerror(errno.ENOSPC): errno.ENOSPC,
    os.strerror(errno.EDQUOT): errno.EDQUOT,
    os.strerror(errno.EROFS): errno.EROFS,
}
_ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                       errno.ENOTDIR, errno.EEXIST, errno.EISDIR}


def _environment_errno(exc: BaseException) -> tuple[int, str | None] | None:
    """(errno, file name) of the fault of the environment behind exc, following the chain of
    causes (a stage may have turned an OSError or DuckDB's IO error into another error)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
            return exc.errno, exc.filename
        text = str(exc)
        for message, code in _ERRNO_TEXTS.items():
            if message in text:
                return code, None
        exc = exc.__cause__ or exc.__context__
    return None


def environment_error(exc: BaseException, path: Path | str, state: str = "") -> PipelineError | None:
    """A one-line PipelineError (exit 2) for a fault of the environment behind exc, naming the
    path and what to do, and ending with `state` (what was kept); None for anything else."""
    if isinstance(exc, (Interrupted, KeyboardInterrupt)):
        return None
    found = _environment_errno(exc)
    if found is None:
        return None
    code, filename = found
    where = os.fsdecode(filename) if filename else str(path)
    state = f"; {state}" if state else ""
    if code in (errno.ENOSPC, errno.EDQUOT):
        what = "the disk is full" if code == errno.ENOSPC else "the disk quota is used up"
        message = f"{what} (writing {where}): free some space and run again{state}"
    elif code == errno.EROFS:
        message = (f"{where} is on a read-only filesystem: give --outputs (and --warehouse) a "
                   f"writable folder{state}")
    elif code in (errno.EACCES, errno.EPERM):
        message = (f"permission denied on {where}: make it readable and writable by the user "
                   f"running the pipeline, or give --outputs another folder{state}")
    elif code in (errno.ENOTDIR, errno.EEXIST):
        message = (f"{where} (or a folder above it) is a file where a folder is needed: move the "
                   f"file away or give --outputs a folder{state}")
    else:  # EISDIR
        message = f"{where} is a folder where a file is needed: move it away{state}"
    return PipelineError(message)


def check_writable_folder(folder: Path, option: str = "--outputs") -> None:
    """Before anything is written: `folder` is a folder (or can be made: the nearest existing
    folder above it is one) on a writable filesystem. Exit 2 naming the path otherwise."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PipelineError(f"{folder} is a file, not a folder: move the file away or give "
                            f"{option} a folder")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise PipelineError(f"{existing} is a file, so the folder {folder} cannot be made under "
                            f"it: move the file away or give {option} another folder")
    try:
        read_only = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    if read_only:
        raise PipelineError(f"{existing} is on a read-only filesystem: give {option} a folder "
                            "on a writable one")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PipelineError(f"{existing} is not writable by this user: make it writable or "
                            f"give {option} another folder")


def pause_for_tests(stage: str) -> None:
    """Kill tests stop a run at a named stage: TSM_PAUSE_AT=<stage> TSM_PAUSE_SECONDS=<s>."""
    if os.environ.get("TSM_PAUSE_AT") == stage:
        print(f"paused at {stage}", flush=True)
        time.sleep(float(os.environ.get("TSM_PAUSE_SECONDS", "30")))


def printable(text: object, encoding: str | None = "utf-8") -> str:
    """text as it can be written to a log or a terminal whatever bytes it holds: a file name
    with a byte that is not valid UTF-8 (kept by Python as a surrogate escape) is shown as
    \\udcff rather than failing the write."""
    encoding = encoding or "utf-8"
    try:
        return str(text).encode(encoding, "backslashreplace").decode(encoding, "replace")
    except LookupError:
        return str(text).encode("ascii", "backslashreplace").decode("ascii")


class PrintableFormatter(logging.Formatter):
    """A formatter whose lines survive any byte sequence in a file name or value."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


class RunLogHandler(logging.FileHandler):
    """The run log's file: a line that cannot be written (a full disk) is dropped rather
    than printing a traceback over the one-line error the run ends with."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            pass


@contextlib.contextmanager
def run_log(outputs_dir: Path, command: str) -> Iterator[logging.Logger]:
    logs = outputs_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    os.chmod(logs, 0o700)
    path = logs / f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}-{command}.log"
    handler = RunLogHandler(path, encoding="utf-8", errors="backslashreplace")
    handler.setFormatter(PrintableFormatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield log
    except PipelineError as exc:
        log.error("FAILED: %s", exc)
        raise
    except (Interrupted, KeyboardInterrupt) as exc:
        log.error("INTERRUPTED (%s): stopped before it finished", exc)
        raise
    except BaseException as exc:
        if signal_received() is not None:
            log.error("INTERRUPTED (%s): stopped before it finished (%s: %s)",
                      signal.Signals(signal_received()).name, type(exc).__name__, exc)
        else:
            log.error("FAILED (internal error %s): %s", type(exc).__name__, exc)
        raise
    finally:
        log.removeHandler(handler)
        handler.close()
