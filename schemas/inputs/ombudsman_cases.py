"""ombudsman_cases.csv: Housing Ombudsman determinations (inputs.md)."""

from schemas.fields import InputSpec, code, gbp, ref, text, uk_date

FINDINGS = (
    "severe_maladministration",
    "maladministration",
    "service_failure",
    "no_maladministration",
    "reasonable_redress",
    "outside_jurisdiction",
)

OMBUDSMAN_CASES = InputSpec(
    name="ombudsman_cases",
    key=("ombudsman_ref",),
    description="one row per Housing Ombudsman determination",
    fields=(
        ref("ombudsman_ref", required=True),
        ref("complaint_ref"),
        uk_date("determination_date", required=True),
        code("finding", FINDINGS, required=True),
        gbp("compensation_ordered_gbp"),
        text("orders"),
    ),
)
