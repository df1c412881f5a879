-- RP02: proportion of non-emergency (emergency) responsive repairs completed within the
-- landlord's target timescale (tsm.md). Numerator: LCRA responsive repairs completed in
-- the reporting year within target; denominator: LCRA responsive repairs completed in
-- the year. A job counts in the year it is completed; cancelled, open, planned, void and
-- other jobs are out. Grain: one row per year x class (emergency / non_emergency), LCRA.
with years as (
    select * from intermediate.int_reporting_years
),

jobs as (
    select * from intermediate.int_repairs_with_targets
    where is_rp02_job and tenure = 'LCRA'
),

has_repairs_file as (
    select count(*) > 0 as present, coalesce(bool_or(has_rows), false) as usable
    from intermediate.int_input_sources where source = 'repairs'
),

parts as (
    select * from (values ('non_emergency'), ('emergency')) as p(measure_part)
),

completed_in_year as (
    select
        years.end_year,
        years.year_label,
        parts.measure_part,
        count(jobs.job_ref) as repairs_completed,
        count(jobs.job_ref) filter (where jobs.is_within_target) as completed_within_target,
    from years
    cross join parts
    left join jobs
        on jobs.completed_end_year = years.end_year
        and jobs.priority_class = parts.measure_part
    group by all
),

final as (
    select
        end_year,
        year_label,
        'RP02' as measure_code,
        measure_part,
        'LCRA' as tenure,
        completed_within_target::DOUBLE as numerator,
        repairs_completed::DOUBLE as denominator,
        case when repairs_completed > 0
            then completed_within_target * 100.0 / repairs_completed end as value,
        'percent' as unit,
        case when has_repairs_file.usable and repairs_completed > 0
            then 'ok' else 'not_available' end as status,
        case
            when not has_repairs_file.present then 'no repairs.csv in the dataset'
            when not has_repairs_file.usable then 'no usable row in repairs.csv: every row is in quarantine'
            when repairs_completed = 0
                then 'no ' || replace(measure_part, '_', '-') || ' responsive repairs completed in the year'
        end as status_reason,
    from completed_in_year
    cross join has_repairs_file
)

select * from final
