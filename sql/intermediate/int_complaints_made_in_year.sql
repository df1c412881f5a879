-- The cohort CH01 and CH02 share: complaint stages made by tenants of each tenure during
-- the reporting year (received_date in the year; refused ones are not complaint stages,
-- withdrawn ones were made), and how many of them were answered within the Code
-- timescale. CH01's numerator and CH02's denominator are the same count, by construction.
-- Grain: one row per year x tenure group (LCRA, LCHO, ALL) x stage.
with tenure_groups as (
    select * from intermediate.int_tsm_tenure_groups
),

stages as (
    select * from intermediate.int_complaint_stages
    where is_tsm_tenure and not is_refused
),

has_complaints_file as (
    select count(*) > 0 as present, coalesce(bool_or(has_rows), false) as usable
    from intermediate.int_input_sources where source = 'complaints'
),

parts as (
    select * from (values (1, 'stage_1'), (2, 'stage_2')) as p(stage, measure_part)
),

final as (
    select
        tenure_groups.end_year,
        tenure_groups.year_label,
        tenure_groups.tenure,
        parts.stage,
        parts.measure_part,
        tenure_groups.homes_at_year_end,
        has_complaints_file.present as has_complaints_file,
        has_complaints_file.usable as has_complaint_rows,
        count(stages.complaint_ref) as complaints_made,
        count(stages.complaint_ref) filter (where stages.is_within_timescale)
            as responded_within_timescale,
    from tenure_groups
    cross join parts
    cross join has_complaints_file
    left join stages
        on stages.received_end_year = tenure_groups.end_year
        and stages.stage = parts.stage
        and (tenure_groups.tenure = 'ALL' or stages.tenure = tenure_groups.tenure)
    group by all
)

select * from final
