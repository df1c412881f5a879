"""mapping.toml per file (inputs.md, "Exports change over time"): several blocks per input,
the first whose `source` matches a file's name fits it; a rename applies to the headers a file
has; a file missing a required column after mapping names the entry that would fit it; big
recode tables; file names holding glob characters read literally."""

from __future__ import annotations

from datetime import date

import pytest

import pipeline.stage_inputs as stage_inputs
from pipeline.dataset import find_files, glob_escape, read_mappings
from pipeline.errors import PipelineError
from pipeline.ingest.read_csv import closest_header
from pipeline.run import refresh
from pipeline.settings import RunConfig
from schemas.inputs import INPUT_SPECS
from tests.conftest import write_dataset

# ------------------------------------------------------------------ which block fits a file


def _blocks(tmp_path, mapping: str, names: list[str]) -> dict[str, str]:
    """file name -> the block that fits it ('' for none)."""
    ds = write_dataset(tmp_path / "ds", {"mapping.toml": mapping, **{n: "x\n" for n in names}})
    files = find_files(ds, list(INPUT_SPECS), read_mappings(ds))
    return {f.path.name: f.mapping.block for f in files if f.source == "complaints"}


def test_a_file_takes_the_first_block_whose_source_matches_its_name(tmp_path):
    mapping = ('[[complaints]]\nsource = "complaints_2025*.csv"\nskip_rows = 1\n'
               '[[complaints]]\n'                                  # no source: canonical names
               '[[complaints]]\nsource = "CRM_Export*.csv"\n'
               '[[complaints]]\nsource = "complaints_*.csv"\n')    # never first for any file
    blocks = _blocks(tmp_path, mapping, ["complaints_2024-04-12.csv", "complaints_2025-04-11.csv",
                                         "crm_export_2025-05-01.csv", "complaints.csv",
                                         "other_2025-01-01.csv"])
    assert blocks == {
        "complaints.csv": "[[complaints]] block 2",
        "complaints_2024-04-12.csv": "[[complaints]] block 2",
        "complaints_2025-04-11.csv": "[[complaints]] block 1",   # first match, not block 2
        "crm_export_2025-05-01.csv": "[[complaints]] block 3",   # any case, as before
    }


def test_a_single_table_stays_valid_and_fits_the_files_its_source_matches(tmp_path):
    assert _blocks(tmp_path / "a", '[complaints]\nskip_rows = 1\n',
                   ["complaints.csv", "complaints_20240101.csv"]) == {
        "complaints.csv": "[complaints]", "complaints_20240101.csv": "[complaints]"}
    # a table with a source fits its exports; a canonical file beside them keeps its own shape
    assert _blocks(tmp_path / "b", '[complaints]\nsource = "CRM*.csv"\nskip_rows = 2\n',
                   ["complaints.csv", "CRM_2024-01-01.csv"]) == {
        "complaints.csv": "", "CRM_2024-01-01.csv": "[complaints]"}
    settings = read_mappings(write_dataset(tmp_path / "c", {
        "mapping.toml": '[complaints]\nsource = "CRM*.csv"\nskip_rows = 2\n'}))["complaints"]
    assert [(b.source, b.skip_rows) for b in settings] == [("CRM*.csv", 2)]


# ------------------------------------------ the scenario: a header renamed in the newest

EXPORTS = {
    # A1 open, A2 responded on time
    "complaints_2023-10-01.csv": ("complaint_ref,stage,received_date,responded_date,outcome\n"
                                  "A1,1,2023-05-02,,\n"
                                  "A2,1,2023-06-01,2023-06-05,upheld\n"),
    # A1 now responded (5 working days: 8 May 2023 was a bank holiday), A3 open
    "complaints_2024-01-15.csv": ("complaint_ref,stage,received_date,responded_date,outcome\n"
                                  "A1,1,2023-05-02,2023-05-10,not_upheld\n"
                                  "A3,1,2023-12-01,,\n"),
    # the newest: A3 responded late, A4 new and on time; A1, A2 missing (keep last seen)
    "complaints_2024-04-12.csv": ("complaint_ref,stage,received_date,responded_date,outcome\n"
                                  "A3,1,2023-12-01,2024-01-30,upheld\n"
                                  "A4,1,2024-02-01,2024-02-05,upheld\n"),
}


def _renamed(text: str) -> str:
    return text.replace("received_date", "Date Received", 1)


SCENARIOS = {
    # the newest export keeps its name; a block for it comes before the canonical names' block
    "second block": ({**EXPORTS, "complaints_2024-04-12.csv": _renamed(EXPORTS["complaints_2024-04-12.csv"])},
                     '[[complaints]]\nsource = "complaints_2023*.csv"\n'
                     '[[complaints]]\nsource = "complaints_2024*.csv"\n'
                     'rename = { "Date Received" = "received_date" }\n'),
    # the spec's example: the new CRM names its exports differently
    "new CRM": ({**{k: v for k, v in EXPORTS.items() if k != "complaints_2024-04-12.csv"},
                 "CRM_Complaints_Export_2024-04-12.csv": _renamed(EXPORTS["complaints_2024-04-12.csv"])},
                '[[complaints]]\nsource = "complaints_*.csv"\n'
                '[[complaints]]\nsource = "CRM_Complaints_Export*.csv"\n'
                'rename = { "Date Received" = "received_date" }\n'),
    # one block: its rename applies to the one export with that header
    "one block": ({**EXPORTS, "complaints_2024-04-12.csv": _renamed(EXPORTS["complaints_2024-04-12.csv"])},
                  '[complaints]\nrename = { "Date Received" = "received_date" }\n'),
}


def _marts(con) -> dict[str, list]:
    tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'marts' order by 1").fetchall()]
    return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}


@pytest.fixture(scope="module")
def canonical_marts(tmp_path_factory):
    import duckdb

    ds = write_dataset(tmp_path_factory.mktemp("canonical") / "ds", EXPORTS)
    config = RunConfig.create(ds, ds.parent / "out", year=2024, render=False)
    refresh(config)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        yield _marts(con)
    finally:
        con.close()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_header_renamed_in_the_newest_of_three_exports(build, canonical_marts, scenario):
    files, mapping = SCENARIOS[scenario]
    con = build({**files, "mapping.toml": mapping})
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0
    # one source: per key the latest export wins, a key missing later keeps its last row
    rows = con.execute("select complaint_ref, received_date, responded_date, source_file "
                       "from staging.complaints order by 1").fetchall()
    newest = [n for n in files if "2024-04-12" in n][0]
    assert rows == [("A1", date(2023, 5, 2), date(2023, 5, 10), "complaints_2024-01-15.csv"),
                    ("A2", date(2023, 6, 1), date(2023, 6, 5), "complaints_2023-10-01.csv"),
                    ("A3", date(2023, 12, 1), date(2024, 1, 30), newest),
                    ("A4", date(2024, 2, 1), date(2024, 2, 5), newest)]
    ch = con.execute("""select measure_code, numerator, denominator from
        report.report_tsm_publication_table where end_year = 2024 and measure_part = 'stage_1'
        and tenure = 'LCRA' order by 1""").fetchall()
    # 4 stage 1 complaints per 2 LCRA homes; 3 of the 4 responses within 10 working days
    assert ch == [("CH01", 4, 2), ("CH02", 3, 4)]
    assert _marts(con) == canonical_marts


# ------------------------------------------------- a rename applies to the headers a file has


def test_a_rename_of_a_header_a_file_lacks_warns_only_when_the_column_is_then_missing(build, caplog):
    mapping = '[complaints]\nrename = { "Outcome Code" = "outcome", "Resolved" = "responded_date" }\n'
    with caplog.at_level("WARNING", logger="tsm"):
        con = build({"complaints.csv": ("complaint_ref,stage,received_date,outcome\n"
                                        "A,1,2023-05-01,upheld\n"), "mapping.toml": mapping})
    assert con.execute("select outcome, responded_date from staging.complaints").fetchall() == [
        ("upheld", None)]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["complaints.csv: mapping.toml [complaints] renames 'Resolved', which this "
                        "file lacks, and the file has no column responded_date either; "
                        "responded_date is blank for its rows"]


# ------------------------------------------------- a required column missing after mapping


def _refresh_error(tmp_path, files: dict) -> str:
    ds = write_dataset(tmp_path / "ds", files)
    with pytest.raises(PipelineError) as info:
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))
    return str(info.value)


def test_a_missing_column_names_the_file_the_headers_and_the_entry_that_fits_it(tmp_path):
    files = {"complaints_2024-04-12.csv": "complaint_ref,stage,received_date\nA1,1,2023-05-01\n",
             "complaints_2025-04-11.csv": ("complaint_ref,stage,Date Logged,Date Closed\n"
                                           "A2,1,2024-05-01,\n"),
             "mapping.toml": '[[complaints]]\nsource = "complaints_2024*.csv"\n'}
    message = _refresh_error(tmp_path, files)
    assert message == (
        "complaints_2025-04-11.csv: required column received_date is missing after mapping; "
        "headers found: ['complaint_ref', 'stage', 'Date Logged', 'Date Closed']; to fit it add "
        'to mapping.toml: [[complaints]] source = "complaints_2025-04-11.csv" '
        'rename = { "Date Logged" = "received_date" }')
    assert "\n" not in message
    # the entry suggested does fit the file
    entry = message.split("add to mapping.toml: ")[1].replace(" source = ", "\nsource = ", 1)
    entry = entry.replace(" rename = ", "\nrename = ", 1)
    files["mapping.toml"] += entry + "\n"
    ds = write_dataset(tmp_path / "fixed", files)
    result = refresh(RunConfig.create(ds, tmp_path / "fixed-out", render=False))
    assert (result.summary.rows_staged, result.summary.rows_quarantined) == (3 + 2, 0)


def test_a_file_fitted_by_a_block_is_told_to_add_to_that_blocks_rename(tmp_path):
    message = _refresh_error(tmp_path, {
        "complaints_2025-04-11.csv": "Case Ref,Stage,Logged\nA2,1,2024-05-01\n",
        "mapping.toml": ('[[complaints]]\nsource = "x*.csv"\n[[complaints]]\n'
                         'source = "complaints_*.csv"\nrename = { "Case Ref" = "complaint_ref", '
                         '"Stage" = "stage", "Received" = "received_date" }\n')})
    assert message == (
        "complaints_2025-04-11.csv: required column received_date is missing after mapping; "
        "headers found: ['Case Ref', 'Stage', 'Logged']; mapping.toml [[complaints]] block 2 "
        "renames 'Received', which this file lacks; to fit it add to rename in mapping.toml's "
        '[[complaints]] block 2 (source = "complaints_*.csv"): "<your header>" = "received_date"')


def test_the_closest_header_is_suggested_only_when_plausible():
    headers = ["Case Ref", "Date Logged", "Team"]
    assert closest_header("received_date", headers) == "Date Logged"      # shares a word
    assert closest_header("received_date", ["Recieved Date", "Team"]) == "Recieved Date"
    assert closest_header("complaint_ref", headers) == "Case Ref"
    assert closest_header("stage", headers) is None
    assert closest_header("stage", []) is None


def test_a_suggested_source_matches_only_its_own_file():
    import fnmatch

    name = "complaints_[1]*?.csv"
    assert fnmatch.fnmatchcase(name, glob_escape(name))
    assert not fnmatch.fnmatchcase("complaints_1x!.csv", glob_escape(name))


# ------------------------------------------------------------ a big recode table


def test_a_recode_table_of_50000_entries_on_a_30_row_file_recodes_every_row(build):
    # a CASE of 50,000 branches took minutes to plan; the table is joined to the rows instead
    rows = "".join(f"C{i},1,2023-05-{i % 28 + 1:02d},code{i * 1000}\n" for i in range(30))
    entries = "".join(f'"CODE{i}" = "{"LCHO" if i % 2000 == 0 else "LCRA"}"\n'
                      for i in range(50_000))
    con = build({"complaints.csv": "complaint_ref,stage,received_date,tenure\n" + rows,
                 "mapping.toml": "[complaints.values.tenure]\n" + entries})
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0
    # code0, code2000, ... code28000 (i even) -> LCHO: 15 rows; odd i -> LCRA: 15 rows
    assert con.execute("select tenure, count(*) from staging.complaints group by 1 order by 1"
                       ).fetchall() == [("LCHO", 15), ("LCRA", 15)]


RECODE_FILES = {
    "homes.csv": "home_ref,tenure\nH1,LCRA\nH3,LCHO\n",
    "complaints.csv": ("complaint_ref,stage,received_date,tenure,home_ref,refused,channel\n"
                       "A,Stage 1,01/05/2023,Not known,H3,-,\n"
                       "B,stage 2,02/05/2023, general needs ,H3,,Phone\n"
                       "C,3,03/05/2023,Shared,H1,Y,Web\n"),
    "mapping.toml": ('[complaints.values.stage]\n"Stage 1" = 1\n"STAGE 2" = 2\n"stage 2" = 9\n'
                     '[complaints.values.tenure]\n"Not known" = ""\n"General Needs" = "LCRA"\n'
                     '[complaints.values.refused]\n"-" = ""\n"y" = true\n'
                     '[complaints.values.channel]\n"" = "unknown"\n"phone" = "telephone"\n'
                     '[complaints.values.received_date]\n"01/05/2023" = "2023-05-04"\n'),
}


@pytest.mark.parametrize("inline_max", [16, 0])  # as a CASE, and every table joined
def test_a_joined_recode_reads_as_a_case_does(build, monkeypatch, inline_max):
    monkeypatch.setattr(stage_inputs, "RECODE_INLINE_MAX", inline_max)
    con = build(RECODE_FILES)
    rows = con.execute("select complaint_ref, stage, received_date, tenure, refused, channel "
                       "from staging.complaints_rows order by 1").fetchall()
    # keys match trimmed and in any case, the first of two equal keys wins, "" recodes a
    # blank cell, a value recoded to "" is blank, an unlisted value is kept as it is
    assert rows == [("A", 1, date(2023, 5, 4), None, None, "unknown"),
                    ("B", 2, date(2023, 5, 2), "LCRA", None, "telephone")]
    assert con.execute("select source_row, column_name, value, rule from quarantine.rows"
                       ).fetchall() == [(4, "stage", "3", "invalid_code")]
    assert con.execute("select received_date from raw.complaints where complaint_ref = 'A'"
                       ).fetchone()[0] == "01/05/2023"  # recoded in staging, raw as exported


# ------------------------------------------------ file names holding glob characters


@pytest.mark.parametrize("literal_name, glob, decoy", [
    ("complaints_*.csv", "complaints_*.csv", None),
    ("complaints_[x].csv", "complaints_[[]x].csv", "complaints_x.csv"),
])
def test_a_file_named_with_glob_characters_is_read_as_itself(build, literal_name, glob, decoy):
    # quoted fields: a file with quotes is not checked by counting its lines against its
    # records (a record may span lines), which once hid the doubled rows
    files = {"complaints_2024-01-01.csv": "complaint_ref,stage,received_date,category\n"
                                          'D1,1,2023-05-01,"a, b"\nD2,1,2023-05-02,\n',
             literal_name: 'complaint_ref,stage,received_date,category\nL1,1,2023-06-01,"c"\n',
             "mapping.toml": f'[[complaints]]\nsource = "{glob}"\n'}
    if decoy:  # what DuckDB's glob would read in the literal file's place
        files[decoy] = "complaint_ref,stage,received_date\nX1,1,2023-07-01\n"
    con = build(files)
    assert con.execute("select source_file, list(complaint_ref order by source_row) "
                       "from raw.complaints group by 1 order by 1").fetchall() == sorted([
        ("complaints_2024-01-01.csv", ["D1", "D2"]), (literal_name, ["L1"])])
    assert con.execute("select count(*) from staging.complaints").fetchone()[0] == 3
    assert con.execute("select source_file, rows_read from audit.loads where source = "
                       "'complaints' order by 1").fetchall() == sorted([
        ("complaints_2024-01-01.csv", 2), (literal_name, 1)])


def test_an_spss_file_named_with_glob_characters_is_read(build, tmp_path):
    import pandas as pd
    import pyreadstat

    sav = tmp_path / "made.sav"
    pyreadstat.write_sav(pd.DataFrame({"response_id": ["R1", "R2"], "tenure": ["LCRA", "LCRA"],
                                       "collection_method": ["postal", "online"],
                                       "response_date": ["2023-10-02", "2023-10-03"],
                                       "tp01": [1.0, 2.0]}), str(sav))
    con = build({"survey_responses_[x].sav": sav.read_bytes(),
                 "mapping.toml": ('[[survey_responses]]\nsource = "survey_responses_[[]x].sav"\n'
                                  '[survey_responses.values.tp01]\n"1" = "very_satisfied"\n'
                                  '"2" = "fairly_satisfied"\n')})
    assert con.execute("select response_id, tp01, source_file from staging.survey_responses "
                       "order by 1").fetchall() == [
        ("R1", "very_satisfied", "survey_responses_[x].sav"),
        ("R2", "fairly_satisfied", "survey_responses_[x].sav")]
