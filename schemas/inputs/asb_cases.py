"""asb_cases.csv: the anti-social behaviour case log (inputs.md)."""

from schemas.fields import InputSpec, ref, tenure, text, uk_date, yes_no

ASB_CASES = InputSpec(
    name="asb_cases",
    key=("case_ref",),
    description="one row per ASB case",
    fields=(
        ref("case_ref", required=True),
        uk_date("opened_date", required=True),
        uk_date("closed_date"),
        yes_no("hate_incident"),
        tenure("tenure"),
        text("category"),
    ),
)
