"""A large landlord's exports for the benchmark (issue 9), generated inside DuckDB.

    python -m pipeline.sample_large --scale large --out DIR [--extra-day DIR2]
    python -m pipeline.sample_large --scale medium --out DIR
    python -m pipeline.sample_large --repairs 3000000 --out DIR    # a point on the cost curve
    python -m pipeline.sample_large --repairs 2000 --homes 300 --out DIR   # tiny, for tests

Every row is made by SQL over range() with hash()-based pseudo-randomness and written
with COPY (... ORDER BY ...) TO 'file.csv', so no file is ever held as Python objects and
the same arguments give the same bytes on every run (with the same DuckDB version).

`--scale large`: 150,000 homes; ten reporting years, 2015/16 to 2024/25; 10 million repair
jobs; 1 million complaint stages; 300,000 ASB cases; 100,000 survey responses (LCRA and
LCHO, 10,000 a year); survey_population.csv; a year-end safety position (gas per home;
fire, asbestos, water and lifts per building) and Decent Homes position at each 31 March;
landlord.toml (P1 emergency 24 hours, P2 5 working days, P3 28 calendar days) and
survey.toml (a census each year, weighting "none"). `--scale medium` is a tenth of it.
Files use the canonical names, ISO dates and `YYYY-MM-DD HH:MM` datetimes; the exports
stand as at the end of 31 March 2025.

`--extra-day DIR2` also writes one extra day's exports, as they stood at the end of
1 April 2025: `repairs_2025-04-01.csv`, `complaints_2025-04-01.csv` and
`asb_cases_2025-04-01.csv`, with the day's new records and updates to records open at 31
March (completions, responses, escalations, closures). Dropped into the same folder they
are the input of an incremental refresh.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

FIRST_DAY = "2015-04-01"  # the first day of 2015/16
AS_AT = "2025-03-31"  # the big exports stand as at the end of this day
EXTRA_DAY = "2025-04-01"
SPAN_DAYS = 3653  # 1 April 2015 - 31 March 2025
END_YEARS = range(2016, 2026)  # reporting years by the year they end
LARGE_HOMES = 150_000

AREAS = ["Ashby Vale", "Brackenford", "Castlemoor", "Dunholme", "Eastwick", "Fellbridge",
         "Greyhaven", "Harrowfield", "Ivybridge Park", "Juniper Row", "Kestrel Heath",
         "Longmere"]


@dataclass(frozen=True)
class Scale:
    homes: int
    repairs: int
    complaint_stages: int
    asb_cases: int
    survey_responses: int  # over the ten years

    @classmethod
    def named(cls, name: str) -> Scale:
        large = cls(LARGE_HOMES, 10_000_000, 1_000_000, 300_000, 100_000)
        if name == "large":
            return large
        if name == "medium":
            return cls(15_000, 1_000_000, 100_000, 30_000, 10_000)
        raise ValueError(f"unknown scale {name!r}: large or medium")

    def with_homes(self, homes: int) -> Scale:
        """Another stock size; complaints, ASB and survey volumes scale with it."""
        f = homes / self.homes
        return Scale(homes, self.repairs, max(20, round(self.complaint_stages * f)),
                     max(10, round(self.asb_cases * f)), max(100, round(self.survey_responses * f)))


MACROS = f"""
create or replace macro u(k, s) as (hash(k, s) % 1000000)::DOUBLE / 1000000;
create or replace macro pick(k, s, n) as (hash(k, s) % n)::BIGINT;
create or replace macro hm(ts) as strftime(ts, '%Y-%m-%d %H:%M');
create or replace macro yn(b) as case when b then 'Y' else 'N' end;
create or replace macro sat(k, s) as case
    when u(k, s) < 0.36 then 'very_satisfied' when u(k, s) < 0.70 then 'fairly_satisfied'
    when u(k, s) < 0.81 then 'neither' when u(k, s) < 0.89 then 'fairly_dissatisfied'
    when u(k, s) < 0.96 then 'very_dissatisfied' when u(k, s) < 0.99 then 'dont_know' end;
create or replace macro agree(k, s) as case
    when u(k, s) < 0.38 then 'strongly_agree' when u(k, s) < 0.75 then 'agree'
    when u(k, s) < 0.85 then 'neither' when u(k, s) < 0.91 then 'disagree'
    when u(k, s) < 0.96 then 'strongly_disagree' when u(k, s) < 0.99 then 'dont_know' end;
create or replace macro home_ref(n) as 'H' || lpad(n::VARCHAR, 6, '0');
create or replace macro areas() as {AREAS!r};
"""

# One repair job i of n: reported evenly over the ten years, 07:00-18:00 mostly.
REPAIRS_SQL = """
with base as (
    select i,
        (date '{first}' + (i * {span} // {n})::INTEGER)::TIMESTAMP
            + to_minutes(case when u(i, 'ooh') < 0.05 then pick(i, 'min', 1440)
                              else 420 + pick(i, 'min', 660) end) as reported,
        case when u(i, 'pri') < 0.12 then 'P1' when u(i, 'pri') < 0.42 then 'P2' else 'P3' end
            as priority,
        u(i, 'late') as late
    from range({lo}, {hi}) t(i)
),
timed as (
    select *,
        case priority
            when 'P1' then reported + to_minutes(case when late < 0.96 then 30 + pick(i, 'dur', 1380)
                                                      else 1500 + pick(i, 'dur', 2880) end)
            when 'P2' then date_trunc('day', reported) + to_days(case when late < 0.92
                    then 1 + pick(i, 'dur', 6) else 8 + pick(i, 'dur', 20) end)
                + to_minutes(480 + pick(i, 'cmin', 540))
            else date_trunc('day', reported) + to_days(case when late < 0.92
                    then 1 + pick(i, 'dur', 27) else 29 + pick(i, 'dur', 40) end)
                + to_minutes(480 + pick(i, 'cmin', 540))
        end as finished,
        u(i, 'status') as st
    from base
)
select i,
    'R' || lpad(i::VARCHAR, 8, '0') as job_ref,
    home_ref(1 + pick(i, 'home', {homes})) as home_ref,
    priority,
    case when u(i, 'type') < 0.55 then NULL when u(i, 'type') < 0.88 then 'responsive'
         when u(i, 'type') < 0.94 then 'planned' when u(i, 'type') < 0.98 then 'void'
         else 'other' end as repair_type,
    reported,
    case when priority = 'P2' and u(i, 'appt') < 0.02
         then date_trunc('day', reported) + to_days(4) + to_hours(17) end as target,
    case when st < 0.03 then NULL when finished > timestamp '{as_at} 23:59' then NULL
         else finished end as completed,
    case when st < 0.03 then 'cancelled' when finished > timestamp '{as_at} 23:59'
         then (case when st < 0.5 then 'open' end)
         when st < 0.45 then NULL else 'completed' end as status,
    finished
from timed
"""

REPAIR_COLUMNS = """job_ref, home_ref, priority, repair_type, hm(reported) as reported_at,
    hm(target) as target_at, hm(completed) as completed_at, status, NULL::VARCHAR as tenure"""

# Complaint c of n: stage 1 received evenly over the ten years; about one in five escalated.
COMPLAINTS_SQL = """
with s1 as (
    select c,
        date '{first}' + (c * {span} // {n})::INTEGER as received,
        u(c, 'refused') < 0.02 as refused,
        u(c, 'out') as o,
        u(c, 'esc') < 0.22 as escalates,
        ['repairs', 'damp_mould', 'asb', 'staff_conduct', 'communication', 'estate_services',
         'rent_service_charge'][1 + pick(c, 'cat', 7)] as category,
        ['phone', 'email', 'web', 'letter', 'in_person', 'social_media', 'representative']
            [1 + pick(c, 'chan', 7)] as channel
    from range({lo}, {hi}) t(c)
),
stages as (
    select c, 1 as stage, received, received + pick(c, 'ack', 5)::INTEGER as acknowledged,
        received + (case when refused then pick(c, 'ack', 5) else 3 + pick(c, 'resp', 13) end)::INTEGER
            as responded,
        refused, o, category, channel, u(c, 'ext1') < 0.05 as extended
    from s1
    union all
    select c, 2, received + (16 + pick(c, 'esc_at', 40))::INTEGER,
        received + (17 + pick(c, 'esc_at', 40) + pick(c, 'ack2', 4))::INTEGER,
        received + (16 + pick(c, 'esc_at', 40) + 6 + pick(c, 'resp2', 24))::INTEGER,
        false, u(c, 'out2'), category, channel, u(c, 'ext2') < 0.06
    from s1 where escalates and not refused
)
select c, stage,
    'CMP-' || lpad(c::VARCHAR, 7, '0') as complaint_ref,
    received as received_date,
    acknowledged as acknowledged_date,
    yn(extended) as extension_agreed,
    case when extended then received + 20 end as extended_due_date,
    case when extended then 'survey of the home needed before a full response' end
        as extension_reason,
    responded,
    case when refused then NULL when o < 0.03 then 'withdrawn' when o < 0.28 then 'upheld'
         when o < 0.50 then 'partly_upheld' else 'not_upheld' end as outcome,
    yn(refused) as refused,
    case when refused then ['over_12_months', 'legal_proceedings', 'previously_considered']
        [1 + pick(c, 'why', 3)] end as refusal_reason,
    category,
    case category when 'repairs' then 'Repairs' when 'damp_mould' then 'Repairs'
        when 'asb' then 'Housing Management' when 'rent_service_charge' then 'Income'
        when 'estate_services' then 'Estates' else 'Customer Services' end as service_area,
    NULL::VARCHAR as tenure,
    home_ref(1 + pick(c, 'home', {homes})) as home_ref,
    channel,
    case when o between 0.03 and 0.50 and u(c, 'comp' || stage) < 0.3
         then printf('%.2f', 25.0 * (1 + pick(c, 'gbp' || stage, 20))) end as compensation_gbp,
    yn(u(c, 'vuln') < 0.08) as vulnerable
from stages
"""

COMPLAINT_COLUMNS = """complaint_ref, stage, received_date, acknowledged_date, extension_agreed,
    extended_due_date, extension_reason, {responded} as responded_date, {outcome} as outcome,
    refused, refusal_reason, category, service_area, tenure, home_ref, channel,
    {compensation} as compensation_gbp, vulnerable"""

ASB_SQL = """
select i,
    'ASB-' || lpad(i::VARCHAR, 7, '0') as case_ref,
    date '{first}' + (i * {span} // {n})::INTEGER as opened_date,
    date '{first}' + (i * {span} // {n})::INTEGER + (3 + pick(i, 'open', 200))::INTEGER as closes,
    case when u(i, 'hate') < 0.03 then 'Y' when u(i, 'hate') < 0.035 then NULL else 'N' end
        as hate_incident,
    case when u(i, 'ten') < 0.93 then NULL when u(i, 'ten') < 0.96 then 'LCRA'
         when u(i, 'ten') < 0.99 then 'LCHO' else 'leasehold' end as tenure,
    ['noise', 'drugs', 'harassment', 'vandalism', 'pets', 'parking', 'violence']
        [1 + pick(i, 'cat', 7)] as category
from range({lo}, {hi}) t(i)
"""


def _setup(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    con.execute(MACROS)
    con.execute(f"""create or replace table homes as
        select i,
            home_ref(i) as home_ref,
            case when u(i, 'ten') < 0.86 then 'LCRA' when u(i, 'ten') < 0.945 then 'LCHO'
                 when u(i, 'ten') < 0.98 then 'leasehold' else 'market_rent' end as tenure,
            case when u(i, 'flat') < 0.45 then 'B' || lpad((i // 24)::VARCHAR, 5, '0') end
                as building_ref,
            areas()[1 + pick(i // 500, 'area', 12)] as area,
            case when u(i, 'acq') < 0.08
                 then date '{FIRST_DAY}' + pick(i, 'acq_d', 3600)::INTEGER end as acquired_date,
            u(i, 'dis') < 0.05 as sold,
            u(i, 'stock') as st,
            ['16-34', '35-54', '55-64', '65+', 'no_data'][
                case when u(i, 'age') < 0.2 then 1 when u(i, 'age') < 0.55 then 2
                     when u(i, 'age') < 0.72 then 3 when u(i, 'age') < 0.98 then 4 else 5 end
            ] as age_band
        from range(1, {scale.homes + 1}) t(i)""")
    con.execute(f"""create or replace table homes as
        select i, home_ref, tenure,
            case tenure when 'LCRA' then (case when st < 0.10 then 'older_persons'
                     when st < 0.15 then 'supported' else 'general_needs' end)
                 when 'LCHO' then 'shared_ownership' else tenure end as stock_type,
            building_ref, area, acquired_date,
            case when sold and coalesce(acquired_date, date '{FIRST_DAY}') + 30
                     + pick(i, 'dis_d', 3300)::INTEGER <= date '{AS_AT}'
                 then coalesce(acquired_date, date '{FIRST_DAY}') + 30
                     + pick(i, 'dis_d', 3300)::INTEGER end as disposed_date,
            case when tenure = 'LCRA' and u(i, 'dha') < 0.03 then 'Y'
                 when tenure = 'LCHO' and u(i, 'dha') < 0.05 then 'N' end
                as decent_homes_applies,
            age_band
        from homes""")
    years = ", ".join(f"({y})" for y in END_YEARS)
    con.execute(f"""create or replace table owned as
        select y.end_year, make_date(y.end_year, 3, 31) as as_at,
            (y.end_year - 1)::VARCHAR || '/' || lpad((y.end_year % 100)::VARCHAR, 2, '0') as label,
            h.*
        from (values {years}) y(end_year)
        join homes h on (h.acquired_date is null or h.acquired_date <= make_date(y.end_year, 3, 31))
            and (h.disposed_date is null or h.disposed_date > make_date(y.end_year, 3, 31))""")


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> int:
    tmp = path.with_name(path.name + ".part")
    row = con.execute(f"copy ({select}) to '{tmp}' (header, delimiter ',')").fetchone()
    tmp.replace(path)
    return int(row[0]) if row else 0


def _fmt(sql: str, scale: Scale, n: int, lo: int, hi: int) -> str:
    return sql.format(first=FIRST_DAY, span=SPAN_DAYS, n=n, lo=lo, hi=hi, homes=scale.homes,
                      as_at=AS_AT)


def _complaint_count(scale: Scale) -> int:
    """Complaints (stage 1 rows) giving about `complaint_stages` rows with escalations."""
    return max(1, round(scale.complaint_stages / 1.2))


def write_dataset(out: Path, scale: Scale, threads: int | None = None) -> dict[str, int]:
    """Write the dataset folder; returns data rows per file."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    if threads:
        con.execute(f"set threads = {int(threads)}")
    _setup(con, scale)
    rows: dict[str, int] = {}
    rows["homes.csv"] = _copy(con, """select home_ref, tenure, stock_type, building_ref, area,
        acquired_date, disposed_date, decent_homes_applies from homes order by i""",
                              out / "homes.csv")
    n = scale.repairs
    rows["repairs.csv"] = _copy(
        con, f"select {REPAIR_COLUMNS} from ({_fmt(REPAIRS_SQL, scale, n, 0, n)}) order by i",
        out / "repairs.csv")
    c = _complaint_count(scale)
    as_at = f"date '{AS_AT}'"
    cols = COMPLAINT_COLUMNS.format(
        responded=f"case when responded <= {as_at} then responded end",
        outcome=f"case when responded <= {as_at} then outcome end",
        compensation=f"case when responded <= {as_at} then compensation_gbp end")
    rows["complaints.csv"] = _copy(
        con, f"""select {cols} from ({_fmt(COMPLAINTS_SQL, scale, c, 0, c)})
        where received_date <= {as_at} order by c, stage""", out / "complaints.csv")
    a = scale.asb_cases
    rows["asb_cases.csv"] = _copy(
        con, f"""select case_ref, opened_date,
            case when closes <= {as_at} then closes end as closed_date, hate_incident, tenure,
            category from ({_fmt(ASB_SQL, scale, a, 0, a)}) order by i""",
        out / "asb_cases.csv")
    per_year = max(10, scale.survey_responses // len(END_YEARS))
    con.execute(f"""create or replace table respondents as
        select * from owned where tenure in ('LCRA', 'LCHO')
        qualify row_number() over (partition by end_year order by hash(home_ref, end_year),
                                   home_ref) <= {per_year}""")
    tp = [f"tp{i:02d}" for i in range(1, 13)]
    answers = []
    for q in tp:
        k = f"'{q}'"
        value = f"agree(r, {k})" if q == "tp08" else f"sat(r, {k})"
        if q in ("tp02", "tp03"):
            cond = "tenure = 'LCRA' and repaired"
        elif q == "tp04":
            cond = "tenure = 'LCRA'"
        elif q == "tp09":
            cond = "complained"
        elif q == "tp10":
            cond = "communal = 'yes'"
        else:
            cond = "true"
        answers.append(f"case when {cond} and u(r, 'blank{q}') >= 0.01 then {value} end as {q}")
    rows["survey_responses.csv"] = _copy(con, f"""
        with r as (
            select *, hash(home_ref, end_year) as r,
                row_number() over (partition by end_year order by hash(home_ref, end_year, 'd'),
                                   home_ref) as nth
            from respondents
        ), routed as (
            select *, u(r, 'rep') < 0.6 as repaired, u(r, 'cmp') < 0.15 as complained,
                case when u(r, 'comm') < 0.04 then 'dont_know'
                     when building_ref is not null then 'yes' else 'no' end as communal
            from r
        )
        select 'S' || lpad((end_year % 100)::VARCHAR, 2, '0') || '-' || lpad(nth::VARCHAR, 5, '0')
                as response_id,
            tenure,
            case when u(r, 'meth') < 0.5 then 'postal' when u(r, 'meth') < 0.8 then 'online'
                 when u(r, 'meth') < 0.95 then 'telephone' when u(r, 'meth') < 0.97
                 then 'face_to_face' else 'sms' end as collection_method,
            make_date(end_year, 1, 15) + pick(r, 'when', 70)::INTEGER as response_date,
            {', '.join(answers)},
            case when tenure = 'LCRA' then (case when repaired then 'yes' else 'no' end) end
                as repair_last_12m,
            communal as communal_areas,
            case when complained then 'yes' else 'no' end as complaint_last_12m,
            NULL::DOUBLE as weight,
            stock_type, area, age_band
        from routed order by end_year, nth""", out / "survey_responses.csv")
    rows["survey_population.csv"] = _copy(con, """
        select label as year, tenure, characteristic, "group", count(*) as households from (
            select label, tenure, 1 as o, 'stock_type' as characteristic, stock_type as "group"
            from owned where tenure in ('LCRA', 'LCHO')
            union all select label, tenure, 2, 'area', area from owned
            where tenure in ('LCRA', 'LCHO')
            union all select label, tenure, 3, 'age_band', age_band from owned
            where tenure in ('LCRA', 'LCHO'))
        group by all order by year, tenure desc, min(o), "group" """,
                                          out / "survey_population.csv")
    rows["safety_checks.csv"] = _copy(con, """
        with buildings as (
            select distinct as_at, building_ref from owned where building_ref is not null
        ), checks as (
            select as_at, 'gas' as check_type, 1 as o, home_ref as asset_ref,
                u(home_ref, 'nogas') >= 0.10 as req,
                u(home_ref || as_at::VARCHAR, 'gas_ok') < 0.995 as ok
            from owned where tenure <> 'leasehold'
            union all
            select as_at, t.check_type, t.o, building_ref, true,
                u(building_ref || as_at::VARCHAR, t.check_type) < 0.99
            from buildings, (values ('fire', 2), ('asbestos', 3), ('water', 4)) t(check_type, o)
            union all
            select as_at, 'lift', 5, building_ref, u(building_ref, 'lift') < 0.25,
                u(building_ref || as_at::VARCHAR, 'lift_ok') < 0.98
            from buildings where u(building_ref, 'lift') < 0.25 or u(building_ref, 'nolift') < 0.5
        )
        select as_at, check_type, asset_ref, yn(req) as required,
            case when req then yn(ok) end as compliant
        from checks order by as_at, o, asset_ref""", out / "safety_checks.csv")
    rows["decent_homes.csv"] = _copy(con, """
        select as_at, home_ref,
            yn(u(home_ref || as_at::VARCHAR, 'dhs') >= 0.035) as meets_standard,
            case when u(home_ref || as_at::VARCHAR, 'dhs') < 0.035 then
                ['disrepair', 'hazard', 'modern_facilities', 'thermal_comfort']
                [1 + pick(home_ref || as_at::VARCHAR, 'why', 4)] end as failure_reason
        from owned where tenure = 'LCRA' order by as_at, home_ref""", out / "decent_homes.csv")
    con.close()
    (out / "landlord.toml").write_text(LANDLORD_TOML, encoding="utf-8")
    (out / "survey.toml").write_text(survey_toml(), encoding="utf-8")
    return rows


LANDLORD_TOML = """name = "Greater Shire Housing Group"
closure_days = [2019-12-27, 2020-12-29, 2021-12-29, 2022-12-28, 2023-12-27, 2024-12-27]

[priorities.P1]
class = "emergency"
hours = 24
[priorities.P2]
class = "non_emergency"
working_days = 5
[priorities.P3]
class = "non_emergency"
calendar_days = 28
"""


def survey_toml() -> str:
    parts = ["# Generated by pipeline.sample_large: a census each year, unweighted.\n"]
    for y in END_YEARS:
        label = f"{y - 1}/{y % 100:02d}"
        parts.append(f"""
[surveys."{label}"]
sample_method = "census"
fieldwork_start = {y}-01-15
fieldwork_end = {y}-03-25
contractor = "Shire Research Ltd"
contractor_role = "collecting and validating the responses; the landlord generated the measures"
excluded_households = 0
characteristics = ["stock_type", "area", "age_band"]
weighting = "none"
weight_by = []
flag_threshold_points = 5
""")
    return "".join(parts)


def write_extra_day(out: Path, scale: Scale) -> dict[str, int]:
    """One day's exports (1 April 2025): new records plus updates to records open at 31 March."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    _setup_macros_only(con)
    rows: dict[str, int] = {}
    day = EXTRA_DAY
    n = scale.repairs
    new_repairs = max(20, round(3000 * scale.repairs / 10_000_000))
    lo = max(0, n - n * 90 // SPAN_DAYS)  # jobs reported in the last 90 days: some still open
    rows[f"repairs_{day}.csv"] = _copy(con, f"""
        with updates as (  -- jobs open at 31 March and completed today
            select i, job_ref, home_ref, priority, repair_type, reported, target,
                finished as completed, 'completed' as status
            from ({_fmt(REPAIRS_SQL, scale, n, lo, n)})
            where completed is null and coalesce(status, 'open') = 'open'
              and finished::DATE = date '{day}'
        ), fresh as (
            select {n} + k as i, 'R250401' || lpad(k::VARCHAR, 4, '0') as job_ref,
                home_ref(1 + pick(k, 'home0401', {scale.homes})) as home_ref,
                case when u(k, 'pri0401') < 0.12 then 'P1' when u(k, 'pri0401') < 0.42 then 'P2'
                     else 'P3' end as priority,
                case when u(k, 'type0401') < 0.6 then NULL else 'responsive' end as repair_type,
                timestamp '{day} 07:00' + to_minutes(pick(k, 'min0401', 660)) as reported,
                NULL::TIMESTAMP as target, NULL::TIMESTAMP as completed, 'open' as status
            from range(1, {new_repairs + 1}) t(k)
        )
        select {REPAIR_COLUMNS} from (select * from updates union all select * from fresh)
        order by i""",
        out / f"repairs_{day}.csv")
    c = _complaint_count(scale)
    d = f"date '{day}'"
    as_at = f"date '{AS_AT}'"
    clo = max(0, c - c * 120 // SPAN_DAYS)
    new_complaints = max(5, round(150 * scale.complaint_stages / 1_000_000))
    rows[f"complaints_{day}.csv"] = _copy(con, f"""
        with recent as (
            select * from ({_fmt(COMPLAINTS_SQL, scale, c, clo, c)})
        ), still_open as (  -- open at 31 March: responded today, or repeated unchanged
            select * from recent
            where received_date <= {as_at} and responded > {as_at}
              and (responded = {d} or u(c, 'resp0401' || stage) < 0.05)
        ), escalated_today as (
            select * from recent where stage = 2 and received_date = {d}
        ), fresh as (
            select c + {c} as c, 1 as stage, 'CMP-' || lpad((c + {c})::VARCHAR, 7, '0')
                as complaint_ref, {d} as received_date,
                case when u(c, 'ack0401') < 0.5 then {d} end as acknowledged_date,
                'N' as extension_agreed, NULL::DATE as extended_due_date,
                NULL::VARCHAR as extension_reason, NULL::DATE as responded, NULL::VARCHAR as outcome,
                'N' as refused, NULL::VARCHAR as refusal_reason, category, service_area, tenure,
                home_ref, channel, NULL::VARCHAR as compensation_gbp, vulnerable
            from (select * exclude (c, stage), c - {clo} as c
                  from recent where stage = 1 and c < {clo} + {new_complaints})
        )
        select {COMPLAINT_COLUMNS.format(responded=f"case when responded <= {d} then {d} end",
                                         outcome=f"case when responded <= {d} then outcome end",
                                         compensation="compensation_gbp")}
        from (select * from still_open union all select * from escalated_today
              union all select * from fresh)
        order by c, stage""", out / f"complaints_{day}.csv")
    a = scale.asb_cases
    alo = max(0, a - a * 200 // SPAN_DAYS)
    new_asb = max(3, round(80 * scale.asb_cases / 300_000))
    rows[f"asb_cases_{day}.csv"] = _copy(con, f"""
        with recent as (select * from ({_fmt(ASB_SQL, scale, a, alo, a)}))
        select case_ref, opened_date, {d} as closed_date, hate_incident, tenure, category
        from recent where closes = {d}
        union all
        select 'ASB-' || lpad((i - {alo} + {a})::VARCHAR, 7, '0'), {d}, NULL, hate_incident,
            tenure, category
        from recent where i < {alo} + {new_asb}
        order by 1""", out / f"asb_cases_{day}.csv")
    con.close()
    return rows


def _setup_macros_only(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)


def scale_from_args(args: argparse.Namespace) -> Scale:
    scale = Scale.named(args.scale)
    if args.homes:
        scale = scale.with_homes(args.homes)
    if args.repairs:
        scale = Scale(scale.homes, args.repairs, scale.complaint_stages, scale.asb_cases,
                      scale.survey_responses)
    return scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.sample_large",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("large", "medium"), default="large")
    parser.add_argument("--out", required=True, help="dataset folder to write")
    parser.add_argument("--repairs", type=int, help="repair jobs (default: the scale's)")
    parser.add_argument("--homes", type=int,
                        help="homes; complaints, ASB and survey volumes scale with it")
    parser.add_argument("--extra-day", metavar="DIR2",
                        help="also write one extra day's exports (1 April 2025) to DIR2")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    args = parser.parse_args(argv)
    scale = scale_from_args(args)
    started = time.monotonic()
    rows = write_dataset(Path(args.out), scale, args.threads)
    manifest = {"scale": asdict(scale), "rows": rows}
    if args.extra_day:
        manifest["extra_day_rows"] = write_extra_day(Path(args.extra_day), scale)
    manifest["seconds"] = round(time.monotonic() - started, 1)
    json.dump(manifest, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
