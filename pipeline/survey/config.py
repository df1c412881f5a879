"""survey.toml: facts about each year's survey that no row holds (inputs.md). Every key is
optional; what is missing is named in the report as "not declared", never invented.

Read into checked SurveyYear objects: a value of the wrong type, a year label that is not a
reporting year or an impossible value is a one-line error naming the file, the table and the
key (`survey.toml: [surveys."2023/24"] fieldwork_start must be a date ...`) before any work."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline import config_checks as check
from pipeline.config_checks import Where
from pipeline.dataset import read_toml
from pipeline.errors import PipelineError
from pipeline.periods import ReportingPeriod, YearError

FILE = "survey.toml"
TEXT_KEYS = ("contractor", "contractor_role", "incentives", "excluded_reason", "shortfall_reason",
             "other_issues", "characteristics_rationale", "questionnaire", "method_changes")
KEYS = {"sample_method", "fieldwork_start", "fieldwork_end", "excluded_households",
        "characteristics", "weighting", "weight_by", "flag_threshold_points", "surveys_left_out",
        *TEXT_KEYS}
SAMPLE_METHODS = ("census", "simple_random", "stratified", "other")
WEIGHTINGS = ("none", "rim", "column")
MAX_FLAG_THRESHOLD_POINTS = 100  # percentage points: a share differs by at most 100
MAX_HOUSEHOLDS = 10_000_000  # more homes than any landlord in England has


@dataclass(frozen=True)
class SurveyYear:
    label: str
    declared: dict = field(default_factory=dict)  # the checked values of the keys set

    def get(self, key: str, default=None):
        return self.declared.get(key, default)

    @property
    def weighting(self) -> str:
        return self.declared.get("weighting", "none")

    @property
    def weight_by(self) -> list[str]:
        return list(self.declared.get("weight_by", []))

    @property
    def characteristics(self) -> list[str]:
        return list(self.declared.get("characteristics", []))

    @property
    def flag_threshold_points(self) -> float:
        return float(self.declared.get("flag_threshold_points", 5))


def read_survey_config(dataset_dir: Path) -> dict[str, SurveyYear]:
    path = Path(dataset_dir) / FILE
    return parse_survey_config(read_toml(path), str(path))


def parse_survey_config(raw: dict, source: str = FILE) -> dict[str, SurveyYear]:
    """The checked SurveyYear of each [surveys."YYYY/YY"] table; `source` keys warnings."""
    where = Where(FILE)
    check.unknown_keys(where, raw, ("surveys",), source)
    surveys = check.table(where, "surveys", raw.get("surveys", {}),
                          '[surveys."2023/24"], one table per reporting year')
    years = {}
    for label, table in surveys.items():
        _check_label(label)
        inner = where.sub(f'[surveys."{label}"]')
        if not isinstance(table, dict):
            raise inner.problem("must be a table of the survey's facts", table)
        check.unknown_keys(inner, table, KEYS, source)
        years[label] = SurveyYear(label, _declared(inner, table))
    return years


def _check_label(label: str) -> None:
    try:
        period = ReportingPeriod.parse(label)
    except YearError:
        period = None
    if period is None or period.label != label:
        hint = f' (did you mean [surveys."{period.label}"]?)' if period else ""
        raise PipelineError(f'{FILE}: [surveys."{label}"] is not a reporting year; the tables '
                            f'are named by the year\'s label, e.g. [surveys."2023/24"]{hint}')


def _declared(where: Where, table: dict) -> dict:
    out: dict = {}
    for key in TEXT_KEYS:
        if key in table:
            out[key] = check.text(where, key, table[key])
    if "sample_method" in table:
        # one method for the survey, or one per tenure: { LCRA = "simple_random", LCHO = "census" }
        method = table["sample_method"]
        one = lambda w, k, v: check.choice(w, k, v, SAMPLE_METHODS)  # noqa: E731
        out["sample_method"] = check.by_tenure(where, "sample_method", method, one) \
            if isinstance(method, dict) else one(where, "sample_method", method)
    for key in ("fieldwork_start", "fieldwork_end"):
        if key in table:  # a quoted "2024-01-29" is read as the date it plainly means
            out[key] = check.a_date(where, key, table[key])
    if out.get("fieldwork_end") and out.get("fieldwork_start") \
            and out["fieldwork_end"] < out["fieldwork_start"]:
        raise where.error("fieldwork_end", f"on or after fieldwork_start "
                          f"({out['fieldwork_start']})", out["fieldwork_end"])
    if "excluded_households" in table:
        # one figure for the survey, or one per tenure: { LCRA = 10, LCHO = 3 }
        excluded = table["excluded_households"]
        count = lambda w, k, v: check.whole(w, k, v, 0, MAX_HOUSEHOLDS)  # noqa: E731
        out["excluded_households"] = check.by_tenure(where, "excluded_households", excluded, count) \
            if isinstance(excluded, dict) else count(where, "excluded_households", excluded)
    for key in ("characteristics", "weight_by"):
        if key in table:
            out[key] = check.texts(where, key, table[key])
    if "weighting" in table:
        out["weighting"] = check.choice(where, "weighting", table["weighting"], WEIGHTINGS)
    if out.get("weighting") == "rim" and not out.get("weight_by"):
        raise where.problem('weighting = "rim" needs weight_by = [...], the characteristics '
                            "to weight by")
    if "flag_threshold_points" in table:
        out["flag_threshold_points"] = check.positive(
            where, "flag_threshold_points", table["flag_threshold_points"],
            MAX_FLAG_THRESHOLD_POINTS)
    if "surveys_left_out" in table:
        left_out = table["surveys_left_out"]
        out["surveys_left_out"] = check.texts(where, "surveys_left_out", left_out) \
            if isinstance(left_out, list) else check.text(where, "surveys_left_out", left_out)
    return {key: out[key] for key in table if key in out}  # in the file's order
