"""homes.csv: the stock register, one row per home (inputs.md)."""

from schemas.fields import InputSpec, ref, tenure, text, uk_date, yes_no

HOMES = InputSpec(
    name="homes",
    key=("home_ref",),
    required_file=True,
    description="one row per home (dwelling unit) owned at any time in the years covered",
    fields=(
        ref("home_ref", required=True),
        tenure("tenure", required=True),
        text("stock_type"),
        ref("building_ref"),
        text("area"),
        uk_date("acquired_date", description="blank: owned before every period in the data"),
        uk_date("disposed_date", description="blank: still owned"),
        yes_no("decent_homes_applies", description="blank: yes for LCRA, no otherwise"),
    ),
)
