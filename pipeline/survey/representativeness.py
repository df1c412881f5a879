"""survey_representativeness.csv: for each characteristic survey.toml names and each
tenure, the population and respondents (and weighted respondents) by group, the difference
in percentage points, a flag past the threshold, and a chi-square goodness-of-fit test per
characteristic (tsm.md, "Representativeness and weighting")."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.survey.config import SurveyYear
from pipeline.survey.statistics import (
    chi_square_goodness_of_fit,
    design_effect,
    representativeness,
    weighting_efficiency,
)
from pipeline.survey.weights import characteristic_values, normalise_groups, survey_respondents

COLUMNS = ["year", "tenure", "characteristic", "group", "population", "population_pct",
           "respondents", "respondents_pct", "weighted_respondents", "weighted_pct",
           "difference_points", "weighted_difference_points", "flagged_before_weighting", "flagged",
           "chi_square",
           "chi_square_dof", "chi_square_p_value"]


def _respondents_with_weights(con, end_year: int) -> pd.DataFrame:
    respondents = survey_respondents(con)
    respondents = respondents[respondents["end_year"] == end_year]
    weights = con.execute(
        "select response_id, weight, weighting from intermediate.int_survey_weights where end_year = ?",
        [end_year]).df()
    return respondents.merge(weights, on="response_id", how="left", suffixes=("_column", ""))


def owned_tenures(con: duckdb.DuckDBPyConnection, end_year: int) -> set[str]:
    """LCRA / LCHO when the landlord owns homes of it at year end: tsm.md, "a landlord with no
    LCHO homes reports no LCHO rows", holds for every survey table."""
    return {t for t, n in con.execute(
        "select tenure, homes_at_year_end from intermediate.int_tsm_tenure_groups "
        "where end_year = ? and tenure in ('LCRA', 'LCHO')", [end_year]).fetchall() if n}


def representativeness_table(con: duckdb.DuckDBPyConnection, end_year: int, label: str,
                             survey: SurveyYear) -> pd.DataFrame:
    if not survey.characteristics:
        return pd.DataFrame(columns=COLUMNS)
    respondents = _respondents_with_weights(con, end_year)
    respondents = respondents[respondents["tenure"].isin(owned_tenures(con, end_year))]
    population = con.execute(
        """select tenure, characteristic, "group", households
           from staging.survey_population where year = ?""", [label]).df()
    population["group"] = normalise_groups(population["group"].astype(str))
    if respondents.empty or population.empty:
        return pd.DataFrame(columns=COLUMNS)
    tables = []
    for tenure, group in respondents.groupby("tenure", sort=True):
        weighted = (group["weighting"] != "none").any()
        for characteristic in survey.characteristics:
            pop = population[(population["tenure"] == tenure)
                             & (population["characteristic"] == characteristic)]
            if pop.empty:
                continue
            frame = pd.DataFrame({characteristic: characteristic_values(group, characteristic)},
                                 index=group.index)
            table = representativeness(pop, frame, group["weight"] if weighted else None,
                                       characteristic, survey.flag_threshold_points)
            statistic, dof, p_value = chi_square_goodness_of_fit(
                table["respondents"].to_numpy(), (table["population_pct"] / 100).to_numpy())
            # the respondents as they came, before any weights: shows why weighting was needed
            table["flagged_before_weighting"] = (
                table["difference_points"].abs().round(9) > survey.flag_threshold_points)
            table.insert(0, "tenure", tenure)
            table.insert(0, "year", label)
            table["chi_square"], table["chi_square_dof"], table["chi_square_p_value"] = (
                statistic, dof, p_value)
            tables.append(table)
    return pd.concat(tables)[COLUMNS] if tables else pd.DataFrame(columns=COLUMNS)


def weighting_table(con: duckdb.DuckDBPyConnection, end_year: int) -> pd.DataFrame:
    """Weighting efficiency and design effect per tenure (Kish), for the summary of approach."""
    weights = con.execute(
        "select tenure, weighting, weight from intermediate.int_survey_weights where end_year = ?",
        [end_year]).df()
    rows = [
        {"tenure": tenure, "weighting": g["weighting"].iloc[0], "respondents": len(g),
         "weighting_efficiency": weighting_efficiency(g["weight"]),
         "design_effect": design_effect(g["weight"])}
        for tenure, g in weights.groupby("tenure", sort=True)
        if tenure in owned_tenures(con, end_year)
    ]
    return pd.DataFrame(rows, columns=["tenure", "weighting", "respondents",
                                       "weighting_efficiency", "design_effect"])
