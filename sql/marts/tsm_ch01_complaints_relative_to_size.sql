-- CH01: stage one (two) complaints received per 1,000 homes (tsm.md, complaints.md).
-- Numerator: complaint stages made by tenants of the tenure during the reporting year
-- (received_date in the year), refused complaints excluded, withdrawn ones counted.
-- Denominator: homes of that tenure owned at year end. Grain: year x stage x tenure.
with tenure_groups as (
    select * from intermediate.int_tsm_tenure_groups
),

stages as (
    select * from intermediate.int_complaint_stages
    where is_tsm_tenure and not is_refused
),

has_complaints_file as (
    select count(*) > 0 as present from audit.loads where source = 'complaints'
),

parts as (
    select * from (values (1, 'stage_1'), (2, 'stage_2')) as p(stage, measure_part)
),

numerator as (
    select
        tenure_groups.end_year,
        tenure_groups.tenure,
        parts.stage,
        count(stages.complaint_ref) as complaints_received,
    from tenure_groups
    cross join parts
    left join stages
        on stages.received_end_year = tenure_groups.end_year
        and stages.stage = parts.stage
        and (tenure_groups.tenure = 'ALL' or stages.tenure = tenure_groups.tenure)
    group by all
),

final as (
    select
        tenure_groups.end_year,
        tenure_groups.year_label,
        'CH01' as measure_code,
        parts.measure_part,
        tenure_groups.tenure,
        numerator.complaints_received::DOUBLE as numerator,
        tenure_groups.homes_at_year_end::DOUBLE as denominator,
        case when tenure_groups.homes_at_year_end > 0 and has_complaints_file.present
            then numerator.complaints_received * 1000.0 / tenure_groups.homes_at_year_end
        end as value,
        'per_1000_homes' as unit,
        case when has_complaints_file.present and tenure_groups.homes_at_year_end > 0
            then 'ok' else 'not_available' end as status,
        case
            when not has_complaints_file.present then 'no complaints.csv in the dataset'
            when tenure_groups.homes_at_year_end = 0 then 'no homes of this tenure owned at year end'
        end as status_reason,
    from tenure_groups
    cross join parts
    cross join has_complaints_file
    join numerator
        on numerator.end_year = tenure_groups.end_year
        and numerator.tenure = tenure_groups.tenure
        and numerator.stage = parts.stage
)

select * from final
