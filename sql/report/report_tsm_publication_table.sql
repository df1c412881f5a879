-- The TSM publication table: one row per reporting year x measure part x tenure, in the
-- regulator's order (params.measures). Measures with no mart yet, or no input, are
-- 'not_available' with a reason, never zero (outputs.md). LCHO rows only where the
-- landlord owns LCHO homes. Grain: year x measure_code x measure_part x tenure.
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

expected_rows as (
    select tenure_groups.end_year, tenure_groups.year_label, measures.*
    from measures
    join tenure_groups on tenure_groups.tenure = measures.tenure
),

final as (
    select
        expected_rows.end_year,
        expected_rows.year_label,
        expected_rows.sort_order,
        expected_rows.theme,
        expected_rows.measure_code,
        coalesce(expected_rows.measure_part, '') as measure_part,
        expected_rows.tenure,
        expected_rows.description,
        -- a measure that is not available shows no figures at all, never a zero
        case when computed.status = 'ok' then computed.numerator end as numerator,
        case when computed.status = 'ok' then computed.denominator end as denominator,
        case when computed.status = 'ok' then computed.value end as value,
        expected_rows.unit,
        coalesce(computed.status, 'not_available') as status,
        case when computed.status is null
            then 'not computed by this version of tsm-pipeline'
            else computed.status_reason end as status_reason,
    from expected_rows
    left join computed
        on computed.end_year = expected_rows.end_year
        and computed.measure_code = expected_rows.measure_code
        and coalesce(computed.measure_part, '') = coalesce(expected_rows.measure_part, '')
        and computed.tenure = expected_rows.tenure
)

select * from final
order by end_year, sort_order, case tenure when 'LCRA' then 1 when 'LCHO' then 2 else 3 end
