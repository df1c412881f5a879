"""The two jobs, each stage one line: refresh (load -> stage -> marts -> audits) and report."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.audits import assert_every_row_accounted_for
from pipeline.build_marts import build_marts, run_audits
from pipeline.errors import PipelineError
from pipeline.ingest.load_dataset import LoadSummary, load_dataset
from pipeline.landlord import read_landlord
from pipeline.model_state import build_fingerprint
from pipeline.periods import ReportingPeriod, YearError
from pipeline.personal_data import erase_expired, expired_rows, retention_days
from pipeline.run_guard import (
    check_interrupted,
    check_writable_folder,
    pause_for_tests,
    private_files,
    run_log,
    warehouse_lock,
    working_copy,
)
from pipeline.settings import RunConfig
from pipeline.survey.config import read_survey_config
from pipeline.warehouse import connect
from schemas.inputs import INPUT_SPECS

log = logging.getLogger("tsm")


@dataclass
class RefreshResult:
    summary: LoadSummary
    seconds: float
    quarantined: list[tuple] = field(default_factory=list)  # this run's: file, row, column, value, message, rule
    config: RunConfig | None = None  # report: the run's config, with the year reported
    year_note: str = ""  # report without YEAR: which year was taken, and why


def refresh(config: RunConfig) -> RefreshResult:
    """Load what is new, rebuild staging and marts, check every contract; swap the warehouse
    in only when all of it passed (pipeline.run_guard)."""
    started = time.monotonic()
    landlord = read_landlord(config.dataset_dir)
    surveys = read_survey_config(config.dataset_dir)
    with _locked(config):
        return _refresh_locked(config, landlord, surveys, started)


@contextlib.contextmanager
def _locked(config: RunConfig):
    """Hold the warehouse lock for the block: one run at a time, refresh and report alike."""
    for folder, option in ((config.outputs_dir, "--outputs"),
                           (config.warehouse_path.parent, "--warehouse")):
        check_writable_folder(folder, option)
    with contextlib.ExitStack() as stack:
        with private_files():  # the lock file and a new outputs folder: owner only
            stack.enter_context(warehouse_lock(config.warehouse_path))
        yield


def _refresh_locked(config: RunConfig, landlord, surveys, started: float) -> RefreshResult:
    with private_files(), run_log(config.outputs_dir, "refresh") as log:
        log.info("refresh of %s from %s", config.warehouse_path, config.dataset_dir)
        files = check_inputs(config)
        if _nothing_new(config):
            result = RefreshResult(LoadSummary(files_seen=len(files)),
                                   time.monotonic() - started)
        else:
            with working_copy(config.warehouse_path) as working:
                result = _refresh_into(working, config, landlord, surveys, started)
        s = result.summary
        log.info("summary: %d file(s) loaded of %d, %d rows staged, %d rows quarantined, %.1fs",
                 s.files_loaded, s.files_seen, s.rows_staged, s.rows_quarantined,
                 time.monotonic() - started)
    return result


def check_inputs(config: RunConfig) -> list:
    """The dataset's files, with the run log saying which are new, changed or gone since the
    warehouse loaded them; a required input (homes.csv) that is missing stops the run here,
    before the "nothing new" shortcut could report from what an earlier run loaded."""
    from pipeline.dataset import find_files, read_mappings

    files = find_files(config.dataset_dir, list(INPUT_SPECS), read_mappings(config.dataset_dir))
    loaded = _loaded_files(config.warehouse_path)
    present = {(f.source, f.path.name) for f in files}
    for f in files:
        stat = f.path.stat()
        seen = loaded.get((f.source, f.path.name))
        if seen is None:
            log.info("input new: %s (%s)", f.path.name, f.source)
        elif (stat.st_size, stat.st_mtime_ns) not in seen:
            log.info("input changed since it was loaded: %s (%s)", f.path.name, f.source)
    gone = sorted(k for k in loaded if k not in present)
    for source, name in gone:
        log.info("input removed from the dataset folder since it was loaded: %s (%s); the rows "
                 "it gave stay in the warehouse", name, source)
    sources = {f.source for f in files}
    for spec in INPUT_SPECS.values():
        if spec.required_file and spec.name not in sources:
            before = [name for source, name in gone if source == spec.name]
            raise PipelineError(
                f"{config.dataset_dir}: {spec.name}.csv is required and missing"
                + (f" (the warehouse loaded {', '.join(before)} on an earlier run; no report is "
                   f"made from what is no longer in the dataset: put {spec.name}.csv back)"
                   if before else ""))
    return files


def _loaded_files(warehouse: Path) -> dict[tuple[str, str], set[tuple[int, int]]]:
    """(source, file name) -> the (size, mtime) of each load of it, from audit.loads."""
    if not warehouse.exists():
        return {}
    try:
        con = connect(warehouse, read_only=True)
    except PipelineError:
        return {}
    try:
        rows = con.execute("select source, source_file, file_size, file_mtime_ns "
                           "from audit.loads").fetchall()
    except Exception:  # an older or partial warehouse: the load itself will say what it finds
        check_interrupted()
        return {}
    finally:
        con.close()
    loaded: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for source, name, size, mtime in rows:
        loaded.setdefault((source, name), set()).add((size, mtime))
    return loaded


def _nothing_new(config: RunConfig) -> bool:
    """True when the warehouse already holds every file, under the same rules, and the year
    asked for: then the run changes nothing and the warehouse file is not even rewritten."""
    if not config.warehouse_path.exists():
        return False
    from pipeline.dataset import find_files, read_mappings
    from pipeline.ingest.load_dataset import config_fingerprint, file_sha256, known_file_hashes
    from schemas.inputs import INPUT_SPECS

    files = find_files(config.dataset_dir, list(INPUT_SPECS), read_mappings(config.dataset_dir))
    con = connect(config.warehouse_path, read_only=True)
    try:
        last = con.execute("select config_fingerprint, build_fingerprint from audit.runs "
                           "where status = 'ok' order by run_id desc limit 1").fetchone()
        loaded = set(con.execute("select source, source_sha256 from audit.loads").fetchall())
        known = known_file_hashes(con)
        years = {r[0] for r in con.execute(
            "select end_year from intermediate.int_reporting_years").fetchall()}
    except Exception:  # an older or partial warehouse: rebuild rather than guess
        check_interrupted()  # unless the error was a signal DuckDB turned into RuntimeError
        return False
    finally:
        con.close()
    if last is None or last[0] != config_fingerprint(config.dataset_dir):
        return False
    if last[1] != build_fingerprint(config.dataset_dir):
        return False  # new code, SQL or survey.toml: the models are built again
    if config.period is not None and config.period.end_year not in years:
        return False
    con = connect(config.warehouse_path, read_only=True)
    try:
        landlord = read_landlord(config.dataset_dir)
        if expired_rows(con, list(INPUT_SPECS), retention_days(landlord)):
            return False  # personal data past its retention must be erased tonight
    finally:
        con.close()
    return all((f.source, file_sha256(f, known)) in loaded for f in files)


def _refresh_into(working, config: RunConfig, landlord, surveys, started: float) -> RefreshResult:
    con = connect(working)
    try:
        run_id = con.execute("select coalesce(max(run_id), 0) + 1 from audit.runs").fetchone()[0]
        con.execute("insert into audit.runs (run_id, started_at, status) values (?, ?, 'running')",
                    [run_id, datetime.now()])
        summary = load_dataset(con, config.dataset_dir, run_id)
        erase_expired(con, list(INPUT_SPECS), retention_days(landlord))
        pause_for_tests("after_load")
        assert_every_row_accounted_for(con, run_id)
        built = build_marts(con, landlord, config.period, surveys)
        _log_models(built)
        run_audits(con)
        pause_for_tests("after_marts")
        con.execute(
            "update audit.runs set finished_at = ?, files_loaded = ?, status = 'ok', "
            "build_fingerprint = ? where run_id = ?",
            [datetime.now(), summary.files_loaded, build_fingerprint(config.dataset_dir), run_id],
        )
        con.execute("checkpoint")
        quarantined = con.execute(
            """select q.source_file, q.source_row, q.column_name, q.value, q.message, q.rule
               from quarantine.rows q join audit.loads l using (load_id)
               where l.run_id = ? order by q.load_id, q.source_row, q.column_name""", [run_id]
        ).fetchall()
    finally:
        con.close()
    return RefreshResult(summary, time.monotonic() - started, quarantined)


def _log_models(built) -> None:
    """One line saying which models the night kept, brought up to date or rebuilt."""
    groups: dict[str, list[str]] = {}
    for b in built:
        groups.setdefault(b.how.split(":")[0], []).append(b.model)
    log.info("models: %s", "; ".join(
        f"{how} {len(models)}"
        + (f" ({', '.join(models)})" if how != "kept" and len(models) < len(built) else "")
        for how, models in sorted(groups.items())))


def report(config: RunConfig) -> RefreshResult:
    """Refresh, then write outputs/<year>/ for the year asked for, or with no year, for the
    latest complete year the data covers (outputs.md), all under the warehouse lock: a
    refresh started meanwhile cannot swap the warehouse under the report. A year no source
    covers is exit 2 naming the latest year the data covers."""
    from dataclasses import replace

    from pipeline.report.inputs import read_text_input
    from pipeline.report.outputs import write_outputs

    started = time.monotonic()
    landlord = read_landlord(config.dataset_dir)
    surveys = read_survey_config(config.dataset_dir)
    read_text_input(config.dataset_dir, "governing_body_response.md")  # a bad one: exit 2 now
    with _locked(config):
        result = _refresh_locked(config, landlord, surveys, started)
        period, chosen = choose_period(config)
        config = replace(config, period=period)
        result.config = config
        result.year_note = chosen
        write_outputs(config, landlord)
    return result


def choose_period(config: RunConfig) -> tuple[ReportingPeriod, str]:
    """The year to report and, when none was asked for, a line saying which was taken."""
    con = connect(config.warehouse_path, read_only=True)
    try:
        years = [r[0] for r in con.execute(
            "select end_year from intermediate.int_reporting_years order by end_year").fetchall()]
        covered = [r[0] for r in con.execute(
            """select end_year from intermediate.int_source_coverage
               group by end_year having bool_or(covers and not is_empty)
               order by end_year""").fetchall()]
        complete = [r[0] for r in con.execute(
            """select end_year from intermediate.int_source_coverage
               group by end_year
               having bool_or(covers and not is_empty) and not bool_or(status = 'provisional')
               order by end_year""").fetchall()]
    finally:
        con.close()
    if config.period is not None:
        if config.period.end_year in years:
            return config.period, ""
        latest = ReportingPeriod(max(covered or years)) if (covered or years) else None
        raise YearError(
            f"YEAR={config.period.end_year}: no data covers {config.period.label} "
            f"(1 April {config.period.end_year - 1} - 31 March {config.period.end_year}); "
            + (f"the latest year the data covers is {latest.label} (YEAR={latest.end_year})"
               if latest else "no export in the dataset is dated"))
    if complete:
        period = ReportingPeriod(complete[-1])
        return period, f"no YEAR given: {period.label}, the latest complete year the data covers"
    if covered or years:
        period = ReportingPeriod(max(covered or years))
        return period, (f"no YEAR given: {period.label}, the latest year the data covers "
                        "(no year is complete: its figures are year to date)")
    raise YearError("no YEAR given and no row of the dataset is dated: give the reporting year, "
                    "e.g. YEAR=2024 for 1 April 2023 - 31 March 2024")
