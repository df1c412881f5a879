"""repairs.csv: the responsive repairs log, one row per job (inputs.md)."""

from schemas.fields import Field, InputSpec, code, ref, tenure

REPAIRS = InputSpec(
    name="repairs",
    key=("job_ref",),
    description="one row per repair job",
    fields=(
        ref("job_ref", required=True),
        ref("home_ref"),
        Field("priority", "text", required=True, description="the landlord's own priority code; mapped in landlord.toml"),
        code("repair_type", ("responsive", "planned", "void", "other"), description="blank: responsive"),
        Field("reported_at", "datetime", required=True),
        Field("target_at", "datetime", description="overrides the target derived from priority"),
        Field("completed_at", "datetime"),
        code("status", ("completed", "open", "cancelled"),
             description="blank: completed if completed_at is set, else open"),
        tenure("tenure"),
    ),
)
