-- Which inputs the dataset holds: a measure whose input is absent is 'not_available'
-- with that reason, never zero (outputs.md). Grain: one row per input source loaded.
select source, count(*) as files_loaded, max(export_date) as latest_export_date
from audit.loads
group by source
