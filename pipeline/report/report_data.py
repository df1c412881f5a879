"""The frames the complaints report shows, for one reporting year, read from the warehouse.

Pure queries on a read-only connection: nothing here writes. Each frame is small and final,
so the notebook only displays and plots (no SQL, no arithmetic in the notebook).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.rounding import published

STAGES = ("1", "2")
STAGE_LABELS = {"1": "Stage 1", "2": "Stage 2"}
TIMELINESS = ("on_time", "on_time_extended", "late", "open", "withdrawn_no_response")
TIMELINESS_LABELS = {
    "on_time": "On time",
    "on_time_extended": "On time (extended)",
    "late": "Late",
    "open": "Open (no response)",
    "withdrawn_no_response": "Withdrawn (no response)",
}
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn", "no_outcome")
OUTCOME_LABELS = {
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
    "withdrawn": "Withdrawn",
    "no_outcome": "No outcome recorded",
}
PART_LABELS = {"stage_1": "Stage 1", "stage_2": "Stage 2", "": ""}
TENURE_ORDER = {"LCRA": 1, "LCHO": 2, "ALL": 3}


@dataclass(frozen=True)
class ReportData:
    landlord_name: str
    end_year: int
    year_label: str           # '2023/24'
    ch_table: pd.DataFrame    # CH01/CH02 rows with 'published' and a readable 'status'
    headline: pd.DataFrame    # key Complaint Handling Code figures by stage, published text
    monthly: pd.DataFrame     # 12 rows April..March: month, month_label, stage_1, stage_2
    timeliness: pd.DataFrame  # one row per stage: counts by timeliness, total
    categories: pd.DataFrame  # one row per category, stages 1 and 2 together
    outcomes: pd.DataFrame    # one row per stage: counts by outcome, total
    data_quality: pd.DataFrame    # one row per file loaded: rows read/staged/quarantined
    quarantine: pd.DataFrame      # quarantined rows by file, column and rule
    complaint_checks: pd.DataFrame  # records the measures treat specially (may be empty)

    @property
    def title(self) -> str:
        name = f"{self.landlord_name}: " if self.landlord_name else ""
        return f"{name}Complaints performance {self.year_label}"

    @property
    def period_text(self) -> str:
        return (f"Reporting year 1 April {self.end_year - 1} to 31 March {self.end_year}. "
                "Counts are of complaint stages received in the year.")


def connect(warehouse_path: str | Path) -> duckdb.DuckDBPyConnection:
    path = Path(warehouse_path)
    if not path.exists():
        raise PipelineError(f"no warehouse at {path}: run `python -m pipeline refresh` first")
    return duckdb.connect(str(path), read_only=True)


def available_years(warehouse_path: str | Path) -> list[int]:
    con = connect(warehouse_path)
    try:
        rows = con.execute(
            "select distinct end_year from report.report_tsm_publication_table order by end_year"
        ).fetchall()
    finally:
        con.close()
    return [int(r[0]) for r in rows]


def latest_year(warehouse_path: str | Path) -> int:
    """The latest reporting year that has ended by the latest date in the data (a year with
    only a few days of complaints in it is not a year to report on)."""
    years = available_years(warehouse_path)
    if not years:
        raise PipelineError(f"the warehouse {warehouse_path} holds no reporting years")
    con = connect(warehouse_path)
    try:
        last = con.execute(
            "select max(received_date) from intermediate.int_complaint_stages"
        ).fetchone()[0]
    finally:
        con.close()
    complete = [y for y in years if last is None or date(y, 3, 31) <= last]
    return complete[-1] if complete else years[-1]


def load(warehouse_path: str | Path, end_year: int | None = None,
         landlord_name: str = "") -> ReportData:
    """Everything the report shows for the year ending 31 March `end_year` (None: the latest)."""
    if end_year is None:
        end_year = latest_year(warehouse_path)
    end_year = int(end_year)
    con = connect(warehouse_path)
    try:
        years = dict(con.execute(
            "select end_year, year_label from intermediate.int_reporting_years"
        ).fetchall())
        if end_year not in years:
            known = ", ".join(str(y) for y in sorted(years)) or "none"
            raise PipelineError(
                f"the warehouse has no reporting year ending March {end_year} (it has: {known})"
            )
        return ReportData(
            landlord_name=landlord_name or "",
            end_year=end_year,
            year_label=years[end_year],
            ch_table=ch_table(con, end_year),
            headline=headline(con, end_year),
            monthly=monthly_received(con, end_year),
            timeliness=timeliness(con, end_year),
            categories=categories(con, end_year),
            outcomes=outcomes(con, end_year),
            data_quality=data_quality(con),
            quarantine=quarantine(con),
            complaint_checks=complaint_checks(con, end_year),
        )
    finally:
        con.close()


def _kpis(con, end_year: int, breakdown: str, kpis: tuple[str, ...]) -> pd.DataFrame:
    placeholders = ", ".join("?" for _ in kpis)
    return con.execute(
        f"""select stage, kpi, group_value, count, denominator, value, unit
            from marts.chc_complaint_kpis
            where end_year = ? and breakdown = ? and kpi in ({placeholders})""",
        [end_year, breakdown, *kpis],
    ).df()


def ch_table(con, end_year: int) -> pd.DataFrame:
    """CH01 and CH02 as published: one row per measure x stage x tenure."""
    frame = con.execute(
        """select measure_code, measure_part, tenure, description, numerator, denominator, value,
                  unit, status, status_reason, sort_order
           from report.report_tsm_publication_table
           where end_year = ? and measure_code in ('CH01', 'CH02')""",
        [end_year],
    ).df()
    frame["tenure_order"] = frame["tenure"].map(TENURE_ORDER).fillna(9)
    frame = frame.sort_values(["sort_order", "tenure_order"]).reset_index(drop=True)
    frame["stage"] = frame["measure_part"].map(PART_LABELS).fillna(frame["measure_part"])
    frame["published"] = [
        published(n, d, u) if s in ("ok", "provisional") else ""
        for n, d, u, s in zip(frame["numerator"], frame["denominator"], frame["unit"],
                              frame["status"])
    ]
    frame["status"] = [
        "ok" if s == "ok" else f"provisional: {r}" if s == "provisional"
        else f"not available: {r}" if r else "not available"
        for s, r in zip(frame["status"], frame["status_reason"].fillna(""))
    ]
    columns = ["measure_code", "stage", "tenure", "description", "numerator", "denominator",
               "published", "unit", "status"]
    return frame[columns]


def _published_kpi(count, denominator, unit) -> str:
    if unit == "percent":
        return published(count, denominator, "percent")
    if pd.isna(count):
        return ""
    if unit == "gbp":
        return f"£{count:,.2f}"
    if unit == "working_days":
        return f"{count:.1f}"
    return f"{count:,.0f}"


HEADLINE_KPIS = (
    ("received", "Complaints received"),
    ("acknowledged_within_5_wd", "Acknowledged within 5 working days"),
    ("within_timescale", "Responded to within the Code timescale"),
    ("responded_late", "Responded to late"),
    ("not_responded", "No response yet"),
    ("working_days_to_respond_median", "Median working days to respond"),
    ("escalated_to_stage_2", "Escalated to stage 2"),
    ("compensation_offered_total_gbp", "Compensation offered"),
)


def headline(con, end_year: int) -> pd.DataFrame:
    """Key Complaint Handling Code figures, one row per KPI, a column per stage (text)."""
    frame = _kpis(con, end_year, "total", tuple(k for k, _ in HEADLINE_KPIS))
    rows = []
    for kpi, label in HEADLINE_KPIS:
        row = {"measure": label}
        for stage in STAGES:
            hit = frame[(frame["kpi"] == kpi) & (frame["stage"] == stage)]
            row[STAGE_LABELS[stage]] = (
                _published_kpi(*hit.iloc[0][["count", "denominator", "unit"]]) if len(hit) else ""
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=["measure", *STAGE_LABELS.values()])


def months(end_year: int) -> list[pd.Period]:
    return list(pd.period_range(f"{end_year - 1}-04", f"{end_year}-03", freq="M"))


def monthly_received(con, end_year: int) -> pd.DataFrame:
    """Complaint stages received per month, April to March, zeros filled."""
    frame = _kpis(con, end_year, "month", ("received",))
    result = pd.DataFrame({"month": [str(m) for m in months(end_year)]})
    result["month_label"] = [m.strftime("%b %Y") for m in months(end_year)]
    for stage in STAGES:
        counts = frame[frame["stage"] == stage].set_index("group_value")["count"]
        result[f"stage_{stage}"] = result["month"].map(counts).fillna(0).astype(int)
    return result


def timeliness(con, end_year: int) -> pd.DataFrame:
    """Accepted (not refused) complaint stages received in the year, by timeliness."""
    frame = con.execute(
        """select stage::VARCHAR as stage, timeliness, count(*) as n
           from intermediate.int_complaint_stages
           where received_end_year = ? and not is_refused
           group by all""",
        [end_year],
    ).df()
    table = frame.pivot_table(index="stage", columns="timeliness", values="n", aggfunc="sum")
    table = table.reindex(index=list(STAGES), columns=list(TIMELINESS)).fillna(0).astype(int)
    table["total"] = table.sum(axis=1)
    table.index = [STAGE_LABELS[s] for s in table.index]
    table.index.name = "stage"
    table.columns.name = None
    return table.reset_index()


def categories(con, end_year: int) -> pd.DataFrame:
    """Per complaint category, stages 1 and 2 together: received, % upheld, % within timescale.

    Percentages are recomputed from summed counts and denominators, never averaged."""
    frame = _kpis(con, end_year, "category",
                  ("received", "upheld_or_partly_upheld", "within_timescale"))
    columns = ["category", "received", "upheld", "upheld_base", "upheld_pct", "within_timescale",
               "within_timescale_base", "within_timescale_pct", "upheld_published",
               "within_timescale_published"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["denominator"] = frame["denominator"].fillna(0)
    sums = frame.groupby(["group_value", "kpi"])[["count", "denominator"]].sum().unstack("kpi")
    sums = sums.fillna(0)
    result = pd.DataFrame(index=sums.index)
    result["received"] = sums[("count", "received")].astype(int)

    def col(kind, kpi):
        return sums[(kind, kpi)] if (kind, kpi) in sums.columns else 0.0

    result["upheld"] = col("count", "upheld_or_partly_upheld")
    result["upheld_base"] = col("denominator", "upheld_or_partly_upheld")
    result["within_timescale"] = col("count", "within_timescale")
    result["within_timescale_base"] = col("denominator", "within_timescale")
    for name in ("upheld", "within_timescale"):
        base = result[f"{name}_base"]
        result[f"{name}_pct"] = (result[name] * 100 / base.where(base > 0)).astype(float)
        result[f"{name}_published"] = [
            published(n, d, "percent") for n, d in zip(result[name], base)
        ]
        result[[name, f"{name}_base"]] = result[[name, f"{name}_base"]].astype(int)
    result.index.name = "category"
    result = result.reset_index()
    result = result.sort_values(["received", "category"], ascending=[False, True])
    return result[columns].reset_index(drop=True)


def outcomes(con, end_year: int) -> pd.DataFrame:
    """Complaint stages received in the year by outcome, one row per stage."""
    frame = _kpis(con, end_year, "outcome", ("outcome",))
    received = _kpis(con, end_year, "total", ("received",)).set_index("stage")["count"]
    table = frame.pivot_table(index="stage", columns="group_value", values="count", aggfunc="sum")
    table = table.reindex(index=list(STAGES), columns=list(OUTCOMES)).fillna(0)
    table["total"] = received.reindex(list(STAGES)).fillna(0)
    recorded = table[[o for o in OUTCOMES if o != "no_outcome"]].sum(axis=1)
    table["no_outcome"] = (table["total"] - recorded).clip(lower=0)
    table = table.astype(int)
    table.index = [STAGE_LABELS[s] for s in table.index]
    table.index.name = "stage"
    table.columns.name = None
    return table.reset_index()


def data_quality(con) -> pd.DataFrame:
    """One row per file loaded (its latest load): rows read, staged and quarantined."""
    return con.execute(
        """select source, source_file, rows_read, rows_staged, rows_quarantined
           from audit.loads
           qualify row_number() over (partition by source, source_file order by load_id desc) = 1
           order by source, source_file"""
    ).df()


def quarantine(con) -> pd.DataFrame:
    """Quarantined rows by file, column and rule, with an example message."""
    return con.execute(
        """select q.source_file, coalesce(q.column_name, '') as column_name, q.rule,
                  count(distinct q.source_row) as rows, any_value(q.message) as message
           from quarantine.rows q
           group by all
           order by q.source_file, rows desc, column_name, q.rule"""
    ).df()


def _has_table(con, schema: str, name: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()[0])


def complaint_checks(con, end_year: int) -> pd.DataFrame:
    """Complaint records the measures leave out or treat specially, and plausibility warnings
    (report.report_data_quality), non-zero counts only; empty if that table is not built."""
    columns = ["category", "item", "count", "message"]
    if not _has_table(con, "report", "report_data_quality"):
        return pd.DataFrame(columns=columns)
    return con.execute(
        """select category, item, count, message from report.report_data_quality
           where end_year = ? and category in ('complaints', 'plausibility') and count > 0
           order by category, item""",
        [end_year],
    ).df()[columns]


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return str(value)


WRAP = ("description", "message", "status")
NUMERIC = ("published", "upheld_published", "within_timescale_published")


def to_html(frame: pd.DataFrame, columns: dict[str, str] | None = None,
            numeric: tuple[str, ...] = NUMERIC, wrap: tuple[str, ...] = WRAP) -> str:
    """A plain HTML table without the index; `columns` picks and renames columns. Numbers
    (and the `numeric` text columns, e.g. published values) get class "num" to align right;
    only the `wrap` columns (long text) may wrap, class "wrap"."""
    names = list(columns) if columns is not None else list(frame.columns)
    headers = [columns[c] for c in names] if columns is not None else names
    is_num = [pd.api.types.is_numeric_dtype(frame[c]) or c in numeric for c in names]

    is_wrap = [c in wrap for c in names]

    def cls(i: int) -> str:
        return ' class="num"' if is_num[i] else ' class="wrap"' if is_wrap[i] else ""

    head = "".join(f"<th{cls(i)}>{html.escape(str(h))}</th>" for i, h in enumerate(headers))
    rows = []
    for record in frame[names].itertuples(index=False):
        cells = "".join(f"<td{cls(i)}>{html.escape(_cell_text(v))}</td>"
                        for i, v in enumerate(record))
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table class="report-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


CH_COLUMNS = {
    "measure_code": "Measure", "stage": "Stage", "tenure": "Tenure", "description": "Description",
    "numerator": "Numerator", "denominator": "Denominator", "published": "Result",
    "status": "Status",
}
CATEGORY_COLUMNS = {
    "category": "Category", "received": "Received", "upheld_published": "Upheld or partly upheld",
    "within_timescale_published": "Within timescale",
}
DATA_QUALITY_COLUMNS = {
    "source": "Source", "source_file": "File", "rows_read": "Rows read",
    "rows_staged": "Rows staged", "rows_quarantined": "Rows quarantined",
}
QUARANTINE_COLUMNS = {
    "source_file": "File", "column_name": "Column", "rule": "Rule", "rows": "Rows",
    "message": "Why",
}
CHECK_COLUMNS = {"category": "Kind", "item": "Check", "count": "Count", "message": "Meaning"}


def ch_table_html(data: ReportData) -> str:
    return to_html(data.ch_table, CH_COLUMNS)


def headline_html(data: ReportData) -> str:
    return to_html(data.headline.rename(columns={"measure": "Measure"}),
                   numeric=tuple(STAGE_LABELS.values()))


def categories_html(data: ReportData) -> str:
    frame = data.categories.assign(category=lambda f: f["category"].map(label))
    return to_html(frame, CATEGORY_COLUMNS)


def data_quality_html(data: ReportData) -> str:
    return to_html(data.data_quality, DATA_QUALITY_COLUMNS)


def quarantine_html(data: ReportData) -> str:
    if data.quarantine.empty:
        return "<p>No rows were quarantined.</p>"
    return to_html(data.quarantine, QUARANTINE_COLUMNS)


def complaint_checks_html(data: ReportData) -> str:
    if data.complaint_checks.empty:
        return "<p>No complaint records needed special treatment.</p>"
    return to_html(data.complaint_checks, CHECK_COLUMNS)


LABELS = {
    "asb": "Anti-social behaviour",
    "damp_mould": "Damp and mould",
    "rent_service_charge": "Rent and service charges",
    "not_recorded": "Not recorded",
}


def label(code: str) -> str:
    """'damp_mould' -> 'Damp and mould', 'estate_services' -> 'Estate services'."""
    if code in LABELS:
        return LABELS[code]
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]
