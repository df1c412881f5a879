-- RP01: proportion of homes that do not meet the Decent Homes Standard (tsm.md).
-- Denominator: LCRA homes owned at year end to which the Standard applies
-- (homes.decent_homes_applies, blank = yes for LCRA). Numerator: of those, homes whose
-- latest assessment on or before 31 March fails; a home with no assessment is not
-- counted as failing (it is counted in data quality). Grain: one row per year, LCRA.
-- incremental: by end_year from intermediate.int_reporting_years, intermediate.int_homes_owned_at_year_end
-- (other inputs unchanged, a year's rows depend only on that year's homes)
with years as (
    select * from intermediate.int_reporting_years
),

homes_in_scope as (
    select * from intermediate.int_homes_owned_at_year_end
    where tenure = 'LCRA' and decent_homes_applies
),

assessments as (
    select * from staging.decent_homes
),

latest_assessment as (
    select
        homes_in_scope.end_year,
        homes_in_scope.home_ref,
        arg_max(assessments.meets_standard, assessments.as_at) as meets_standard,
        max(assessments.as_at) as as_at,
    from homes_in_scope
    join years using (end_year)
    join assessments
        on assessments.home_ref = homes_in_scope.home_ref
        and assessments.as_at <= years.end_date
    group by all
),

has_decent_homes_file as (
    select count(*) > 0 as present, coalesce(bool_or(has_rows), false) as usable
    from intermediate.int_input_sources where source = 'decent_homes'
),

counts as (
    select
        years.end_year,
        years.year_label,
        count(homes_in_scope.home_ref) as homes_in_scope,
        count(homes_in_scope.home_ref) filter (where latest_assessment.meets_standard = false)
            as homes_failing,
    from years
    left join homes_in_scope on homes_in_scope.end_year = years.end_year
    left join latest_assessment
        on latest_assessment.end_year = homes_in_scope.end_year
        and latest_assessment.home_ref = homes_in_scope.home_ref
    group by all
),

final as (
    select
        end_year,
        year_label,
        'RP01' as measure_code,
        '' as measure_part,
        'LCRA' as tenure,
        homes_failing::DOUBLE as numerator,
        homes_in_scope::DOUBLE as denominator,
        case when homes_in_scope > 0 then homes_failing * 100.0 / homes_in_scope end as value,
        'percent' as unit,
        case when has_decent_homes_file.usable and homes_in_scope > 0
            then 'ok' else 'not_available' end as status,
        case
            when not has_decent_homes_file.present then 'no decent_homes.csv in the dataset'
            when not has_decent_homes_file.usable then 'no usable row in decent_homes.csv: every row is in quarantine'
            when homes_in_scope = 0 then 'no LCRA homes to which the Decent Homes Standard applies'
        end as status_reason,
    from counts
    cross join has_decent_homes_file
)

select * from final
