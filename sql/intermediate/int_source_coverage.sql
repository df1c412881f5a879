-- Which reporting years each input source covers, and how (outputs.md, "Which years the
-- data covers"). A measure takes its source's row: not_available (with the reason, never
-- a zero), provisional (year to date, with the date) or ok.
-- - An event log (complaints: received_date; repairs: reported_at or completed_at; ASB: opened_date;
--   Ombudsman determinations; complaint handling failures: issued_date) covers a year when
--   it has a row dated in that year or later, or a dated export taken in or after it; a
--   year that ends before its first record is before the log (not covered, D50). Its year
--   is year to date (provisional) when its latest export date (the date in a dated
--   export's name, else landlord.toml data_as_at) falls before the year's last day; an
--   undated file is never taken as a year to date.
-- - The survey covers only a year with responses dated in it; a survey year is never
--   provisional (fieldwork ends before 31 March; D50).
-- - A year-end position (safety checks, Decent Homes) covers a year with a position dated
--   in it, and is not available when the source's as-at date falls before 31 March: a
--   position is never carried forward past its data.
-- - An export with a header and no rows (the landlord had no such cases) covers every year
--   another source covers (a true zero).
-- Grain: one row per source present in the dataset x reporting year.
with years as (
    select * from intermediate.int_reporting_years
),

sources as (
    select * from (values
        ('complaints', 'event', 'complaints data', 1),
        ('ombudsman_cases', 'event', 'Housing Ombudsman data', 0),
        ('complaint_handling_failures', 'event', 'complaint handling failure data', 0),
        ('repairs', 'event', 'repairs data', 1),
        ('asb_cases', 'event', 'anti-social behaviour data', 1),
        ('survey_responses', 'survey', 'survey data', 0),
        ('safety_checks', 'position', 'building safety', 0),
        ('decent_homes', 'position', 'Decent Homes', 0)
    ) as s(source, kind, label, starts_with_first_record)
),

loads as (
    select source, max(export_date) as latest_export_date, sum(rows_read) as rows_read
    from audit.loads
    group by source
),

main_dates as (
    select 'complaints' as source, received_date as d from staging.complaints
    union all select 'ombudsman_cases', determination_date from staging.ombudsman_cases
    union all select 'complaint_handling_failures', issued_date
        from staging.complaint_handling_failures
    union all select 'repairs', reported_at::DATE from staging.repairs
    -- a completion dated later shows the log reaches that day too (RP02 counts completions)
    union all select 'repairs', completed_at::DATE from staging.repairs
    union all select 'asb_cases', opened_date from staging.asb_cases
    union all select 'survey_responses', response_date from staging.survey_responses
    union all select 'safety_checks', as_at from staging.safety_checks
    union all select 'decent_homes', as_at from staging.decent_homes
),

bounds as (
    select source, min(d) as first_date, max(d) as last_date
    from main_dates
    where d is not null
    group by source
),

dated_in_year as (
    select distinct main_dates.source, years.end_year
    from main_dates
    join years on main_dates.d between years.start_date and years.end_date
),

present as (
    select
        sources.*,
        loads.rows_read = 0 as is_empty,
        -- the data's as-at date: its latest dated export, else landlord.toml data_as_at (a
        -- row dated later than that is taken as known, so the later of the two); none for
        -- undated files without data_as_at, which are never a year to date
        case when coalesce(loads.latest_export_date, (select max(data_as_at) from params.data_as_at))
            is not null then greatest(coalesce(loads.latest_export_date,
                (select max(data_as_at) from params.data_as_at)), bounds.last_date)
        end as as_at,
        bounds.first_date,
        greatest(bounds.last_date, loads.latest_export_date) as last_date,
    from sources
    join loads using (source)
    left join bounds using (source)
),

judged as (
    select
        present.*,
        years.end_year,
        years.year_label,
        years.start_date,
        years.end_date,
        coalesce(case present.kind
            when 'event' then present.last_date >= years.start_date
                and not (present.starts_with_first_record = 1 and present.first_date > years.end_date)
            else dated_in_year.end_year is not null
        end, false) as has_data,
    from present
    cross join years
    left join dated_in_year
        on dated_in_year.source = present.source and dated_in_year.end_year = years.end_year
),

-- a year some non-empty source covers; with no dated row anywhere, every year built (the
-- stock register alone, or logs with no rows: a landlord starting out)
covered_years as (
    select distinct end_year from judged where has_data and not is_empty
    union
    select end_year from years where not exists (select 1 from bounds)
),

final as (
    select
        judged.source,
        judged.end_year,
        judged.year_label,
        judged.kind,
        judged.as_at,
        judged.is_empty,
        case
            when judged.is_empty then covered_years.end_year is not null
            else judged.has_data
        end as covers,
        case
            when judged.is_empty and covered_years.end_year is null then 'not_available'
            when judged.is_empty then 'ok'
            when not judged.has_data then 'not_available'
            when judged.kind = 'position' and judged.as_at < judged.end_date then 'not_available'
            when judged.kind = 'event' and judged.as_at < judged.end_date then 'provisional'
            else 'ok'
        end as status,
        case
            when judged.is_empty and covered_years.end_year is null
                then 'no other data covers ' || judged.year_label
            when judged.is_empty then null
            when not judged.has_data and judged.kind = 'event'
                and judged.first_date > judged.end_date
                then judged.label || ' starts ' || strftime(judged.first_date, '%-d %B %Y')
            when not judged.has_data and judged.kind = 'event'
                then judged.label || ' ends ' || strftime(judged.last_date, '%-d %B %Y')
            when not judged.has_data and judged.kind = 'survey'
                then 'no survey responses dated in ' || judged.year_label
            when not judged.has_data
                then 'no ' || judged.label || ' position dated in ' || judged.year_label
                    || coalesce(' (the data ends ' || strftime(judged.last_date, '%-d %B %Y') || ')', '')
            when judged.kind = 'position' and judged.as_at < judged.end_date
                then 'the year-end position on ' || strftime(judged.end_date, '%-d %B %Y')
                    || ' is after the ' || judged.label || ' data (as at '
                    || strftime(judged.as_at, '%-d %B %Y') || ')'
            when judged.kind = 'event' and judged.as_at < judged.end_date
                then 'year to date: ' || judged.label || ' as at '
                    || strftime(judged.as_at, '%-d %B %Y')
        end as status_reason,
    from judged
    left join covered_years using (end_year)
)

select * from final order by source, end_year
