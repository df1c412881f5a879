"""raw -> staging | quarantine: parsing traps, encodings, mapping.toml, dated exports."""

from datetime import date
from decimal import Decimal

import pytest

from pipeline.errors import PipelineError
from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.conftest import write_dataset


def quarantined(con):
    return con.execute(
        "select source_file, source_row, column_name, value, rule from quarantine.rows "
        "order by source_file, source_row, column_name"
    ).fetchall()


def test_uk_dates_are_never_read_month_first(build):
    con = build({"complaints.csv": "complaint_ref,stage,received_date,responded_date\n"
                 "A,1,03/04/2023,5/4/2023\n"             # 3 April, 5 April
                 "B,1,12/01/2024 14:30,2024-01-15\n"})  # 12 January with a time part
    got = dict(con.execute("select complaint_ref, received_date from staging.complaints").fetchall())
    assert got == {"A": date(2023, 4, 3), "B": date(2024, 1, 12)}


def test_bad_values_are_quarantined_with_file_row_and_column(build):
    con = build({"complaints.csv": "complaint_ref,stage,received_date,refused,compensation_gbp,outcome\n"
                 "A,1,31/13/2023,,,\n"          # row 2: no 13th month
                 "B,1,30/02/2024,,,\n"          # row 3: no 30 February
                 "C,1,2024-01-05,maybe,,\n"     # row 4: not a boolean
                 "D,1,2024-01-05,,abc,\n"       # row 5: not money
                 "E,3,2024-01-05,,,\n"          # row 6: no third stage in the Code
                 "F,1,,,,\n"                    # row 7: required date blank
                 "G,1,2024-01-05,,,Resolved\n"  # row 8: unknown outcome
                 "H,1,2024-01-05,N,\"£1,250.00\",Partly Upheld\n"})  # row 9: good
    assert quarantined(con) == [
        ("complaints.csv", 2, "received_date", "31/13/2023", "invalid_date"),
        ("complaints.csv", 3, "received_date", "30/02/2024", "invalid_date"),
        ("complaints.csv", 4, "refused", "maybe", "invalid_boolean"),
        ("complaints.csv", 5, "compensation_gbp", "abc", "invalid_money"),
        ("complaints.csv", 6, "stage", "3", "invalid_code"),
        ("complaints.csv", 7, "received_date", None, "required"),
        ("complaints.csv", 8, "outcome", "Resolved", "invalid_code"),
    ]
    staged = con.execute("select complaint_ref, refused, compensation_gbp, outcome, source_row "
                         "from staging.complaints").fetchall()
    assert staged == [("H", False, Decimal("1250.00"), "partly_upheld", 9)]


def test_windows_1252_file_with_pound_sign_and_money_in_brackets(build):
    content = ("complaint_ref,stage,received_date,compensation_gbp,extension_reason\n"
               "A,1,01/05/2023,(50.00),awaiting surveyor – £ quote\n"
               "B,1,02/05/2023,£75,\n").encode("cp1252")
    con = build({"complaints.csv": content})
    rows = con.execute("select complaint_ref, compensation_gbp, extension_reason from staging.complaints "
                       "order by 1").fetchall()
    assert rows == [("A", Decimal("-50.00"), "awaiting surveyor – £ quote"), ("B", Decimal("75.00"), None)]
    enc = con.execute("select encoding from audit.loads where source = 'complaints'").fetchone()[0]
    assert enc == "cp1252"


def test_utf8_with_bom_header_is_read(build):
    con = build({"homes.csv": "\ufeffhome_ref,tenure\nH1,lcra\nH2,Shared\n".encode("utf-8")})
    rows = con.execute("select home_ref, tenure from staging.homes order by 1").fetchall()
    assert rows == [("H1", "LCRA"), ("H2", "shared")]  # other tenure codes kept, out of scope


def test_booleans_in_every_spelling(build):
    con = build({"complaints.csv": "complaint_ref,stage,received_date,refused\n"
                 "A,1,2023-05-01,Y\nB,1,2023-05-01,no\nC,1,2023-05-01,TRUE\nD,1,2023-05-01,0\n"
                 "E,1,2023-05-01, yes \n"})
    got = dict(con.execute("select complaint_ref, refused from staging.complaints").fetchall())
    assert got == {"A": True, "B": False, "C": True, "D": False, "E": True}


def test_row_numbers_are_excel_rows_after_multiline_fields_and_malformed_rows(build):
    con = build({"complaints.csv": "complaint_ref,stage,received_date,extension_reason\n"
                 'A,1,2023-05-01,"two\nlines"\n'      # Excel row 2 (one record, two lines)
                 "B,1,2023-05-01,x,too,many\n"         # row 3: malformed
                 "C,1,2023-13-01,\n"                  # row 4: bad date
                 "D,1,2023-05-02,\n"})                 # row 5
    rows = con.execute("select complaint_ref, source_row from staging.complaints order by 1").fetchall()
    assert rows == [("A", 2), ("D", 5)]
    q = [(r[1], r[4]) for r in quarantined(con)]
    assert q == [(3, "malformed_row"), (4, "invalid_date")]


def test_mapping_renames_recodes_and_reads_a_semicolon_file_with_preamble(build):
    export = ("CRM export generated 01/04/2024\n"
              "Landlord: North Shire Homes\n"
              "Case Ref;Stage;Date Received;Tenancy;Batch\n"
              "X1;Stage 1;01/05/2023;General Needs;B7\n"
              "X1;Stage 2;01/06/2023;General Needs;\n"
              "X2;Stage 1;2/5/2023;Shared Ownership;\n")
    mapping = ('[complaints]\nsource = "CRM_Complaints_Export*.csv"\ndelimiter = ";"\nskip_rows = 2\n'
               'date_format = "dayfirst"\n'
               'rename = { "Case Ref" = "complaint_ref", "Stage" = "stage", '
               '"Date Received" = "received_date", "Tenancy" = "tenure" }\n'
               '[complaints.values.stage]\n"Stage 1" = 1\n"Stage 2" = 2\n'
               '[complaints.values.tenure]\n"General Needs" = "LCRA"\n"Shared Ownership" = "LCHO"\n')
    con = build({"CRM_Complaints_Export_2024-04-01.csv": export, "mapping.toml": mapping})
    rows = con.execute("select complaint_ref, stage, received_date, tenure, source_row "
                       "from staging.complaints order by 1, 2").fetchall()
    assert rows == [("X1", 1, date(2023, 5, 1), "LCRA", 4), ("X1", 2, date(2023, 6, 1), "LCRA", 5),
                    ("X2", 1, date(2023, 5, 2), "LCHO", 6)]
    extra = con.execute("select extra_columns from raw.complaints where source_row = 4").fetchone()[0]
    assert extra == {"Batch": "B7"}


def test_a_mapped_header_the_file_lacks_and_no_canonical_column_is_an_error(tmp_path):
    # the rename does not apply (no 'Case Ref'), and the file has no complaint_ref either
    ds = write_dataset(tmp_path / "ds", {
        "complaints.csv": "Ref,Stage,Received\nA,1,2023-05-01\n",
        "mapping.toml": '[complaints]\nrename = { "Case Ref" = "complaint_ref" }\n'})
    with pytest.raises(PipelineError) as info:
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))
    assert str(info.value) == (
        "complaints.csv: required columns complaint_ref, received_date are missing after "
        "mapping; headers found: ['Ref', 'Stage', 'Received']; mapping.toml [complaints] renames "
        "'Case Ref', which this file lacks; to fit it add to rename in mapping.toml's "
        '[complaints]: "Ref" = "complaint_ref", "Received" = "received_date"')


def test_a_missing_required_column_is_an_error(tmp_path):
    ds = write_dataset(tmp_path / "ds", {"complaints.csv": "complaint_ref,stage\nA,1\n"})
    with pytest.raises(PipelineError, match=r"^complaints.csv: required column received_date is "
                       r"missing after mapping; headers found: \['complaint_ref', 'stage'\]; "
                       r"to fit it add to mapping.toml: \[\[complaints\]\] source = "
                       r'"complaints.csv" rename = \{ "<your header>" = "received_date" \}$'):
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))


def test_homes_csv_is_required(tmp_path):
    (tmp_path / "ds").mkdir()
    with pytest.raises(PipelineError, match="homes.csv"):
        refresh(RunConfig.create(tmp_path / "ds", tmp_path / "out", render=False))


def test_latest_export_wins_and_missing_keys_keep_their_last_seen_row(build):
    header = "complaint_ref,stage,received_date,responded_date\n"
    con = build({
        "complaints_2024-03-30.csv": header + "A,1,2024-03-01,\nB,1,2024-03-02,\n",
        "complaints_20240331.csv": header + "A,1,2024-03-01,2024-03-15\n",
        "complaints.csv": header + "A,1,2024-03-01,2024-03-29\nC,1,2024-03-03,\n",  # undated: oldest
    })
    rows = con.execute("select complaint_ref, responded_date, source_file from staging.complaints "
                       "order by 1").fetchall()
    assert rows == [("A", date(2024, 3, 15), "complaints_20240331.csv"),
                    ("B", None, "complaints_2024-03-30.csv"),
                    ("C", None, "complaints.csv")]


def test_duplicate_key_in_one_file_keeps_the_first_and_quarantines_the_rest(build):
    con = build({"complaints.csv": "complaint_ref,stage,received_date\nA,1,2023-05-01\nA,1,2023-05-09\n"})
    assert con.execute("select received_date from staging.complaints").fetchall() == [(date(2023, 5, 1),)]
    assert [(r[1], r[4]) for r in quarantined(con)] == [(3, "duplicate_key")]


def test_two_undated_files_of_one_source_are_an_error(tmp_path):
    ds = write_dataset(tmp_path / "ds", {
        "complaints.csv": "complaint_ref,stage,received_date\n",
        "CRM_export.csv": "complaint_ref,stage,received_date\n",
        "mapping.toml": '[complaints]\nsource = "CRM_export*.csv"\n'})
    with pytest.raises(PipelineError, match="undated"):
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))


def test_refresh_twice_loads_nothing_new_and_changes_nothing(tmp_path):
    ds = write_dataset(tmp_path / "ds", {
        "complaints.csv": "complaint_ref,stage,received_date\nA,1,2023-05-01\nB,1,31/02/2023\n"})
    config = RunConfig.create(ds, tmp_path / "out", year=2024, render=False)
    first = refresh(config).summary
    second = refresh(config).summary
    assert (first.files_loaded, first.rows_staged, first.rows_quarantined) == (2, 4, 1)
    assert (second.files_loaded, second.rows_read) == (0, 0)
    import duckdb
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    assert con.execute("select count(*) from raw.complaints").fetchone()[0] == 2
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 1
    con.close()


def test_rename_outside_the_contract_keeps_an_extra_column_and_unknown_keys_only_warn(build, caplog):
    mapping = ('[complaints]\nrename = { "Ref" = "complaint_ref", "Resident" = "resident_name" }\n'
               'pii_columns = ["Resident"]\n')
    with caplog.at_level("WARNING", logger="tsm"):
        con = build({"complaints.csv": "Ref,stage,received_date,Resident\n"
                     "A,1,2023-05-01 09:30:00.000,Ann Example\n", "mapping.toml": mapping})
    assert "pii_columns" in caplog.text
    assert con.execute("select complaint_ref, received_date from staging.complaints").fetchall() == [
        ("A", date(2023, 5, 1))]
    extra, personal = con.execute("select extra_columns, personal_data from raw.complaints").fetchone()
    assert (extra, personal) == ({}, {"resident_name": "Ann Example"})  # personal: kept apart
    staged_columns = [r[0] for r in con.execute("describe staging.complaints").fetchall()]
    assert "resident_name" not in staged_columns


def test_staging_contract_check_catches_a_row_the_parser_let_through(tmp_path):
    from pipeline.errors import ContractError
    from pipeline.stage_inputs import validate_staged
    from pipeline.warehouse import connect
    from schemas.inputs import INPUT_SPECS

    ds = write_dataset(tmp_path / "ds", {"complaints.csv": "complaint_ref,stage,received_date\nA,1,2023-05-01\n"})
    config = RunConfig.create(ds, tmp_path / "out", render=False)
    refresh(config)
    con = connect(config.warehouse_path)
    load_id = con.execute("select load_id from audit.loads where source = 'complaints'").fetchone()[0]
    con.execute("update staging.complaints_rows set stage = 3")  # as if a parser bug let it in
    with pytest.raises(ContractError, match="stage: 1 row"):
        validate_staged(con, INPUT_SPECS["complaints"], load_id)
    con.close()


@pytest.mark.parametrize("content", [
    # no quotes: a blank line shows as fewer records than lines (the fast path falls back)
    "complaint_ref,stage,received_date\nA,1,2023-05-01\n\n\nB,1,2023-05-02\nC,1,31/13/2023\n",
    # quotes: found by searching for the blank line
    'complaint_ref,stage,received_date\n"A",1,2023-05-01\n\n\n"B",1,2023-05-02\nC,1,31/13/2023\n',
    # CRLF blank lines, no final line end
    "complaint_ref,stage,received_date\r\nA,1,2023-05-01\r\n\r\n\r\nB,1,2023-05-02\r\nC,1,31/13/2023",
])
def test_blank_lines_never_shift_row_numbers(build, content):
    con = build({"complaints.csv": content})
    rows = con.execute("select complaint_ref, source_row from staging.complaints order by 1").fetchall()
    assert rows == [("A", 2), ("B", 5)]
    assert quarantined(con) == [("complaints.csv", 6, "received_date", "31/13/2023", "invalid_date")]


def test_rows_after_a_ragged_row_keep_their_excel_row(build):
    con = build({"complaints.csv": "complaint_ref,stage,received_date\n"
                 "A,1,2023-05-01\n"
                 "B,1,2023-05-02,extra,fields\n"    # row 3: too many fields
                 '"C",1,"2023-05-03"\n'
                 'D,1,"multi\nline"\n'                # row 5: one record over two lines
                 "E,1,2023-05-05\n"})
    rows = con.execute("select complaint_ref, source_row from raw.complaints order by 2").fetchall()
    assert rows == [("A", 2), ("C", 4), ("D", 5), ("E", 6)]
    assert ("complaints.csv", 3) in [q[:2] for q in quarantined(con)]


def test_a_windows_export_with_a_preamble_and_a_line_break_in_a_cell(build):
    """CRLF line ends, a title line to skip and an Excel Alt+Enter break (a bare LF) inside
    a quoted cell: the file is rewritten with one line ending, the preamble included."""
    content = (b"Complaints export\r\n"
               b"complaint_ref,stage,received_date,extension_reason\r\n"
               b'A1,1,01/05/2023,"line one\nline two"\r\n'
               b"A2,1,02/05/2023,x\r\n")
    con = build({"complaints.csv": content,
                 "mapping.toml": "[complaints]\nskip_rows = 1\n"})
    rows = con.execute("select complaint_ref, source_row, extension_reason "
                       "from staging.complaints order by 1").fetchall()
    assert rows == [("A1", 3, "line one\nline two"), ("A2", 4, "x")]


def test_a_value_recoded_to_blank_is_blank_and_a_blank_key_recodes_blank_cells(build):
    con = build({
        "homes.csv": "home_ref,tenure\nH1,LCRA\nH3,LCHO\n",
        "complaints.csv": ("complaint_ref,stage,received_date,tenure,home_ref,refused,channel\n"
                           "A,1,01/05/2023,Not known,H3,-,\n"
                           "B,1,02/05/2023,,H3,,Phone\n"),
        "mapping.toml": ('[complaints.values.tenure]\n"Not known" = ""\n'
                         '[complaints.values.refused]\n"-" = ""\n'
                         '[complaints.values.channel]\n"" = "unknown"\n'),
    })
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0
    rows = con.execute("select complaint_ref, tenure, refused, channel from staging.complaints "
                       "order by 1").fetchall()
    assert rows == [("A", None, None, "unknown"), ("B", None, None, "Phone")]
    # a blank tenure takes the home's: both count as LCHO stage 1 complaints
    assert con.execute("""select numerator from report.report_tsm_publication_table
        where end_year = 2024 and measure_code = 'CH01' and measure_part = 'stage_1'
        and tenure = 'LCHO'""").fetchone()[0] == 2


def test_a_declared_date_format_still_reads_a_time_after_the_date(build):
    con = build({
        "complaints.csv": ("complaint_ref,stage,received_date,responded_date\n"
                           "A,1,01.05.2023,03.05.2023 09:15\n"
                           "B,1,02.05.2023 10:00:30,\n"),
        "mapping.toml": '[complaints]\ndate_format = "%d.%m.%Y"\n',
    })
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0
    assert con.execute("select complaint_ref, received_date, responded_date from staging.complaints "
                       "order by 1").fetchall() == [("A", date(2023, 5, 1), date(2023, 5, 3)),
                                                    ("B", date(2023, 5, 2), None)]


def test_a_nameless_or_repeated_column_the_pipeline_does_not_read_is_kept_in_raw(build):
    con = build({"complaints.csv": ("complaint_ref,stage,received_date,Team,team,\n"
                                    "A,1,01/05/2023,first,second,\n")})
    assert con.execute("select complaint_ref from staging.complaints").fetchall() == [("A",)]
    extra = con.execute("select extra_columns from raw.complaints").fetchone()[0]
    assert extra == {"Team": "first", "team_2": "second", "column_6": None}


def test_export_stamps_with_a_time_and_globs_in_any_case(build):
    con = build({
        "complaints_20240331120000.csv": "complaint_ref,stage,received_date\nA,1,01/05/2023\n",
        "complaints_202404011200.csv": "complaint_ref,stage,received_date\nA,1,02/05/2023\n",
        "CRM_EXPORT_2024-04-02.CSV": "complaint_ref,stage,received_date\nB,1,03/05/2023\n",
        "mapping.toml": '[ombudsman_cases]\n[repairs]\n[complaints]\nsource = "crm_export_*.csv"\n',
    })
    rows = con.execute("select complaint_ref, received_date, export_date from staging.complaints "
                       "order by 1").fetchall()
    assert rows == [("A", date(2023, 5, 2), date(2024, 4, 1)), ("B", date(2023, 5, 3), date(2024, 4, 2))]


def test_a_misspelt_mapping_table_is_an_error(tmp_path):
    ds = write_dataset(tmp_path / "ds", {
        "homes.csv": "home_ref,tenure\nH1,LCRA\n",
        "mapping.toml": '[complaint]\nsource = "x*.csv"\n'})
    with pytest.raises(PipelineError, match=r"\[complaint\] is not an input of the contract"):
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))


def test_a_declared_date_format_with_spaces_still_reads_a_time(build):
    con = build({
        "complaints.csv": "complaint_ref,stage,received_date\nA,1,03 May 2023 09:15\nB,1,04 May 2023\n",
        "mapping.toml": '[complaints]\ndate_format = "%d %b %Y"\n',
    })
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0


def test_a_repeated_personal_data_column_is_an_error(tmp_path):
    ds = write_dataset(tmp_path / "ds", {
        "homes.csv": "home_ref,tenure\nH1,LCRA\n",
        "complaints.csv": "complaint_ref,stage,received_date,Ref2,ref2\nA,1,01/05/2023,x,y\n",
        "mapping.toml": '[complaints]\npersonal_data = ["Ref2"]\n[self_assessment]\n'})
    with pytest.raises(PipelineError, match="header repeats column name"):
        refresh(RunConfig.create(ds, tmp_path / "out", render=False))
