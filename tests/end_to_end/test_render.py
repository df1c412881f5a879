"""render_report on a tiny dataset (tests/end_to_end/tiny_report_dataset.py): the notebooks
run in order into one self-contained report.html with a contents list, every required
section, all 22 measures, no code, figures embedded with alt text and kept as PNG and SVG;
a failing notebook leaves nothing behind; and headless Chromium loads the page cleanly."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.report.publication import MEASURE_CODES
from pipeline.report.render import render_report
from tests.end_to_end.tiny_report_dataset import build

pytestmark = pytest.mark.slow

FIGURES = ("complaints_per_month", "timescale_performance", "outcomes", "categories",
           "perception_intervals", "trends", "benchmarks_percent", "benchmarks_per_1000_homes")
SECTIONS = (
    "Tenant Satisfaction Measures", "Overall satisfaction", "Keeping properties in good repair",
    "Maintaining building safety", "Respectful and helpful engagement",
    "Effective handling of complaints", "Responsible neighbourhood management",
    "Complaints performance and service improvement report", "Self-assessment against the Code",
    "Complaint handling performance", "Complaints refused and why", "Housing Ombudsman findings",
    "Service improvements from learning", "Tenant perception survey", "Summary of approach",
    "Results with confidence intervals", "Statistical accuracy", "Representativeness",
    "Data quality", "Files read, staged and quarantined", "Quarantined rows by rule",
    "Plausibility warnings", "Trends and benchmarks", "Trends",
    "Year-on-year change in perception measures", "Benchmarks",
)
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def rendered(config):
    path = render_report(config.warehouse_path, 2024, config.year_dir, "Tiny Homes",
                         dataset_dir=config.dataset_dir)
    return config.year_dir, path, path.read_text(encoding="utf-8")


class Page(HTMLParser):
    """Headings (level, text), images (attributes) and script tags of a page."""

    def __init__(self):
        super().__init__()
        self.headings, self.images, self.scripts, self._level, self._text = [], [], 0, None, ""

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._level, self._text = int(tag[1]), ""
        elif tag == "img":
            self.images.append(dict(attrs))
        elif tag == "script":
            self.scripts += 1

    def handle_data(self, data):
        if self._level:
            self._text += data

    def handle_endtag(self, tag):
        if self._level and tag == f"h{self._level}":
            self.headings.append((self._level, " ".join(self._text.split())))
            self._level = None


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_report_written_without_leftovers(rendered):
    year_dir, path, _ = rendered
    assert path == year_dir / "report.html"
    assert [p.name for p in year_dir.iterdir() if p.name.startswith(".")] == []


def test_every_required_section_heading_in_order(rendered):
    headings = parse(rendered[2]).headings
    texts = [t for _, t in headings]
    assert headings[0] == (1, "Tiny Homes: Annual report 2023/24")
    assert [level for level, _ in headings].count(1) == 1
    positions = [texts.index(s) for s in SECTIONS]  # every section is there...
    assert positions == sorted(positions)  # ...in the report's order
    levels = [level for level, _ in headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), "a heading level is skipped"


def test_contents_list_links_every_section(rendered):
    html = rendered[2]
    nav = html[html.index('<nav class="contents"'):html.index("</nav>")]
    for section in SECTIONS:
        slug = re.search(rf'<h[23] id="([^"]+)">{re.escape(section)}</h[23]>', html).group(1)
        assert f'href="#{slug}"' in nav


def test_all_22_measures_with_the_regulators_wording(rendered):
    html = rendered[2]
    assert len(MEASURE_CODES) == 22
    for code in MEASURE_CODES:
        assert f"<th scope=\"row\">{code}" in html, code
    assert "Proportion of respondents who report that they are satisfied with the overall " \
           "service from their landlord" in html
    assert "Low cost rental (LCRA)" in html and "Low cost home ownership (LCHO)" in html
    assert "not available: no repairs.csv in the dataset" in html or "not available: " in html
    assert ">25.0%<" in html  # TP01 LCRA 2023/24: 1 of 4 satisfied


def test_report_has_no_code_and_no_scripts(rendered):
    html = rendered[2]
    for text in ("open_context(", "from pipeline", "display(", "import ", "ctx."):
        assert text not in html, text
    assert parse(html).scripts == 0


def test_figures_embedded_with_alt_text(rendered):
    images = parse(rendered[2]).images
    assert len(images) == len(FIGURES)
    for image in images:
        assert image["src"].startswith("data:image/png;base64,")
        assert len(image.get("alt", "")) > 20


def test_figures_written_as_png_and_svg(rendered):
    figures = rendered[0] / "figures"
    for name in FIGURES:
        assert (figures / f"{name}.png").stat().st_size > 1000
        assert (figures / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert sorted(p.stem for p in figures.glob("*.png")) == sorted(FIGURES)


def test_print_stylesheet_and_tables_not_images(rendered):
    html = rendered[2]
    assert "@media print" in html
    assert html.count('<table class="report-table') > 15


def test_self_assessment_flags_a_contradicted_yes(rendered):
    html = rendered[2]
    # 6.2 says yes; C2 (stage 1) was never acknowledged
    row = re.search(r"<tr><td[^>]*>6\.2</td>.*?</tr>", html, re.S).group(0)
    assert "1 of 2 stage 1 complaints (50.0%) acknowledged within 5 working days" in row
    assert "data contradicts" in row
    # 6.3 is 'partly': no flag even though C2 was late
    row = re.search(r"<tr><td[^>]*>6\.3</td>.*?</tr>", html, re.S).group(0)
    assert "data contradicts" not in row and "1 late" in row


def test_overdue_actions_flagged(rendered):
    html = rendered[2]
    assert html.count("⚠ Overdue") == 1  # due 30 Jun 2023, in progress; judged at 31 Mar 2024


def test_small_numbers_shown_below_the_threshold(rendered):
    html = rendered[2]  # landlord.toml sets small_number_threshold = 3
    assert "Counts in breakdowns below 3 are shown as '&lt;3'" in html
    assert ">&lt;3<" in html


def test_trends_significance_and_illustrative_benchmarks(rendered):
    html = rendered[2]
    assert "2022/23" in html and "2023/24 (this report)" in html
    assert "2022/23 → 2023/24" in html  # TP01 LCRA 75% -> 25%, tested
    assert "Illustrative figures, not real sector benchmarks" in html
    assert "lowest quartile" in html or "highest quartile" in html


def test_real_sector_benchmarks_for_2023_24(rendered):
    html = rendered[2]  # Tiny Homes sets no landlord_type: its peer group is all landlords
    assert "Regulator of Social Housing" in html
    assert ("Sector figures: Regulator of Social Housing, Tenant Satisfaction Measures 2023/24, "
            "Open Government Licence v3.0") in html
    assert "<strong>all landlords</strong>" in html
    assert "(TP01 LCRA: 355)" in html and "all (355)" in html  # 355 published TP01 LCRA 2023/24


def test_failing_notebook_raises_one_line_and_leaves_no_report(config, tmp_path):
    year_dir = tmp_path / "2029-30"
    year_dir.mkdir()
    (year_dir / "report.html").write_text("stale", encoding="utf-8")
    with pytest.raises(PipelineError) as info:
        render_report(config.warehouse_path, 2030, year_dir, "")
    message = str(info.value)
    assert "\n" not in message
    assert "01_tsm_publication" in message and "2030" in message
    assert list(year_dir.iterdir()) == []


def test_chromium_loads_the_report_without_errors(rendered, tmp_path):
    """Headless Chromium: a screenshot is taken, the console has no errors, and every image
    decodes (a small script, added to a copy of the page, records any that did not)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (install chromium to run this check)")
    checker = (
        "<script>window.addEventListener('load', () => {"
        "const bad = [...document.images].filter(i => !i.complete || i.naturalWidth === 0);"
        "document.body.setAttribute('data-broken-images', String(bad.length));"
        "document.body.setAttribute('data-images', String(document.images.length));});</script>")
    page = tmp_path / "report.html"
    page.write_text(rendered[2].replace("</body>", checker + "</body>"), encoding="utf-8")
    common = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
              "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
    shot = tmp_path / "report.png"
    result = subprocess.run([*common, f"--screenshot={shot}", "--window-size=1200,3000",
                             page.as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120)
    console = [line for line in (result.stderr + dom.stderr).splitlines()
               if "CONSOLE" in line and ("error" in line.lower() or "uncaught" in line.lower())]
    assert console == []
    assert 'data-broken-images="0"' in dom.stdout
    assert f'data-images="{len(FIGURES)}"' in dom.stdout
    for image in parse(dom.stdout).images:
        assert image["src"].startswith("data:image/png;base64,") and image.get("alt")
    shutil.copy(shot, tmp_path / "screenshot-kept.png")
