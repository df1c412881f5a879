"""data_return.csv / data_return.xlsx: the regulator's TSM data return, one row per item.

The regulator's form changes its cell layout from year to year, so the mapping from our
figures to the form lives in one table, ``pipeline/reference/data_return_fields.csv`` (one
row per item, with its ``DP_TSML…`` code; see README_data_return.md there). This module
picks the rows for the reporting year and fills each row's ``value`` from the warehouse by
its ``source``. The resolvers below each document one ``source`` form.

Rules (tsm.md, "The regulator's data return"; outputs.md):

- values are unrounded (the return wants unrounded figures), except the margin of error;
- something not measured is blank with a note saying why, never 0;
- a table missing from the warehouse (e.g. no survey in the dataset) gives blank values
  with a note, never an error;
- every figure comes from an aggregate query run once per table, never one query per row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.periods import ReportingPeriod
from pipeline.rounding import round_half_away
from pipeline.settings import RunConfig
from pipeline.survey.config import SurveyYear, read_survey_config

FIELDS_CSV = Path(__file__).resolve().parents[1] / "reference" / "data_return_fields.csv"
COLUMNS = ["item_order", "section", "measure_code", "measure_part", "tenure", "item", "dp_code",
           "dp_label", "value", "source", "note"]
TIMESCALE_COLUMNS = ["measure_code", "name", "class_or_stage", "target", "unit", "in_force",
                     "note"]

MANUAL_NOTE = "to be supplied by the landlord"
TSM_TENURES = ("LCRA", "LCHO")
# data-return method names -> survey_responses.collection_method codes
METHODS = {"postal": "postal", "internet": "online", "telephone": "telephone",
           "face_to_face": "face_to_face", "sms": "sms", "other": "other"}
TOP_TWO = ("very_satisfied", "fairly_satisfied", "strongly_agree", "agree")
DONT_KNOW = ("dont_know", "not_applicable")
UNIT_TEXT = {"hours": "hours", "working_days": "working days", "calendar_days": "calendar days"}
UNIT_IN_DAYS = {"hours": 1 / 24, "working_days": 7 / 5, "calendar_days": 1.0}


@dataclass(frozen=True)
class Resolved:
    """A resolved item: its value (None = blank) and a note for whoever copies it."""

    value: object = None
    note: str = ""


def blank(note: str) -> Resolved:
    return Resolved(None, note)


# --------------------------------------------------------------------------- the mapping

def read_fields(path: Path = FIELDS_CSV) -> pd.DataFrame:
    """The mapping table, every column as text ('' when empty)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def mapping_year(fields: pd.DataFrame, period: ReportingPeriod) -> str:
    """The dictionary year whose rows apply to `period`: its own label when the mapping lists
    it; a later year uses the latest listed (2024/25), an earlier one the earliest (2023/24)."""
    labels = sorted({y.strip() for ys in fields["years"] for y in ys.split(";") if y.strip()})
    if period.label in labels:
        return period.label
    if not labels:
        raise PipelineError(f"{FIELDS_CSV.name}: no years listed")
    return labels[-1] if period.label > labels[-1] else labels[0]


def rows_for_year(fields: pd.DataFrame, year: str) -> pd.DataFrame:
    """The rows whose `years` list `year`, in item_order."""
    listed = fields["years"].map(lambda ys: year in [y.strip() for y in ys.split(";")])
    rows = fields[listed].copy()
    rows["item_order"] = rows["item_order"].astype(int)
    return rows.sort_values("item_order").reset_index(drop=True)


# --------------------------------------------------------------------------- helpers

def _number(x):
    """A figure as a plain Python number: whole numbers become ints (258.0 -> 258), others
    floats; None and NaN stay blank; text is kept as it is."""
    if x is None or isinstance(x, str):
        return x
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    if math.isnan(f):
        return None
    return int(f) if f.is_integer() else f


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _query(con, sql: str, params: list | dict | None = None) -> pd.DataFrame | None:
    """Run an aggregate query; None when a table it reads is not in the warehouse."""
    try:
        return con.execute(sql, params or []).df()
    except duckdb.CatalogException:
        return None


def _missing(table: str) -> Resolved:
    return blank(f"not available: {table} is not in the warehouse")


# --------------------------------------------------------------------------- the facts

class Facts:
    """Everything the resolvers need for one reporting year, each read once, lazily, by one
    aggregate query. An attribute is None when its table is not in the warehouse."""

    def __init__(self, con, config: RunConfig):
        self.con = con
        self.config = config
        self.period: ReportingPeriod = config.period
        self.weighting_slots = 3  # set by data_return_table from the year's rows

    @cached_property
    def tsm(self) -> pd.DataFrame | None:
        frame = _query(self.con, """select measure_code, coalesce(measure_part, '') as measure_part,
                   tenure, numerator, denominator, value, status, status_reason
                   from report.report_tsm_publication_table where end_year = ?""",
                       [self.period.end_year])
        return None if frame is None else frame.set_index(["measure_code", "measure_part", "tenure"])

    @cached_property
    def homes(self) -> dict[str, int] | None:
        frame = _query(self.con, """select tenure, homes_at_year_end
                   from intermediate.int_tsm_tenure_groups where end_year = ?""",
                       [self.period.end_year])
        return None if frame is None else dict(zip(frame["tenure"], frame["homes_at_year_end"]))

    @cached_property
    def survey(self) -> SurveyYear:
        years = read_survey_config(self.config.dataset_dir)
        return years.get(self.period.label, SurveyYear(self.period.label))

    @cached_property
    def population(self) -> dict[str, int] | None:
        """households per tenure, summed over the first characteristic (alphabetically)."""
        frame = _query(self.con, """with first as (
                       select tenure, min(characteristic) as characteristic
                       from staging.survey_population where year = ? group by tenure)
                   select p.tenure, sum(p.households)::BIGINT as households
                   from staging.survey_population p
                   join first on first.tenure = p.tenure and first.characteristic = p.characteristic
                   where p.year = ? group by p.tenure""", [self.period.label, self.period.label])
        return None if frame is None else dict(zip(frame["tenure"], frame["households"]))

    @cached_property
    def respondents(self) -> pd.DataFrame | None:
        """One row per tenure: respondents in the year, by method, and per routing answer."""
        return _query(self.con, """select tenure,
                   count(*) as responses_total,
                   count(*) filter (where collection_method = 'postal') as postal,
                   count(*) filter (where collection_method = 'online') as online,
                   count(*) filter (where collection_method = 'telephone') as telephone,
                   count(*) filter (where collection_method = 'face_to_face') as face_to_face,
                   count(*) filter (where collection_method = 'sms') as sms,
                   count(*) filter (where collection_method = 'other') as other,
                   count(*) filter (where repair_last_12m = 'yes') as repair_last_12m_yes,
                   count(*) filter (where repair_last_12m = 'no') as repair_last_12m_no,
                   count(*) filter (where complaint_last_12m = 'yes') as complaint_last_12m_yes,
                   count(*) filter (where complaint_last_12m = 'no') as complaint_last_12m_no,
                   count(*) filter (where communal_areas = 'yes') as communal_areas_yes,
                   count(*) filter (where communal_areas = 'no') as communal_areas_no
               from staging.survey_responses
               where response_date between ? and ? group by tenure""",
                      [self.period.start_date, self.period.end_date])

    def respondent_count(self, tenure: str) -> int:
        frame = self.respondents
        if frame is None or tenure not in set(frame["tenure"]):
            return 0
        return int(frame.set_index("tenure").loc[tenure, "responses_total"])

    @cached_property
    def answers(self) -> pd.DataFrame | None:
        """Per tenure x question x answer: weighted and plain counts of valid answers, and of
        don't know / not applicable from respondents asked and not routed away."""
        return _query(self.con, """select tenure, measure_code, answer,
                   coalesce(sum(weight) filter (where is_valid), 0) as weighted_valid,
                   count(*) filter (where is_valid) as valid,
                   coalesce(sum(weight) filter (where answer in ('dont_know', 'not_applicable')
                       and is_asked_of_tenure and not is_routed_away), 0) as weighted_dont_know,
                   count(*) filter (where answer in ('dont_know', 'not_applicable')
                       and is_asked_of_tenure and not is_routed_away) as dont_know
               from intermediate.int_survey_answers where end_year = ? group by all""",
                      [self.period.end_year])

    @cached_property
    def tp01_by_method(self) -> pd.DataFrame | None:
        return _query(self.con, """select tenure, collection_method,
                   sum(weight) filter (where is_satisfied) as satisfied,
                   sum(weight) filter (where is_valid) as valid
               from intermediate.int_survey_answers
               where end_year = ? and measure_code = 'TP01' group by all""",
                      [self.period.end_year])

    @cached_property
    def routing_columns(self) -> dict[str, str] | None:
        frame = _query(self.con, "select measure_code, routing_column from params.perception_questions")
        return None if frame is None else dict(zip(frame["measure_code"], frame["routing_column"]))

    @cached_property
    def accuracy(self) -> pd.DataFrame | str:
        """survey_accuracy.csv's TP01 rows by tenure, or the reason there are none."""
        from pipeline.survey.accuracy import accuracy_table

        try:
            table = accuracy_table(self.con, self.period.end_year, self.period.label, self.survey)
        except duckdb.CatalogException:
            return "the survey tables are not in the warehouse"
        except PipelineError as exc:
            return str(exc)
        return table[table["measure_code"] == "TP01"].set_index("tenure")

    @cached_property
    def complaints(self) -> pd.DataFrame | None:
        """Complaint stages made in the year (CH02's cohort) by stage x tenure x timeliness."""
        return _query(self.con, """select stage, tenure, timeliness, count(*) as n
               from intermediate.int_complaint_stages
               where received_end_year = ? and is_tsm_tenure and not is_refused
               group by all""", [self.period.end_year])

    @cached_property
    def repairs(self) -> pd.DataFrame | None:
        """LCRA responsive repairs: raised, completed, cancelled and open at year end."""
        return _query(self.con, """select
                   count(*) as any_jobs,
                   count(*) filter (where reported_at::DATE between $start and $end) as raised,
                   count(*) filter (where status = 'completed'
                       and completed_end_year = $end_year) as completed,
                   count(*) filter (where status = 'cancelled'
                       and reported_at::DATE between $start and $end) as cancelled_or_reclassified,
                   count(*) filter (where reported_at::DATE <= $end and status <> 'cancelled'
                       and (completed_at is null or completed_at::DATE > $end))
                       as open_at_year_end
               from intermediate.int_repairs_with_targets
               where repair_type = 'responsive' and tenure = 'LCRA'""",
                      {"start": self.period.start_date, "end": self.period.end_date,
                       "end_year": self.period.end_year})

    @cached_property
    def priorities(self) -> pd.DataFrame | None:
        return _query(self.con, """select priority_code, class as priority_class, target_unit,
                   target_value
               from params.repair_priorities order by priority_code""")

    @cached_property
    def code_versions(self) -> pd.DataFrame | None:
        """The Complaint Handling Code versions in force on any day of the year."""
        return _query(self.con, """select * from params.code_versions
               where effective_from <= ? and (effective_to is null or effective_to >= ?)
               order by effective_from""", [self.period.end_date, self.period.start_date])


# --------------------------------------------------------------------------- resolvers

def resolve_manual(facts: Facts, parts: list[str]) -> Resolved:
    """`manual`: nothing in our data answers it; blank, to be supplied by the landlord."""
    return blank(MANUAL_NOTE)


def resolve_tsm(facts: Facts, parts: list[str]) -> Resolved:
    """`tsm:<code>:<part>:<tenure>:<numerator|denominator|value>`: that column of the year's
    row in report.report_tsm_publication_table (tsm.csv), unrounded. A measure that is not
    available is blank, noted 'not available: <status_reason>'."""
    code, part, tenure, column = parts
    if facts.tsm is None:
        return _missing("report.report_tsm_publication_table")
    key = (code, part, tenure)
    if key not in facts.tsm.index:
        if tenure == "LCHO" and facts.homes is not None and "LCHO" not in facts.homes:
            return blank("not applicable: the landlord owns no LCHO homes at year end")
        return blank(f"not available: tsm.csv has no {code} {part} {tenure} row".replace("  ", " "))
    row = facts.tsm.loc[key]
    if row["status"] == "provisional":
        # the return is for a whole year: a year-to-date figure is never entered into it
        return blank(f"provisional, not for the return: {row['status_reason']}")
    if row["status"] != "ok":
        return blank(f"not available: {row['status_reason'] or row['status']}")
    return Resolved(_number(row[column]))


def resolve_applies(facts: Facts, parts: list[str]) -> Resolved:
    """The 2024/25 "Did you own dwelling units to which this TSM applies at year end?" items
    (source `tsm:…:denominator`, item `applies`): 'Yes' when the measure's denominator is
    above 0, 'No' when it is 0; blank when the measure is not available."""
    denominator = resolve_tsm(facts, parts)
    if denominator.value is None:
        return denominator
    return Resolved("Yes" if denominator.value > 0 else "No",
                    f"denominator {denominator.value}")


def resolve_homes(facts: Facts, parts: list[str]) -> Resolved:
    """`homes:<LCRA|LCHO|ALL>_units`: homes owned at year end from
    intermediate.int_tsm_tenure_groups (ALL = LCRA + LCHO); the CH01 and NM01 denominators."""
    tenure = parts[0].removesuffix("_units")
    if facts.homes is None:
        return _missing("intermediate.int_tsm_tenure_groups")
    if tenure not in facts.homes:
        if tenure == "LCHO":
            return blank("not applicable: the landlord owns no LCHO homes at year end")
        return blank(f"not available: no {tenure} homes for the year")
    return Resolved(_number(facts.homes[tenure]))


def resolve_survey(facts: Facts, parts: list[str]) -> Resolved:
    """`survey:<tenure>:<item>` (a survey fact) or `survey:<tenure>:<TPxx>:<item>` (one
    question's answers, see resolve_survey_question). Survey facts:

    - population: households of the tenure in staging.survey_population for the year's label,
      summed over its first characteristic; blank when the file gives none;
    - responses_total, responses_<method>: respondents of the tenure in
      staging.survey_responses whose response_date falls in the year (internet = online);
    - sample_method ('Census' / 'Sample'), excluded_from_sample_frame (excluded_households),
      external_contractor ('Yes' when contractor is declared, 'No' when declared empty),
      external_contractor_name: survey.toml's table for the year; blank when not declared;
    - weighted: 'Yes' / 'No' (weighting != 'none'); for the by-method item
      'Weighted' / 'Unweighted'; weighting_characteristic_<n>: the n-th of weight_by;
      weighting_other_description: weight_by characteristics beyond the form's slots;
    - margin_of_error (TP01 at p = 0.5, % points, 1 dp) and required_sample: the tenure's
      TP01 row of survey_accuracy.csv (pipeline.survey.accuracy.accuracy_table);
    - tp01_result_<method>: TP01 weighted % satisfied among responses by that method;
    - other_methods_description: text for the landlord to supply.
    Every item except population is blank when the tenure has no respondents in the year."""
    tenure, *rest = parts
    if tenure in ("LCRA", "LCHO") and facts.homes is not None and not facts.homes.get(tenure):
        # tsm.md: a landlord with no LCHO homes reports no LCHO rows (and so for LCRA)
        return blank(f"not applicable: the landlord owns no {tenure} homes at year end")
    if len(rest) == 2:
        return resolve_survey_question(facts, tenure, rest[0], rest[1])
    item = rest[0]
    if item == "population":
        return _survey_population(facts, tenure)
    if facts.respondents is None:
        return _missing("staging.survey_responses")
    if facts.respondent_count(tenure) == 0:
        return blank(f"not available: no {tenure} survey responses in {facts.period.label}")
    handler = SURVEY_FACTS.get(item)
    if handler is None:
        for prefix, prefixed in SURVEY_PREFIXED.items():
            if item.startswith(prefix):
                return prefixed(facts, tenure, item.removeprefix(prefix))
        return blank(f"unknown survey item {item!r}: check {FIELDS_CSV.name}")
    return handler(facts, tenure)


def _survey_population(facts: Facts, tenure: str) -> Resolved:
    if facts.population is None:
        return _missing("staging.survey_population")
    if tenure not in facts.population:
        return blank(f"not available: survey_population.csv has no {tenure} rows for "
                     f"{facts.period.label}")
    return Resolved(_number(facts.population[tenure]))


def _responses_total(facts: Facts, tenure: str) -> Resolved:
    return Resolved(facts.respondent_count(tenure))


def _responses_by_method(facts: Facts, tenure: str, method: str) -> Resolved:
    if method not in METHODS:
        return blank(f"unknown collection method {method!r}")
    row = facts.respondents.set_index("tenure").loc[tenure]
    return Resolved(int(row[METHODS[method]]))


def _declared(facts: Facts, key: str) -> Resolved | None:
    """None when survey.toml declares `key` for the year, else the blank to return."""
    if facts.survey.get(key) is None:
        return blank(f'not declared: {key} in survey.toml [surveys."{facts.period.label}"]')
    return None


def _sample_method(facts: Facts, tenure: str) -> Resolved:
    method = facts.survey.get("sample_method")
    if isinstance(method, dict):  # one method per tenure
        method = method.get(tenure)
    if method is None:
        return _declared(facts, "sample_method")
    return Resolved("Census" if method == "census" else "Sample", f"survey.toml: {method}")


def _excluded(facts: Facts, tenure: str) -> Resolved:
    """The return asks per tenure. survey.toml may give `excluded_households` per tenure
    ({ LCRA = 10, LCHO = 3 }); one figure is the whole survey's, which fills a tenure's field
    only when the landlord owns homes of that tenure alone (else it would count twice)."""
    declared = facts.survey.get("excluded_households")
    if isinstance(declared, dict):
        declared = {str(k).upper(): v for k, v in declared.items()}
        if declared.get(tenure) is None:
            return blank(f"not declared: excluded_households.{tenure} in survey.toml "
                         f'[surveys."{facts.period.label}"]')
        return Resolved(_number(declared[tenure]))
    missing = _declared(facts, "excluded_households")
    if missing:
        return missing
    owned = {t for t in ("LCRA", "LCHO") if (facts.homes or {}).get(t)}
    if owned and owned != {tenure} and _number(declared) != 0:  # none excluded: 0 for each
        return blank(f"survey.toml gives one excluded_households ({declared}) for the whole "
                     "survey; give it per tenure, excluded_households = { LCRA = n, LCHO = m }, "
                     "to fill this field")
    return Resolved(_number(declared))


def _contractor(facts: Facts, tenure: str) -> Resolved:
    return _declared(facts, "contractor") or Resolved(
        "Yes" if str(facts.survey.get("contractor")).strip() else "No")


def _contractor_name(facts: Facts, tenure: str) -> Resolved:
    missing = _declared(facts, "contractor")
    if missing:
        return missing
    name = str(facts.survey.get("contractor")).strip()
    if not name:
        return blank("no external contractor")
    role = facts.survey.get("contractor_role")
    return Resolved(name, f"role: {role}" if role else "")


def _weighted(facts: Facts, tenure: str) -> Resolved:
    return Resolved("Yes" if facts.survey.weighting != "none" else "No",
                    f"weighting = {facts.survey.weighting}")


def _weighted_by_method(facts: Facts, tenure: str) -> Resolved:
    return Resolved("Weighted" if facts.survey.weighting != "none" else "Unweighted")


def _weighting_characteristic(facts: Facts, tenure: str, n: str) -> Resolved:
    if facts.survey.weighting == "none":
        return blank("survey not weighted")
    weight_by = facts.survey.weight_by
    if not n.isdigit():
        return blank(f"unknown weighting characteristic {n!r}")
    if int(n) > len(weight_by):
        if not weight_by:
            return blank("not declared: weight_by in survey.toml")
        return blank(f"no characteristic {n}: weighted by {len(weight_by)}")
    return Resolved(weight_by[int(n) - 1])


def _weighting_other(facts: Facts, tenure: str) -> Resolved:
    extra = facts.survey.weight_by[facts.weighting_slots:]
    if facts.survey.weighting == "none":
        return blank("survey not weighted")
    if not extra:
        return blank(f"no characteristics beyond the {facts.weighting_slots} listed")
    return Resolved("; ".join(extra))


def _accuracy_row(facts: Facts, tenure: str):
    table = facts.accuracy
    if isinstance(table, str):
        return blank(f"not available: {table}")
    if tenure not in table.index:
        return blank(f"not available: no {tenure} TP01 answers in {facts.period.label}")
    return table.loc[tenure]


def _margin_of_error(facts: Facts, tenure: str) -> Resolved:
    row = _accuracy_row(facts, tenure)
    if isinstance(row, Resolved):
        return row
    moe = row["margin_of_error"]
    if moe is None or pd.isna(moe):
        return blank("not available: no valid TP01 answers")
    return Resolved(float(round_half_away(moe, 1)), "TP01 at p = 0.5, percentage points (survey_accuracy.csv)")


def _required_sample(facts: Facts, tenure: str) -> Resolved:
    row = _accuracy_row(facts, tenure)
    if isinstance(row, Resolved):
        return row
    return Resolved(_number(row["required_minimum_sample"]), "survey_accuracy.csv")


def _tp01_by_method(facts: Facts, tenure: str, method: str) -> Resolved:
    if method not in METHODS:
        return blank(f"unknown collection method {method!r}")
    frame = facts.tp01_by_method
    if frame is None:
        return _missing("intermediate.int_survey_answers")
    match = frame[(frame["tenure"] == tenure) & (frame["collection_method"] == METHODS[method])]
    valid = match["valid"].sum() if len(match) else 0
    if not valid or pd.isna(valid):
        return blank(f"not available: no valid TP01 answers by {method}")
    return Resolved(float(match["satisfied"].fillna(0).sum() * 100.0 / valid))


def _other_methods(facts: Facts, tenure: str) -> Resolved:
    row = facts.respondents.set_index("tenure").loc[tenure]
    if int(row["other"]) == 0:
        return blank("no responses by other methods")
    return blank(f"{MANUAL_NOTE}: describe the other collection methods")


SURVEY_FACTS: dict[str, Callable[[Facts, str], Resolved]] = {
    "responses_total": _responses_total,
    "sample_method": _sample_method,
    "excluded_from_sample_frame": _excluded,
    "external_contractor": _contractor,
    "external_contractor_name": _contractor_name,
    "weighted": _weighted,
    "weighted_by_method": _weighted_by_method,
    "weighting_other_description": _weighting_other,
    "margin_of_error": _margin_of_error,
    "required_sample": _required_sample,
    "other_methods_description": _other_methods,
}
SURVEY_PREFIXED: dict[str, Callable[[Facts, str, str], Resolved]] = {
    "responses_": _responses_by_method,
    "weighting_characteristic_": _weighting_characteristic,
    "tp01_result_": _tp01_by_method,
}


def resolve_survey_question(facts: Facts, tenure: str, code: str, item: str) -> Resolved:
    """`survey:<tenure>:<TPxx>:<item>`, from intermediate.int_survey_answers for the year:

    - count_<answer>: weighted count (sum of weight) of valid answers with that code;
    - count_not_applicable_dont_know: weighted count of dont_know / not_applicable from
      respondents asked the question and not routed past it;
    - unweighted_count_<answer>, unweighted_count_not_applicable_dont_know: the plain counts;
    - unweighted_result: plain satisfied (top two) / valid x 100;
    - value: the TP value of tsm.csv;
    - filter_yes / filter_no: respondents of the tenure in the year whose answer to the
      question's routing question (params.perception_questions.routing_column) is yes / no.
      These are counted in staging.survey_responses, not int_survey_answers: that table holds
      only questions answered, so it misses most of the respondents routed away."""
    if item == "value":
        return resolve_tsm(facts, [code, "", tenure, "value"])
    if facts.answers is None or facts.respondents is None:
        return _missing("intermediate.int_survey_answers")
    if facts.respondent_count(tenure) == 0:
        return blank(f"not available: no {tenure} survey responses in {facts.period.label}")
    if item.startswith("filter_"):
        return _filter_count(facts, tenure, code, item.removeprefix("filter_"))
    answers = facts.answers[(facts.answers["tenure"] == tenure)
                            & (facts.answers["measure_code"] == code)]
    if item == "unweighted_result":
        valid = answers["valid"].sum()
        if not valid:
            return blank(f"not available: no valid {code} answers")
        satisfied = answers.loc[answers["answer"].isin(TOP_TWO), "valid"].sum()
        return Resolved(float(satisfied * 100.0 / valid))
    weighted = not item.startswith("unweighted_")
    answer = item.removeprefix("unweighted_").removeprefix("count_")
    if answer == "not_applicable_dont_know":
        column = "weighted_dont_know" if weighted else "dont_know"
        return Resolved(_number(answers[column].sum()))
    column = "weighted_valid" if weighted else "valid"
    return Resolved(_number(answers.loc[answers["answer"] == answer, column].sum()))


def _filter_count(facts: Facts, tenure: str, code: str, answer: str) -> Resolved:
    routing = (facts.routing_columns or {}).get(code)
    if not routing:
        return blank(f"{code} has no routing question")
    row = facts.respondents.set_index("tenure").loc[tenure]
    return Resolved(int(row[f"{routing}_{answer}"]), f"{routing} = {answer}")


def resolve_complaints(facts: Facts, parts: list[str]) -> Resolved:
    """`complaints:stage_<n>:<tenure>:on_time_without_extension|on_time_with_extension`:
    complaint stages made in the year (CH02's cohort: received in the year, LCRA or LCHO,
    not refused) from intermediate.int_complaint_stages answered by the Code deadline without
    an extension (timeliness on_time) or within an allowed extension (on_time_extended); ALL
    = LCRA + LCHO. The two parts sum to CH02's numerator. Blank when CH02 is not available."""
    stage_part, tenure, kind = parts
    check = resolve_tsm(facts, ["CH02", stage_part, tenure, "numerator"])
    if check.value is None:
        return check
    if facts.complaints is None:
        return _missing("intermediate.int_complaint_stages")
    timeliness = {"on_time_without_extension": "on_time",
                  "on_time_with_extension": "on_time_extended"}.get(kind)
    if timeliness is None:
        return blank(f"unknown complaints item {kind!r}")
    frame = facts.complaints
    stage = int(stage_part.removeprefix("stage_"))
    tenures = TSM_TENURES if tenure == "ALL" else (tenure,)
    match = frame[(frame["stage"] == stage) & frame["tenure"].isin(tenures)
                  & (frame["timeliness"] == timeliness)]
    return Resolved(int(match["n"].sum()))


def resolve_repairs(facts: Facts, parts: list[str]) -> Resolved:
    """`repairs:LCRA:raised|completed|cancelled_or_reclassified|open_at_year_end`: LCRA
    responsive jobs in intermediate.int_repairs_with_targets: reported in the year; completed
    in the year; cancelled, of those reported in the year; open at year end (reported on or
    before the year end, not completed by then, not cancelled). Blank with no repairs data."""
    tenure, item = parts
    if tenure != "LCRA":
        return blank(f"repairs volumes are LCRA only, not {tenure}")
    frame = facts.repairs
    if frame is None:
        return _missing("intermediate.int_repairs_with_targets")
    if item not in frame.columns or item == "any_jobs":
        return blank(f"unknown repairs item {item!r}")
    if int(frame["any_jobs"].iloc[0]) == 0:
        return blank("not available: no LCRA responsive repairs in repairs.csv")
    return Resolved(int(frame[item].iloc[0]))


def resolve_priorities(facts: Facts, parts: list[str]) -> Resolved:
    """`landlord:priorities:<class>:description|max_target|more_than_one`: the RP02 targets
    of landlord.toml (params.repair_priorities) for the class: description lists each
    priority and its target ('P1: 24 hours; P4: 7 calendar days'); max_target is the
    longest target as a bare number, its unit in the note; more_than_one is 'Yes' / 'No'."""
    if parts[0] != "priorities" or len(parts) != 3:
        return blank(f"unknown landlord item {':'.join(parts)!r}")
    _, cls, item = parts
    if facts.priorities is None:
        return _missing("params.repair_priorities")
    rows = facts.priorities[facts.priorities["priority_class"] == cls]
    if rows.empty:
        return blank(f"not available: no {cls} priority in landlord.toml")
    if item == "description":
        return Resolved(priority_description(rows))
    if item == "more_than_one":
        return Resolved("Yes" if len(rows) > 1 else "No")
    if item == "max_target":
        days = rows["target_value"] * rows["target_unit"].map(UNIT_IN_DAYS).fillna(1.0)
        longest = rows.loc[days.idxmax()]
        return Resolved(_number(longest["target_value"]),
                        f"{UNIT_TEXT.get(longest['target_unit'], longest['target_unit'])} "
                        f"({longest['priority_code']})")
    return blank(f"unknown landlord item {item!r}")


def priority_description(rows: pd.DataFrame) -> str:
    return "; ".join(f"{r.priority_code}: {_fmt(r.target_value)} "
                     f"{UNIT_TEXT.get(r.target_unit, r.target_unit)}" for r in rows.itertuples())


def resolve_code_versions(facts: Facts, parts: list[str]) -> Resolved:
    """`reference:complaint_handling_code_versions`: the Complaint Handling Code version(s)
    in force during the year (params.code_versions), e.g. 'Complaint Handling Code 2024:
    stage 1 10 WD (+10), stage 2 20 WD (+20)'. The 2023/24 item 'standard_timescales_used'
    is answered 'Yes': CH02 is measured against the Code's own maximum timescales."""
    if parts != ["complaint_handling_code_versions"]:
        return blank(f"unknown reference {':'.join(parts)!r}")
    if facts.code_versions is None:
        return _missing("params.code_versions")
    if facts.code_versions.empty:
        return blank("not available: no Complaint Handling Code version in force in the year")
    return Resolved(code_versions_text(facts.code_versions))


def code_versions_text(versions: pd.DataFrame) -> str:
    several = len(versions) > 1
    texts = []
    for v in versions.itertuples():
        text = (f"Complaint Handling Code {v.code_version}: stage 1 {v.stage1_response_wd} WD "
                f"(+{v.stage1_max_extension_wd}), stage 2 {v.stage2_response_wd} WD "
                f"(+{v.stage2_max_extension_wd})")
        if several:
            text += f" for complaints received {_in_force(v.effective_from, v.effective_to)}"
        texts.append(text)
    return "; ".join(texts)


def _in_force(start, end) -> str:
    start = pd.Timestamp(start).date().isoformat()
    return f"from {start}" if end is None or pd.isna(end) else \
        f"{start} to {pd.Timestamp(end).date().isoformat()}"


RESOLVERS: dict[str, Callable[[Facts, list[str]], Resolved]] = {
    "manual": resolve_manual,
    "tsm": resolve_tsm,
    "homes": resolve_homes,
    "survey": resolve_survey,
    "complaints": resolve_complaints,
    "repairs": resolve_repairs,
    "landlord": resolve_priorities,
    "reference": resolve_code_versions,
}


def resolve(facts: Facts, source: str, item: str) -> Resolved:
    """The value of one item, by its `source` (see the resolve_* functions)."""
    kind, *parts = source.split(":")
    if kind == "survey" and item == "result_by_method_weighted":
        parts = [parts[0], "weighted_by_method"]
    if kind == "tsm" and item == "applies":
        return resolve_applies(facts, parts)
    if kind == "reference" and item == "standard_timescales_used":
        return Resolved("Yes", "CH02 uses the Code's maximum timescales (complaints.md)")
    resolver = RESOLVERS.get(kind)
    if resolver is None:
        return blank(f"unknown source {source!r}: check {FIELDS_CSV.name}")
    return resolver(facts, parts)


# --------------------------------------------------------------------------- the table

def data_return_table(con, config: RunConfig) -> pd.DataFrame:
    """One row per data-return item for config.period, in the form's order, with its value.

    The frame's attrs hold `mapping_year` (the dictionary year whose codes were used) and
    `timescales` (the RP02 and CH02 target timescales, for the workbook's second sheet)."""
    fields = read_fields()
    year = mapping_year(fields, config.period)
    rows = rows_for_year(fields, year)
    facts = Facts(con, config)
    facts.weighting_slots = max(
        [int(i.rsplit("_", 1)[1]) for i in rows["item"] if i.startswith("weighting_characteristic_")],
        default=3)
    values, notes = [], []
    for source, item, mapping_note in zip(rows["source"], rows["item"], rows["note"]):
        resolved = resolve(facts, source, item)
        values.append(resolved.value)
        mapping_note = mapping_note.strip().removeprefix(";").strip()
        notes.append("; ".join(n for n in (resolved.note, mapping_note) if n))
    rows["value"] = pd.Series(values, index=rows.index, dtype=object)
    rows["note"] = notes
    frame = rows[COLUMNS].reset_index(drop=True)
    frame.attrs["mapping_year"] = year
    frame.attrs["timescales"] = timescales_table(facts)
    return frame


def timescales_table(facts: Facts) -> pd.DataFrame:
    """The target timescales the return asks landlords to publish: each RP02 priority with
    its class and target, and each Complaint Handling Code version in force in the year with
    its CH02 timescales."""
    rows = []
    if facts.priorities is not None:
        for p in facts.priorities.itertuples():
            rows.append({"measure_code": "RP02", "name": p.priority_code,
                         "class_or_stage": p.priority_class, "target": _number(p.target_value),
                         "unit": UNIT_TEXT.get(p.target_unit, p.target_unit),
                         "in_force": facts.period.label, "note": "landlord.toml"})
    if facts.code_versions is not None:
        for v in facts.code_versions.itertuples():
            name = f"Complaint Handling Code {v.code_version}"
            in_force = _in_force(v.effective_from, v.effective_to)
            for stage in (1, 2):
                rows.append({
                    "measure_code": "CH02", "name": name, "class_or_stage": f"stage {stage}",
                    "target": _number(getattr(v, f"stage{stage}_response_wd")),
                    "unit": "working days", "in_force": in_force,
                    "note": f"extension up to {getattr(v, f'stage{stage}_max_extension_wd')} WD; "
                            f"clock from {getattr(v, f'stage{stage}_clock')}; acknowledge "
                            f"within {v.acknowledge_wd} WD"})
    return pd.DataFrame(rows, columns=TIMESCALE_COLUMNS)


# --------------------------------------------------------------------------- the workbook

def write_data_return_xlsx(frame: pd.DataFrame, path: str | Path, landlord_name: str,
                           period_label: str, timescales: pd.DataFrame | None = None) -> Path:
    """data_return.xlsx: sheet "Data return" (a title row, then the frame's columns under a
    bold, frozen header) and sheet "Timescales" (RP02 priority targets and CH02 Code
    timescales; `timescales`, else frame.attrs['timescales'], else the frame's own RP02 and
    Code rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from pipeline.report.safe_cells import make_sheet_text

    if timescales is None:
        timescales = frame.attrs.get("timescales")
    if timescales is None:
        timescales = _timescales_from_frame(frame)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data return"
    title = f"{landlord_name}: Tenant Satisfaction Measures data return {period_label}"
    used = frame.attrs.get("mapping_year")
    if used and used != period_label:
        title += f" (field codes of {used}: check them against the form)"
    _write_sheet(sheet, title, frame[COLUMNS], Font, Alignment)
    _write_sheet(workbook.create_sheet("Timescales"),
                 f"{landlord_name}: RP02 and CH02 target timescales {period_label}",
                 timescales, Font, Alignment)
    for worksheet in workbook.worksheets:
        make_sheet_text(worksheet)  # a text cell starting with = is text, never a formula
    path = Path(path)
    workbook.save(path)
    return path


def _timescales_from_frame(frame: pd.DataFrame) -> pd.DataFrame:
    picked = frame[frame["source"].str.endswith(":description")
                   | (frame["source"] == "reference:complaint_handling_code_versions")]
    return picked[["measure_code", "item", "value", "note"]].drop_duplicates("value")


def _write_sheet(sheet, title: str, frame: pd.DataFrame, font, alignment) -> None:
    sheet.append([title])
    sheet["A1"].font = font(bold=True, size=13)
    sheet.append(list(frame.columns))
    for cell in sheet[2]:
        cell.font = font(bold=True)
    for record in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in record])
    sheet.freeze_panes = "A3"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A2:{sheet.cell(2, len(frame.columns)).column_letter}{len(frame) + 2}"
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column] if _cell(v) is not None])
        letter = sheet.cell(2, index).column_letter
        sheet.column_dimensions[letter].width = min(max(longest + 2, 8), 60)
        if longest > 60:
            for row in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                row[0].alignment = alignment(wrap_text=True, vertical="top")


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
