-- CH02: stage one (two) complaints responded to within the Complaint Handling Code
-- timescales (tsm.md, complaints.md). A cohort of complaints made in the year:
-- denominator = complaint stages received in the year (= CH01's numerator);
-- numerator = those of them responded to within timescale (int_complaint_stages:
-- Code version on the received date, clock start, capped extension). A stage still
-- open, or withdrawn with no response, is not within timescale.
-- Grain: one row per year x stage x tenure.
with cohort as (
    select * from intermediate.int_complaints_made_in_year
),

final as (
    select
        end_year,
        year_label,
        'CH02' as measure_code,
        measure_part,
        tenure,
        responded_within_timescale::DOUBLE as numerator,
        complaints_made::DOUBLE as denominator,
        case when complaints_made > 0
            then responded_within_timescale * 100.0 / complaints_made
        end as value,
        'percent' as unit,
        case when has_complaint_rows and complaints_made > 0
            then 'ok' else 'not_available' end as status,
        case
            when not has_complaints_file then 'no complaints.csv in the dataset'
            when not has_complaint_rows then 'no usable row in complaints.csv: every row is in quarantine'
            when complaints_made = 0
                then 'no stage ' || stage || ' complaints received in the year'
        end as status_reason,
    from cohort
)

select * from final
