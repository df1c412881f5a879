"""Personal data never goes beyond raw, and raw keeps it only for the retention period."""

from datetime import datetime, timedelta

import duckdb
import pytest

from pipeline.personal_data import erase_expired, is_personal_column
from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.conftest import write_dataset

EXPORT = ("Case Ref,stage,received_date,Resident Name,Contact Tel,Email Address,Case Notes,"
          "Ward\nA,1,2023-05-01,Ann Example,01234 567890,ann@example.org,"
          "\"rang about damp, upset\",North\n")
MAPPING = '[complaints]\nrename = { "Case Ref" = "complaint_ref" }\npersonal_data = ["Ward"]\n'


@pytest.mark.parametrize("header", ["Resident Name", "tenant_name", "Address Line 1", "Postcode",
                                    "Mobile", "Contact Tel", "E-mail", "Case Notes", "DOB",
                                    "Description"])
def test_recognised_by_name(header):
    assert is_personal_column(header)


@pytest.mark.parametrize("header", ["area", "stock_type", "age_band", "priority", "Tenancy"])
def test_ordinary_columns_are_not_personal(header):
    assert not is_personal_column(header)


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
