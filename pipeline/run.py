"""The two jobs, each stage one line: refresh (load -> stage -> marts -> audits) and report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from pipeline.audits import assert_every_row_accounted_for
from pipeline.build_marts import build_marts, run_audits
from pipeline.ingest.load_dataset import LoadSummary, load_dataset
from pipeline.landlord import read_landlord
from pipeline.settings import RunConfig
from pipeline.survey.config import read_survey_config
from pipeline.warehouse import connect


@dataclass
class RefreshResult:
    summary: LoadSummary
    seconds: float
    quarantined: list[tuple] = field(default_factory=list)  # this run's rows: file, row, column, ...


def refresh(config: RunConfig) -> RefreshResult:
    started = time.monotonic()
    landlord = read_landlord(config.dataset_dir)
    con = connect(config.warehouse_path)
    try:
        run_id = con.execute("select coalesce(max(run_id), 0) + 1 from audit.runs").fetchone()[0]
        con.execute("insert into audit.runs (run_id, started_at, status) values (?, ?, 'running')",
                    [run_id, datetime.now()])
        summary = load_dataset(con, config.dataset_dir, run_id)
        assert_every_row_accounted_for(con)
        build_marts(con, landlord, config.period, read_survey_config(config.dataset_dir))
        run_audits(con)
        con.execute(
            "update audit.runs set finished_at = ?, files_loaded = ?, status = 'ok' where run_id = ?",
            [datetime.now(), summary.files_loaded, run_id],
        )
        con.execute("checkpoint")
        quarantined = con.execute(
            """select q.source_file, q.source_row, q.column_name, q.value, q.message
               from quarantine.rows q join audit.loads l using (load_id)
               where l.run_id = ? order by q.load_id, q.source_row, q.column_name""", [run_id]
        ).fetchall()
    finally:
        con.close()
    return RefreshResult(summary, time.monotonic() - started, quarantined)


def report(config: RunConfig) -> RefreshResult:
    from pipeline.report.outputs import write_outputs

    result = refresh(config)
    write_outputs(config, read_landlord(config.dataset_dir))
    return result
