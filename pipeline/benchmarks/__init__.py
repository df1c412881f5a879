"""Sector benchmarks from the Regulator of Social Housing's published TSM data (issue 11).

- `rsh_reader.read_rsh_workbook`: the regulator's "TSM Full Data" workbook, any year, as long
  values, landlord attributes and the regulator's exclusion notes.
- `reference`: the compact CSVs extracted from it and shipped in data/reference/rsh/.
- `peers`: quartiles per measure, tenure, year and peer group; published values that disagree
  with their own numerator and denominator.
- `position.benchmark_position`: one landlord's measures placed in their peer group's quartiles.
"""
