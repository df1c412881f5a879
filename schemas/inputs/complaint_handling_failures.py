"""complaint_handling_failures.csv (optional): the Housing Ombudsman's Complaint Handling
Failure Orders and Notices, its findings that the landlord failed the Code, reported apart
from determinations of maladministration (complaints.md)."""

from schemas.fields import InputSpec, code, ref, text, uk_date

KINDS = ("order", "notice")

COMPLAINT_HANDLING_FAILURES = InputSpec(
    name="complaint_handling_failures",
    key=("ombudsman_ref", "kind"),
    description="one row per Complaint Handling Failure Order or Notice",
    fields=(
        ref("ombudsman_ref", required=True),
        uk_date("issued_date", required=True),
        code("kind", KINDS, required=True),
        text("code_provision"),
        text("summary"),
    ),
)
