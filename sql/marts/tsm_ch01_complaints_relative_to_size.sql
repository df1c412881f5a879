-- CH01: stage one (two) complaints received per 1,000 homes (tsm.md, complaints.md).
-- Numerator: complaint stages made by tenants of the tenure during the reporting year
-- (int_complaints_made_in_year). Denominator: homes of that tenure owned at year end.
-- Grain: one row per year x stage x tenure.
with cohort as (
    select * from intermediate.int_complaints_made_in_year
),

final as (
    select
        end_year,
        year_label,
        'CH01' as measure_code,
        measure_part,
        tenure,
        complaints_made::DOUBLE as numerator,
        homes_at_year_end::DOUBLE as denominator,
        case when has_complaint_rows and homes_at_year_end > 0
            then complaints_made * 1000.0 / homes_at_year_end
        end as value,
        'per_1000_homes' as unit,
        case when has_complaint_rows and homes_at_year_end > 0
            then 'ok' else 'not_available' end as status,
        case
            when not has_complaints_file then 'no complaints.csv in the dataset'
            when not has_complaint_rows then 'no usable row in complaints.csv: every row is in quarantine'
            when homes_at_year_end = 0 then 'no homes of this tenure owned at year end'
        end as status_reason,
    from cohort
)

select * from final
