-- The input sources the dataset holds, without the per-file detail of int_input_files:
-- a mart asks only whether its source is present and has any row it can use, so a night's
-- new files of a source already there leave the marts that do not read that source as
-- they were. A source whose every row went to quarantine is present without usable rows:
-- its measures are not available, never zero (inputs.md); an export with a header and no
-- rows is a true zero.
-- Grain: one row per input source loaded.
select source, sum(rows_staged) > 0 or sum(rows_quarantined) = 0 as has_rows
from audit.loads
group by source
