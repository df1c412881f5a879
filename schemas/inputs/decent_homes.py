"""decent_homes.csv: Decent Homes Standard assessments (inputs.md)."""

from schemas.fields import InputSpec, ref, text, uk_date, yes_no

DECENT_HOMES = InputSpec(
    name="decent_homes",
    key=("home_ref", "as_at"),
    description="one row per home and assessment date",
    fields=(
        uk_date("as_at", required=True),
        ref("home_ref", required=True),
        yes_no("meets_standard", required=True),
        text("failure_reason"),
    ),
)
