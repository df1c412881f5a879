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

accepted as (
    select years.end_year, years.end_date, stages.*, stages.stage::VARCHAR as stage_key
    from stages join years on stages.received_end_year = years.end_year
    where not stages.is_refused
),

-- every year x stage gets a row for the headline counts, even when zero
headline_frame as (
    select years.end_year, stage_keys.stage from years cross join stage_keys
),

headline as (
    select
        f.end_year, f.stage, k.kpi, 'total' as breakdown, '' as group_value,
        case k.kpi
            when 'received' then count(a.complaint_ref)
            when 'responded' then count(a.complaint_ref) filter (where a.responded_date is not null)
            when 'acknowledged_within_5_wd' then count(a.complaint_ref) filter (where a.is_acknowledged_on_time)
            when 'responded_on_time_without_extension' then count(a.complaint_ref) filter (where a.timeliness = 'on_time')
            when 'responded_on_time_with_extension' then count(a.complaint_ref) filter (where a.timeliness = 'on_time_extended')
            when 'responded_late' then count(a.complaint_ref) filter (where a.timeliness = 'late')
            when 'not_responded' then count(a.complaint_ref) filter (where a.responded_date is null)
            when 'within_timescale' then count(a.complaint_ref) filter (where a.is_within_timescale)
            when 'extension_agreed' then count(a.complaint_ref) filter (where a.is_extension_agreed)
            when 'extension_over_maximum' then count(a.complaint_ref) filter (where a.is_extension_over_maximum)
            when 'vulnerable_received' then count(a.complaint_ref) filter (where a.is_vulnerable)
            when 'vulnerable_within_timescale' then count(a.complaint_ref) filter (where a.is_vulnerable and a.is_within_timescale)
            when 'with_compensation' then count(a.complaint_ref) filter (where a.compensation_gbp > 0)
        end::DOUBLE as count,
        case
            when k.kpi = 'received' then null
            when k.kpi = 'vulnerable_within_timescale' then count(a.complaint_ref) filter (where a.is_vulnerable)
            when k.kpi = 'extension_agreed' then count(a.complaint_ref) filter (where a.responded_date is not null)
            when k.kpi = 'with_compensation' then count(a.complaint_ref) filter (where a.responded_date is not null)
            else count(a.complaint_ref)
        end::DOUBLE as denominator,
        'percent' as unit,
    from headline_frame f
    cross join (values ('received'), ('responded'), ('acknowledged_within_5_wd'),
        ('responded_on_time_without_extension'), ('responded_on_time_with_extension'),
        ('responded_late'), ('not_responded'), ('within_timescale'), ('extension_agreed'),
        ('extension_over_maximum'), ('vulnerable_received'), ('vulnerable_within_timescale'),
        ('with_compensation')) as k(kpi)
    left join accepted a on a.end_year = f.end_year and a.stage_key = f.stage
    group by 1, 2, 3, 4, 5
),

-- open at year end: received on or before 31 March, no response by then
open_at_year_end as (
    select
        years.end_year, stage_keys.stage, k.kpi, 'total' as breakdown, '' as group_value,
        count(s.complaint_ref) filter (where k.kpi = 'open_at_year_end'
            or s.deadline_date < make_date(years.end_year, 3, 31))::DOUBLE as count,
        case when k.kpi = 'open_at_year_end' then null
            else count(s.complaint_ref) end::DOUBLE as denominator,
        'percent' as unit,
    from years
    cross join stage_keys
    cross join (values ('open_at_year_end'), ('open_at_year_end_past_deadline')) as k(kpi)
    left join stages s
        on s.stage::VARCHAR = stage_keys.stage
        and not s.is_refused
        and s.received_date <= years.end_date
        and (s.responded_date is null or s.responded_date > years.end_date)
        and coalesce(s.outcome, '') <> 'withdrawn'
    group by 1, 2, 3, 4, 5
),

response_times as (
    select
        a.end_year, a.stage_key as stage, k.kpi, 'total' as breakdown, '' as group_value,
        case k.kpi
            when 'working_days_to_respond_median' then quantile_cont(a.working_days_to_respond, 0.5)
            when 'working_days_to_respond_p90' then quantile_cont(a.working_days_to_respond, 0.9)
            when 'working_days_to_respond_mean' then avg(a.working_days_to_respond)
        end as count,
        null::DOUBLE as denominator,
        'working_days' as unit,
    from accepted a
    cross join (values ('working_days_to_respond_median'), ('working_days_to_respond_p90'),
        ('working_days_to_respond_mean')) as k(kpi)
    where a.working_days_to_respond is not null
    group by 1, 2, 3, 4, 5
),

compensation as (
    select
        a.end_year, a.stage_key as stage, k.kpi, 'total' as breakdown, '' as group_value,
        case k.kpi
            when 'compensation_offered_total_gbp' then coalesce(sum(a.compensation_gbp), 0)
            when 'compensation_offered_median_gbp' then median(a.compensation_gbp) filter (where a.compensation_gbp > 0)
        end::DOUBLE as count,
        null::DOUBLE as denominator,
        'gbp' as unit,
    from accepted a
    cross join (values ('compensation_offered_total_gbp'), ('compensation_offered_median_gbp')) as k(kpi)
    group by 1, 2, 3, 4, 5
),

-- escalation: stage 1 complaints received in the year that went to stage 2 (at any time)
escalation as (
    select
        a.end_year, '1' as stage, k.kpi, 'total' as breakdown, '' as group_value,
        count(*) filter (where case k.kpi when 'escalated_to_stage_2' then a.is_escalated
            else a.responded_date is not null and not a.is_escalated end)::DOUBLE as count,
        count(*)::DOUBLE as denominator,
        'percent' as unit,
    from accepted a
    cross join (values ('escalated_to_stage_2'), ('resolved_at_stage_1')) as k(kpi)
    where a.stage = 1
    group by 1, 2, 3, 4, 5
),

-- outcomes of the stages responded to (withdrawn: whatever their response)
outcomes as (
    select
        a.end_year, a.stage_key as stage, 'outcome' as kpi, 'outcome' as breakdown,
        coalesce(a.outcome, 'not_recorded') as group_value,
        count(*)::DOUBLE as count,
        sum(count(*)) over (partition by a.end_year, a.stage_key)::DOUBLE as denominator,
        'percent' as unit,
    from accepted a
    where a.responded_date is not null or a.outcome = 'withdrawn'
    group by 1, 2, 3, 4, 5
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

-- volumes, % upheld (of responded) and % within timescale, by a breakdown
by_group as (
    select
        a.end_year, a.stage_key as stage, k.kpi, b.breakdown, b.group_value,
        case k.kpi
            when 'received' then count(*)
            when 'upheld_or_partly_upheld' then count(*) filter (where a.outcome in ('upheld', 'partly_upheld'))
            when 'within_timescale' then count(*) filter (where a.is_within_timescale)
        end::DOUBLE as count,
        case k.kpi
            when 'received' then null
            when 'upheld_or_partly_upheld' then count(*) filter (where a.responded_date is not null)
            when 'within_timescale' then count(*)
        end::DOUBLE as denominator,
        case k.kpi when 'received' then 'count' else 'percent' end as unit,
    from accepted a
    cross join lateral (values
        ('category', coalesce(a.category, 'not_recorded')),
        ('service_area', coalesce(a.service_area, 'not_recorded')),
        ('tenure', a.tenure),
        ('quarter', 'Q' || (((month(a.received_date) + 8) % 12) // 3 + 1)::VARCHAR),
        ('month', strftime(a.received_date, '%Y-%m')),
        ('channel', coalesce(a.channel, 'not_recorded'))
    ) as b(breakdown, group_value)
    cross join (values ('received'), ('upheld_or_partly_upheld'), ('within_timescale')) as k(kpi)
    group by 1, 2, 3, 4, 5
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
),

final as (
    select
        unioned.end_year,
        years.year_label,
        unioned.stage,
        unioned.kpi,
        unioned.breakdown,
        unioned.group_value,
        unioned.count,
        unioned.denominator,
        case
            when unioned.unit <> 'percent' or unioned.denominator is null then unioned.count
            when unioned.denominator > 0 then unioned.count * 100.0 / unioned.denominator
        end as value,
        case when unioned.unit = 'percent' and unioned.denominator is null then 'count'
            else unioned.unit end as unit,
    from unioned join years using (end_year)
)

select * from final
order by end_year, stage, kpi, breakdown, group_value
