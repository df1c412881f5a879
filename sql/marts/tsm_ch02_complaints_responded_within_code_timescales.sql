-- CH02: stage one (two) complaints responded to within the Complaint Handling Code
-- timescales (tsm.md, complaints.md). A cohort of complaints made in the year:
-- denominator = complaint stages received in the year (= CH01's numerator);
-- numerator = those of them responded to within timescale (int_complaint_stages:
-- Code version on the received date, clock start, capped extension). A stage still
-- open, or withdrawn with no response, is not within timescale. Grain: year x stage x tenure.
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

cohort as (
    select
        tenure_groups.end_year,
        tenure_groups.tenure,
        parts.stage,
        count(stages.complaint_ref) as complaints_made,
        count(stages.complaint_ref) filter (where stages.is_within_timescale) as responded_within_timescale,
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
        'CH02' as measure_code,
        parts.measure_part,
        tenure_groups.tenure,
        cohort.responded_within_timescale::DOUBLE as numerator,
        cohort.complaints_made::DOUBLE as denominator,
        case when cohort.complaints_made > 0
            then cohort.responded_within_timescale * 100.0 / cohort.complaints_made
        end as value,
        'percent' as unit,
        case when has_complaints_file.present and cohort.complaints_made > 0
            then 'ok' else 'not_available' end as status,
        case
            when not has_complaints_file.present then 'no complaints.csv in the dataset'
            when cohort.complaints_made = 0
                then 'no stage ' || parts.stage || ' complaints received in the year'
        end as status_reason,
    from tenure_groups
    cross join parts
    cross join has_complaints_file
    join cohort
        on cohort.end_year = tenure_groups.end_year
        and cohort.tenure = tenure_groups.tenure
        and cohort.stage = parts.stage
)

select * from final
