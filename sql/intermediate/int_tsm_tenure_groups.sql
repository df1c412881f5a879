-- The tenure groups each reporting year reports on, with the homes owned at year end:
-- LCRA; LCHO only where the landlord owns LCHO homes (tsm.md); ALL = LCRA + LCHO.
-- Grain: one row per year x tenure group.
with homes as (
    select end_year, tenure, count(*) as homes
    from intermediate.int_homes_owned_at_year_end
    where is_tsm_tenure
    group by all
),

years as (
    select * from intermediate.int_reporting_years
),

groups as (
    select years.end_year, years.year_label, g.tenure
    from years cross join (values ('LCRA'), ('LCHO'), ('ALL')) as g(tenure)
),

final as (
    select
        groups.end_year,
        groups.year_label,
        groups.tenure,
        coalesce(sum(homes.homes), 0)::BIGINT as homes_at_year_end,
    from groups
    left join homes
        on homes.end_year = groups.end_year
        and (groups.tenure = 'ALL' or homes.tenure = groups.tenure)
    group by all
)

select * from final
where tenure <> 'LCHO' or homes_at_year_end > 0
order by end_year, case tenure when 'LCRA' then 1 when 'LCHO' then 2 else 3 end
