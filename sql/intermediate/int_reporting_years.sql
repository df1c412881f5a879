-- Reporting years the marts are built for: every year (1 April - 31 March) some source
-- covers (outputs.md, "Which years the data covers"): a year in which the data records an
-- event (a complaint received, a determination, a repair completed, an ASB case opened), a
-- position (safety checks, Decent Homes) or a survey response, or in which an event log's
-- dated export was taken. The year asked for on the command line is added only when some
-- event log's data reaches it, or when no source holds a dated row at all (a landlord
-- starting out with only the stock register): a year after the data is never built, and
-- the report refuses it (exit 2). position_date is the day the year's stock position is
-- taken: 31 March, or the stock register's as-at date (its dated export, else landlord.toml
-- data_as_at) where that comes first, so homes are never carried forward past their
-- source's date. Grain: one row per reporting year.
with dates_in_data as (
    select received_date as d, true as is_event from staging.complaints
    union all select determination_date, true from staging.ombudsman_cases
    union all select completed_at::DATE, true from staging.repairs
    union all select opened_date, true from staging.asb_cases
    union all select as_at, false from staging.safety_checks
    union all select as_at, false from staging.decent_homes
    union all select response_date, false from staging.survey_responses
    union all select export_date, true from audit.loads
    where source in ('complaints', 'ombudsman_cases', 'repairs', 'asb_cases')
),

data_years as (
    select distinct case when month(d) >= 4 then year(d) + 1 else year(d) end as end_year,
        is_event
    from dates_in_data
    where d is not null
),

requested as (
    select end_year from params.requested_years
    where end_year <= (select max(end_year) from data_years where is_event)
        or not exists (select 1 from data_years)
),

end_years as (
    select end_year from data_years
    union
    select end_year from requested
),

homes_as_at as (
    select coalesce(
        (select max(export_date) from audit.loads where source = 'homes'),
        (select max(data_as_at) from params.data_as_at)
    ) as as_at
),

final as (
    select
        end_year,
        make_date(end_year - 1, 4, 1) as start_date,
        make_date(end_year, 3, 31) as end_date,
        (end_year - 1)::VARCHAR || '/' || lpad((end_year % 100)::VARCHAR, 2, '0') as year_label,
        least(make_date(end_year, 3, 31), coalesce(homes_as_at.as_at, make_date(end_year, 3, 31)))
            as position_date,
    from end_years
    cross join homes_as_at
    where end_year between 2000 and 2100
)

select * from final order by end_year
