-- The TSM publication table: one row per reporting year x measure part x tenure, in the
-- regulator's order (params.measures). Measures with no mart yet, or no input, are
-- 'not_available' with a reason, never zero (outputs.md). A measure whose source does not
-- cover the year is 'not_available' with the source's reason; one whose source's data
-- stops short of the year's end is 'provisional' (year to date) and keeps its figures
-- (intermediate.int_source_coverage). LCHO rows only where the landlord owns LCHO homes.
-- Grain: year x measure_code x measure_part x tenure.
with measures as (
    select *, unnest(string_split(tenures, ';')) as tenure from params.measures
),

tenure_groups as (
    select * from intermediate.int_tsm_tenure_groups
),

computed as (
    select * from marts.tsm_ch01_complaints_relative_to_size
    union all by name select * from marts.tsm_ch02_complaints_responded_within_code_timescales
    union all by name select * from marts.tsm_rp01_homes_not_meeting_decent_homes
    union all by name select * from marts.tsm_rp02_repairs_completed_within_target
    union all by name select * from marts.tsm_bs01_bs05_building_safety_checks
    union all by name select * from marts.tsm_nm01_asb_cases_relative_to_size
    union all by name select * exclude (satisfied_respondents, valid_respondents)
        from marts.tsm_tp01_tp12_perception_measures
),

-- the input each measure's figures come from (homes, the denominator of the rates, has
-- the year-end position of every year another source covers)
measure_sources as (
    select * from (values
        ('CH01', 'complaints'), ('CH02', 'complaints'), ('NM01', 'asb_cases'),
        ('RP01', 'decent_homes'), ('RP02', 'repairs'), ('BS01', 'safety_checks'),
        ('BS02', 'safety_checks'), ('BS03', 'safety_checks'), ('BS04', 'safety_checks'),
        ('BS05', 'safety_checks')
    ) as m(measure_code, source)
    union all
    select distinct measure_code, 'survey_responses' from params.measures
    where measure_code like 'TP%'
),

coverage as (
    select measure_sources.measure_code, c.end_year, c.status, c.status_reason
    from measure_sources
    join intermediate.int_source_coverage c using (source)
),

expected_rows as (
    select tenure_groups.end_year, tenure_groups.year_label, measures.*
    from measures
    join tenure_groups on tenure_groups.tenure = measures.tenure
),

judged as (
    select
        expected_rows.end_year,
        expected_rows.year_label,
        expected_rows.sort_order,
        expected_rows.theme,
        expected_rows.measure_code,
        coalesce(expected_rows.measure_part, '') as measure_part,
        expected_rows.tenure,
        expected_rows.description,
        computed.numerator,
        computed.denominator,
        computed.value,
        expected_rows.unit,
        case
            when computed.status is null then 'not_available'
            when computed.status = 'not_available' and (computed.status_reason like 'no % in the dataset'
                or computed.status_reason like 'no usable row in %')
                then 'not_available'
            when coverage.status = 'not_available' then 'not_available'
            when computed.status = 'ok' and coverage.status = 'provisional' then 'provisional'
            else computed.status
        end as status,
        case
            when computed.status is null then 'not computed by this version of tsm-pipeline'
            when computed.status = 'not_available' and (computed.status_reason like 'no % in the dataset'
                or computed.status_reason like 'no usable row in %')
                then computed.status_reason
            when coverage.status = 'not_available' then coverage.status_reason
            when computed.status = 'ok' and coverage.status = 'provisional' then coverage.status_reason
            else computed.status_reason
        end as status_reason,
    from expected_rows
    left join computed
        on computed.end_year = expected_rows.end_year
        and computed.measure_code = expected_rows.measure_code
        and coalesce(computed.measure_part, '') = coalesce(expected_rows.measure_part, '')
        and computed.tenure = expected_rows.tenure
    left join coverage
        on coverage.end_year = expected_rows.end_year
        and coverage.measure_code = expected_rows.measure_code
),

final as (
    select
        * exclude (numerator, denominator, value, unit, status, status_reason),
        -- a measure that is not available shows no figures at all, never a zero
        case when status in ('ok', 'provisional') then numerator end as numerator,
        case when status in ('ok', 'provisional') then denominator end as denominator,
        case when status in ('ok', 'provisional') then value end as value,
        unit,
        status,
        status_reason,
    from judged
)

select * from final
order by end_year, sort_order, case tenure when 'LCRA' then 1 when 'LCHO' then 2 else 3 end
