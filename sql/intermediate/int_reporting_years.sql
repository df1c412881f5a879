-- Reporting years the marts are built for: every year (1 April - 31 March) in which the
-- data records an event (a complaint received, a determination, a repair completed, an
-- ASB case opened) or a year-end position (31 March), plus the year asked for on the
-- command line. Grain: one row per reporting year.
with dates_in_data as (
    select received_date as d from staging.complaints
    union all select determination_date from staging.ombudsman_cases
    union all select completed_at::DATE from staging.repairs
    union all select opened_date from staging.asb_cases
    union all select as_at from staging.safety_checks
    union all select as_at from staging.decent_homes
    union all select response_date from staging.survey_responses
),

end_years as (
    select distinct case when month(d) >= 4 then year(d) + 1 else year(d) end as end_year
    from dates_in_data
    where d is not null
    union
    select end_year from params.requested_years
),

final as (
    select
        end_year,
        make_date(end_year - 1, 4, 1) as start_date,
        make_date(end_year, 3, 31) as end_date,
        (end_year - 1)::VARCHAR || '/' || lpad((end_year % 100)::VARCHAR, 2, '0') as year_label
    from end_years
    where end_year between 2000 and 2100
)

select * from final order by end_year
