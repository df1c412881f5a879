-- BS01-BS05: proportion of homes for which all required gas safety checks (BS01), fire
-- risk assessments (BS02), asbestos management surveys or re-inspections (BS03),
-- legionella risk assessments (BS04) and communal passenger lift safety checks (BS05)
-- have been carried out (tsm.md). Counts homes, not buildings: a check row applies to a
-- home when its asset_ref is the home's home_ref or its building_ref. Using the rows
-- with as_at = 31 March of the year and the LCRA + LCHO homes owned then: denominator =
-- homes to which at least one required check of the type applies; numerator = those
-- whose every applicable required check is compliant (a required check with compliance
-- left blank is not compliant: the home stays in the denominator, D49). Grain: one row per year x measure, ALL.
-- incremental: by end_year from intermediate.int_reporting_years, intermediate.int_homes_owned_at_year_end
-- (other inputs unchanged, a year's rows depend only on that year's homes)
with years as (
    select * from intermediate.int_reporting_years
),

homes as (
    select * from intermediate.int_homes_owned_at_year_end where is_tsm_tenure
),

checks as (
    select * from staging.safety_checks where required
),

measures as (
    select * from (values
        ('BS01', 'gas'), ('BS02', 'fire'), ('BS03', 'asbestos'), ('BS04', 'water'), ('BS05', 'lift')
    ) as m(measure_code, check_type)
),

-- two equi-joins rather than one join on "home_ref or building_ref", which a database can
-- only evaluate by pairing every home with every check (quadratic in the stock size)
homes_at_31_march as (
    select homes.*, years.end_date from homes join years using (end_year)
),

checks_applying_to_homes as (
    select
        homes.end_year,
        homes.home_ref,
        checks.check_type,
        coalesce(checks.compliant, false) as is_compliant,
    from homes_at_31_march as homes
    join checks on checks.as_at = homes.end_date and checks.asset_ref = homes.home_ref
    union all
    select
        homes.end_year,
        homes.home_ref,
        checks.check_type,
        coalesce(checks.compliant, false) as is_compliant,
    from homes_at_31_march as homes
    join checks on checks.as_at = homes.end_date and checks.asset_ref = homes.building_ref
    -- a building_ref that is also the home's own ref is the home check above, counted once
    where checks.asset_ref <> homes.home_ref
),

homes_by_check_type as (
    select end_year, home_ref, check_type, bool_and(is_compliant) as all_compliant
    from checks_applying_to_homes
    group by all
),

has_safety_file as (
    select count(*) > 0 as present, coalesce(bool_or(has_rows), false) as usable
    from intermediate.int_input_sources where source = 'safety_checks'
),

counts as (
    select
        years.end_year,
        years.year_label,
        measures.measure_code,
        measures.check_type,
        count(h.home_ref) as homes_with_required_check,
        count(h.home_ref) filter (where h.all_compliant) as homes_all_checks_done,
    from years
    cross join measures
    left join homes_by_check_type h
        on h.end_year = years.end_year and h.check_type = measures.check_type
    group by all
),

final as (
    select
        end_year,
        year_label,
        measure_code,
        '' as measure_part,
        'ALL' as tenure,
        homes_all_checks_done::DOUBLE as numerator,
        homes_with_required_check::DOUBLE as denominator,
        case when homes_with_required_check > 0
            then homes_all_checks_done * 100.0 / homes_with_required_check end as value,
        'percent' as unit,
        case when has_safety_file.usable and homes_with_required_check > 0
            then 'ok' else 'not_available' end as status,
        case
            when not has_safety_file.present then 'no safety_checks.csv in the dataset'
            when not has_safety_file.usable then 'no usable row in safety_checks.csv: every row is in quarantine'
            when homes_with_required_check = 0
                then 'no homes with a required ' || check_type || ' check at 31 March'
        end as status_reason,
    from counts
    cross join has_safety_file
)

select * from final
