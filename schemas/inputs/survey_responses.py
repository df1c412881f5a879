"""survey_responses.csv (or .sav): the tenant perception survey, one row per respondent
(inputs.md). Characteristic columns (stock_type, area, age_band, ...) are whatever the
contractor supplies; they are kept in staging as `extra_columns` for representativeness
and weighting."""

from schemas.fields import Field, InputSpec, code, ref, uk_date

SATISFACTION = ("very_satisfied", "fairly_satisfied", "neither", "fairly_dissatisfied",
                "very_dissatisfied", "dont_know", "not_applicable")
AGREEMENT = ("strongly_agree", "agree", "neither", "disagree", "strongly_disagree", "dont_know",
             "not_applicable")
METHODS = ("postal", "online", "telephone", "face_to_face", "sms", "other")
TP_CODES = tuple(f"tp{i:02d}" for i in range(1, 13))

SURVEY_RESPONSES = InputSpec(
    name="survey_responses",
    key=("response_id",),
    keep_extra_columns=True,
    description="one row per survey respondent",
    fields=(
        ref("response_id", required=True),
        # the survey is of LCRA and LCHO tenants only: any other tenure is an error here
        Field("tenure", "tenure", required=True, codes=("LCRA", "LCHO")),
        code("collection_method", METHODS, required=True),
        uk_date("response_date", required=True),
        *(code(tp, AGREEMENT if tp == "tp08" else SATISFACTION) for tp in TP_CODES),
        code("repair_last_12m", ("yes", "no")),
        code("communal_areas", ("yes", "no", "dont_know")),
        code("complaint_last_12m", ("yes", "no")),
        # a weight is greater than 0: a respondent with 0, a negative or no finite weight
        # cannot be weighted, so that row is quarantined (whatever survey.toml's weighting)
        Field("weight", "decimal", positive=True),
    ),
)
