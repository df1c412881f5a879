"""Refresh: idempotent, and rebuilt when the dataset's TOML rules change."""

import duckdb

from pipeline.run import refresh
from pipeline.settings import RunConfig
from tests.conftest import write_dataset

HOMES = "home_ref,tenure\nH1,General Needs\nH2,LCHO\n"


def test_changing_mapping_toml_restages_what_was_loaded(tmp_path):
    ds = write_dataset(tmp_path / "ds", {"homes.csv": HOMES})
    config = RunConfig.create(ds, tmp_path / "out", year=2024, render=False)
    refresh(config)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    assert con.execute("select tenure from staging.homes where home_ref = 'H1'").fetchone() == (
        "general_needs",)
    con.close()
    (ds / "mapping.toml").write_text('[homes.values.tenure]\n"General Needs" = "LCRA"\n')
    summary = refresh(config).summary
    assert summary.files_loaded == 1  # the same homes.csv, staged again under the new mapping
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    assert con.execute("select tenure from staging.homes where home_ref = 'H1'").fetchone() == ("LCRA",)
    assert con.execute("select count(*) from raw.homes").fetchone()[0] == 2
    con.close()


def test_same_files_loaded_in_another_order_give_the_same_staging(tmp_path):
    header = "complaint_ref,stage,received_date,responded_date\n"
    older = header + "A,1,2024-03-01,\nB,1,2024-03-02,\n"
    newer = header + "A,1,2024-03-01,2024-03-15\n"
    ds1 = write_dataset(tmp_path / "one", {"complaints_2024-03-30.csv": older})
    c1 = RunConfig.create(ds1, tmp_path / "o1", render=False)
    refresh(c1)
    (ds1 / "complaints_2024-03-31.csv").write_text(newer)
    refresh(c1)
    ds2 = write_dataset(tmp_path / "two", {"complaints_2024-03-31.csv": newer})
    c2 = RunConfig.create(ds2, tmp_path / "o2", render=False)
    refresh(c2)
    (ds2 / "complaints_2024-03-30.csv").write_text(older)
    refresh(c2)
    query = "select complaint_ref, stage, received_date, responded_date from staging.complaints order by 1"
    marts = ("select * exclude (sort_order) from report.report_tsm_publication_table order by all",
             "select * from marts.chc_complaint_kpis order by all")
    results, mart_results = [], []
    for c in (c1, c2):
        con = duckdb.connect(str(c.warehouse_path), read_only=True)
        results.append(con.execute(query).fetchall())
        mart_results.append([con.execute(q).fetchall() for q in marts])
        con.close()
    assert results[0] == results[1]
    assert results[0][0][3] is not None  # A answered, from the newer export
    assert mart_results[0] == mart_results[1]


def test_an_older_export_arriving_on_a_later_night_does_not_win(tmp_path):
    header = "complaint_ref,stage,received_date,responded_date\n"
    ds = write_dataset(tmp_path / "ds", {
        "complaints_2024-03-31.csv": header + "A,1,2024-03-01,2024-03-15\nA,2,2024-03-20,\n"})
    config = RunConfig.create(ds, tmp_path / "out", render=False)
    refresh(config)
    # a night later, an export dated earlier turns up, and a newer one with a new key
    (ds / "complaints_2024-03-30.csv").write_text(header + "A,1,2024-03-01,\nB,1,2024-03-02,\n")
    (ds / "complaints_2024-04-01.csv").write_text(header + "A,2,2024-03-20,2024-03-28\n")
    refresh(config)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    rows = con.execute("select complaint_ref, stage, responded_date::VARCHAR, source_file "
                       "from staging.complaints order by 1, 2").fetchall()
    con.close()
    assert rows == [("A", 1, "2024-03-15", "complaints_2024-03-31.csv"),
                    ("A", 2, "2024-03-28", "complaints_2024-04-01.csv"),
                    ("B", 1, None, "complaints_2024-03-30.csv")]


def test_an_edited_survey_toml_takes_effect_though_no_file_is_new(tmp_path):
    survey = ("response_id,tenure,collection_method,response_date,tp01,weight\n"
              "A,LCRA,postal,2024-02-01,very_satisfied,3\nB,LCRA,postal,2024-02-01,neither,1\n")
    ds = write_dataset(tmp_path / "ds", {"survey_responses.csv": survey})
    config = RunConfig.create(ds, tmp_path / "out", year=2024, render=False)
    query = ("select numerator, denominator from report.report_tsm_publication_table "
             "where measure_code = 'TP01' and tenure = 'LCRA' and end_year = 2024")

    def tp01():
        con = duckdb.connect(str(config.warehouse_path), read_only=True)
        try:
            return con.execute(query).fetchone()
        finally:
            con.close()

    refresh(config)
    assert tp01() == (1.0, 2.0)  # no survey.toml: unweighted
    assert refresh(config).summary.files_loaded == 0
    (ds / "survey.toml").write_text('[surveys."2023/24"]\nweighting = "column"\n')
    assert refresh(config).summary.files_loaded == 0
    assert tp01() == (3.0, 4.0)  # the contractor's weights, 3 of 4
