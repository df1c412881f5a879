-- NM01: anti-social behaviour cases opened per 1,000 homes, and those involving hate
-- incidents (tsm.md). Numerator: cases opened in the reporting year, whoever reported
-- them, left out only when they relate to out-of-scope homes (tenure other than
-- LCRA/LCHO; blank counts as LCRA). Denominator: LCRA + LCHO homes owned at year end.
-- Grain: one row per year x part (asb / hate), ALL.
with tenure_groups as (
    select * from intermediate.int_tsm_tenure_groups where tenure = 'ALL'
),

cases as (
    select *, coalesce(tenure, 'LCRA') as tenure_resolved from staging.asb_cases
),

years as (
    select * from intermediate.int_reporting_years
),

has_asb_file as (
    select count(*) > 0 as present, coalesce(bool_or(has_rows), false) as usable
    from intermediate.int_input_sources where source = 'asb_cases'
),

-- the hate part needs hate_incident: when the year's cases leave it blank on every case
-- (or the column is missing), the log does not say which involved hate, so the part is not
-- available that year (not zero); a year with no cases is a known zero
hate_recorded as (
    select years.end_year, count(c.case_ref) = 0 or count(c.hate_incident) > 0 as recorded
    from years
    left join cases c
        on c.opened_date between years.start_date and years.end_date
        and c.tenure_resolved in ('LCRA', 'LCHO')
    group by 1
),

parts as (
    select * from (values ('asb'), ('hate')) as p(measure_part)
),

opened_in_year as (
    select
        years.end_year,
        parts.measure_part,
        count(cases.case_ref) as cases_opened,
    from years
    cross join parts
    left join cases
        on cases.opened_date between years.start_date and years.end_date
        and cases.tenure_resolved in ('LCRA', 'LCHO')
        and (parts.measure_part = 'asb' or coalesce(cases.hate_incident, false))
    group by all
),

final as (
    select
        tenure_groups.end_year,
        tenure_groups.year_label,
        'NM01' as measure_code,
        opened_in_year.measure_part,
        'ALL' as tenure,
        opened_in_year.cases_opened::DOUBLE as numerator,
        tenure_groups.homes_at_year_end::DOUBLE as denominator,
        case when tenure_groups.homes_at_year_end > 0
            then opened_in_year.cases_opened * 1000.0 / tenure_groups.homes_at_year_end end as value,
        'per_1000_homes' as unit,
        case when has_asb_file.usable and tenure_groups.homes_at_year_end > 0
                and (opened_in_year.measure_part = 'asb' or hate_recorded.recorded)
            then 'ok' else 'not_available' end as status,
        case
            when not has_asb_file.present then 'no asb_cases.csv in the dataset'
            when not has_asb_file.usable then 'no usable row in asb_cases.csv: every row is in quarantine'
            when tenure_groups.homes_at_year_end = 0 then 'no LCRA or LCHO homes owned at year end'
            when opened_in_year.measure_part = 'hate' and not hate_recorded.recorded
                then 'asb_cases.csv does not record hate_incident for the year''s cases (no such column, or blank on every case)'
        end as status_reason,
    from tenure_groups
    join opened_in_year using (end_year)
    cross join has_asb_file
    join hate_recorded using (end_year)
)

select * from final
