-- The publication table has exactly one row per year x measure part x tenure, and every
-- percentage lies in 0-100. Returns the offending rows (none on a good run).
select end_year, measure_code, measure_part, tenure, count(*) as n_rows, any_value(value) as value
from report.report_tsm_publication_table
group by all
having count(*) <> 1
    or (any_value(unit) = 'percent' and (any_value(value) < 0 or any_value(value) > 100))
    or (any_value(status) = 'ok' and any_value(value) is null)
