"""report_data and figures on a tiny warehouse whose numbers are checked by hand.

Dataset: two homes (H1 LCRA, H2 LCHO); in 2023/24 C1 (stage 1, H1, repairs) received
Tue 2 May 2023 and answered 10 May (6 working days: on time, upheld); C2 (H2, damp and
mould) stage 1 received Sat 16 Sep 2023, no acknowledgement, answered 3 Oct (12 working days
from Mon 18 Sep: late, not upheld), then stage 2 received 5 Oct 2023 and still open.
"""

from __future__ import annotations

import os

import pytest
from matplotlib.figure import Figure

from pipeline.errors import PipelineError
from pipeline.report import figures, report_data
from pipeline.run import refresh
from pipeline.settings import RunConfig

HOMES = "home_ref,tenure\nH1,LCRA\nH2,LCHO\n"
COMPLAINTS = (
    "complaint_ref,stage,received_date,acknowledged_date,responded_date,home_ref,outcome,category\n"
    "C1,1,2023-05-02,2023-05-03,2023-05-10,H1,upheld,repairs\n"
    "C2,1,2023-09-16,,2023-10-03,H2,not_upheld,damp_mould\n"
    "C2,2,2023-10-05,2023-10-06,,H2,,damp_mould\n"
)


def build_tiny_warehouse(folder):
    dataset = folder / "dataset"
    dataset.mkdir()
    (dataset / "homes.csv").write_text(HOMES, encoding="utf-8")
    (dataset / "complaints.csv").write_text(COMPLAINTS, encoding="utf-8")
    config = RunConfig.create(dataset, folder / "outputs", year=2024, render=False)
    refresh(config)
    return config.warehouse_path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_tiny_warehouse(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def data(warehouse):
    return report_data.load(warehouse, 2024, "Tiny Homes")


def test_year_labels_and_title(data):
    assert data.end_year == 2024
    assert data.year_label == "2023/24"
    assert data.title == "Tiny Homes: Complaints performance 2023/24"


def test_latest_year_is_the_default(warehouse):
    assert report_data.latest_year(warehouse) == 2024
    assert report_data.load(warehouse).end_year == 2024


def test_unknown_year_is_a_pipeline_error(warehouse):
    with pytest.raises(PipelineError, match="2030"):
        report_data.load(warehouse, 2030)


def test_missing_warehouse_is_a_pipeline_error(tmp_path):
    with pytest.raises(PipelineError, match="no warehouse"):
        report_data.load(tmp_path / "absent.duckdb", 2024)


def test_load_only_reads(warehouse):
    before = os.stat(warehouse).st_mtime_ns
    report_data.load(warehouse, 2024)
    assert os.stat(warehouse).st_mtime_ns == before


def _ch(data, code, stage, tenure):
    frame = data.ch_table
    hit = frame[(frame.measure_code == code) & (frame.stage == stage) & (frame.tenure == tenure)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_ch_table_published_values(data):
    assert len(data.ch_table) == 12  # 2 measures x 2 stages x 3 tenures
    assert list(data.ch_table.measure_code.unique()) == ["CH01", "CH02"]
    # 1 stage 1 complaint / 1 LCRA home * 1000
    assert _ch(data, "CH01", "Stage 1", "LCRA").published == "1000.0"
    # 1 stage 2 complaint / 2 homes * 1000
    assert _ch(data, "CH01", "Stage 2", "ALL").published == "500.0"
    assert _ch(data, "CH01", "Stage 2", "LCRA").published == "0.0"
    # C1 on time, C2 late
    assert _ch(data, "CH02", "Stage 1", "ALL").published == "50.0%"
    assert _ch(data, "CH02", "Stage 1", "LCRA").published == "100.0%"
    assert _ch(data, "CH02", "Stage 2", "LCHO").published == "0.0%"


def test_ch_table_not_available_status(data):
    row = _ch(data, "CH02", "Stage 2", "LCRA")  # no LCRA stage 2 complaints
    assert row.published == ""
    assert row.status.startswith("not available: ")
    assert _ch(data, "CH01", "Stage 1", "LCRA").status == "ok"


def test_monthly_received_april_to_march_zero_filled(data):
    monthly = data.monthly
    assert list(monthly.month) == [f"2023-{m:02d}" for m in range(4, 13)] + [
        "2024-01", "2024-02", "2024-03"]
    assert monthly.month_label.iloc[0] == "Apr 2023"
    by_month = monthly.set_index("month")
    assert by_month.loc["2023-05", "stage_1"] == 1
    assert by_month.loc["2023-09", "stage_1"] == 1
    assert by_month.loc["2023-10", "stage_2"] == 1
    assert monthly.stage_1.sum() == 2
    assert monthly.stage_2.sum() == 1


def test_timeliness_by_stage(data):
    t = data.timeliness.set_index("stage")
    assert t.loc["Stage 1", ["on_time", "on_time_extended", "late", "open"]].tolist() == [1, 0, 1, 0]
    assert t.loc["Stage 2", ["on_time", "on_time_extended", "late", "open"]].tolist() == [0, 0, 0, 1]
    assert t.total.tolist() == [2, 1]


def test_categories(data):
    c = data.categories.set_index("category")
    assert list(c.index) == ["damp_mould", "repairs"]  # most complaints first
    assert c.loc["damp_mould", "received"] == 2  # stage 1 and stage 2
    assert c.loc["damp_mould", "within_timescale_published"] == "0.0%"
    assert c.loc["damp_mould", "upheld_published"] == "0.0%"  # of the 1 with an outcome
    assert c.loc["repairs", "received"] == 1
    assert c.loc["repairs", "upheld_published"] == "100.0%"
    assert c.loc["repairs", "within_timescale_pct"] == pytest.approx(100.0)


def test_outcomes_by_stage(data):
    o = data.outcomes.set_index("stage")
    assert o.loc["Stage 1", ["upheld", "partly_upheld", "not_upheld", "withdrawn"]].tolist() == [
        1, 0, 1, 0]
    assert o.loc["Stage 1", "total"] == 2
    assert o.loc["Stage 2", "no_outcome"] == 1
    assert o.loc["Stage 2", "total"] == 1


def test_headline(data):
    h = data.headline.set_index("measure")
    assert h.loc["Complaints received", "Stage 1"] == "2"
    assert h.loc["Complaints received", "Stage 2"] == "1"
    assert h.loc["Responded to within the Code timescale", "Stage 1"] == "50.0%"


def test_data_quality_per_file(data):
    dq = data.data_quality.set_index("source_file")
    assert set(dq.index) == {"homes.csv", "complaints.csv"}
    assert dq.loc["complaints.csv", "rows_read"] == 3
    assert dq.loc["complaints.csv", "rows_staged"] == 3
    assert dq.loc["complaints.csv", "rows_quarantined"] == 0
    assert data.quarantine.empty


def test_html_tables_have_no_index_and_escape(data):
    html = report_data.ch_table_html(data)
    assert html.startswith('<table class="report-table">')
    assert "<th>Measure</th>" in html and "CH01" in html and "1000.0" in html
    assert "Ombudsman&#x27;s" in html  # escaped apostrophe


@pytest.mark.parametrize("draw, frame", [
    (figures.complaints_per_month, "monthly"),
    (figures.timescale_performance, "timeliness"),
    (figures.categories, "categories"),
    (figures.outcomes, "outcomes"),
])
def test_figures_return_figure_and_alt_text(data, draw, frame, tmp_path):
    fig, alt = draw(getattr(data, frame), data.year_label)
    assert isinstance(fig, Figure)
    assert alt and "2023/24" in alt and fig.alt_text == alt
    assert fig.axes[0].get_title()
    paths = figures.save_figure(fig, tmp_path / "figures", draw.__name__)
    assert [p.name for p in paths] == [f"{draw.__name__}.png", f"{draw.__name__}.svg"]
    assert all(p.stat().st_size > 1000 for p in paths)
    html = figures.to_html(fig)
    assert 'src="data:image/png;base64,' in html and "alt=" in html


def test_monthly_alt_text_counts(data):
    _, alt = figures.complaints_per_month(data.monthly, data.year_label)
    assert "2 stage 1 complaints" in alt and "1 stage 2 complaint " in alt
