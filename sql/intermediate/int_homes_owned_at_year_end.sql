-- Homes owned at each reporting year end (31 March, or the stock register's earlier as-at
-- date: int_reporting_years.position_date), the denominator of the
-- per-1,000-homes rates (tsm.md; inputs.md: owned at D when acquired_date is blank
-- or <= D and disposed_date is blank or > D). Grain: one row per year x home.
-- incremental: by end_year from intermediate.int_reporting_years
-- (homes unchanged, a year's rows depend only on that year: a night that opens a new
-- reporting year adds that year's rows)
with homes as (
    select * from staging.homes
),

years as (
    select * from intermediate.int_reporting_years
),

final as (
    select
        years.end_year,
        years.year_label,
        homes.home_ref,
        homes.tenure,
        homes.tenure in ('LCRA', 'LCHO') as is_tsm_tenure,
        homes.stock_type,
        homes.building_ref,
        homes.area,
        -- blank: the Standard applies to LCRA homes and not to others (inputs.md)
        coalesce(homes.decent_homes_applies, homes.tenure = 'LCRA') as decent_homes_applies,
    from years
    join homes
        on (homes.acquired_date is null or homes.acquired_date <= years.position_date)
        and (homes.disposed_date is null or homes.disposed_date > years.position_date)
)

select * from final
