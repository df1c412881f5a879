"""The KPI rulings of complaints.md (issue 18): refused escalations, outcomes, shares with
their denominator, small numbers on breakdowns only, not available, failure orders."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.report.outputs import kpi_table

# C1: stage 1, then an accepted stage 2. C2: stage 1, then a refused escalation request.
# C3: stage 1 only, still open. All of category 'repairs' (a breakdown of 3 at stage 1).
COMPLAINTS = ("complaint_ref,stage,received_date,acknowledged_date,responded_date,outcome,"
              "refused,refusal_reason,category\n"
              "C1,1,2023-05-01,2023-05-02,2023-05-10,not_upheld,,,repairs\n"
              "C1,2,2023-06-01,2023-06-02,2023-06-20,upheld,,,repairs\n"
              "C2,1,2023-07-03,2023-07-04,2023-07-12,not_upheld,,,repairs\n"
              "C2,2,2023-08-01,,,,Y,previously_considered,repairs\n"
              "C3,1,2023-09-04,2023-09-05,,,,,repairs\n")
OMBUDSMAN = ("ombudsman_ref,complaint_ref,determination_date,finding,compensation_ordered_gbp,orders\n"
             "HO1,C1,2023-10-02,maladministration,150,apologise\n")
FAILURES = ("ombudsman_ref,issued_date,kind,code_provision,summary\n"
            "HO2,2023-11-01,order,6.2,stage 1 response not sent within 10 working days\n"
            "HO3,2024-01-15,notice,5.1,\n"
            "HO4,2024-05-01,order,6.14,issued after the year\n")


@pytest.fixture(scope="module")
def kpis(tmp_path_factory):
    """Built once for the module's tests, which only read it."""
    import duckdb

    from pipeline.run import refresh
    from pipeline.settings import RunConfig
    from tests.conftest import write_dataset

    root = tmp_path_factory.mktemp("kpis")
    dataset = write_dataset(root / "ds", {"complaints.csv": COMPLAINTS,
                                          "ombudsman_cases.csv": OMBUDSMAN,
                                          "complaint_handling_failures.csv": FAILURES})
    config = RunConfig.create(dataset, root / "ds-out", year=2024, render=False)
    refresh(config)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    yield kpi_table(con, 2024, small_number_threshold=5)
    con.close()


def pick(kpis, stage, kpi, breakdown="total", group=""):
    rows = kpis[(kpis.stage == stage) & (kpis.kpi == kpi) & (kpis.breakdown == breakdown)
                & (kpis.group == group)]
    assert len(rows) == 1, (stage, kpi, breakdown, group)
    return rows.iloc[0]


def test_a_refused_escalation_request_is_not_an_escalation(kpis):
    escalated = pick(kpis, "1", "escalated_to_stage_2")
    assert (escalated["count"], escalated["denominator"]) == (1, 3)  # C1 only, of C1-C3
    assert escalated["denominator_description"] == "stage 1 complaints received in the year"
    resolved = pick(kpis, "1", "resolved_at_stage_1")
    assert (resolved["count"], resolved["denominator"]) == (1, 3)  # C2 (answered, no stage 2)
    assert pick(kpis, "2", "received")["count"] == 1
    assert pick(kpis, "2", "refused", "refusal_reason", "previously_considered")["suppressed"]


def test_the_four_outcomes_always_show_per_stage(kpis):
    stage_1 = kpis[(kpis.stage == "1") & (kpis.kpi == "outcome")].set_index("group")
    assert list(stage_1.index) == ["not_upheld", "partly_upheld", "upheld", "withdrawn"]
    assert stage_1["count"].tolist() == [2, 0, 0, 0]  # C1, C2 answered; C3 open
    assert set(stage_1["denominator"]) == {2}
    assert not stage_1["suppressed"].any()  # the stage's own total, not a breakdown
    stage_2 = kpis[(kpis.stage == "2") & (kpis.kpi == "outcome")].set_index("group")
    assert stage_2.loc["upheld", "count"] == 1 and stage_2.loc["upheld", "value"] == 100


def test_small_numbers_suppress_a_breakdown_of_3_never_the_total_of_3(kpis):
    total = pick(kpis, "1", "received")
    assert (total["count"], total["suppressed"]) == (3, False)
    repairs = pick(kpis, "1", "received", "category", "repairs")
    assert repairs["suppressed"] and pd.isna(repairs["count"])


def test_ombudsman_figures_are_never_suppressed(kpis):
    finding = pick(kpis, "all", "ombudsman_determinations", "finding", "maladministration")
    assert (finding["count"], finding["denominator"], finding["suppressed"]) == (1, 1, False)
    assert pick(kpis, "all", "ombudsman_maladministration_rate")["value"] == 100


def test_complaint_handling_failure_orders_and_notices_apart_from_determinations(kpis):
    assert pick(kpis, "all", "complaint_handling_failure_orders")["count"] == 1  # HO4 is 2024/25
    assert pick(kpis, "all", "complaint_handling_failure_notices")["count"] == 1
    assert pick(kpis, "all", "ombudsman_determinations")["count"] == 1
    assert set(kpis["status"]) == {"ok"}


def test_kpis_without_their_file_are_not_available_never_zero(build):
    con = build({"complaints.csv": COMPLAINTS})
    kpis = kpi_table(con, 2024)
    ombudsman = kpis[kpis.kpi.str.startswith("ombudsman")]
    assert len(ombudsman) and set(ombudsman["status"]) == {"not_available"}
    assert set(ombudsman["status_reason"]) == {"no ombudsman_cases.csv in the dataset"}
    assert ombudsman["count"].isna().all()
    orders = pick(kpis, "all", "complaint_handling_failure_orders")
    assert orders["status"] == "not_available" and pd.isna(orders["count"])
    assert pick(kpis, "1", "received")["status"] == "ok"


def test_a_homes_only_dataset_has_every_complaint_figure_not_available(build):
    kpis = kpi_table(build({}), 2024)
    assert len(kpis) and set(kpis["status"]) == {"not_available"}
    assert kpis["count"].isna().all() and kpis["value"].isna().all()
    received = pick(kpis, "1", "received")
    assert received["status_reason"] == "no complaints.csv in the dataset"
