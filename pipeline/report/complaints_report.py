"""The annual complaints performance and service improvement report (Complaint Handling Code
section 8.1): the self-assessment with what the data shows beside each provision it can test,
breakdowns, refused complaints by reason, Ombudsman findings and the improvement plan.

Provision numbers are the 2024 statutory Code's (in force from 1 April 2024; self-assessments
from 2024 onwards are made against it). They live in EVIDENCE below, in one place.

Every function takes a read-only DuckDB connection and returns a small frame; the *_html
functions turn one into a table, with small counts in breakdowns shown as '<5'.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pipeline.report import fmt
from pipeline.report.report_data import label, to_html

# data check -> the Code provisions it evidences (2024 Code numbering; 2.1, 2.4, 5.2, 5.3, 6.2,
# 6.3, 6.4, 6.11 and 7.1 checked against the Code's text as quoted in landlords' published
# self-assessments; 6.14 and 6.15 follow the stage 1 order and are to be confirmed)
EVIDENCE = {
    "two_stages": ("5.2", "5.3"),
    "refused": ("2.1", "2.4"),
    "stage_1_acknowledged": ("6.2",),
    "stage_1_response": ("6.3",),
    "stage_1_extension": ("6.4",),
    "stage_2_acknowledged": ("6.11",),
    "stage_2_response": ("6.14",),
    "stage_2_extension": ("6.15",),
    "remedies": ("7.1",),
}
STAGE_CHECKS = {
    "stage_1_acknowledged": ("1", "acknowledged"),
    "stage_1_response": ("1", "response"),
    "stage_1_extension": ("1", "extension"),
    "stage_2_acknowledged": ("2", "acknowledged"),
    "stage_2_response": ("2", "response"),
    "stage_2_extension": ("2", "extension"),
}


@dataclass(frozen=True)
class Evidence:
    check: str
    sections: tuple[str, ...]
    shows: str         # what the data shows, one sentence
    breaches: int      # records that breach the provision (0: none found)


def report_date_basis(con) -> str:
    latest = con.execute("select max(export_date) from audit.loads").fetchone()[0]
    return ("the latest export date of the data" if latest is not None
            else "the end of the reporting year (no file carries an export date)")


def report_date(con, end_year: int) -> date:
    """The date the report is judged at: the latest export date of any file loaded (so the
    same files always give the same report), else 31 March of the reporting year."""
    latest = con.execute("select max(export_date) from audit.loads").fetchone()[0]
    if latest is None:
        return date(end_year, 3, 31)
    return pd.Timestamp(latest).date()


def _stage_rows(con, end_year: int, stage: str) -> pd.DataFrame:
    return con.execute(
        """select is_acknowledged_on_time, acknowledged_date, timeliness, deadline_date,
                  is_extension_agreed, has_evidenced_extension, is_extension_over_maximum,
                  requested_extension_wd, max_extension_wd
           from intermediate.int_complaint_stages
           where received_end_year = ? and stage = ? and not is_refused""",
        [end_year, int(stage)],
    ).df()


def _pct(n: int, d: int) -> str:
    return fmt.percent(n, d) if d else "n/a"


def _stage_evidence(con, end_year: int, check: str, as_at: date) -> Evidence:
    stage, kind = STAGE_CHECKS[check]
    rows = _stage_rows(con, end_year, stage)
    total = len(rows)
    sections = EVIDENCE[check]
    if total == 0:
        return Evidence(check, sections, f"No stage {stage} complaints received in the year.", 0)
    if kind == "acknowledged":
        on_time = int(rows["is_acknowledged_on_time"].fillna(False).sum())
        missing = int(rows["acknowledged_date"].isna().sum())
        late = total - on_time
        text = (f"{on_time:,} of {total:,} stage {stage} complaints ({_pct(on_time, total)}) "
                f"acknowledged within 5 working days")
        if late:
            text += f"; {late:,} not" + (f" ({missing:,} with no acknowledgement date)" if missing else "")
        return Evidence(check, sections, text + ".", late)
    if kind == "response":
        t = rows["timeliness"].value_counts()
        on_time, extended = int(t.get("on_time", 0)), int(t.get("on_time_extended", 0))
        late = int(t.get("late", 0))
        open_rows = rows[rows["timeliness"].isin(["open", "withdrawn_no_response"])]
        overdue = int((pd.to_datetime(open_rows["deadline_date"]).dt.date < as_at).sum())
        days = "10" if stage == "1" else "20"
        text = (f"{on_time + extended:,} of {total:,} ({_pct(on_time + extended, total)}) "
                f"responded to within {days} working days or an agreed extension "
                f"({extended:,} within an extension); {late:,} late")
        if len(open_rows):
            text += f"; {len(open_rows):,} with no response, {overdue:,} of them past their deadline"
        return Evidence(check, sections, text + ".", late + overdue)
    agreed = int(rows["is_extension_agreed"].fillna(False).sum())
    over = int(rows["is_extension_over_maximum"].fillna(False).sum())
    no_date = agreed - int(rows["has_evidenced_extension"].fillna(False).sum())
    maximum = rows["max_extension_wd"].dropna()
    cap = f"{int(maximum.max())} working days" if len(maximum) else "the Code maximum"
    text = (f"{agreed:,} of {total:,} stage {stage} complaints extended; {over:,} beyond "
            f"{cap}")
    if no_date > 0:
        text += f"; {no_date:,} agreed with no new date recorded"
    return Evidence(check, sections, text + ".", over)


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return pd.to_datetime(text.strip()[:10], format=pattern).date()
        except ValueError:
            continue
    return None


def extra_stages(con, end_year: int) -> pd.DataFrame:
    """Complaint records with a stage other than 1 or 2 (a third stage, 'stage 0'): they are
    quarantined (decisions D11), so they are found in quarantine.rows with their raw row.
    `in_year`: the raw received date falls in the reporting year (unknown date: counted)."""
    frame = con.execute(
        """select q.source_file, q.source_row, q.value as stage, r.complaint_ref, r.received_date
           from quarantine.rows q
           left join raw.complaints r
             on r.source_file = q.source_file and r.source_row = q.source_row
           where q.source = 'complaints' and q.column_name = 'stage'
           order by q.source_file, q.source_row"""
    ).df() if _has(con, "raw", "complaints") else pd.DataFrame(
        columns=["source_file", "source_row", "stage", "complaint_ref", "received_date"])
    start, end = date(end_year - 1, 4, 1), date(end_year, 3, 31)
    received = [_parse_date(t) for t in frame["received_date"]]
    frame["in_year"] = pd.Series([d is None or start <= d <= end for d in received],
                                 index=frame.index, dtype=bool)
    return frame


def _has(con, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table]).fetchone()[0])


def evidence(con, end_year: int, as_at: date | None = None) -> list[Evidence]:
    """What the data shows for each provision it can test, for complaints received in the
    year (refused complaints apart)."""
    as_at = as_at or report_date(con, end_year)
    found = []
    extra = extra_stages(con, end_year)
    in_year = extra[extra["in_year"].astype(bool)]
    stages = ", ".join(sorted(set(in_year["stage"].astype(str)))) or "none"
    text = (f"{len(in_year):,} record(s) of a stage other than 1 or 2 in the complaints log for "
            f"the year (stages: {stages})" if len(in_year) else
            "No record of a third (or 'stage 0') stage in the complaints log for the year")
    if len(extra) > len(in_year):
        text += f"; {len(extra) - len(in_year):,} more in other years"
    found.append(Evidence("two_stages", EVIDENCE["two_stages"], text + ".", len(in_year)))
    refused = refused_by_reason(con, end_year)
    n = int(refused["count"].sum()) if len(refused) else 0
    no_reason = int(refused.loc[refused["reason"] == "not_recorded", "count"].sum()) if n else 0
    text = (f"{n:,} complaint(s) refused" + (f", {no_reason:,} with no reason recorded" if no_reason
                                              else (", each with a reason recorded" if n else "")))
    found.append(Evidence("refused", EVIDENCE["refused"], text + ".", no_reason))
    for check in STAGE_CHECKS:
        found.append(_stage_evidence(con, end_year, check, as_at))
    remedy = con.execute(
        """select count(*) filter (where compensation_gbp > 0), sum(compensation_gbp),
                  count(*) filter (where outcome in ('upheld', 'partly_upheld'))
           from intermediate.int_complaint_stages where received_end_year = ? and not is_refused""",
        [end_year]).fetchone()
    found.append(Evidence(
        "remedies", EVIDENCE["remedies"],
        f"{int(remedy[2] or 0):,} complaint stages upheld or partly upheld; {int(remedy[0] or 0):,} "
        f"with compensation offered, {fmt.money(remedy[1] or 0)} in total.", 0))
    return found


def _section_key(section: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.]", section))


def self_assessment(assessment: pd.DataFrame | None, found: list[Evidence]) -> pd.DataFrame:
    """The landlord's self-assessment with a 'data_shows' column beside each provision the data
    can test and a 'flag' where the data contradicts a 'yes'. Provisions the data tests but the
    self-assessment lacks are added (complies 'not assessed'), so no evidence is hidden."""
    by_section: dict[str, list[Evidence]] = {}
    for item in found:
        for section in item.sections:
            by_section.setdefault(section, []).append(item)
    columns = ["code_section", "requirement", "complies", "evidence", "commentary"]
    rows = [] if assessment is None else assessment[columns].to_dict("records")
    present = {r["code_section"] for r in rows}
    used: set[str] = set()
    for r in rows:
        items = by_section.get(r["code_section"], [])
        used.update(i.check for i in items)
    for item in found:
        if item.check in used or any(s in present for s in item.sections):
            continue
        rows.append({"code_section": item.sections[-1], "requirement": "(not in the self-assessment)",
                     "complies": "not assessed", "evidence": "", "commentary": ""})
        present.add(item.sections[-1])
    out = []
    for r in rows:
        items = by_section.get(r["code_section"], [])
        shows = " ".join(i.shows for i in items)
        breaches = sum(i.breaches for i in items)
        flag = ""
        if items and r["complies"] == "yes" and breaches > 0:
            flag = f"data contradicts 'yes': {breaches:,} record(s) breach this provision"
        out.append({**r, "data_shows": shows, "flag": flag})
    frame = pd.DataFrame(out, columns=[*columns, "data_shows", "flag"])
    if len(frame):
        frame = frame.iloc[sorted(range(len(frame)),
                                  key=lambda i: _section_key(frame["code_section"].iloc[i]))]
    return frame.reset_index(drop=True)


SELF_ASSESSMENT_COLUMNS = {
    "code_section": "Code provision", "requirement": "Requirement", "complies": "Complies",
    "evidence": "Evidence (landlord)", "commentary": "Commentary", "data_shows": "What the data shows",
    "flag": "Flag",
}


def self_assessment_html(frame: pd.DataFrame) -> str:
    table = to_html(frame, SELF_ASSESSMENT_COLUMNS,
                    wrap=("requirement", "evidence", "commentary", "data_shows", "flag"))
    # mark contradicted rows so they stand out in colour and in print (and say so in text)
    return table.replace("<td class=\"wrap\">data contradicts",
                         "<td class=\"wrap flag\"><strong>⚠ Flag:</strong> data contradicts")


# ---- breakdowns ---------------------------------------------------------------------------

def breakdown(con, end_year: int, name: str) -> pd.DataFrame:
    """Stages 1 and 2 together, one row per group of a breakdown (category, service_area,
    channel, tenure): received, upheld or partly upheld (of those with an outcome), within
    timescale; percentages recomputed from summed counts."""
    frame = con.execute(
        """select group_value as "group", kpi, sum(count) as n, sum(coalesce(denominator, 0)) as d
           from marts.chc_complaint_kpis
           where end_year = ? and breakdown = ? and stage in ('1', '2')
             and kpi in ('received', 'upheld_or_partly_upheld', 'within_timescale')
           group by all""", [end_year, name]).df()
    columns = ["group", "received", "upheld", "upheld_base", "within_timescale",
               "within_timescale_base"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    wide = frame.pivot_table(index="group", columns="kpi", values=["n", "d"], aggfunc="sum").fillna(0)

    def col(kind, kpi):
        return wide[(kind, kpi)] if (kind, kpi) in wide.columns else 0
    out = pd.DataFrame({
        "received": col("n", "received"), "upheld": col("n", "upheld_or_partly_upheld"),
        "upheld_base": col("d", "upheld_or_partly_upheld"),
        "within_timescale": col("n", "within_timescale"),
        "within_timescale_base": col("d", "within_timescale")}).astype(int)
    out = out.reset_index().sort_values(["received", "group"], ascending=[False, True])
    return out[columns].reset_index(drop=True)


def _group_label(group: str) -> str:
    """Codes ('not_recorded', 'social_media') read as words; names ('Repairs') kept."""
    return label(group) if group.islower() or "_" in group else group


def breakdown_html(frame: pd.DataFrame, heading: str, threshold: int) -> str:
    if frame.empty:
        return "<p>No complaints recorded for this breakdown.</p>"
    shown = pd.DataFrame({
        heading: [_group_label(g) for g in frame["group"]],
        "Received": [fmt.small(n, threshold) for n in frame["received"]],
        "Upheld or partly upheld": [fmt.percent(n, d, threshold)
                                    for n, d in zip(frame["upheld"], frame["upheld_base"])],
        "Within the Code timescale": [fmt.percent(n, d, threshold) for n, d in
                                      zip(frame["within_timescale"], frame["within_timescale_base"])],
    })
    return to_html(shown, numeric=("Received", "Upheld or partly upheld", "Within the Code timescale"))


def refused_by_reason(con, end_year: int) -> pd.DataFrame:
    """Complaints refused (not accepted into the process) in the year, by reason (Code 8.1)."""
    frame = con.execute(
        """select coalesce(nullif(group_value, ''), 'not_recorded') as reason, sum(count) as count
           from marts.chc_complaint_kpis
           where end_year = ? and kpi = 'refused' and breakdown = 'refusal_reason'
           group by all order by count desc, reason""", [end_year]).df()
    frame["count"] = frame["count"].astype(int)
    return frame


def refused_html(frame: pd.DataFrame, threshold: int) -> str:
    if frame.empty:
        return "<p>No complaints were refused in the year.</p>"
    shown = pd.DataFrame({"Reason": [label(r) for r in frame["reason"]],
                          "Complaints refused": [fmt.small(n, threshold) for n in frame["count"]]})
    total = int(frame["count"].sum())
    return (to_html(shown, numeric=("Complaints refused",))
            + f"<p>{fmt.small(total, threshold)} complaint(s) refused in total.</p>")


def extensions_by_reason(con, end_year: int) -> pd.DataFrame:
    frame = con.execute(
        """select stage, coalesce(nullif(group_value, ''), 'not recorded') as reason, count
           from marts.chc_complaint_kpis
           where end_year = ? and kpi = 'extension_agreed' and breakdown = 'extension_reason'
           order by stage, count desc, reason""", [end_year]).df()
    frame["count"] = frame["count"].astype(int)
    return frame


def extensions_html(frame: pd.DataFrame, threshold: int) -> str:
    if frame.empty:
        return "<p>No extensions were agreed in the year.</p>"
    shown = pd.DataFrame({"Stage": [f"Stage {s}" for s in frame["stage"]],
                          "Reason given": frame["reason"],
                          "Extensions": [fmt.small(n, threshold) for n in frame["count"]]})
    return to_html(shown, numeric=("Extensions",), wrap=("Reason given",))


KPI_ROWS = (
    ("received", "Complaints received", "count"),
    ("responded", "Responded to", "percent"),
    ("acknowledged_within_5_wd", "Acknowledged within 5 working days", "percent"),
    ("responded_on_time_without_extension", "On time without an extension", "percent"),
    ("responded_on_time_with_extension", "On time within an agreed extension", "percent"),
    ("responded_late", "Responded to late", "percent"),
    ("open_at_year_end", "Open at 31 March", "count"),
    ("open_at_year_end_past_deadline", "Open at 31 March and past their deadline", "percent"),
    ("working_days_to_respond_median", "Working days to respond: median", "days"),
    ("working_days_to_respond_p90", "Working days to respond: 90th percentile", "days"),
    ("working_days_to_respond_mean", "Working days to respond: mean", "days"),
    ("extension_agreed", "Extension agreed", "percent"),
    ("escalated_to_stage_2", "Escalated to stage 2", "percent"),
    ("resolved_at_stage_1", "Resolved at stage 1", "percent"),
    ("with_compensation", "Compensation offered", "percent"),
    ("compensation_offered_total_gbp", "Compensation offered: total", "gbp"),
    ("compensation_offered_median_gbp", "Compensation offered: median", "gbp"),
    ("vulnerable_received", "Residents with a vulnerability or reasonable adjustment", "small"),
    ("vulnerable_within_timescale", "… of those, responded to within the Code timescale", "small"),
)


def performance(con, end_year: int, threshold: int) -> pd.DataFrame:
    """The Code section 8/9 KPIs by stage: count and (where a share) the published percentage.
    Totals are shown as they are; the vulnerability rows (a personal characteristic) show a
    count below the threshold as '<5', without its percentage."""
    frame = con.execute(
        """select stage, kpi, count, denominator from marts.chc_complaint_kpis
           where end_year = ? and breakdown = 'total' and stage in ('1', '2')""", [end_year]).df()
    rows = []
    for kpi, name, kind in KPI_ROWS:
        row = {"measure": name}
        for stage in ("1", "2"):
            hit = frame[(frame["kpi"] == kpi) & (frame["stage"] == stage)]
            if hit.empty:
                row[f"Stage {stage}"] = ""
                continue
            n, d = hit.iloc[0]["count"], hit.iloc[0]["denominator"]
            if kind == "count":
                row[f"Stage {stage}"] = fmt.count(n)
            elif kind == "days":
                row[f"Stage {stage}"] = "" if fmt.is_missing(n) else f"{n:.1f}"
            elif kind == "gbp":
                row[f"Stage {stage}"] = fmt.money(n)
            elif kind == "small" and 0 < n < threshold:
                # a breakdown by a personal characteristic: a small count (and its share,
                # which would give it away) is not shown
                row[f"Stage {stage}"] = fmt.small(n, threshold)
            else:
                pct = fmt.percent(n, d)
                row[f"Stage {stage}"] = f"{fmt.count(n)} ({pct})" if pct else fmt.count(n)
        rows.append(row)
    return pd.DataFrame(rows, columns=["measure", "Stage 1", "Stage 2"])


def performance_html(frame: pd.DataFrame) -> str:
    return to_html(frame.rename(columns={"measure": "Measure"}), numeric=("Stage 1", "Stage 2"))


# ---- Ombudsman ----------------------------------------------------------------------------

FINDING_ORDER = ("severe_maladministration", "maladministration", "service_failure",
                 "reasonable_redress", "no_maladministration", "outside_jurisdiction")
ADVERSE = ("severe_maladministration", "maladministration", "service_failure")


def ombudsman(con, end_year: int) -> pd.DataFrame:
    """Housing Ombudsman determinations made in the year (by determination date)."""
    if not _has(con, "staging", "ombudsman_cases"):
        return pd.DataFrame(columns=["ombudsman_ref", "complaint_ref", "determination_date",
                                     "finding", "compensation_ordered_gbp", "orders"])
    return con.execute(
        """select ombudsman_ref, complaint_ref, determination_date, finding,
                  compensation_ordered_gbp, coalesce(orders, '') as orders
           from staging.ombudsman_cases
           where determination_date between make_date(? - 1, 4, 1) and make_date(?, 3, 31)
           order by determination_date, ombudsman_ref""", [end_year, end_year]).df()


def ombudsman_summary(cases: pd.DataFrame) -> str:
    """Determinations by finding. Not suppressed: the Ombudsman publishes its determinations,
    and the Code (8.1) asks for every finding."""
    if cases.empty:
        return ("<p>No Housing Ombudsman determinations about the landlord are recorded for the "
                "year.</p>")
    counts = cases["finding"].value_counts()
    order = [f for f in FINDING_ORDER if f in counts.index] + [
        f for f in counts.index if f not in FINDING_ORDER]
    table = pd.DataFrame({"Finding": [label(f) for f in order],
                          "Determinations": [fmt.count(counts[f]) for f in order]})
    adverse = int(sum(counts.get(f, 0) for f in ADVERSE))
    total = len(cases)
    rate = fmt.percent(adverse, total)
    ordered = cases["compensation_ordered_gbp"].fillna(0).astype(float).sum()
    with_orders = int((cases["orders"].str.strip() != "").sum())
    return (to_html(table, numeric=("Determinations",))
            + f"<p>{total:,} determination(s); maladministration rate (severe maladministration, "
              f"maladministration or service failure) {rate}; compensation ordered "
              f"{fmt.money(ordered)}; {with_orders:,} determination(s) with orders.</p>")


def ombudsman_findings_html(cases: pd.DataFrame) -> str:
    """The adverse findings (non-compliance) one by one, with the orders made."""
    adverse = cases[cases["finding"].isin(ADVERSE)]
    if adverse.empty:
        return "<p>No findings of maladministration or service failure in the year.</p>"
    shown = pd.DataFrame({
        "Ombudsman reference": adverse["ombudsman_ref"],
        "Determined": [pd.Timestamp(d).strftime("%-d %b %Y") for d in adverse["determination_date"]],
        "Finding": [label(f) for f in adverse["finding"]],
        "Compensation ordered": [fmt.money(v) for v in adverse["compensation_ordered_gbp"]],
        "Orders": adverse["orders"],
    })
    return to_html(shown, numeric=("Compensation ordered",), wrap=("Orders",))


# ---- improvement plan ---------------------------------------------------------------------

def improvement_plan(plan: pd.DataFrame | None, as_at: date) -> pd.DataFrame | None:
    """The plan with a 'state' column: 'overdue' where not completed and due before `as_at`
    (the report date); 'completed late' where completed after its due date."""
    if plan is None:
        return None
    out = plan.copy()
    states = []
    for r in out.itertuples():
        if r.status == "completed":
            states.append("completed late" if r.completed_date and r.completed_date > r.due_date
                          else "completed")
        elif r.due_date < as_at:
            states.append(f"OVERDUE ({(as_at - r.due_date).days} days)")
        else:
            states.append(label(r.status))
    out["state"] = states
    out["overdue"] = [s.startswith("OVERDUE") for s in states]
    return out


def improvement_plan_html(plan: pd.DataFrame) -> str:
    shown = pd.DataFrame({
        "Code reference": plan["code_refs"],
        "Requirement": plan["requirement"],
        "What will improve": plan["improvement"],
        "Due": [d.strftime("%-d %b %Y") for d in plan["due_date"]],
        "Status": plan["state"],
        "Completed": [d.strftime("%-d %b %Y") if d else "" for d in plan["completed_date"]],
        "Notes": plan["notes"],
    })
    table = to_html(shown, wrap=("Requirement", "What will improve", "Notes"))
    return re.sub(r"<td>OVERDUE ([^<]*)</td>",
                  lambda m: f'<td class="flag"><strong>⚠ Overdue</strong> {html.escape(m.group(1))}</td>',
                  table)


def analysis_text(con, end_year: int, categories: pd.DataFrame, service_areas: pd.DataFrame,
                  threshold: int) -> str:
    """A short quantitative-and-qualitative reading of the year, as plain sentences."""
    totals = dict(con.execute(
        """select stage || ':' || kpi, count from marts.chc_complaint_kpis
           where end_year = ? and breakdown = 'total'""", [end_year]).fetchall())
    previous = dict(con.execute(
        """select stage || ':' || kpi, count from marts.chc_complaint_kpis
           where end_year = ? and breakdown = 'total'""", [end_year - 1]).fetchall())
    s1 = int(totals.get("1:received", 0) or 0)
    s2 = int(totals.get("2:received", 0) or 0)
    parts = [f"{s1:,} stage 1 and {s2:,} stage 2 complaints were received in the year"]
    if previous.get("1:received") is not None:
        before = int(previous["1:received"])
        change = "more" if s1 > before else "fewer"
        parts[-1] += (f" ({abs(s1 - before):,} {change} stage 1 complaints than the year before)"
                      if s1 != before else " (as many stage 1 complaints as the year before)")
    sentences = [parts[0] + "."]
    if len(categories):
        top = categories.iloc[0]
        sentences.append(
            f"The most common subject was {label(top['category']).lower()} "
            f"({fmt.small(top['received'], threshold)} complaints, "
            f"{top['upheld_published'] or 'n/a'} upheld or partly upheld).")
        eligible = categories[categories["upheld_base"] >= threshold]
        if len(eligible):
            worst = eligible.sort_values("upheld_pct", ascending=False).iloc[0]
            sentences.append(
                f"The highest share upheld was for {label(worst['category']).lower()} "
                f"({worst['upheld_published']}).")
    if len(service_areas):
        eligible = service_areas[service_areas["within_timescale_base"] >= threshold].copy()
        if len(eligible):
            eligible["pct"] = eligible["within_timescale"] / eligible["within_timescale_base"]
            slow = eligible.sort_values("pct").iloc[0]
            sentences.append(
                f"The service area least often on time was {_group_label(slow['group'])} "
                f"({fmt.percent(slow['within_timescale'], slow['within_timescale_base'])} "
                f"within the Code timescale).")
    return " ".join(sentences)


# ---- what the year's data allows (complaints.md, "Not available"; outputs.md) ---------------

SOURCE_FILES = {"complaints": "complaints.csv", "ombudsman": "ombudsman_cases.csv",
                "failures": "complaint_handling_failures.csv"}
_KPI_OF = {"complaints": "received", "ombudsman": "ombudsman_determinations",
           "failures": "complaint_handling_failure_orders"}


def kpi_status(con, end_year: int, source: str) -> tuple[str, str]:
    """(status, reason) of the year's complaint KPIs of one source ('complaints',
    'ombudsman', 'failures'), as complaints_kpis.csv gives them."""
    row = con.execute(
        """select status, coalesce(status_reason, '') from marts.chc_complaint_kpis
           where end_year = ? and kpi = ? and breakdown = 'total' limit 1""",
        [end_year, _KPI_OF[source]]).fetchone()
    return (row[0], row[1]) if row else ("not_available", f"no {SOURCE_FILES[source]} in the dataset")


def not_available_html(source: str, reason: str, what: str) -> str:
    """A section whose input is absent says which file would fill it, never zeros."""
    return (f"<p class=\"not-available\"><strong>Not available:</strong> {html.escape(what)} cannot be "
            f"given for this year ({html.escape(reason)}). Adding {html.escape(SOURCE_FILES[source])} "
            "to the dataset folder would fill this section.</p>")


def provisional_html(reason: str) -> str:
    return (f"<p class=\"provisional\"><strong>Provisional:</strong> {html.escape(reason)}; the "
            "figures below cover the year to that date.</p>")


def evidence_not_available(found: list[Evidence], reason: str) -> list[Evidence]:
    """Self-assessment lines the complaints data would test, when it cannot."""
    return [Evidence(e.check, e.sections, f"Not available: {reason}.", 0) for e in found]


def cohort_reconciliation(con, end_year: int) -> str:
    """One line where the Code's counts (every resident) and CH01's cohort (LCRA and LCHO
    tenants) differ (complaints.md, "Cohort")."""
    lines = []
    for stage in (1, 2):
        row = con.execute(
            """select count(*), count(*) filter (where is_tsm_tenure)
               from intermediate.int_complaint_stages
               where received_end_year = ? and stage = ? and not is_refused""",
            [end_year, stage]).fetchone()
        everyone, tsm = int(row[0]), int(row[1])
        if everyone != tsm:
            lines.append(f"{everyone:,} stage {stage} complaints from all residents; {tsm:,} from "
                         f"LCRA and LCHO tenants, the CH01/CH02 cohort; {everyone - tsm:,} from "
                         "residents of other tenures (leaseholders and others).")
    return "".join(f"<p class=\"reconciliation\">{html.escape(line)}</p>" for line in lines)


def complaint_handling_failures(con, end_year: int) -> pd.DataFrame:
    """The Ombudsman's Complaint Handling Failure Orders and Notices issued in the year."""
    return con.execute(
        """select ombudsman_ref, issued_date, kind, coalesce(code_provision, '') as code_provision,
                  coalesce(summary, '') as summary
           from staging.complaint_handling_failures
           where issued_date between make_date(? - 1, 4, 1) and make_date(?, 3, 31)
           order by issued_date, ombudsman_ref""", [end_year, end_year]).df()


def complaint_handling_failures_html(failures: pd.DataFrame) -> str:
    if failures.empty:
        return ("<p>No Complaint Handling Failure Orders or Notices were issued to the landlord "
                "in the year.</p>")
    orders = int((failures["kind"] == "order").sum())
    shown = pd.DataFrame({
        "Ombudsman reference": failures["ombudsman_ref"],
        "Issued": [pd.Timestamp(d).strftime("%-d %B %Y") for d in failures["issued_date"]],
        "Kind": ["Order" if k == "order" else "Notice" for k in failures["kind"]],
        "Code provision": failures["code_provision"],
        "Summary": failures["summary"],
    })
    return (f"<p>{orders:,} Complaint Handling Failure Order(s) and {len(failures) - orders:,} "
            "Notice(s) issued in the year.</p>" + to_html(shown, wrap=("Summary",)))


def governing_body_response_html(dataset_dir) -> str:
    """The governing body's response (Code 8.2) from governing_body_response.md, else a
    clearly marked placeholder."""
    from pathlib import Path

    from pipeline.report.inputs import read_text_input

    text = read_text_input(Path(dataset_dir), "governing_body_response.md") if dataset_dir else None
    if not text or not text.strip():
        return ("<p class=\"placeholder\"><strong>[To be added]</strong> The governing body's "
                "response to this report (Complaint Handling Code 8.2) is to be added before the "
                "report is published.</p>")
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    out = []
    for p in paragraphs:
        if p.startswith("#"):
            out.append(f"<h4>{html.escape(p.lstrip('#').strip())}</h4>")
        else:
            out.append(f"<p>{html.escape(' '.join(p.split()))}</p>")
    return "".join(out)
