-- The input sources the dataset holds, without the per-file detail of int_input_files:
-- a mart asks only whether its source is present, so a night's new files of a source
-- already there leave the marts that do not read that source as they were.
-- Grain: one row per input source loaded.
select distinct source
from intermediate.int_input_files
