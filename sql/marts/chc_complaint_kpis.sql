-- Complaint Handling Code KPIs for the annual complaints performance report
-- (complaints.md, "KPIs the annual report needs"), long format.
-- Scope: every complaint stage accepted into the process (refused ones reported by
-- reason), of every tenure: the Code covers all residents, not only TSM tenures.
-- "In the year" = received in the reporting year unless the KPI says otherwise.
-- Grain: one row per year x stage x kpi x breakdown x group.
-- value: a count, a percentage (count / denominator * 100), working days, or pounds.
with years as (
    select * from intermediate.int_reporting_years
),

stages as (
    select * from intermediate.int_complaint_stages
),

stage_keys as (
    select * from (values ('1'), ('2')) as s(stage)
),

-- read by most of the KPIs below: computed once, with just the columns they read
accepted as materialized (
    select
        years.end_year, stages.stage::VARCHAR as stage_key,
        stages.complaint_ref, stages.stage, stages.tenure, stages.received_date,
        stages.responded_date, stages.timeliness, stages.outcome, stages.category,
        stages.service_area, stages.channel, stages.compensation_gbp, stages.extension_reason,
        stages.working_days_to_respond, stages.is_acknowledged_on_time, stages.is_escalated,
        stages.is_extension_agreed, stages.is_extension_over_maximum, stages.is_vulnerable,
        stages.is_within_timescale,
        -- the reporting year's quarter (April = Q1) and month of receipt
        'Q' || (((month(stages.received_date) + 8) % 12) // 3 + 1)::VARCHAR as quarter,
        strftime(stages.received_date, '%Y-%m') as month,
    from stages join years on stages.received_end_year = years.end_year
    where not stages.is_refused
),

-- every year x stage gets a row for the headline counts, even when zero. Each group is
-- counted once and then unpivoted into one row per KPI (count, denominator).
headline_frame as (
    select years.end_year, stage_keys.stage from years cross join stage_keys
),

headline_counts as (
    select
        f.end_year, f.stage,
        count(a.complaint_ref) as received,
        count(a.complaint_ref) filter (where a.responded_date is not null) as responded,
        count(a.complaint_ref) filter (where a.is_acknowledged_on_time) as acknowledged_within_5_wd,
        count(a.complaint_ref) filter (where a.timeliness = 'on_time') as on_time,
        count(a.complaint_ref) filter (where a.timeliness = 'on_time_extended') as on_time_extended,
        count(a.complaint_ref) filter (where a.timeliness = 'late') as late,
        count(a.complaint_ref) filter (where a.responded_date is null) as not_responded,
        count(a.complaint_ref) filter (where a.is_within_timescale) as within_timescale,
        count(a.complaint_ref) filter (where a.is_extension_agreed) as extension_agreed,
        count(a.complaint_ref) filter (where a.is_extension_over_maximum) as extension_over_maximum,
        count(a.complaint_ref) filter (where a.is_vulnerable) as vulnerable,
        count(a.complaint_ref) filter (where a.is_vulnerable and a.is_within_timescale)
            as vulnerable_within_timescale,
        count(a.complaint_ref) filter (where a.compensation_gbp > 0) as with_compensation,
    from headline_frame f
    left join accepted a on a.end_year = f.end_year and a.stage_key = f.stage
    group by 1, 2
),

headline as (
    select
        h.end_year, h.stage, k.kpi, 'total' as breakdown, '' as group_value,
        k.count::DOUBLE as count, k.denominator::DOUBLE as denominator, 'percent' as unit,
    from headline_counts h
    cross join lateral (values
        ('received', h.received, null),
        ('responded', h.responded, h.received),
        ('acknowledged_within_5_wd', h.acknowledged_within_5_wd, h.received),
        ('responded_on_time_without_extension', h.on_time, h.received),
        ('responded_on_time_with_extension', h.on_time_extended, h.received),
        ('responded_late', h.late, h.received),
        ('not_responded', h.not_responded, h.received),
        ('within_timescale', h.within_timescale, h.received),
        ('extension_agreed', h.extension_agreed, h.responded),
        ('extension_over_maximum', h.extension_over_maximum, h.received),
        ('vulnerable_received', h.vulnerable, h.received),
        ('vulnerable_within_timescale', h.vulnerable_within_timescale, h.vulnerable),
        ('with_compensation', h.with_compensation, h.responded)
    ) as k(kpi, count, denominator)
),

-- open at year end: received on or before 31 March, no response by then
open_counts as (
    select
        years.end_year, stage_keys.stage,
        count(s.complaint_ref) as open,
        count(s.complaint_ref) filter (where s.deadline_date < make_date(years.end_year, 3, 31))
            as past_deadline,
    from years
    cross join stage_keys
    left join stages s
        on s.stage::VARCHAR = stage_keys.stage
        and not s.is_refused
        and s.received_date <= years.end_date
        and (s.responded_date is null or s.responded_date > years.end_date)
        and coalesce(s.outcome, '') <> 'withdrawn'
    group by 1, 2
),

open_at_year_end as (
    select
        o.end_year, o.stage, k.kpi, 'total' as breakdown, '' as group_value,
        k.count::DOUBLE as count, k.denominator::DOUBLE as denominator, 'percent' as unit,
    from open_counts o
    cross join lateral (values
        ('open_at_year_end', o.open, null),
        ('open_at_year_end_past_deadline', o.past_deadline, o.open)
    ) as k(kpi, count, denominator)
),

-- for the year, and by quarter and month of receipt (complaints.md: "by quarter and month")
response_time_stats as (
    select
        a.end_year, a.stage_key as stage, p.breakdown, p.group_value,
        quantile_cont(a.working_days_to_respond, 0.5) as median,
        quantile_cont(a.working_days_to_respond, 0.9) as p90,
        avg(a.working_days_to_respond) as mean,
        count(*) as responded,
    from accepted a
    cross join lateral (values
        ('total', ''),
        ('quarter', a.quarter),
        ('month', a.month)
    ) as p(breakdown, group_value)
    where a.working_days_to_respond is not null
    group by 1, 2, 3, 4
),

response_times as (
    select
        r.end_year, r.stage, k.kpi, r.breakdown, r.group_value,
        -- denominator: the responses behind the statistic, so that a month of one complaint
        -- is suppressed as a small number in the published file, like its counts
        k.count::DOUBLE as count, r.responded::DOUBLE as denominator, 'working_days' as unit,
    from response_time_stats r
    cross join lateral (values
        ('working_days_to_respond_median', r.median),
        ('working_days_to_respond_p90', r.p90),
        ('working_days_to_respond_mean', r.mean)
    ) as k(kpi, count)
),

compensation_stats as (
    select
        a.end_year, a.stage_key as stage,
        coalesce(sum(a.compensation_gbp), 0) as total,
        median(a.compensation_gbp) filter (where a.compensation_gbp > 0) as median,
    from accepted a
    group by 1, 2
),

compensation as (
    select
        c.end_year, c.stage, k.kpi, 'total' as breakdown, '' as group_value,
        k.count::DOUBLE as count, null::DOUBLE as denominator, 'gbp' as unit,
    from compensation_stats c
    cross join lateral (values
        ('compensation_offered_total_gbp', c.total::DOUBLE),
        ('compensation_offered_median_gbp', c.median::DOUBLE)
    ) as k(kpi, count)
),

-- escalation: stage 1 complaints received in the year that went to stage 2 (at any time)
escalation_counts as (
    select
        a.end_year,
        count(*) filter (where a.is_escalated) as escalated,
        count(*) filter (where a.responded_date is not null and not a.is_escalated) as resolved,
        count(*) as received,
    from accepted a
    where a.stage = 1
    group by 1
),

escalation as (
    select
        e.end_year, '1' as stage, k.kpi, 'total' as breakdown, '' as group_value,
        k.count::DOUBLE as count, e.received::DOUBLE as denominator, 'percent' as unit,
    from escalation_counts e
    cross join lateral (values
        ('escalated_to_stage_2', e.escalated),
        ('resolved_at_stage_1', e.resolved)
    ) as k(kpi, count)
),

-- outcomes of the stages responded to (withdrawn: whatever their response): the four codes
-- always, zeros included (complaints.md), and 'not_recorded' where the log left it blank
outcome_counts as (
    select
        a.end_year, a.stage_key as stage, coalesce(a.outcome, 'not_recorded') as group_value,
        count(*) as count,
    from accepted a
    where a.responded_date is not null or a.outcome = 'withdrawn'
    group by 1, 2, 3
),

outcome_frame as (
    select years.end_year, stage_keys.stage, o.group_value
    from years
    cross join stage_keys
    cross join (values ('upheld'), ('partly_upheld'), ('not_upheld'), ('withdrawn')) as o(group_value)
    union
    select end_year, stage, group_value from outcome_counts
),

outcomes as (
    select
        f.end_year, f.stage, 'outcome' as kpi, 'outcome' as breakdown, f.group_value,
        coalesce(c.count, 0)::DOUBLE as count,
        sum(coalesce(c.count, 0)) over (partition by f.end_year, f.stage)::DOUBLE as denominator,
        'percent' as unit,
    from outcome_frame f
    left join outcome_counts c using (end_year, stage, group_value)
),

refused as (
    select
        years.end_year, s.stage::VARCHAR as stage, 'refused' as kpi, 'refusal_reason' as breakdown,
        coalesce(s.refusal_reason, 'not_recorded') as group_value,
        count(*)::DOUBLE as count,
        null::DOUBLE as denominator,
        'count' as unit,
    from stages s join years on s.received_end_year = years.end_year
    where s.is_refused
    group by 1, 2, 3, 4, 5
),

extension_reasons as (
    select
        a.end_year, a.stage_key as stage, 'extension_agreed' as kpi, 'extension_reason' as breakdown,
        coalesce(a.extension_reason, 'not_recorded') as group_value,
        count(*)::DOUBLE as count,
        null::DOUBLE as denominator,
        'count' as unit,
    from accepted a
    where a.is_extension_agreed
    group by 1, 2, 3, 4, 5
),

-- volumes, % upheld (of responded) and % within timescale, by a breakdown: counted once
-- per combination of the breakdowns' values, then summed per breakdown. Free-text groups
-- are compared in lower case (an export writing both 'Email' and 'email' has one channel)
by_combination as (
    select
        a.end_year, a.stage_key as stage,
        coalesce(lower(a.category), 'not_recorded') as category,
        coalesce(lower(a.service_area), 'not_recorded') as service_area,
        a.tenure,
        a.quarter,
        a.month,
        coalesce(lower(a.channel), 'not_recorded') as channel,
        count(*) as received,
        count(*) filter (where a.outcome in ('upheld', 'partly_upheld')) as upheld,
        count(*) filter (where a.responded_date is not null) as responded,
        count(*) filter (where a.is_within_timescale) as within_timescale,
        count(*) filter (where a.is_acknowledged_on_time) as acknowledged_within_5_wd,
        count(*) filter (where a.timeliness = 'on_time') as on_time,
        count(*) filter (where a.timeliness = 'on_time_extended') as on_time_extended,
        count(*) filter (where a.timeliness = 'late') as late,
    from accepted a
    group by all
),

by_group_counts as (
    select
        c.end_year, c.stage, b.breakdown, b.group_value,
        sum(c.received) as received,
        sum(c.upheld) as upheld,
        sum(c.responded) as responded,
        sum(c.within_timescale) as within_timescale,
        sum(c.acknowledged_within_5_wd) as acknowledged_within_5_wd,
        sum(c.on_time) as on_time,
        sum(c.on_time_extended) as on_time_extended,
        sum(c.late) as late,
    from by_combination c
    cross join lateral (values
        ('category', c.category),
        ('service_area', c.service_area),
        ('tenure', c.tenure),
        ('quarter', c.quarter),
        ('month', c.month),
        ('channel', c.channel)
    ) as b(breakdown, group_value)
    group by 1, 2, 3, 4
),

by_group as (
    select
        g.end_year, g.stage, k.kpi, g.breakdown, g.group_value,
        k.count::DOUBLE as count, k.denominator::DOUBLE as denominator,
        case k.kpi when 'received' then 'count' else 'percent' end as unit,
    from by_group_counts g
    cross join lateral (values
        ('received', g.received, null),
        ('upheld_or_partly_upheld', g.upheld, g.responded),
        ('within_timescale', g.within_timescale, g.received),
        ('responded', g.responded, g.received),
        ('acknowledged_within_5_wd', g.acknowledged_within_5_wd, g.received),
        ('responded_on_time_without_extension', g.on_time, g.received),
        ('responded_on_time_with_extension', g.on_time_extended, g.received),
        ('responded_late', g.late, g.received)
    ) as k(kpi, count, denominator)
    -- by category and service area: volumes, % upheld, % on time; by quarter and month
    -- every KPI the Code's reporting lists for the year
    where k.kpi in ('received', 'upheld_or_partly_upheld', 'within_timescale')
        or g.breakdown in ('quarter', 'month')
),

ombudsman as (
    select * from staging.ombudsman_cases
),

ombudsman_by_finding as (
    select
        years.end_year, 'all' as stage, 'ombudsman_determinations' as kpi, 'finding' as breakdown,
        o.finding as group_value,
        count(*)::DOUBLE as count,
        sum(count(*)) over (partition by years.end_year)::DOUBLE as denominator,
        'percent' as unit,
    from ombudsman o
    join years on o.determination_date between years.start_date and years.end_date
    group by 1, 2, 3, 4, 5
),

-- maladministration rate: severe + maladministration + service failure over determinations
ombudsman_totals as (
    select
        years.end_year, 'all' as stage, k.kpi, 'total' as breakdown, '' as group_value,
        case k.kpi
            when 'ombudsman_determinations' then count(o.ombudsman_ref)
            when 'ombudsman_maladministration_rate' then count(o.ombudsman_ref) filter (
                where o.finding in ('severe_maladministration', 'maladministration', 'service_failure'))
            when 'ombudsman_orders' then count(o.ombudsman_ref) filter (where o.orders is not null)
            when 'ombudsman_compensation_ordered_gbp' then coalesce(sum(o.compensation_ordered_gbp), 0)
        end::DOUBLE as count,
        case when k.kpi = 'ombudsman_maladministration_rate' then count(o.ombudsman_ref) end::DOUBLE
            as denominator,
        case when k.kpi = 'ombudsman_compensation_ordered_gbp' then 'gbp'
            when k.kpi = 'ombudsman_maladministration_rate' then 'percent' else 'count' end as unit,
    from years
    cross join (values ('ombudsman_determinations'), ('ombudsman_maladministration_rate'),
        ('ombudsman_orders'), ('ombudsman_compensation_ordered_gbp')) as k(kpi)
    left join ombudsman o on o.determination_date between years.start_date and years.end_date
    group by 1, 2, 3, 4, 5
),

-- the Ombudsman's findings of non-compliance with the Code: Complaint Handling Failure
-- Orders and Notices issued in the year, apart from determinations (complaints.md), in
-- total and by the Code provision found failed
failure_frame as (
    select years.end_year, k.kind
    from years cross join (values ('order'), ('notice')) as k(kind)
),

complaint_handling_failures as (
    select
        f.end_year, 'all' as stage, 'complaint_handling_failure_' || f.kind || 's' as kpi,
        'total' as breakdown, '' as group_value,
        count(c.ombudsman_ref)::DOUBLE as count, null::DOUBLE as denominator, 'count' as unit,
    from failure_frame f
    join years using (end_year)
    left join staging.complaint_handling_failures c
        on c.kind = f.kind and c.issued_date between years.start_date and years.end_date
    group by all
    union all
    select
        years.end_year, 'all', 'complaint_handling_failure_' || c.kind || 's', 'code_provision',
        coalesce(c.code_provision, 'not_recorded'), count(*)::DOUBLE, null::DOUBLE, 'count',
    from staging.complaint_handling_failures c
    join years on c.issued_date between years.start_date and years.end_date
    group by all
),

-- satisfaction with complaint handling (complaints.md): TP09 from the survey, as tsm.csv
-- counts it (weighted where the survey is), by tenure
tp09 as (
    select
        a.end_year, 'all' as stage, 'tp09_satisfied_with_complaint_handling' as kpi,
        'tenure' as breakdown, a.tenure as group_value,
        coalesce(sum(a.weight) filter (where a.is_satisfied), 0)::DOUBLE as count,
        sum(a.weight) filter (where a.is_valid)::DOUBLE as denominator,
        'percent' as unit,
    from intermediate.int_survey_answers a
    -- as tsm.csv: no rows for a tenure the landlord owns no homes of
    join intermediate.int_tsm_tenure_groups g
        on g.end_year = a.end_year and g.tenure = a.tenure and g.homes_at_year_end > 0
    where a.measure_code = 'TP09' and a.is_valid
    group by all
),

unioned as (
    select * from headline
    union all select * from open_at_year_end
    union all select * from response_times
    union all select * from compensation
    union all select * from escalation
    union all select * from outcomes
    union all select * from refused
    union all select * from extension_reasons
    union all select * from by_group
    union all select * from ombudsman_by_finding
    union all select * from ombudsman_totals
    union all select * from complaint_handling_failures
    union all select * from tp09
),

-- the input each KPI reads, and whether it covers the year (int_source_coverage): a KPI
-- whose file is absent is not_available with the file named, never a zero; one whose
-- source's data stops short of the year's end is provisional (year to date)
kpi_sources as (
    select distinct
        unioned.end_year, unioned.kpi,
        case
            when unioned.kpi like 'ombudsman%' then 'ombudsman_cases'
            when unioned.kpi like 'complaint_handling_failure%' then 'complaint_handling_failures'
            when unioned.kpi like 'tp09%' then 'survey_responses'
            else 'complaints'
        end as source,
    from unioned
),

kpi_status as (
    select
        k.end_year, k.kpi,
        case
            when f.source is null then 'not_available'
            when not f.has_rows then 'not_available'
            when c.status is not null then c.status
            else 'ok'
        end as status,
        case
            when f.source is null then 'no ' || k.source || '.csv in the dataset'
            when not f.has_rows then 'no usable row in ' || k.source || '.csv: every row is in quarantine'
            else c.status_reason
        end as status_reason,
    from kpi_sources k
    left join intermediate.int_input_sources f on f.source = k.source
    left join intermediate.int_source_coverage c on c.source = k.source and c.end_year = k.end_year
),

final as (
    select
        unioned.end_year,
        years.year_label,
        unioned.stage,
        unioned.kpi,
        unioned.breakdown,
        unioned.group_value,
        -- a KPI that is not available shows no figures at all, never a zero
        case when s.status <> 'not_available' then unioned.count end as count,
        case when s.status <> 'not_available' then unioned.denominator end as denominator,
        case
            when s.status = 'not_available' then null
            when unioned.unit <> 'percent' or unioned.denominator is null then unioned.count
            when unioned.denominator > 0 then unioned.count * 100.0 / unioned.denominator
        end as value,
        case when unioned.unit = 'percent' and unioned.denominator is null then 'count'
            else unioned.unit end as unit,
        s.status,
        s.status_reason,
        -- what every share is a share of (complaints.md: shares state their denominator)
        case
            when unioned.denominator is null then ''
            when unioned.kpi like 'working_days_to_respond%' then 'complaints responded to (the responses behind the statistic)'
            when unioned.kpi in ('escalated_to_stage_2', 'resolved_at_stage_1') then 'stage 1 complaints received in the year'
            when unioned.kpi in ('extension_agreed', 'with_compensation') then 'complaints responded to'
            when unioned.kpi = 'upheld_or_partly_upheld' then 'complaints responded to'
            when unioned.kpi = 'outcome' then 'complaints responded to or withdrawn'
            when unioned.kpi = 'vulnerable_within_timescale' then 'complaints received in the year from residents flagged vulnerable'
            when unioned.kpi = 'open_at_year_end_past_deadline' then 'complaints open at year end'
            when unioned.kpi like 'ombudsman%' then 'Housing Ombudsman determinations in the year'
            when unioned.kpi like 'tp09%' then 'survey respondents who made a complaint and answered TP09'
            when unioned.breakdown <> 'total' then 'complaints received in the year in this group'
            else 'complaints received in the year'
        end as denominator_description,
    from unioned
    join years using (end_year)
    join kpi_status s using (end_year, kpi)
)

select * from final
order by end_year, stage, kpi, breakdown, group_value
