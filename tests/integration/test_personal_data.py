"""Personal data never goes beyond raw, and raw keeps it only for the retention period."""

from datetime import datetime, timedelta

import duckdb
import pytest

from pipeline import cli
from pipeline.personal_data import (
    erase_expired,
    expired_rows,
    is_personal_column,
    mask_line,
    split_fields,
)
from pipeline.run import refresh
from pipeline.settings import RunConfig
from schemas.inputs import INPUT_SPECS
from tests.conftest import write_dataset

EXPORT = ("Case Ref,stage,received_date,Resident Name,Contact Tel,Email Address,Case Notes,"
          "Ward\nA,1,2023-05-01,Ann Example,01234 567890,ann@example.org,"
          "\"rang about damp, upset\",North\n")
MAPPING = '[complaints]\nrename = { "Case Ref" = "complaint_ref" }\npersonal_data = ["Ward"]\n'


@pytest.mark.parametrize("header", ["Resident Name", "tenant_name", "Address Line 1", "Postcode",
                                    "Mobile", "Contact Tel", "E-mail", "Case Notes", "DOB",
                                    "Description",
                                    # any style (issue 23): CamelCase, digits, run-together words
                                    "RespondentName", "EmailAddress", "MobileNo", "Tenant Name",
                                    "DateOfBirth", "NINumber", "Address1", "AddressLine2", "eMail",
                                    "TelNo", "Phone No", "phone_no", "PostalCode", "emailaddress",
                                    "Respondent", "CaseSummary", "Case Summary"])
def test_recognised_by_name(header):
    assert is_personal_column(header)


@pytest.mark.parametrize("header", ["area", "stock_type", "age_band", "priority", "Tenancy",
                                    "TenancyLength", "Ethnicity", "Disability", "Gender",
                                    "household_type", "Bedrooms", "HOS Ref", "tp01",
                                    # the canonical column of complaint_handling_failures.csv
                                    "summary", "Summary"])
def test_ordinary_columns_are_not_personal(header):
    assert not is_personal_column(header)


def _styles(column: str) -> list[str]:
    """service_area -> service_area, Service Area, ServiceArea, serviceArea, SERVICE_AREA."""
    words = column.split("_")
    pascal = "".join(w.capitalize() for w in words)
    return [column, " ".join(w.capitalize() for w in words), pascal, pascal[0].lower() + pascal[1:],
            column.upper()]


def test_no_canonical_column_nor_survey_characteristic_is_personal_by_name():
    """A canonical column that looked personal would be read and kept from raw at once; the
    spec's survey characteristics (inputs.md) are groups. In every header style."""
    columns = {c for spec in INPUT_SPECS.values() for c in spec.columns}
    assert {"complaint_ref", "channel", "summary", "tenure", "weight"} <= columns  # not vacuous
    looking_personal = [s for c in sorted(columns | {"stock_type", "area", "age_band"})
                        for s in _styles(c) if is_personal_column(s)]
    assert looking_personal == []


def test_a_malformed_line_keeps_its_non_personal_fields_only():
    # fields line up with the header: the personal one is masked, the others kept as written
    assert mask_line('C,1,2023-05-03,"Bob" Secretson,North', ",", 5, {3}) == \
        "C,1,2023-05-03,<personal data>,North"
    assert mask_line('a;"x;y" z;Ann', ";", 3, {2}) == 'a;"x;y" z;<personal data>'
    # one field too many (an unquoted comma in a name): no field can be trusted, no text kept
    assert mask_line("B,1,2023-05-02,Smith, John,North", ",", 5, {3}) == (
        "<line not kept: 32 characters in 6 field(s) where the header has 5, and the file "
        "has personal-data columns>")
    # a file with no personal column keeps its line, as before (500 characters at most)
    assert mask_line("B,1,2023-05-02,Smith, John,North\r\n", ",", 5, {}) == \
        "B,1,2023-05-02,Smith, John,North"
    assert len(mask_line("x" * 900, ",", 1, {})) == 500
    assert split_fields('"a,b",c,"d ""e"", f"', ",") == ['"a,b"', "c", '"d ""e"", f"']


def test_personal_columns_stay_in_raw_and_are_erased_after_retention(tmp_path):
    dataset = write_dataset(tmp_path / "ds", {"complaints.csv": EXPORT, "mapping.toml": MAPPING,
                                              "landlord.toml": "personal_data_retention_days = 7\n"})
    config = RunConfig.create(dataset, tmp_path / "out", year=2024)
    refresh(config)
    con = duckdb.connect(str(config.warehouse_path))
    personal, extra = con.execute("select personal_data, extra_columns from raw.complaints").fetchone()
    assert set(personal) == {"Resident Name", "Contact Tel", "Email Address", "Case Notes", "Ward"}
    assert extra == {}
    staged = {r[0] for r in con.execute("describe staging.complaints").fetchall()}
    assert not staged & {"Resident Name", "personal_data", "extra_columns", "Ward"}
    # eight days later, the nightly run erases it
    assert erase_expired(con, ["complaints", "homes"], 7, now=datetime.now() + timedelta(days=8)) == 1
    assert con.execute("select personal_data from raw.complaints").fetchone() == (None,)
    con.close()


def test_published_outputs_carry_no_personal_data(tmp_path):
    from pipeline.run import report

    dataset = write_dataset(tmp_path / "ds", {"complaints.csv": EXPORT, "mapping.toml": MAPPING})
    config = RunConfig.create(dataset, tmp_path / "out", year=2024, render=False)
    report(config)
    for path in config.year_dir.glob("*.csv"):
        text = path.read_text()
        for secret in ("Ann Example", "01234 567890", "ann@example.org", "upset"):
            assert secret not in text, (path.name, secret)


def test_a_survey_characteristic_named_like_personal_data_is_a_group(build):
    """survey.toml's characteristics are groups for representativeness, whatever their name
    (customer_age_band); a column it does not name (tenant_name) stays personal data."""
    con = build({
        "homes.csv": "home_ref,tenure\nH1,LCRA\nH2,LCRA\n",
        "survey_responses.csv": ("response_id,tenure,collection_method,response_date,tp01,"
                                 "customer_age_band,tenant_name\n"
                                 "R1,LCRA,postal,01/02/2024,very_satisfied,16-34,Ann\n"),
        "survey.toml": '[surveys."2023/24"]\ncharacteristics = ["customer_age_band"]\n',
    })
    extra, personal = con.execute(
        "select extra_columns, personal_data from raw.survey_responses").fetchone()
    assert extra == {"customer_age_band": "16-34"}
    assert personal == {"tenant_name": "Ann"}


SECRETS = ("Secretname", "ann@secret.example", "07700 900123", "1980-02-03", "Bob Secretson")


def test_camel_case_personal_headers_stay_in_raw(build):
    """RespondentName, EmailAddress, MobileNo, DateOfBirth (issue 23) never reach staging,
    intermediate or marts, by column or by value; `Contact Method` renamed onto channel is
    the channel (a rename onto a canonical column says what it holds), and a personal header
    renamed to another name (survey_responses keeps its extra columns) stays personal."""
    con = build({
        "complaints.csv": ("complaint_ref,stage,received_date,RespondentName,EmailAddress,"
                           "MobileNo,DateOfBirth,Contact Method\n"
                           "C1,1,2023-05-01,Ann Secretname,ann@secret.example,07700 900123,"
                           "1980-02-03,email\n"),
        "survey_responses.csv": ("response_id,tenure,collection_method,response_date,tp01,"
                                 "ResidentName,age_band\n"
                                 "R1,LCRA,postal,01/02/2024,very_satisfied,Bob Secretson,16-34\n"),
        "survey.toml": '[surveys."2023/24"]\ncharacteristics = ["age_band"]\n',
        "mapping.toml": ('[complaints]\nrename = { "Contact Method" = "channel" }\n'
                         '[survey_responses]\nrename = { "ResidentName" = "label" }\n'),
    })
    assert con.execute("select personal_data from raw.complaints").fetchone()[0] == {
        "RespondentName": "Ann Secretname", "EmailAddress": "ann@secret.example",
        "MobileNo": "07700 900123", "DateOfBirth": "1980-02-03"}
    assert con.execute("select channel from staging.complaints").fetchall() == [("email",)]
    assert con.execute("select personal_data, extra_columns from raw.survey_responses"
                       ).fetchone() == ({"label": "Bob Secretson"}, {"age_band": "16-34"})
    tables = con.execute(
        """select table_schema, table_name from information_schema.tables
           where table_schema in ('staging', 'intermediate', 'marts')""").fetchall()
    assert len(tables) > 20
    headers = {"respondentname", "emailaddress", "mobileno", "dateofbirth", "residentname", "label"}
    for schema, table in tables:
        frame = con.execute(f'select * from "{schema}"."{table}"').df()
        assert not {c.casefold() for c in frame.columns} & headers, (schema, table)
        text = frame.astype(str).to_csv()
        for secret in SECRETS:
            assert secret not in text, (schema, table, secret)


@pytest.mark.parametrize("mapping, message", [
    ('[complaints]\nrename = { "Tenant Name" = "category" }\npersonal_data = ["tenant name"]\n',
     "error: complaints.csv: mapping.toml [complaints] renames 'Tenant Name', a personal-data "
     "column, onto 'category': personal data never leaves raw; remove it from rename or from "
     "personal_data\n"),
    ('[complaints]\npersonal_data = ["Category"]\n',
     "error: complaints.csv: mapping.toml [complaints] lists 'category' in personal_data, but it "
     "is the column 'category' the pipeline reads: personal data never leaves raw; remove it "
     "from personal_data or rename the export's column\n"),
])
def test_a_listed_personal_column_read_as_a_canonical_one_is_exit_2(tmp_path, capsys, mapping,
                                                                   message):
    dataset = write_dataset(tmp_path / "ds", {
        "complaints.csv": "complaint_ref,stage,received_date,Tenant Name,category\n"
                          "C1,1,2023-05-01,Ann Secretname,repairs\n"
                          if "Category" in mapping else
                          "complaint_ref,stage,received_date,Tenant Name\n"
                          "C1,1,2023-05-01,Ann Secretname\n",
        "mapping.toml": mapping})
    out = tmp_path / "out"
    assert cli.main(["refresh", "--dataset", str(dataset), "--outputs", str(out),
                     "--year", "2024"]) == 2
    assert capsys.readouterr().err == message
    assert not (out / "warehouse.duckdb").exists()


def test_a_personal_header_renamed_onto_a_canonical_column_is_that_column(build):
    """Not listed in personal_data, a header personal by name that mapping.toml renames onto
    a canonical column is that column: the explicit rename wins over the name (D91)."""
    con = build({
        "complaints.csv": "complaint_ref,stage,received_date,Tenant Name\nC1,1,2023-05-01,repairs\n",
        "mapping.toml": '[complaints]\nrename = { "Tenant Name" = "category" }\n'})
    assert con.execute("select category from staging.complaints").fetchall() == [("repairs",)]
    assert con.execute("select personal_data from raw.complaints").fetchone() == (None,)


MALFORMED = ("Case Ref,stage,received_date,Resident Name,area\n"
             "A,1,2023-05-01,Ann Secretname,North\n"
             "B,1,2023-05-02,Smith, John,North\n"                # row 3: a field too many
             'C,1,2023-05-03,"Bob" Secretson,North\n'            # row 4: text after a quote
             "E,1,31/02/2023,Eve Secretname,North\n")            # row 5: an invalid date


def test_malformed_rows_keep_no_personal_value_in_quarantine_or_console_and_are_erased(
        tmp_path, capsys):
    dataset = write_dataset(tmp_path / "ds", {
        "complaints.csv": MALFORMED,
        "mapping.toml": '[complaints]\nrename = { "Case Ref" = "complaint_ref" }\n',
        "landlord.toml": "personal_data_retention_days = 7\n"})
    out = tmp_path / "out"
    assert cli.main(["refresh", "--dataset", str(dataset), "--outputs", str(out),
                     "--year", "2024"]) == 0
    err = capsys.readouterr().err
    for secret in ("Secretname", "Smith", "John", "Secretson"):
        assert secret not in err
    assert ("quarantined: complaints.csv row 3 column -: line not shown (see quarantine.rows): "
            "too many columns: Expected Number of Columns: 5 Found: 6\n") in err
    assert ("quarantined: complaints.csv row 4 column Resident Name: line not shown "
            "(see quarantine.rows): unquoted value: ") in err
    assert "quarantined: complaints.csv row 5 column received_date: '31/02/2023': " in err
    con = duckdb.connect(str(out / "warehouse.duckdb"))
    rows = "select source_row, column_name, value, rule from quarantine.rows order by source_row"
    assert con.execute(rows).fetchall() == [
        (3, None, "<line not kept: 32 characters in 6 field(s) where the header has 5, and "
                  "the file has personal-data columns>", "malformed_row"),
        (4, "Resident Name", "C,1,2023-05-03,<personal data>,North", "malformed_row"),
        (5, "received_date", "31/02/2023", "invalid_date")]
    # eight days later: raw's personal data (rows 2 and 5) and the malformed lines (rows 3
    # and 4) are past the retention; a staged column's failing value is not personal and stays
    con.execute("update audit.loads set loaded_at = loaded_at - interval 8 days")
    assert expired_rows(con, list(INPUT_SPECS), 7) == 4
    assert erase_expired(con, list(INPUT_SPECS), 7) == 4
    assert con.execute(rows).fetchall() == [(3, None, None, "malformed_row"),
                                            (4, "Resident Name", None, "malformed_row"),
                                            (5, "received_date", "31/02/2023", "invalid_date")]
    assert con.execute("select count(personal_data) from raw.complaints").fetchone() == (0,)
    assert expired_rows(con, list(INPUT_SPECS), 7) == 0
    con.close()


def test_the_console_masks_a_value_of_a_column_named_as_personal(capsys, monkeypatch):
    """Defence in depth: whatever wrote quarantine, the console shows no value of a column
    whose name is personal, and no malformed line."""
    from pipeline import run
    from pipeline.ingest.load_dataset import LoadSummary

    result = run.RefreshResult(LoadSummary(), 0.1, [
        ("c.csv", 2, "EmailAddress", "ann@secret.example", "bad", "invalid_code"),
        ("c.csv", 3, None, "A,ann@secret.example", "too many columns", "malformed_row"),
        ("c.csv", 4, "stage", "3", "not one of the allowed codes", "invalid_code")])
    monkeypatch.setattr(run, "refresh", lambda config: result)
    assert cli.main(["refresh", "--dataset", "x", "--outputs", "y"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[:3] == [
        "quarantined: c.csv row 2 column EmailAddress: <personal data>: bad",
        "quarantined: c.csv row 3 column -: line not shown (see quarantine.rows): too many columns",
        "quarantined: c.csv row 4 column stage: '3': not one of the allowed codes"]
