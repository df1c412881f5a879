"""Survey weights per reporting year and tenure, as survey.toml says (inputs.md, tsm.md):
none (every weight 1), rim (raking to the population margins in survey_population.csv on
the `weight_by` characteristics), or column (the contractor's `weight` column).

Survey files are small (a large landlord's is ~100,000 rows), so this is one of the few
steps done in pandas; the result is written to intermediate.int_survey_weights."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.survey.config import SurveyYear

WEIGHTS_DDL = """create or replace table intermediate.int_survey_weights (
    response_id VARCHAR, end_year INTEGER, year_label VARCHAR, tenure VARCHAR, weight DOUBLE,
    weighting VARCHAR)"""


def survey_respondents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per respondent with its year, tenure, weight column and characteristics."""
    frame = con.execute(
        """select response_id, tenure, collection_method, response_date, weight,
               case when month(response_date) >= 4 then year(response_date) + 1
                    else year(response_date) end as end_year,
               extra_columns, source_file, source_row
           from staging.survey_responses"""
    ).df()
    frame["year_label"] = [f"{y - 1}/{y % 100:02d}" for y in frame["end_year"]]
    return frame


def characteristic_values(frame: pd.DataFrame, characteristic: str) -> pd.Series:
    """A respondent's group for a characteristic: a column of the contract, or one of the
    extra columns the contractor supplied; compared trimmed and lower-case."""
    if characteristic in frame.columns and characteristic != "extra_columns":
        values = frame[characteristic]
    else:
        values = frame["extra_columns"].map(
            lambda m: (dict(m) if m is not None else {}).get(characteristic))
        if values.isna().all():
            raise PipelineError(
                f"survey: characteristic {characteristic!r} (survey.toml) is not a column of "
                "survey_responses")
    return normalise_groups(values.fillna("").astype(str))


def normalise_groups(values: pd.Series) -> pd.Series:
    """Group codes compared as every code is (D14): case-insensitive, spaces and hyphens as
    underscores, apostrophes dropped ('General Needs' = general_needs)."""
    return (values.str.strip().str.lower().str.replace("['\u2019]", "", regex=True)
            .str.replace(r"[\s-]+", "_", regex=True))


def population_margins(con: duckdb.DuckDBPyConnection, label: str, tenure: str,
                       characteristics: list[str]) -> dict[str, dict[str, float]]:
    frame = con.execute(
        """select characteristic, "group", households from staging.survey_population
           where year = ? and tenure = ?""", [label, tenure]
    ).df()
    frame["group"] = normalise_groups(frame["group"].astype(str))
    margins: dict[str, dict[str, float]] = {}
    for (characteristic, group), households in frame.groupby(
            ["characteristic", "group"])["households"].sum().items():
        margins.setdefault(characteristic, {})[group] = float(households)
    missing = [c for c in characteristics if c not in margins]
    if missing:
        raise PipelineError(
            f"survey {label} {tenure}: survey_population.csv has no rows for characteristic(s) "
            f"{', '.join(missing)} named in survey.toml weight_by")
    return {c: margins[c] for c in characteristics}


def compute_weights(con: duckdb.DuckDBPyConnection, surveys: dict[str, SurveyYear]) -> None:
    con.execute(WEIGHTS_DDL)
    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'staging'").fetchall()}
    if "survey_responses" not in tables:
        return
    respondents = survey_respondents(con)
    parts = []
    for (label, tenure), group in respondents.groupby(["year_label", "tenure"], sort=True):
        config = surveys.get(label, SurveyYear(label))
        parts.append(_weights_for(con, group, config, tenure))
    if parts:
        weights = pd.concat(parts)
        con.register("_weights", weights)
        con.execute("insert into intermediate.int_survey_weights select response_id, end_year, "
                    "year_label, tenure, weight, weighting from _weights")
        con.unregister("_weights")


def _weights_for(con, group: pd.DataFrame, config: SurveyYear, tenure: str) -> pd.DataFrame:
    out = group[["response_id", "end_year", "year_label", "tenure"]].copy()
    out["weighting"] = config.weighting
    if config.weighting == "none":
        out["weight"] = 1.0
    elif config.weighting == "column":
        # a weight of 0 or less, inf or nan was quarantined with its row when staged
        missing = group[group["weight"].isna()].sort_values(["source_file", "source_row"])
        if len(missing):
            first = missing.iloc[0]
            more = f" (and {len(missing) - 1} more respondent(s))" if len(missing) > 1 else ""
            raise PipelineError(
                f"{first.source_file} row {first.source_row} column weight: blank{more}, but "
                f'survey.toml [surveys."{config.label}"] weighting = "column" needs a weight '
                'for every respondent; give it, or set weighting = "rim" or "none"')
        out["weight"] = group["weight"].astype(float).to_numpy()
    else:
        from pipeline.survey.statistics import rim_weights

        sample = pd.DataFrame({c: characteristic_values(group, c) for c in config.weight_by},
                              index=group.index)
        margins = population_margins(con, config.label, tenure, config.weight_by)
        try:
            result = rim_weights(sample, margins)
        except ValueError as exc:
            raise PipelineError(f"survey {config.label} {tenure}: rim weighting failed: {exc}") from None
        out["weight"] = result.weights.reindex(group.index).to_numpy()
    return out
