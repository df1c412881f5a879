"""The data-quality section: what was read, staged and quarantined per file, the quarantine
by rule, the plausibility warnings and the records the measures treat specially."""

from __future__ import annotations

import pandas as pd

from pipeline.report import fmt
from pipeline.report.report_data import label, to_html


def loads(con) -> pd.DataFrame:
    """One row per file loaded (its latest load): rows read, staged and quarantined."""
    return con.execute(
        """select source, source_file, export_date, rows_read, rows_staged, rows_quarantined
           from audit.loads
           qualify row_number() over (partition by source, source_file order by load_id desc) = 1
           order by source, export_date nulls first, source_file""").df()


def loads_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>No files loaded.</p>"
    shown = pd.DataFrame({
        "Source": frame["source"], "File": frame["source_file"],
        "Export date": ["" if pd.isna(d) else pd.Timestamp(d).strftime("%-d %b %Y")
                        for d in frame["export_date"]],
        "Rows read": [fmt.count(n) for n in frame["rows_read"]],
        "Rows staged": [fmt.count(n) for n in frame["rows_staged"]],
        "Rows quarantined": [fmt.count(n) for n in frame["rows_quarantined"]],
    })
    total = pd.DataFrame([{"Source": "Total", "File": "", "Export date": "",
                           "Rows read": fmt.count(frame["rows_read"].sum()),
                           "Rows staged": fmt.count(frame["rows_staged"].sum()),
                           "Rows quarantined": fmt.count(frame["rows_quarantined"].sum())}])
    return to_html(pd.concat([shown, total], ignore_index=True),
                   numeric=("Rows read", "Rows staged", "Rows quarantined"))


def quarantine_by_rule(con) -> pd.DataFrame:
    """Quarantined rows per source, rule and column (a row may break several rules)."""
    return con.execute(
        """select source, rule, coalesce(column_name, '') as column_name,
                  count(distinct source_file || ':' || source_row) as rows,
                  any_value(message) as message
           from quarantine.rows group by all
           order by rows desc, source, rule, column_name""").df()


def quarantine_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>No rows were quarantined.</p>"
    shown = pd.DataFrame({"Source": frame["source"], "Rule": [label(r) for r in frame["rule"]],
                          "Column": frame["column_name"],
                          "Rows": [fmt.count(n) for n in frame["rows"]],
                          "What was expected": frame["message"]})
    return to_html(shown, numeric=("Rows",), wrap=("What was expected",))


def plausibility(con, end_year: int) -> pd.DataFrame:
    """Plausibility warnings for the year (tsm.md): values far outside what the sector reports."""
    return con.execute(
        """select source as measure, item, message from report.report_data_quality
           where category = 'plausibility' and end_year = ? and count > 0
           order by item""", [end_year]).df()


def plausibility_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>No plausibility warnings: every value is within the ranges the sector reports.</p>"
    shown = pd.DataFrame({"Measure": frame["item"], "Warning": frame["message"]})
    return to_html(shown, wrap=("Warning",))


def special_records(con, end_year: int) -> pd.DataFrame:
    """Records the measures leave out or treat specially in the year (non-zero counts)."""
    return con.execute(
        """select category, item, count, message from report.report_data_quality
           where end_year = ? and category not in ('plausibility', 'load', 'quarantine')
             and count > 0
           order by category, item""", [end_year]).df()


def special_records_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>No records needed special treatment.</p>"
    shown = pd.DataFrame({"Source": [label(c) for c in frame["category"]],
                          "Check": [label(i) for i in frame["item"]],
                          "Records": [fmt.count(n) for n in frame["count"]],
                          "Meaning": frame["message"]})
    return to_html(shown, numeric=("Records",), wrap=("Meaning",))
