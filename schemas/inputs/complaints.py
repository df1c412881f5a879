"""complaints.csv: the complaints log, one row per complaint stage (inputs.md)."""

from schemas.fields import Field, InputSpec, code, gbp, ref, tenure, text, uk_date, yes_no

OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn")

COMPLAINTS = InputSpec(
    name="complaints",
    key=("complaint_ref", "stage"),
    description="one row per complaint stage; a complaint escalated to stage 2 has two rows",
    fields=(
        ref("complaint_ref", required=True),
        # The Code has exactly two stages; a 'stage 3' or 'stage 0' record is not
        # a Code stage and is quarantined (complaints.md, Code 5.2/5.3).
        Field("stage", "integer", required=True, codes=(1, 2)),
        uk_date("received_date", required=True),
        uk_date("acknowledged_date"),
        yes_no("extension_agreed"),
        uk_date("extended_due_date"),
        text("extension_reason"),
        uk_date("responded_date"),
        code("outcome", OUTCOMES),
        yes_no("refused"),
        text("refusal_reason"),
        text("category"),
        text("service_area"),
        tenure("tenure"),
        ref("home_ref"),
        text("channel"),
        gbp("compensation_gbp"),
        yes_no("vulnerable"),
    ),
)
