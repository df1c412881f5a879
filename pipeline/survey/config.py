"""survey.toml: facts about each year's survey that no row holds (inputs.md). Every key is
optional; what is missing is named in the report as "not declared", never invented."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.dataset import read_toml
from pipeline.errors import PipelineError

log = logging.getLogger("tsm")

KEYS = {"sample_method", "fieldwork_start", "fieldwork_end", "contractor", "contractor_role",
        "incentives", "excluded_households", "excluded_reason", "shortfall_reason", "other_issues",
        "characteristics", "weighting", "weight_by", "flag_threshold_points",
        "characteristics_rationale", "questionnaire", "method_changes", "surveys_left_out"}
SAMPLE_METHODS = ("census", "simple_random", "stratified", "other")
WEIGHTINGS = ("none", "rim", "column")


@dataclass(frozen=True)
class SurveyYear:
    label: str
    declared: dict = field(default_factory=dict)

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
    raw = read_toml(dataset_dir / "survey.toml")
    surveys = raw.get("surveys", {})
    if not isinstance(surveys, dict):
        raise PipelineError('survey.toml: expected [surveys."2023/24"] tables, one per reporting year')
    years = {}
    for label, table in surveys.items():
        if not isinstance(table, dict):
            raise PipelineError(f'survey.toml: [surveys."{label}"] must be a table')
        unknown = set(table) - KEYS
        if unknown:
            log.warning('survey.toml: [surveys."%s"] ignores unknown key(s) %s', label, sorted(unknown))
        if table.get("weighting", "none") not in WEIGHTINGS:
            raise PipelineError(f'survey.toml: [surveys."{label}"] weighting must be one of '
                                f"{', '.join(WEIGHTINGS)}, not {table.get('weighting')!r}")
        if table.get("weighting") == "rim" and not table.get("weight_by"):
            raise PipelineError(f'survey.toml: [surveys."{label}"] weighting = "rim" needs weight_by = [...]')
        # one method for the survey, or one per tenure: sample_method = { LCRA = "simple_random",
        # LCHO = "census" }
        method = table.get("sample_method")
        methods = method.values() if isinstance(method, dict) else [method] if method else []
        if any(m not in SAMPLE_METHODS for m in methods):
            raise PipelineError(f'survey.toml: [surveys."{label}"] sample_method must be one of '
                                f"{', '.join(SAMPLE_METHODS)} (or a table of them by tenure)")
        for key in ("fieldwork_start", "fieldwork_end"):
            if key in table and not isinstance(table[key], date):
                try:  # a quoted "2024-01-29" is read as the date it plainly means
                    table[key] = date.fromisoformat(str(table[key]).strip())
                except ValueError:
                    raise PipelineError(f'survey.toml: [surveys."{label}"] {key} must be a date '
                                        f"like 2024-01-29, not {table[key]!r}") from None
        years[label] = SurveyYear(label, dict(table))
    return years
