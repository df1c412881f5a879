"""survey_population.csv: the relevant tenant population by characteristic and group, per
tenure and reporting year, for representativeness and weighting (inputs.md)."""

from schemas.fields import Field, InputSpec, ref

SURVEY_POPULATION = InputSpec(
    name="survey_population",
    key=("year", "tenure", "characteristic", "group"),
    description="one row per year x tenure x characteristic x group",
    fields=(
        Field("year", "text", required=True, description="reporting-year label, e.g. 2023/24"),
        Field("tenure", "tenure", required=True, codes=("LCRA", "LCHO")),
        ref("characteristic", required=True),
        ref("group", required=True),
        Field("households", "integer", required=True),
    ),
)
