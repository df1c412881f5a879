"""safety_checks.csv: building safety position, one row per asset, check type and date."""

from schemas.fields import InputSpec, code, ref, uk_date, yes_no

CHECK_TYPES = ("gas", "fire", "asbestos", "water", "lift")

SAFETY_CHECKS = InputSpec(
    name="safety_checks",
    key=("asset_ref", "check_type", "as_at"),
    description="one row per asset (home or building), check type and as-at date",
    fields=(
        uk_date("as_at", required=True),
        code("check_type", CHECK_TYPES, required=True),
        ref("asset_ref", required=True),
        yes_no("required", required=True),
        # the column is required; a blank on a required check is staged and counts as not
        # compliant (tsm.md: missing evidence never improves a measure; D49 reverses D23)
        yes_no("compliant", column_required=True),
    ),
)
