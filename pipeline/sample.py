"""Deterministic sample dataset for the fictional landlord "North Shire Homes".

Run ``python -m pipeline.sample --out DIR`` (default: data/sample/ in the repo).
The output is byte-identical on every run and machine: one seeded
``random.Random``, no sets iterated, no current date, no locale, bank holidays
held as data here (a test checks them against the ``holidays`` package), and
every file written with an explicit encoding and line ending (CSV: CRLF, like
the exports it imitates; TOML and Markdown: LF); the SPSS file's header time is
set to its export date (see survey_sav).

The data follows /work/shared/spec/inputs.md. It deliberately holds the traps
the pipeline must get right (listed in the README this writes), a
handful of bad rows the pipeline must quarantine (``DELIBERATE_BAD_ROWS``) and
survey answers it must leave out of the perception measures (``SURVEY_TRAPS``).
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import math
import random
import textwrap
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

SEED = 20240331
LANDLORD = "North Shire Homes"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "data" / "sample"

YEAR_STARTS = (date(2022, 4, 1), date(2023, 4, 1), date(2024, 4, 1))
DATA_END = date(2025, 4, 10)  # last day complaints are received; final export's status date
CODE_2024 = date(2024, 4, 1)  # the 2024 Complaint Handling Code applies from this receipt date

# England and Wales bank holidays on weekdays (the `holidays` package agrees; a unit test
# checks it). Held here so the output never depends on the installed package's version.
BANK_HOLIDAYS = tuple(
    date.fromisoformat(d)
    for d in [
        *("2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03"),
        *("2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"),
        *("2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29"),
        *("2023-08-28", "2023-12-25", "2023-12-26"),
        *("2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26"),
        *("2024-12-25", "2024-12-26"),
        *("2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25"),
        *("2025-12-25", "2025-12-26"),
        *("2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31"),
        *("2026-12-25", "2026-12-28"),
    ]
)
CLOSURE_DAYS = (date(2023, 12, 27), date(2024, 12, 27))  # also in landlord.toml

COMPLAINT_COLUMNS = (
    "complaint_ref",
    "stage",
    "received_date",
    "acknowledged_date",
    "extension_agreed",
    "extended_due_date",
    "extension_reason",
    "responded_date",
    "outcome",
    "refused",
    "refusal_reason",
    "category",
    "service_area",
    "tenure",
    "home_ref",
    "channel",
    "compensation_gbp",
    "vulnerable",
)
HOMES_COLUMNS = (
    "home_ref",
    "tenure",
    "stock_type",
    "building_ref",
    "area",
    "acquired_date",
    "disposed_date",
    "decent_homes_applies",
)
HOS_COLUMNS = (
    "HOS Ref",
    "Landlord Complaint Ref",
    "Determination Date",
    "Finding",
    "Compensation Ordered",
    "Orders",
)


# --------------------------------------------------------------------------- exports


@dataclass(frozen=True)
class ExportSpec:
    """One dated complaints export and the way that system wrote it."""

    file: str
    window_start: date  # rows received from here on (plus rows still open at the previous one)
    as_of: date  # status of every row as known at the end of this day
    encoding: str
    date_style: str  # "iso" or "dmy"
    bool_style: tuple[str, str]
    money_style: str  # "plain", "decimal" or "excel"


EXPORTS = (
    ExportSpec(
        "complaints_2023-04-14.csv",
        date(2022, 4, 1),
        date(2023, 4, 13),
        "utf-8",
        "iso",
        ("Y", "N"),
        "plain",
    ),
    ExportSpec(
        "complaints_20240412.csv",
        date(2023, 1, 1),
        date(2024, 4, 11),
        "cp1252",
        "dmy",
        ("Yes", "No"),
        "excel",
    ),
    ExportSpec(
        "complaints_2025-04-11.csv",
        date(2024, 1, 1),
        DATA_END,
        "utf-8-sig",
        "iso",
        ("Y", "N"),
        "decimal",
    ),
)


class BadRow(NamedTuple):
    """A row the pipeline must quarantine. Every key named here occurs in one file only."""

    file: str
    complaint_ref: str
    column: str
    why: str
    stage: int = 1
    value: str = ""
    action: str = "edit"  # edit: set column to value; add: extra row; duplicate: copy the row


# Targets were picked from complaints whose rows occur in one export only; if a change to the
# generator moves them, apply_bad_rows says which one, and another such complaint will do.
DELIBERATE_BAD_ROWS: tuple[BadRow, ...] = (
    BadRow(
        "complaints_2023-04-14.csv",
        "CMP-2022-00062",
        "acknowledged_date",
        "impossible date 2022-06-31",
        value="2022-06-31",
    ),
    BadRow(
        "complaints_2023-04-14.csv", "CMP-2022-00083", "refused", "boolean 'maybe'", value="maybe"
    ),
    BadRow(
        "complaints_20240412.csv",
        "CMP-2023-00283",
        "responded_date",
        "impossible date 31/13/2023 (month 13)",
        value="31/13/2023",
    ),
    BadRow(
        "complaints_20240412.csv",
        "CMP-2023-00131",
        "extended_due_date",
        "impossible date 31/06/2023",
        value="31/06/2023",
    ),
    BadRow(
        "complaints_20240412.csv",
        "CMP-2023-00162",
        "received_date",
        "required field blank",
        value="",
    ),
    BadRow(
        "complaints_20240412.csv",
        "CMP-2023-00193",
        "compensation_gbp",
        "money value 'abc'",
        value="abc",
    ),
    BadRow(
        "complaints_20240412.csv",
        "CMP-2023-00213",
        "outcome",
        "outcome code 'resolved' not in the list",
        value="resolved",
    ),
    BadRow(
        "complaints_2025-04-11.csv",
        "CMP-2024-00203",
        "stage",
        "an extra row for stage 3 (the Code has two stages)",
        stage=3,
        value="3",
        action="add",
    ),
    BadRow(
        "complaints_2025-04-11.csv",
        "CMP-2024-00264",
        "complaint_ref",
        "complaint_ref + stage twice in one file, with different outcomes",
        action="duplicate",
    ),
    BadRow(
        "complaints_2025-04-11.csv",
        "CMP-2024-00233",
        "acknowledged_date",
        "impossible date 2024-09-31",
        value="2024-09-31",
    ),
    BadRow(
        "complaints_2025-04-11.csv",
        "CMP-2025-00044",
        "vulnerable",
        "boolean 'maybe'",
        value="maybe",
    ),
)


# --------------------------------------------------------------------------- working days


class WorkingDays:
    """Mon-Fri except bank holidays and the landlord's closure days (complaints.md)."""

    def __init__(self, days_off: tuple[date, ...]) -> None:
        self._off = frozenset(days_off)

    def is_working(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._off

    def roll_forward(self, d: date) -> date:
        while not self.is_working(d):
            d += timedelta(days=1)
        return d

    def add(self, d: date, n: int) -> date:
        """Day n counting from d (a non-working d counts as the next working day)."""
        d = self.roll_forward(d)
        while n > 0:
            d += timedelta(days=1)
            if self.is_working(d):
                n -= 1
        return d

    def subtract(self, d: date, n: int) -> date:
        while n > 0:
            d -= timedelta(days=1)
            if self.is_working(d):
                n -= 1
        return d


CALENDAR = WorkingDays(BANK_HOLIDAYS + CLOSURE_DAYS)


# --------------------------------------------------------------------------- homes

AREAS = ("Ashby Vale", "Brackenford", "Castlemoor", "Dunholme", "Eastwick", "Fellbridge")
AREA_WEIGHTS = (24, 20, 18, 15, 13, 10)


@dataclass
class Home:
    tenure: str
    stock_type: str
    area: str
    building_ref: str = ""
    acquired: date | None = None
    disposed: date | None = None
    decent_homes_applies: str = ""
    ref: str = ""

    def owned_on(self, d: date) -> bool:
        return (self.acquired is None or self.acquired <= d) and (
            self.disposed is None or self.disposed > d
        )


def _area(rng: random.Random) -> str:
    return rng.choices(AREAS, AREA_WEIGHTS)[0]


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def make_existing_stock(rng: random.Random, scale: int) -> list[Home]:
    """Homes owned before April 2022: blocks of flats first, then houses."""
    homes: list[Home] = []
    blocks = 0

    def new_block() -> str:
        nonlocal blocks
        blocks += 1
        return f"B{blocks:04d}"

    lcra_flats = 0
    while lcra_flats < 2600 * scale:
        kind = rng.choices(("general_needs", "older_persons", "supported"), (75, 17, 8))[0]
        size = rng.randint(6, 14) if kind == "supported" else rng.randint(6, 40)
        # Right-to-buy leaseholders (and the odd market-rent flat) live in general needs blocks.
        leasehold = rng.randint(1, 4) if kind == "general_needs" and rng.random() < 0.35 else 0
        market = rng.randint(1, 2) if kind == "general_needs" and rng.random() < 0.05 else 0
        ref, area = new_block(), _area(rng)
        for i in range(size):
            if i < size - leasehold - market:
                homes.append(Home("LCRA", kind, area, ref))
                lcra_flats += 1
            elif i < size - market:
                homes.append(Home("leasehold", "leasehold", area, ref))
            else:
                homes.append(Home("market_rent", "market_rent", area, ref))
    # A tired block awaiting regeneration: the Decent Homes Standard is not applied to it.
    ref = new_block()
    for _ in range(10):
        homes.append(Home("LCRA", "general_needs", "Castlemoor", ref, decent_homes_applies="N"))
    for _ in range(2 * scale):
        ref, area = new_block(), _area(rng)
        for _ in range(rng.randint(12, 20)):
            homes.append(Home("LCHO", "shared_ownership", area, ref))

    lcra_total = sum(h.tenure == "LCRA" for h in homes)
    for _ in range(7150 * scale - lcra_total):
        kind = "older_persons" if rng.random() < 0.04 else "general_needs"  # bungalows
        homes.append(Home("LCRA", kind, _area(rng)))
    lcho_total = sum(h.tenure == "LCHO" for h in homes)
    for _ in range(580 * scale - lcho_total):
        homes.append(Home("LCHO", "shared_ownership", _area(rng)))
    out_of_scope = sum(h.tenure in ("leasehold", "market_rent") for h in homes)
    for _ in range(max(0, 150 * scale - out_of_scope)):
        homes.append(Home("market_rent", "market_rent", _area(rng)))

    for home in homes:
        # A few explicit acquisition dates before the data starts: same meaning as blank.
        if rng.random() < 0.03:
            home.acquired = _random_day(rng, date(2005, 1, 1), date(2021, 12, 31))
        if home.tenure == "LCRA" and not home.decent_homes_applies and rng.random() < 0.06:
            home.decent_homes_applies = "Y"
        elif home.tenure == "LCHO" and rng.random() < 0.3:
            home.decent_homes_applies = "N"
    return homes


def make_acquisitions(rng: random.Random, first_block: int, scale: int) -> list[Home]:
    """New homes bought or built during the three years (so year-end stock changes)."""
    homes: list[Home] = []
    block = first_block
    # (date, tenure, stock_type, homes, area, in a block?)
    batches = (
        (date(2022, 11, 14), "LCRA", "general_needs", 30, "Eastwick", True),
        (date(2023, 2, 20), "LCHO", "shared_ownership", 10, "Fellbridge", False),
        (date(2023, 7, 3), "LCRA", "general_needs", 24, "Dunholme", False),
        (date(2024, 1, 15), "LCHO", "shared_ownership", 18, "Brackenford", False),
        (date(2024, 3, 28), "LCRA", "older_persons", 12, "Ashby Vale", True),
        (date(2024, 10, 7), "LCRA", "general_needs", 32, "Brackenford", True),
        (date(2025, 3, 31), "LCHO", "shared_ownership", 12, "Ashby Vale", False),  # on year end
    )
    for acquired, tenure, kind, count, area, flats in batches:
        ref = ""
        if flats:
            block += 1
            ref = f"B{block:04d}"
        for _ in range(count * scale):
            homes.append(Home(tenure, kind, area, ref, acquired=acquired))
        if acquired == date(2024, 10, 7):  # a mixed-tenure block: shared ownership flats too
            for _ in range(4 * scale):
                homes.append(Home("LCHO", "shared_ownership", area, ref, acquired=acquired))
    for start in YEAR_STARTS:  # street purchases through the year
        for _ in range(5 * scale):
            end = date(start.year + 1, 3, 31)
            homes.append(
                Home("LCRA", "general_needs", _area(rng), acquired=_random_day(rng, start, end))
            )
    return homes


def mark_disposals(rng: random.Random, homes: list[Home], scale: int) -> None:
    """Right to buy / acquire sales, staircasing to 100%, and one demolished block."""
    houses = [h for h in homes if h.acquired is None and not h.building_ref]
    lcra = [h for h in houses if h.tenure == "LCRA"]
    lcho = [h for h in houses if h.tenure == "LCHO"]
    for start in YEAR_STARTS:
        end = date(start.year + 1, 3, 31)
        for pool, count in ((lcra, rng.randint(15, 25)), (lcho, rng.randint(8, 12))):
            for home in rng.sample(pool, count * scale):
                pool.remove(home)
                home.disposed = _random_day(rng, start, end)
    # Sales completed on 31 March 2023 itself: not owned at that year end.
    for home in rng.sample(lcra, 3):
        lcra.remove(home)
        home.disposed = date(2023, 3, 31)
    for home in homes:
        if home.decent_homes_applies == "N" and home.tenure == "LCRA":
            home.disposed = date(2024, 9, 30)  # the regeneration block is demolished


def make_homes(rng: random.Random, scale: int = 1) -> list[Home]:
    homes = make_existing_stock(rng, scale)
    blocks = max(int(h.building_ref[1:]) for h in homes if h.building_ref)
    homes += make_acquisitions(rng, blocks, scale)
    mark_disposals(rng, homes, scale)
    for i, home in enumerate(homes, start=1):
        home.ref = f"H{i:06d}"
    return homes


# --------------------------------------------------------------------------- complaints

CATEGORIES = (
    "repairs",
    "damp_mould",
    "asb",
    "staff_conduct",
    "communication",
    "rent_service_charge",
    "estate_services",
)
CATEGORY_WEIGHTS = (35, 18, 10, 8, 14, 8, 7)
SERVICE_AREA = {
    "repairs": "Repairs",
    "damp_mould": "Repairs",
    "asb": "Housing Management",
    "staff_conduct": "Customer Services",
    "communication": "Customer Services",
    "rent_service_charge": "Income",
    "estate_services": "Estates",
}
CHANNELS = ("phone", "email", "web", "letter", "in_person", "social_media", "representative")
CHANNEL_WEIGHTS = (35, 25, 20, 5, 5, 4, 6)
WEEKEND_CHANNEL_WEIGHTS = (2, 45, 40, 0, 0, 13, 0)  # offices are shut
REFUSAL_REASONS = (
    "over_12_months",
    "not_a_complaint",
    "previously_considered",
    "legal_proceedings",
)
EXTENSION_REASONS = (
    "awaiting contractor report",
    "complex case – surveyor visit",
    "awaiting damp and mould survey",
    "resident away, new date agreed by phone",
    "awaiting insurer's loss adjuster",
    "repairs and housing teams reviewing jointly",
    "compensation over £500 needs director sign-off",
    "awaiting CCTV footage, police involved",
)
# Complaints per home, relative to LCRA: leaseholders complain about service charges.
PROPENSITY = {"LCRA": 1.0, "LCHO": 0.7, "leasehold": 1.2, "market_rent": 0.6}
STAGE1_PER_1000 = (39.0, 42.0, 45.0, 45.0)  # per reporting year; the last is April 2025
MONTH_WEIGHT = (1.15, 1.1, 1.05, 0.95, 0.9, 0.85, 0.85, 0.85, 0.95, 1.05, 1.15, 1.1)
WEEKDAY_WEIGHT = (1.3, 1.15, 1.1, 1.05, 0.9, 0.25, 0.2)
# Receipts the data must hold: year ends, Christmas, Easter, closure days.
FORCED_RECEIPTS = tuple(
    date.fromisoformat(d)
    for d in [
        *("2022-12-25", "2022-12-27", "2023-01-01", "2023-03-31", "2023-04-01", "2023-04-07"),
        *("2023-04-10", "2023-12-25", "2023-12-27", "2024-01-01", "2024-03-29", "2024-12-25"),
        *("2024-12-27", "2025-01-01", "2025-03-31", "2025-04-01"),
    ]
)


@dataclass
class Stage:
    """What happened to one complaint stage, with the date each fact became known."""

    stage: int
    received: date
    category: str
    service_area: str
    tenure: str
    home_ref: str
    channel: str
    vulnerable: bool
    acknowledged: date | None = None
    refusal_reason: str = ""
    extension_agreed: bool = False
    extension_logged: date | None = None
    extended_due: date | None = None
    extension_reason: str = ""
    responded: date | None = None
    outcome: str = ""
    outcome_logged: date | None = None
    compensation_pence: int | None = None

    def as_of(self, d: date) -> dict[str, object] | None:
        """The row as the case system showed it at the end of day d (None: not received)."""
        if self.received > d:
            return None

        def known(when: date | None) -> bool:
            return when is not None and when <= d

        refused = bool(self.refusal_reason) and known(self.acknowledged or self.received)
        extended = self.extension_agreed and known(self.extension_logged)
        closed = known(self.outcome_logged)
        return {
            "stage": self.stage,
            "received_date": self.received,
            "acknowledged_date": self.acknowledged if known(self.acknowledged) else None,
            "extension_agreed": extended,
            "extended_due_date": self.extended_due if extended else None,
            "extension_reason": self.extension_reason if extended else "",
            "responded_date": self.responded if known(self.responded) else None,
            "outcome": self.outcome if closed else "",
            "refused": refused,
            "refusal_reason": self.refusal_reason if refused else "",
            "category": self.category,
            "service_area": self.service_area,
            "tenure": self.tenure,
            "home_ref": self.home_ref,
            "channel": self.channel,
            "compensation_gbp": self.compensation_pence if closed else None,
            "vulnerable": self.vulnerable,
        }

    def is_open(self, d: date) -> bool:
        row = self.as_of(d)
        return row is not None and not (row["outcome"] or row["refused"])


@dataclass
class Complaint:
    stages: list[Stage]
    order: int  # creation order: breaks ties between complaints received the same day
    ref: str = ""
    trap: str = ""  # why this complaint is in the data, for the README


@dataclass
class StagePlan:
    """The choices that shape one stage's timeline; random for most, fixed for traps."""

    ack_wd: int | None  # working days from receipt to acknowledgement; None: never logged
    refusal_reason: str = ""
    extension_wd: int | None = None  # extended due date = base deadline + this many WD
    extension_dated: bool = True  # False: extension agreed but no new date recorded
    extension_reason: str = ""
    response: str = "on_time"  # on_time | late | withdrawn
    slack_wd: int = 0  # on_time: WD before the landlord's own deadline
    late_wd: int = 0  # late: WD after the landlord's own deadline
    withdraw_wd: int = 3  # withdrawn: WD after receipt
    withdrawal_letter: bool = False
    outcome: str = "not_upheld"
    compensation_pence: int | None = None


def realise_stage(stage: Stage, plan: StagePlan, cal: WorkingDays = CALENDAR) -> Stage:
    """Turn a plan into dates. Staff run the clock from their own acknowledgement (stage 2
    before April 2024: from receipt), so after a late acknowledgement a response that looks
    on time to them is late under the rule in complaints.md."""
    received = stage.received
    stage.acknowledged = cal.add(received, plan.ack_wd) if plan.ack_wd is not None else None
    if plan.refusal_reason:
        stage.refusal_reason = plan.refusal_reason
        stage.acknowledged = stage.acknowledged or cal.add(received, 2)
        return stage
    clock = (
        received if stage.stage == 2 and received < CODE_2024 else (stage.acknowledged or received)
    )
    base = cal.add(clock, 10 if stage.stage == 1 else 20)
    own_deadline = base
    if plan.extension_wd is not None:
        stage.extension_agreed = True
        stage.extension_reason = plan.extension_reason
        stage.extension_logged = max(received, base - timedelta(days=3))
        if plan.extension_dated:
            stage.extended_due = cal.add(base, plan.extension_wd)
            own_deadline = stage.extended_due
        else:
            own_deadline = cal.add(base, 10)  # staff assumed ten more days
    if plan.response == "withdrawn":
        stage.outcome = "withdrawn"
        stage.outcome_logged = cal.add(received, plan.withdraw_wd)
        stage.responded = stage.outcome_logged if plan.withdrawal_letter else None
        return stage
    if plan.response == "on_time":
        responded = cal.subtract(own_deadline, plan.slack_wd)
    else:
        responded = cal.add(own_deadline, plan.late_wd)
    stage.responded = max(responded, stage.acknowledged or cal.roll_forward(received))
    stage.outcome = plan.outcome
    stage.outcome_logged = stage.responded
    stage.compensation_pence = plan.compensation_pence
    return stage


def random_compensation(rng: random.Random, outcome: str) -> int | None:
    if outcome not in ("upheld", "partly_upheld") or rng.random() >= 0.25:
        return None
    if rng.random() < 0.04:
        return rng.choice((1000, 1250, 1500)) * 100
    pounds = rng.choices(
        (25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 750), (8, 14, 8, 16, 10, 10, 10, 8, 6, 6, 4)
    )[0]
    return pounds * 100


def random_plan(rng: random.Random, stage_no: int) -> StagePlan:
    r = rng.random()
    if r < 0.01:
        ack_wd = None
    elif r < 0.06:
        ack_wd = rng.randint(6, 9)  # late acknowledgement
    else:
        ack_wd = rng.choices(range(6), (10, 35, 25, 12, 10, 8))[0]
    plan = StagePlan(ack_wd)
    if rng.random() < (0.03 if stage_no == 1 else 0.01):
        plan.refusal_reason = rng.choices(REFUSAL_REASONS, (35, 30, 20, 15))[0]
        return plan
    if rng.random() < 0.08:
        plan.extension_wd = rng.randint(5, 10) if rng.random() < 0.8 else rng.randint(11, 15)
        plan.extension_dated = rng.random() < 0.88
        plan.extension_reason = rng.choice(EXTENSION_REASONS)
    if rng.random() < 0.02:
        plan.response = "withdrawn"
        plan.withdraw_wd = rng.randint(1, 8)
        plan.withdrawal_letter = rng.random() < 0.2
        return plan
    if rng.random() < (0.075 if stage_no == 1 else 0.14):
        plan.response = "late"
        long_delay = rng.random() < 0.12  # lost in the system for weeks
        plan.late_wd = rng.randint(25, 90) if long_delay else rng.choice((1, 1, 2, 2, 3, 4, 6, 9))
    else:
        plan.slack_wd = rng.choices(range(8), (22, 15, 14, 12, 10, 9, 9, 9))[0]
    weights = (28, 24, 48) if stage_no == 1 else (22, 26, 52)
    plan.outcome = rng.choices(("upheld", "partly_upheld", "not_upheld"), weights)[0]
    plan.compensation_pence = random_compensation(rng, plan.outcome)
    return plan


def receipt_dates(rng: random.Random, homes: list[Home], scale: int) -> list[date]:
    """Stage 1 receipts, day by day: busier on Mondays and in winter, few at weekends."""
    del scale  # volumes follow the number of homes, which already carries the scale
    dates: list[date] = []
    starts = YEAR_STARTS + (date(2025, 4, 1),)
    for start, per_1000 in zip(starts, STAGE1_PER_1000, strict=True):
        end = date(start.year + 1, 3, 31)
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        weight = {d: _day_weight(d) for d in days}
        in_scope = sum(h.tenure in ("LCRA", "LCHO") and h.owned_on(end) for h in homes)
        expected = per_1000 * in_scope / 1000
        total_weight = sum(weight.values())
        for d in days:
            if d > DATA_END:
                break
            n = _poisson(rng, expected * weight[d] / total_weight)
            if d in FORCED_RECEIPTS:
                n = max(n, 1)
            dates += [d] * n
    return dates


def _day_weight(d: date) -> float:
    weekday = WEEKDAY_WEIGHT[d.weekday()] if CALENDAR.is_working(d) or d.weekday() >= 5 else 0.25
    return MONTH_WEIGHT[d.month - 1] * weekday


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method: fine for the small daily means used here."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def pick_home(rng: random.Random, homes: list[Home], on: date) -> Home:
    while True:
        home = homes[rng.randrange(len(homes))]
        if home.owned_on(on) and rng.random() < PROPENSITY[home.tenure]:
            return home


def first_stage(rng: random.Random, homes: list[Home], received: date) -> Stage:
    category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
    if received.month in (11, 12, 1, 2) and category == "repairs" and rng.random() < 0.3:
        category = "damp_mould"  # condensation season
    service_area = SERVICE_AREA[category]
    if category == "staff_conduct":
        service_area = rng.choice(sorted(set(SERVICE_AREA.values())))
    elif category == "damp_mould" and rng.random() < 0.2:
        service_area = "Housing Management"
    r = rng.random()
    if r < 0.006:
        home_ref, tenure = "", ""  # logged without an address
    elif r < 0.009:
        home_ref, tenure = "", "other"  # a member of the public
    else:
        home = pick_home(rng, homes, received)
        home_ref = home.ref
        explicit = rng.random() < (0.5 if home.tenure == "leasehold" else 0.1)
        tenure = home.tenure if explicit else ""
    weekend = not CALENDAR.is_working(received)
    channel = rng.choices(CHANNELS, WEEKEND_CHANNEL_WEIGHTS if weekend else CHANNEL_WEIGHTS)[0]
    return Stage(
        1,
        received,
        category,
        service_area,
        tenure,
        home_ref,
        channel,
        vulnerable=rng.random() < 0.12,
    )


def escalate(rng: random.Random, stage1: Stage) -> Stage | None:
    """Stage 2 for some answered complaints, more often when not upheld."""
    if stage1.responded is None or stage1.outcome == "withdrawn":
        return None
    chance = {"upheld": 0.11, "partly_upheld": 0.17, "not_upheld": 0.23}[stage1.outcome]
    if rng.random() >= chance:
        return None
    received = CALENDAR.add(stage1.responded, rng.randint(1, 30))
    if received > DATA_END:
        return None
    channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
    stage2 = replace(
        stage1,
        stage=2,
        received=received,
        channel=channel,
        acknowledged=None,
        refusal_reason="",
        extension_agreed=False,
        extension_logged=None,
        extended_due=None,
        extension_reason="",
        responded=None,
        outcome="",
        outcome_logged=None,
        compensation_pence=None,
    )
    return realise_stage(stage2, random_plan(rng, 2))


def make_complaints(rng: random.Random, homes: list[Home], scale: int = 1) -> list[Complaint]:
    complaints = []
    for order, received in enumerate(receipt_dates(rng, homes, scale)):
        stage1 = realise_stage(first_stage(rng, homes, received), random_plan(rng, 1))
        stages = [stage1]
        stage2 = escalate(rng, stage1)
        if stage2 is not None:
            stages.append(stage2)
        complaints.append(Complaint(stages, order))
    complaints += make_trap_complaints(homes, start_order=len(complaints))
    assign_refs(complaints)
    return complaints


def assign_refs(complaints: list[Complaint]) -> None:
    """CMP-<year received>-<number within that calendar year>, in order of receipt."""
    complaints.sort(key=lambda c: (c.stages[0].received, c.order))
    counters: dict[int, int] = {}
    for c in complaints:
        year = c.stages[0].received.year
        counters[year] = counters.get(year, 0) + 1
        c.ref = f"CMP-{year}-{counters[year]:05d}"


def add_refused_escalation(complaints: list[Complaint]) -> None:
    """A refused escalation request (complaints.md, "Escalation"): the first LCRA stage 1
    complaint answered (not upheld) in autumn 2023 with no stage 2 gets a stage 2 request
    that the landlord refused. It is a refusal by reason, never an escalation, and not a
    stage 2 complaint for CH01. Fixed, not random, so the other files do not move."""
    for c in sorted(complaints, key=lambda c: c.order):
        first = c.stages[0]
        if (len(c.stages) == 1 and not c.trap and first.outcome == "not_upheld"
                and first.tenure == "" and first.responded is not None
                and date(2023, 10, 2) <= first.responded <= date(2023, 12, 15)
                and not first.refusal_reason and not first.extension_agreed):
            received = CALENDAR.add(first.responded, 12)
            c.stages.append(replace(
                first, stage=2, received=received, acknowledged=CALENDAR.add(received, 2),
                refusal_reason="previously_considered", extension_agreed=False,
                extension_logged=None, extended_due=None, extension_reason="", responded=None,
                outcome="", outcome_logged=None, compensation_pence=None))
            c.trap = ("stage 1 answered (not upheld); the resident's request to escalate to "
                      "stage 2 was refused (previously considered): a refusal by reason, not an "
                      "escalation, and not a stage 2 complaint")
            return
    raise AssertionError("no complaint fits the refused escalation trap")


# The Ombudsman's findings that the landlord failed the Code (complaints.md), apart from its
# determinations: an order in 2023/24 and a notice in 2024/25
COMPLAINT_HANDLING_FAILURES = (
    "ombudsman_ref,issued_date,kind,code_provision,summary\n"
    "202314211,2023-11-20,order,6.2,\"Stage 1 responses not sent within 10 working days; "
    "publish a self-assessment action plan within 4 weeks\"\n"
    "202406388,2024-09-16,notice,5.1,Complaints policy not published on the landlord's website\n"
)

GOVERNING_BODY_RESPONSE = """# Response of the Board of North Shire Homes

The Board considered this report at its meeting on 24 June 2024, with the Member Responsible
for Complaints. We accept its findings, including the Housing Ombudsman's Complaint Handling
Failure Order of November 2023, and we have asked for quarterly reports on stage 1 response
times until every month is within the Code's timescales.

Damp and mould remains the area of most concern to residents. The Board has approved the
additional surveyor posts set out in the service improvement plan.
"""


def make_trap_complaints(homes: list[Home], start_order: int) -> list[Complaint]:
    """Hand-made cases for the timeliness rules in complaints.md, fixed rather than random."""
    settled = [h for h in homes if h.acquired is None and h.disposed is None]
    lcra = [h for h in settled if h.tenure == "LCRA"]
    lcho = [h for h in settled if h.tenure == "LCHO"]

    def stage(
        n: int, received: date, home: Home, category: str, plan: StagePlan, channel: str = "email"
    ) -> Stage:
        s = Stage(n, received, category, SERVICE_AREA[category], "", home.ref, channel, False)
        return realise_stage(s, plan)

    traps: list[tuple[str, list[Stage]]] = []

    why = (
        "received Sunday 31 March 2024 (2023/24), answered in April (2024/25), escalated "
        "in 2024/25; the stage 2 (2024 Code) has a 15 WD extension, inside the new 20 WD "
        "cap, and offers £1,250"
    )
    s1 = stage(1, date(2024, 3, 31), lcra[11], "repairs", StagePlan(2, slack_wd=1))
    s2 = stage(
        2,
        CALENDAR.add(s1.responded, 6),
        lcra[11],
        "repairs",
        StagePlan(
            1,
            extension_wd=15,
            extension_reason="complex case – surveyor visit",
            outcome="partly_upheld",
            compensation_pence=125000,
        ),
    )
    traps.append((why, [s1, s2]))

    why = "received on Easter Monday 1 April 2024 (2024/25)"
    plan = StagePlan(1, slack_wd=3, outcome="upheld", compensation_pence=5000)
    traps.append((why, [stage(1, date(2024, 4, 1), lcho[3], "communication", plan)]))

    why = (
        "received Friday 22 December 2023, acknowledged 28 December (after Christmas and "
        "the 27 December closure day), answered on exactly the last allowed working day, "
        "12 January 2024"
    )
    plan = StagePlan(1, outcome="upheld")
    traps.append((why, [stage(1, date(2023, 12, 22), lcra[23], "damp_mould", plan)]))

    why = (
        "stage 2 received before April 2024 with a 15 WD extension: only 10 WD count under "
        "the 2022 Code, so the response on the extended date is late; the extension reason "
        "holds a line break; compensation £1,250"
    )
    s1 = stage(1, date(2023, 1, 16), lcra[37], "asb", StagePlan(1, slack_wd=2))
    reason = "awaiting CCTV footage.\nResident agreed the new date by phone"
    s2 = stage(
        2,
        CALENDAR.add(s1.responded, 10),
        lcra[37],
        "asb",
        StagePlan(
            1, extension_wd=15, extension_reason=reason, outcome="upheld", compensation_pence=125000
        ),
    )
    traps.append((why, [s1, s2]))

    why = (
        "acknowledged 8 WD after receipt (late); the response 10 WD after that "
        "acknowledgement is late, because the clock starts at receipt + 5 WD at the latest"
    )
    plan = StagePlan(8, outcome="not_upheld")
    traps.append((why, [stage(1, date(2024, 6, 3), lcra[41], "repairs", plan, "phone")]))

    why = "extension agreed with no extended due date recorded, answered after the base deadline"
    plan = StagePlan(
        2,
        extension_wd=8,
        extension_dated=False,
        slack_wd=2,
        outcome="upheld",
        extension_reason="awaiting contractor report",
    )
    traps.append((why, [stage(1, date(2024, 9, 9), lcra[53], "repairs", plan)]))

    why = "received on Good Friday 7 April 2023: the clock starts on Tuesday 11 April"
    plan = StagePlan(0, slack_wd=0)
    traps.append((why, [stage(1, date(2023, 4, 7), lcra[67], "estate_services", plan, "web")]))

    why = "received January 2025 and never answered: open and overdue at the last export"
    plan = StagePlan(3, response="late", late_wd=200)
    traps.append((why, [stage(1, date(2025, 1, 20), lcra[71], "repairs", plan)]))

    return [Complaint(stages, start_order + i, trap=why) for i, (why, stages) in enumerate(traps)]


# --------------------------------------------------------------------------- formatting


def format_value(column: str, value: object, spec: ExportSpec) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return spec.bool_style[0] if value else spec.bool_style[1]
    if isinstance(value, date):
        return value.isoformat() if spec.date_style == "iso" else value.strftime("%d/%m/%Y")
    if column == "compensation_gbp":
        return format_money(int(value), spec.money_style)  # type: ignore[call-overload]
    return str(value)


def format_money(pence: int, style: str) -> str:
    pounds, p = divmod(pence, 100)
    if style == "excel":
        return f"£{pounds:,}.{p:02d}"
    if style == "plain" and p == 0:
        return str(pounds)
    return f"{pounds}.{p:02d}"


def export_rows(complaints: list[Complaint], index: int) -> list[dict[str, str]]:
    """Rows of one dated export: received in its window, or still open at the previous one
    (the case system repeats open cases until they close)."""
    spec = EXPORTS[index]
    previous = EXPORTS[index - 1].as_of if index else None
    rows = []
    for c in complaints:
        for s in c.stages:
            row = s.as_of(spec.as_of)
            if row is None:
                continue
            carried = previous is not None and s.is_open(previous)
            if s.received < spec.window_start and not carried:
                continue
            out = {"complaint_ref": c.ref}
            out.update({k: format_value(k, v, spec) for k, v in row.items()})
            rows.append(out)
    return rows


def apply_bad_rows(exports: dict[str, list[dict[str, str]]]) -> None:
    """Damage the rows listed in DELIBERATE_BAD_ROWS; check each key is in that file only."""
    for bad in DELIBERATE_BAD_ROWS:
        rows = exports[bad.file]
        key_stage = 2 if bad.action == "add" else bad.stage
        matches = [
            i
            for i, r in enumerate(rows)
            if r["complaint_ref"] == bad.complaint_ref and r["stage"] == str(key_stage)
        ]
        if len(matches) != 1:
            raise AssertionError(f"bad row target not found once: {bad}")
        for other, other_rows in exports.items():
            if other != bad.file and any(
                r["complaint_ref"] == bad.complaint_ref for r in other_rows
            ):
                raise AssertionError(f"{bad.complaint_ref} is also in {other}")
        i = matches[0]
        if bad.action == "edit":
            rows[i][bad.column] = bad.value
        elif bad.action == "add":  # a "stage 3" review requested after the stage 2 answer
            cleared = dict.fromkeys(
                (
                    "acknowledged_date",
                    "extended_due_date",
                    "extension_reason",
                    "responded_date",
                    "outcome",
                    "compensation_gbp",
                ),
                "",
            )
            rows.insert(
                i + 1,
                {
                    **rows[i],
                    **cleared,
                    "stage": bad.value,
                    "received_date": rows[i]["responded_date"],
                },
            )
        else:
            flipped = "upheld" if rows[i]["outcome"] != "upheld" else "not_upheld"
            rows.insert(i + 1, {**rows[i], "outcome": flipped})


def csv_text(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([row[c] for c in columns] for row in rows)
    return buffer.getvalue()


# --------------------------------------------------------------------------- ombudsman

FINDING_LABELS = {
    "severe_maladministration": "Severe maladministration",
    "maladministration": "Maladministration",
    "service_failure": "Service failure",
    "no_maladministration": "No maladministration",
    "reasonable_redress": "Reasonable redress",
    "outside_jurisdiction": "Outside jurisdiction",
}
FINDING_WEIGHTS = (5, 30, 20, 20, 15, 10)
ORDERS = (
    "Apologise in writing within 4 weeks",
    "Inspect the property for damp and mould within 4 weeks and share a schedule of works",
    "Review the complaint handling of this case, with learning shared with staff",
    "Complete the outstanding repairs within 8 weeks",
    "Review the damp and mould policy within 12 weeks",
    "Meet the resident to agree an action plan",
)


@dataclass
class Determination:
    hos_ref: str
    complaint_ref: str
    determined: date
    finding: str
    compensation_pence: int | None
    orders: str


def make_determinations(rng: random.Random, complaints: list[Complaint]) -> list[Determination]:
    """6-10 determinations a year on complaints that finished stage 2 (delays 2-10 months)."""
    answered = [
        (c, c.stages[1])
        for c in complaints
        if len(c.stages) == 2
        and c.stages[1].responded is not None
        and c.stages[1].outcome != "withdrawn"
        and c.stages[1].responded <= DATA_END
    ]
    used: list[str] = []
    result = []
    for start in YEAR_STARTS:
        end = min(date(start.year + 1, 3, 31), DATA_END)
        pool = [
            (c, s)
            for c, s in answered
            if c.ref not in used
            and s.responded + timedelta(days=60) <= end
            and s.responded + timedelta(days=300) >= start
        ]
        for c, s in rng.sample(pool, min(len(pool), rng.randint(6, 10))):
            used.append(c.ref)
            low = max(s.responded + timedelta(days=60), start)
            high = min(s.responded + timedelta(days=300), end)
            determined = CALENDAR.roll_forward(_random_day(rng, low, high))
            if determined > end:
                determined = CALENDAR.subtract(end, 1)
            finding = rng.choices(tuple(FINDING_LABELS), FINDING_WEIGHTS)[0]
            result.append(determination(rng, c, s, determined, finding))
    result.sort(key=lambda d: (d.determined, d.hos_ref))
    return result


def determination(
    rng: random.Random, c: Complaint, s: Stage, determined: date, finding: str
) -> Determination:
    referred = s.responded + timedelta(days=rng.randint(5, 40))
    hos_ref = f"{referred.year}{rng.randint(1000, 29999):05d}"
    compensation = None
    orders = ""
    if finding in ("severe_maladministration", "maladministration", "service_failure"):
        pounds = rng.choice((100, 150, 250, 350, 500, 750, 1000, 1500))
        if finding == "severe_maladministration":
            pounds += 1500
        compensation = pounds * 100
        picked = rng.sample(ORDERS, rng.randint(1, 3))
        orders = "; ".join([f"Pay £{pounds:,} compensation"] + picked)
    elif finding == "reasonable_redress":
        orders = "None: the landlord's offer of redress was reasonable"
    return Determination(hos_ref, c.ref, determined, finding, compensation, orders)


def hos_rows(determinations: list[Determination]) -> list[dict[str, str]]:
    return [
        {
            "HOS Ref": d.hos_ref,
            "Landlord Complaint Ref": d.complaint_ref,
            "Determination Date": d.determined.strftime("%d/%m/%Y"),
            "Finding": FINDING_LABELS[d.finding],
            "Compensation Ordered": format_money(d.compensation_pence, "excel")
            if d.compensation_pence is not None
            else "",
            "Orders": d.orders,
        }
        for d in determinations
    ]


# --------------------------------------------------------------------------- repairs
# Each of the four files below draws from its own seeded generator, so adding them left
# homes.csv and the complaints exports exactly as they were.

REPAIRS_FILE = "repairs.csv"
REPAIR_COLUMNS = (
    "job_ref",
    "home_ref",
    "priority",
    "repair_type",
    "reported_at",
    "target_at",
    "completed_at",
    "status",
    "tenure",
)
# The landlord's priorities, as landlord.toml declares them: (class, unit, value).
PRIORITIES = {
    "P1": ("emergency", "hours", 24),
    "P2": ("non_emergency", "working_days", 5),
    "P3": ("non_emergency", "calendar_days", 28),
}
REPAIRS_FROM = date(2022, 3, 1)  # the export also holds March 2022 jobs still open on 1 April
REPAIRS_TO = date(2025, 3, 31)  # last day jobs are reported
REPAIRS_AS_OF = datetime(2025, 4, 10, 23, 59)  # the export shows jobs as they stood then
# Responsive repairs per home per year by tenure (shared owners and leaseholders repair
# their own homes; the traps add a couple of leasehold jobs).
REPAIR_RATE = {"LCRA": 2.75, "LCHO": 0.25, "market_rent": 2.0}
REPAIR_TYPES = ("", "responsive", "planned", "void", "other")
REPAIR_TYPE_WEIGHTS = (58, 33, 5, 3, 1)
REPAIR_MONTH_WEIGHT = (0.9, 0.9, 0.85, 0.85, 0.9, 0.95, 1.05, 1.15, 1.2, 1.3, 1.1, 1.0)
REPAIR_WEEKDAY_WEIGHT = (1.3, 1.2, 1.1, 1.05, 0.95, 0.3, 0.25)
EMERGENCY_HOUR_WEIGHT = (2, 1, 1, 1, 1, 1, 2, 4, 6, 6, 6, 5, 5, 5, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3)
# Share completed within target, by the year a job is reported: (emergency, non-emergency).
WITHIN_TARGET = {2021: (0.95, 0.91), 2022: (0.95, 0.91), 2023: (0.96, 0.92), 2024: (0.97, 0.93)}


class RepairTrap(NamedTuple):
    """A hand-made repair job; job_ref is R + reported date (YYMMDD) + 9nn."""

    job_ref: str
    priority: str
    reported_at: str
    completed_at: str
    within: bool  # what RP02 must find (checked by the generator against the rules)
    why: str
    target_at: str = ""
    home: str = "LCRA"  # tenure of the home the job is raised on
    tenure: str = ""  # the job's own tenure column


REPAIR_TRAPS: tuple[RepairTrap, ...] = (
    RepairTrap(
        "R240328901",
        "P2",
        "2024-03-28 10:15",
        "2024-04-08 15:40",
        True,
        "P2 reported Thu 28 March 2024, completed Mon 8 April: day 5 counting Tue 2, Wed 3, "
        "Thu 4, Fri 5, Mon 8 April (Good Friday and Easter Monday are not working days), so "
        "within; counted in 2024/25, the year it was completed",
    ),
    RepairTrap(
        "R240328902",
        "P2",
        "2024-03-28 11:40",
        "2024-04-09 09:30",
        False,
        "P2 reported Thu 28 March 2024, completed Tue 9 April: day 6, late (2024/25)",
    ),
    RepairTrap(
        "R231222901",
        "P2",
        "2023-12-22 11:00",
        "2024-01-04 16:30",
        True,
        "P2 reported Fri 22 December 2023, completed Thu 4 January 2024: Christmas Day, Boxing "
        "Day, the closure day 27 December and New Year's Day are not working days, so Thu 4 "
        "January is day 5, within",
    ),
    RepairTrap(
        "R231222902",
        "P2",
        "2023-12-22 14:20",
        "2024-01-05 10:00",
        False,
        "P2 reported Fri 22 December 2023, completed Fri 5 January 2024: day 6, late",
    ),
    RepairTrap(
        "R231110901",
        "P1",
        "2023-11-10 22:30",
        "2023-11-11 21:00",
        True,
        "P1 reported 22:30, completed 21:00 the next day: 22h30m, within 24 hours",
    ),
    RepairTrap(
        "R231110902",
        "P1",
        "2023-11-10 22:30",
        "2023-11-11 23:00",
        False,
        "P1 reported 22:30, completed 23:00 the next day: 24h30m, late although completed on "
        "the next calendar day",
    ),
    RepairTrap(
        "R240704901",
        "P1",
        "2024-07-04 14:00",
        "2024-07-05 14:00",
        True,
        "P1 completed exactly 24 hours after it was reported: within",
    ),
    RepairTrap(
        "R241225901",
        "P1",
        "2024-12-25 03:10",
        "2024-12-25 19:00",
        True,
        "P1 reported and completed on Christmas Day: hour targets ignore bank holidays",
    ),
    RepairTrap(
        "R240504901",
        "P2",
        "2024-05-04 10:30",
        "2024-05-14 16:00",
        True,
        "P2 reported on Sat 4 May 2024 (web form) before the early May bank holiday: counts "
        "from Tue 7 May, so day 5 is Tue 14 May, within",
    ),
    RepairTrap(
        "R240131901",
        "P3",
        "2024-01-31 09:00",
        "2024-02-28 15:00",
        True,
        "P3 (28 calendar days) completed on day 28, within",
    ),
    RepairTrap(
        "R240131902",
        "P3",
        "2024-01-31 09:30",
        "2024-02-29 10:00",
        False,
        "P3 completed on 29 February 2024, day 29: late",
    ),
    RepairTrap(
        "R220325901",
        "P3",
        "2022-03-25 09:20",
        "2022-04-19 11:00",
        True,
        "reported in March 2022, before the data's first year, completed in April 2022: "
        "counted in 2022/23",
    ),
    RepairTrap(
        "R230320901",
        "P3",
        "2023-03-20 13:05",
        "2023-04-12 10:30",
        True,
        "reported in 2022/23, completed in 2023/24: counted in 2023/24 only",
    ),
    RepairTrap(
        "R250327901",
        "P2",
        "2025-03-27 09:00",
        "2025-04-03 12:00",
        True,
        "P2 reported Thu 27 March 2025, completed Thu 3 April 2025 (day 5): counted in 2025/26, "
        "not in 2024/25",
    ),
    RepairTrap(
        "R230605901",
        "P2",
        "2023-06-05 09:00",
        "2023-06-19 11:00",
        True,
        "P2 with target_at 20 June 17:00 (appointment agreed with the tenant): the explicit "
        "target overrides 5 working days (12 June), so within",
        target_at="2023-06-20 17:00",
    ),
    RepairTrap(
        "R230904901",
        "P2",
        "2023-09-04 08:45",
        "2023-09-08 10:00",
        False,
        "P2 with target_at 6 September 17:00 (gas leak follow-up): late against its own "
        "target although within 5 working days",
        target_at="2023-09-06 17:00",
    ),
    RepairTrap(
        "R240612901",
        "P3",
        "2024-06-12 09:00",
        "2024-06-10 15:00",
        True,
        "completed two days before it was reported: a data error the pipeline warns about",
    ),
    RepairTrap(
        "R230815901",
        "P2",
        "2023-08-15 10:00",
        "2023-08-17 14:00",
        True,
        "a leasehold flat's job, tenure column blank: out of scope through homes.csv",
        home="leasehold",
    ),
    RepairTrap(
        "R241021901",
        "P1",
        "2024-10-21 19:45",
        "2024-10-22 02:15",
        True,
        "a leasehold flat's emergency, tenure column `leasehold`: out of scope",
        home="leasehold",
        tenure="leasehold",
    ),
)


@dataclass
class Job:
    home_ref: str
    priority: str
    reported: datetime
    repair_type: str = ""
    target_at: datetime | None = None
    completed: datetime | None = None
    status: str = "completed"
    tenure: str = ""
    ref: str = ""


def _minutes(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M")


def repair_within(
    priority: str, reported: datetime, target_at: datetime | None, completed: datetime
) -> bool:
    """RP02's rule (tsm.md): the job's target_at if set, else its priority's target."""
    if target_at is not None:
        return completed <= target_at
    _, unit, value = PRIORITIES[priority]
    if unit == "hours":
        return completed <= reported + timedelta(hours=value)
    if unit == "calendar_days":
        return completed.date() <= reported.date() + timedelta(days=value)
    return completed.date() <= CALENDAR.add(reported.date(), value)


def _working_day_between(rng: random.Random, lo: date, hi: date) -> date:
    days = [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]
    working = [d for d in days if CALENDAR.is_working(d)]
    return rng.choice(working or days)


def _daytime(rng: random.Random, d: date, first_hour: int = 8, last_hour: int = 16) -> datetime:
    minute = rng.randrange(first_hour * 60, (last_hour + 1) * 60)
    return datetime(d.year, d.month, d.day) + timedelta(minutes=minute)


def _random_job(rng: random.Random, home: Home, day: date) -> Job:
    working = CALENDAR.is_working(day)
    priority = rng.choices(("P1", "P2", "P3"), (9, 40, 51) if working else (40, 30, 30))[0]
    repair_type = rng.choices(REPAIR_TYPES, REPAIR_TYPE_WEIGHTS)[0]
    if repair_type in ("planned", "void"):
        priority = "P3"
    if priority == "P1":
        hour = rng.choices(range(24), EMERGENCY_HOUR_WEIGHT)[0]
        reported = datetime(day.year, day.month, day.day, hour, rng.randrange(60))
    else:
        reported = _daytime(rng, day, 8, 18) if working else _daytime(rng, day, 9, 21)
    job = Job(home.ref, priority, reported, repair_type)
    job.tenure = home.tenure if rng.random() < 0.03 else ""

    emergency_rate, routine_rate = WITHIN_TARGET[day.year if day.month >= 4 else day.year - 1]
    within = rng.random() < (emergency_rate if priority == "P1" else routine_rate)
    d = reported.date()
    if priority == "P1":
        minutes = int(rng.triangular(20, 1440, 180)) if within else rng.randint(1441, 4 * 1440)
        job.completed = reported + timedelta(minutes=minutes)
    elif priority == "P2":
        deadline = CALENDAR.add(d, 5)
        if rng.random() < 0.06:  # the system set its own target (an agreed appointment)
            target = CALENDAR.add(d, 5 + rng.choice((-2, -1, 2, 3, 5, 8)))
            job.target_at = datetime(target.year, target.month, target.day, 17, 0)
            deadline = target
        if within:
            done = _working_day_between(rng, d + timedelta(days=1), deadline)
        else:
            done = CALENDAR.add(deadline, rng.choices(range(1, 11), range(10, 0, -1))[0])
        job.completed = _daytime(rng, done)
    else:
        if within:
            done = _working_day_between(rng, d + timedelta(days=2), d + timedelta(days=28))
            if done > d + timedelta(days=28):
                done = d + timedelta(days=28)
        else:
            late = rng.choices(range(29, 90), range(61, 0, -1))[0]
            done = _working_day_between(rng, d + timedelta(days=late), d + timedelta(days=late + 4))
        job.completed = _daytime(rng, done)

    r = rng.random()
    if r < 0.03:
        job.status, job.completed = "cancelled", None
    elif r < 0.033:  # stuck: never closed on the system
        job.status, job.completed = "open", None
    elif job.completed is not None and job.completed > REPAIRS_AS_OF:
        job.status, job.completed = "open", None
    elif r < 0.043:
        job.status = ""  # blank: completed, because completed_at is set
    return job


def make_repairs(homes: list[Home]) -> list[Job]:
    rng = random.Random(f"{SEED}:repairs")
    days = [REPAIRS_FROM + timedelta(days=i) for i in range((REPAIRS_TO - REPAIRS_FROM).days + 1)]
    day_weights = [
        REPAIR_MONTH_WEIGHT[d.month - 1]
        * (
            REPAIR_WEEKDAY_WEIGHT[d.weekday()]
            if CALENDAR.is_working(d) or d.weekday() >= 5
            else 0.3
        )
        for d in days
    ]
    pool = [h for h in homes if h.tenure in REPAIR_RATE]
    home_weights = [REPAIR_RATE[h.tenure] * rng.lognormvariate(0, 0.6) for h in pool]
    mid = date(2023, 9, 30)
    per_year = sum(REPAIR_RATE[h.tenure] for h in pool if h.owned_on(mid))
    total = round(per_year * len(days) / 365.25 / (1 - 0.09))  # 9%: planned, void, other
    cum_homes = list(itertools.accumulate(home_weights))
    picked_days = rng.choices(days, day_weights, k=total)
    picked_days.sort()
    jobs = []
    for day in picked_days:
        home = rng.choices(pool, cum_weights=cum_homes)[0]
        while not home.owned_on(day):
            home = rng.choices(pool, cum_weights=cum_homes)[0]
        job = _random_job(rng, home, day)
        if job.reported.date() < YEAR_STARTS[0] and (
            job.completed is None
            and job.status != "open"
            or job.completed is not None
            and job.completed.date() < YEAR_STARTS[0]
        ):
            continue  # finished before April 2022: not in the export
        jobs.append(job)

    # Random job refs: R + reported date + a three-digit count in the day; traps use 9nn.
    jobs.sort(key=lambda j: j.reported)
    counts: dict[date, int] = {}
    for job in jobs:
        d = job.reported.date()
        counts[d] = counts.get(d, 0) + 1
        if counts[d] >= 900:
            raise AssertionError(f"more than 899 jobs reported on {d}")
        job.ref = f"R{d:%y%m%d}{counts[d]:03d}"

    steady = [h for h in homes if h.acquired is None and h.disposed is None]
    for trap in REPAIR_TRAPS:
        home = rng.choice([h for h in steady if h.tenure == trap.home])
        job = Job(
            home.ref,
            trap.priority,
            datetime.fromisoformat(trap.reported_at),
            target_at=datetime.fromisoformat(trap.target_at) if trap.target_at else None,
            completed=datetime.fromisoformat(trap.completed_at),
            tenure=trap.tenure,
            ref=trap.job_ref,
        )
        if trap.job_ref[1:7] != f"{job.reported:%y%m%d}" or trap.job_ref[7] != "9":
            raise AssertionError(f"trap job_ref does not match its date: {trap}")
        if repair_within(job.priority, job.reported, job.target_at, job.completed) != trap.within:
            raise AssertionError(f"trap is not what it says: {trap}")
        jobs.append(job)
    jobs.sort(key=lambda j: (j.reported, j.ref))
    return jobs


def repairs_rows(jobs: list[Job]) -> list[dict[str, str]]:
    return [
        {
            "job_ref": j.ref,
            "home_ref": j.home_ref,
            "priority": j.priority,
            "repair_type": j.repair_type,
            "reported_at": _minutes(j.reported),
            "target_at": _minutes(j.target_at) if j.target_at else "",
            "completed_at": _minutes(j.completed) if j.completed else "",
            "status": j.status,
            "tenure": j.tenure,
        }
        for j in jobs
    ]


# --------------------------------------------------------------------------- decent homes

DECENT_HOMES_FILE = "decent_homes.csv"
DECENT_HOMES_COLUMNS = ("as_at", "home_ref", "meets_standard", "failure_reason")
YEAR_ENDS = tuple(date(s.year + 1, 3, 31) for s in YEAR_STARTS)
FAILURE_REASONS = ("disrepair", "thermal_comfort", "modern_facilities", "hhsrs_category_1")
FAILURE_WEIGHTS = (30, 30, 15, 25)
DH_FAIL_RATE = (0.034, 0.030, 0.026)  # a home that passed last time fails at this year end
DH_STILL_FAILING = 0.35  # failed last time (or at 30 September) and still fails


class Assessment(NamedTuple):
    as_at: date
    home_ref: str
    meets: bool
    reason: str = ""


def make_decent_homes(homes: list[Home]) -> tuple[list[Assessment], dict[str, str]]:
    """Every LCRA home at each 31 March, some re-assessed at 30 September; LCHO absent."""
    rng = random.Random(f"{SEED}:decent_homes")
    lcra = [h for h in homes if h.tenure == "LCRA"]
    steady = [h for h in lcra if h.acquired is None and h.disposed is None and not h.building_ref]
    trap_homes = rng.sample(steady, 3)
    traps = {
        trap_homes[0].ref: "failed (hhsrs_category_1) at 31 March 2024 and passed when "
        "re-assessed on 15 April 2024: still failing for 2023/24",
        trap_homes[1].ref: "passed at 31 March 2024 and failed (thermal_comfort) on 15 April "
        "2024: passing for 2023/24",
        trap_homes[2].ref: "failed (disrepair) at 30 September 2023, passed at 31 March 2024: "
        "passing for 2023/24",
    }
    forced = {
        (date(2024, 3, 31), trap_homes[0].ref): Assessment(
            date(2024, 3, 31), trap_homes[0].ref, False, "hhsrs_category_1"
        ),
        (date(2024, 3, 31), trap_homes[1].ref): Assessment(
            date(2024, 3, 31), trap_homes[1].ref, True
        ),
        (date(2023, 9, 30), trap_homes[2].ref): Assessment(
            date(2023, 9, 30), trap_homes[2].ref, False, "disrepair"
        ),
        (date(2024, 3, 31), trap_homes[2].ref): Assessment(
            date(2024, 3, 31), trap_homes[2].ref, True
        ),
    }
    failing: dict[str, str] = {}  # home_ref -> reason, for homes failing when last assessed
    rows: list[Assessment] = []

    def record(a: Assessment) -> None:
        rows.append(a)
        if a.meets:
            failing.pop(a.home_ref, None)
        else:
            failing[a.home_ref] = a.reason

    def assess(as_at: date, h: Home, fail_rate: float) -> Assessment:
        if (as_at, h.ref) in forced:
            return forced[(as_at, h.ref)]
        if h.decent_homes_applies == "N":  # the regeneration block: the standard not applied
            return Assessment(as_at, h.ref, False, "disrepair")
        if rng.random() < (DH_STILL_FAILING if h.ref in failing else fail_rate):
            reason = failing.get(h.ref) or rng.choices(FAILURE_REASONS, FAILURE_WEIGHTS)[0]
            return Assessment(as_at, h.ref, False, reason)
        return Assessment(as_at, h.ref, True)

    for i, year_end in enumerate(YEAR_ENDS):
        mid = date(year_end.year - 1, 9, 30)
        for h in lcra:  # re-assessments at 30 September: follow-ups and reported problems
            if not h.owned_on(mid) or h.ref in (trap_homes[0].ref, trap_homes[1].ref):
                continue
            if (mid, h.ref) in forced or rng.random() < (0.5 if h.ref in failing else 0.03):
                record(assess(mid, h, 0.25))
        for h in lcra:
            if h.owned_on(year_end):
                record(assess(year_end, h, DH_FAIL_RATE[i]))
        if year_end == date(2024, 3, 31):  # assessed after the year end
            record(Assessment(date(2024, 4, 15), trap_homes[0].ref, True))
            record(Assessment(date(2024, 4, 15), trap_homes[1].ref, False, "thermal_comfort"))
    rows.sort(key=lambda a: (a.as_at, a.home_ref))
    return rows, traps


def decent_homes_rows(rows: list[Assessment]) -> list[dict[str, str]]:
    return [
        {
            "as_at": a.as_at.isoformat(),
            "home_ref": a.home_ref,
            "meets_standard": "Y" if a.meets else "N",
            "failure_reason": a.reason,
        }
        for a in rows
    ]


# --------------------------------------------------------------------------- safety checks

SAFETY_FILE = "safety_checks.csv"
SAFETY_COLUMNS = ("as_at", "check_type", "asset_ref", "required", "compliant")
BUILDING_CHECKS = ("fire", "asbestos", "water")
GAS_TENURES = ("LCRA", "LCHO", "market_rent")  # leaseholders arrange their own gas checks


class Check(NamedTuple):
    as_at: date
    check_type: str
    asset_ref: str
    required: bool
    compliant: bool | None


def make_safety_checks(homes: list[Home]) -> tuple[list[Check], dict[str, str]]:
    """The position at each 31 March: gas per home, the rest per block (lifts in some)."""
    rng = random.Random(f"{SEED}:safety_checks")
    blocks: dict[str, list[Home]] = {}
    for h in homes:
        if h.building_ref:
            blocks.setdefault(h.building_ref, []).append(h)
    # ~30% of blocks have a passenger lift (the taller ones); half the rest report "no lift".
    lift = {b: len(hs) >= 31 or rng.random() < 0.06 for b, hs in blocks.items()}
    lift_row = {b: lift[b] or rng.random() < 0.5 for b in blocks}
    has_gas = {h.ref: h.tenure in GAS_TENURES and rng.random() < 0.9 for h in homes}
    older = [b for b, hs in blocks.items() if all(h.stock_type == "older_persons" for h in hs)]
    communal = older[0]  # a communal boiler: one gas check for the block, none per flat
    mixed = [
        b
        for b, hs in blocks.items()
        if {h.tenure for h in hs} == {"LCRA", "leasehold"} and len(hs) >= 12
    ]
    leasehold_block = mixed[0]
    sold = [
        h
        for h in homes
        if has_gas[h.ref] and h.disposed and date(2024, 1, 1) <= h.disposed < date(2024, 3, 31)
    ][:2]
    sold_refs = tuple(h.ref for h in sold)
    traps = {
        communal: "communal boiler: one gas check for the block (asset_ref = building_ref); "
        "its flats' own gas rows say required=N",
        leasehold_block: "a block of LCRA and leasehold flats whose fire risk assessment was "
        "out of date at 31 March 2024: only its LCRA flats count",
    }
    for h in sold:
        traps[h.ref] = (
            f"sold on {h.disposed.isoformat()} but still listed at 31 March 2024, gas check "
            "lapsed: not owned at the year end, so not counted"
        )
    rows: list[Check] = []
    for year_end in YEAR_ENDS:
        for h in homes:
            if h.tenure not in GAS_TENURES:
                continue
            listed = h.owned_on(year_end) or (year_end == date(2024, 3, 31) and h.ref in sold_refs)
            if not listed:
                continue
            if h.building_ref == communal or not has_gas[h.ref]:
                rows.append(Check(year_end, "gas", h.ref, False, None))
            elif h.ref in sold_refs:
                rows.append(Check(year_end, "gas", h.ref, True, False))
            else:
                rows.append(Check(year_end, "gas", h.ref, True, rng.random() >= 0.005))
        for b, hs in blocks.items():
            if not any(h.owned_on(year_end) for h in hs):
                continue
            if b == communal:
                rows.append(Check(year_end, "gas", b, True, True))
            for check_type in BUILDING_CHECKS:
                ok = rng.random() >= 0.015
                if b == leasehold_block and check_type == "fire":
                    ok = year_end != date(2024, 3, 31)
                rows.append(Check(year_end, check_type, b, True, ok))
            if lift[b]:
                rows.append(Check(year_end, "lift", b, True, rng.random() >= 0.03))
            elif lift_row[b]:
                rows.append(Check(year_end, "lift", b, False, None))
    # A required gas check with no compliance recorded: staged and not compliant (tsm.md:
    # missing evidence never improves a measure), so the home stays in the denominator.
    blank = rng.choice(
        [
            i
            for i, c in enumerate(rows)
            if c.as_at == YEAR_ENDS[-1] and c.check_type == "gas" and c.required and c.compliant
        ]
    )
    rows[blank] = rows[blank]._replace(compliant=None)
    traps[rows[blank].asset_ref] = (
        "required gas check at 31 March 2025 with `compliant` blank: not compliant (missing "
        "evidence never improves a measure), so the home stays in BS01's 2024/25 denominator "
        "and leaves its numerator"
    )
    order = {t: i for i, t in enumerate(("gas", *BUILDING_CHECKS, "lift"))}
    rows.sort(key=lambda c: (c.as_at, order[c.check_type], c.asset_ref))
    return rows, traps


def safety_rows(rows: list[Check]) -> list[dict[str, str]]:
    def yn(v: bool | None) -> str:
        return "" if v is None else "Y" if v else "N"

    return [
        {
            "as_at": c.as_at.isoformat(),
            "check_type": c.check_type,
            "asset_ref": c.asset_ref,
            "required": yn(c.required),
            "compliant": yn(c.compliant),
        }
        for c in rows
    ]


# --------------------------------------------------------------------------- ASB

ASB_FILE = "asb_cases.csv"
ASB_COLUMNS = ("case_ref", "opened_date", "closed_date", "hate_incident", "tenure", "category")
ASB_PER_1000 = (27.0, 30.0, 32.0)  # cases opened per 1,000 LCRA + LCHO homes, per year
ASB_CATEGORIES = ("noise", "vandalism", "harassment", "drugs", "domestic_abuse", "pets", "other")
ASB_CATEGORY_WEIGHTS = (35, 10, 15, 12, 6, 7, 15)
ASB_MONTH_WEIGHT = (0.95, 1.05, 1.15, 1.25, 1.2, 1.05, 0.95, 0.85, 0.85, 0.9, 0.85, 0.95)
# Boundary days that must hold a case (2022/23 and 2023/24 either side of midnight).
ASB_FORCED = (date(2023, 3, 31), date(2023, 4, 1), date(2025, 3, 31))


class AsbCase(NamedTuple):
    opened: date
    closed: date | None
    hate: bool | None
    tenure: str
    category: str
    ref: str = ""


def make_asb_cases(homes: list[Home]) -> list[AsbCase]:
    rng = random.Random(f"{SEED}:asb_cases")
    cases: list[AsbCase] = []
    for i, start in enumerate(YEAR_STARTS):
        end = YEAR_ENDS[i]
        in_scope = sum(h.tenure in ("LCRA", "LCHO") and h.owned_on(end) for h in homes)
        days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
        weights = [ASB_MONTH_WEIGHT[d.month - 1] * (0.6 if d.weekday() >= 5 else 1) for d in days]
        opened_days = rng.choices(days, weights, k=round(in_scope * ASB_PER_1000[i] / 1000))
        opened_days += [d for d in ASB_FORCED if start <= d <= end]
        for opened in opened_days:
            hate = rng.random() < 0.03
            category = (
                "harassment" if hate else rng.choices(ASB_CATEGORIES, ASB_CATEGORY_WEIGHTS)[0]
            )
            closed: date | None = opened + timedelta(days=int(rng.lognormvariate(3.7, 0.7)))
            if closed > DATA_END:
                closed = None
            tenure = rng.choices(("", "LCRA", "LCHO", "leasehold"), (90, 2, 6, 2))[0]
            hate_value = None if rng.random() < 0.04 and not hate else hate
            cases.append(AsbCase(opened, closed, hate_value, tenure, category))
    cases.sort(key=lambda c: c.opened)
    counts: dict[int, int] = {}
    numbered = []
    for c in cases:
        counts[c.opened.year] = counts.get(c.opened.year, 0) + 1
        numbered.append(c._replace(ref=f"ASB-{c.opened.year}-{counts[c.opened.year]:04d}"))
    return numbered


def asb_rows(cases: list[AsbCase]) -> list[dict[str, str]]:
    return [
        {
            "case_ref": c.ref,
            "opened_date": c.opened.strftime("%d/%m/%Y"),
            "closed_date": c.closed.strftime("%d/%m/%Y") if c.closed else "",
            "hate_incident": "" if c.hate is None else "Y" if c.hate else "N",
            "tenure": c.tenure,
            "category": c.category,
        }
        for c in cases
    ]


# --------------------------------------------------------------------------- tenant survey

TP_COLUMNS = tuple(f"tp{i:02d}" for i in range(1, 13))
ROUTING_COLUMNS = ("repair_last_12m", "communal_areas", "complaint_last_12m")
SURVEY_CHARACTERISTICS = ("stock_type", "area", "age_band")
SURVEY_COLUMNS = (
    "response_id",
    "tenure",
    "collection_method",
    "response_date",
    *TP_COLUMNS,
    *ROUTING_COLUMNS,
    "weight",
    *SURVEY_CHARACTERISTICS,
)
POPULATION_FILE = "survey_population.csv"
POPULATION_COLUMNS = ("year", "tenure", "characteristic", "group", "households")
SURVEY_TOML = "survey.toml"
CONTRACTOR = "Northern Research Ltd"
STOCK_TYPES = ("general_needs", "older_persons", "supported", "shared_ownership")
AGE_BANDS = ("16-34", "35-54", "55-64", "65+", "no_data")
# The lead tenant's age band by the kind of home (a few tenancy records lack a birth date).
AGE_BAND_WEIGHTS = {
    "general_needs": (21, 37, 19, 21, 2),
    "older_persons": (0, 2, 14, 83, 1),
    "supported": (42, 36, 12, 8, 2),
    "shared_ownership": (38, 42, 12, 6, 2),
}
# Older residents are more satisfied, as in the sector's surveys: added to an answer's log-odds.
AGE_EFFECT = {"16-34": -0.5, "35-54": -0.2, "55-64": 0.1, "65+": 0.7, "no_data": 0.0}
MOOD_SD = 1.0  # a respondent's general disposition, shared by all their answers (log-odds)
SURVEY_METHODS = ("postal", "online", "telephone", "face_to_face", "sms")
SATISFACTION = (
    "very_satisfied",
    "fairly_satisfied",
    "neither",
    "fairly_dissatisfied",
    "very_dissatisfied",
)
AGREEMENT = ("strongly_agree", "agree", "neither", "disagree", "strongly_disagree")
# Per question: satisfied % for LCRA and LCHO before the year's movement and the age effect
# (the mood spread pulls the achieved figures a few points towards 50), and don't know %.
TP_LEVELS = {
    "tp01": (74, 70, 0.0),
    "tp02": (80, 0, 0.0),
    "tp03": (74, 0, 0.0),
    "tp04": (77, 0, 0.0),
    "tp05": (84, 80, 3.0),
    "tp06": (64, 58, 7.0),
    "tp07": (74, 68, 4.0),
    "tp08": (84, 79, 3.5),
    "tp09": (33, 30, 0.0),
    "tp10": (68, 62, 0.0),
    "tp11": (70, 63, 6.0),
    "tp12": (62, 58, 8.0),
}
TP_QUESTIONS = {
    "tp01": "Taking everything into account, how satisfied or dissatisfied are you with the "
    "service provided by North Shire Homes?",
    "tp02": "How satisfied or dissatisfied are you with the overall repairs service from North "
    "Shire Homes over the last 12 months?",
    "tp03": "How satisfied or dissatisfied are you with the time taken to complete your most "
    "recent repair after you reported it?",
    "tp04": "How satisfied or dissatisfied are you that North Shire Homes provides a home that "
    "is well maintained?",
    "tp05": "How satisfied or dissatisfied are you that North Shire Homes provides a home that "
    "is safe?",
    "tp06": "How satisfied or dissatisfied are you that North Shire Homes listens to your views "
    "and acts upon them?",
    "tp07": "How satisfied or dissatisfied are you that North Shire Homes keeps you informed "
    "about things that matter to you?",
    "tp08": "To what extent do you agree or disagree: North Shire Homes treats me fairly and "
    "with respect?",
    "tp09": "How satisfied or dissatisfied are you with North Shire Homes' approach to "
    "complaints handling?",
    "tp10": "How satisfied or dissatisfied are you that North Shire Homes keeps these communal "
    "areas clean and well maintained?",
    "tp11": "How satisfied or dissatisfied are you that North Shire Homes makes a positive "
    "contribution to your neighbourhood?",
    "tp12": "How satisfied or dissatisfied are you with North Shire Homes' approach to handling "
    "anti-social behaviour?",
    "repair_last_12m": "Has North Shire Homes carried out a repair to your home in the last "
    "12 months?",
    "communal_areas": "Do you live in a building with communal areas that North Shire Homes "
    "is responsible for maintaining?",
    "complaint_last_12m": "Have you made a complaint to North Shire Homes in the last 12 months?",
}
ANSWER_WORDS = {
    "very_satisfied": "Very satisfied",
    "fairly_satisfied": "Fairly satisfied",
    "neither": "Neither",
    "fairly_dissatisfied": "Fairly dissatisfied",
    "very_dissatisfied": "Very dissatisfied",
    "strongly_agree": "Strongly agree",
    "agree": "Agree",
    "disagree": "Disagree",
    "strongly_disagree": "Strongly disagree",
    "dont_know": "Don't know",
    "yes": "Yes",
    "no": "No",
}
METHOD_WORDS = {
    "postal": "Postal",
    "online": "Online",
    "telephone": "Telephone",
    "face_to_face": "Face to face",
    "sms": "SMS",
}
# The contractor's numeric codes: the SPSS file (with value labels) and the 2024/25 CSV
# (without; mapping.toml recodes them). Don't know is 6 in the SPSS file, 9 in the CSV.
SCALE_CODES = {
    **{answer: i for i, answer in enumerate(SATISFACTION, start=1)},
    **{answer: i for i, answer in enumerate(AGREEMENT, start=1)},
}
ROUTING_CODES = {"yes": 1, "no": 2, "dont_know": 3}
SATISFACTION_LABELS = {
    1: "Very satisfied",
    2: "Fairly satisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Fairly dissatisfied",
    5: "Very dissatisfied",
    6: "Don't know",
}
AGREEMENT_LABELS = {
    1: "Strongly agree",
    2: "Agree",
    3: "Neither agree nor disagree",
    4: "Disagree",
    5: "Strongly disagree",
    6: "Don't know",
}
ROUTING_LABELS = {1: "Yes", 2: "No", 3: "Don't know"}


@dataclass(frozen=True)
class SurveySpec:
    """One year's tenant perception survey and the way its export was delivered."""

    label: str  # reporting year
    file: str
    prefix: str  # response_id prefix
    style: str  # "words" (CSV of answer words), "sav" (SPSS, labelled codes), "codes" (CSV)
    fieldwork: tuple[date, date]
    respondents: tuple[int, int]  # LCRA, LCHO
    methods: tuple[int, ...]  # weights over SURVEY_METHODS
    shift: float  # the year's movement, log-odds added to every answer
    older_excess_points: float  # LCRA: 65+ share of respondents minus the population's
    safeguarding: int  # households left out of the sample frame for safety reasons
    weighting: str  # survey.toml: none | rim


SURVEYS = (
    SurveySpec(
        "2022/23",
        "survey_responses_2023-03-24.csv",
        "S23",
        "words",
        (date(2023, 1, 16), date(2023, 3, 17)),
        (884, 158),
        (52, 30, 16, 2, 0),
        0.0,
        1.5,
        2,
        "none",
    ),
    SurveySpec(
        "2023/24",
        "survey_responses_2024-03-22.sav",
        "S24",
        "sav",
        (date(2024, 1, 22), date(2024, 3, 15)),
        (842, 147),
        (46, 34, 18, 2, 0),
        -0.05,
        2.0,
        3,
        "none",
    ),
    SurveySpec(
        "2024/25",
        "survey_responses_2025-03-21.csv",
        "S25",
        "codes",
        (date(2025, 1, 20), date(2025, 3, 14)),
        (968, 171),
        (41, 32, 17, 1, 9),
        -0.12,
        19.0,
        2,
        "rim",
    ),
)


class SurveyTrap(NamedTuple):
    """Answers the pipeline must leave out of the measures (tsm.md, perception measures)."""

    file: str
    kind: str  # repair_routing | communal_routing | tp01_dont_know | lcho_tp02
    response_ids: tuple[str, ...]
    why: str


_REPAIR_WHY = (
    "postal respondents who answered TP02 and TP03 although `repair_last_12m` is no "
    "(paper forms cannot enforce routing): those answers are excluded"
)
_COMMUNAL_WHY = "answered TP10 although `communal_areas` is no: the answer is excluded"
_DONT_KNOW_WHY = (
    "`dont_know` to TP01, where the regulator allows no don't know: excluded from the "
    "denominator and flagged"
)
# Targets were picked from the generated respondents; if a change to the generator moves
# them, apply_survey_traps says which one no longer fits, and another respondent will do.
SURVEY_TRAPS: tuple[SurveyTrap, ...] = (
    SurveyTrap(
        "survey_responses_2023-03-24.csv",
        "repair_routing",
        (
            *("S23-00045", "S23-00068", "S23-00097", "S23-00162", "S23-00400"),
            *("S23-00438", "S23-00483", "S23-00622", "S23-00743", "S23-00973"),
        ),
        _REPAIR_WHY,
    ),
    SurveyTrap(
        "survey_responses_2023-03-24.csv",
        "communal_routing",
        ("S23-00114", "S23-00812", "S23-00937"),
        _COMMUNAL_WHY,
    ),
    SurveyTrap(
        "survey_responses_2023-03-24.csv",
        "tp01_dont_know",
        ("S23-00078", "S23-00178", "S23-00441", "S23-00858", "S23-00890"),
        _DONT_KNOW_WHY,
    ),
    SurveyTrap(
        "survey_responses_2023-03-24.csv",
        "lcho_tp02",
        ("S23-00153",),
        "an LCHO respondent who answered TP02, which is asked of LCRA only: excluded",
    ),
    SurveyTrap(
        "survey_responses_2024-03-22.sav",
        "repair_routing",
        (
            *("S24-00054", "S24-00097", "S24-00207", "S24-00379", "S24-00417"),
            *("S24-00624", "S24-00789", "S24-00792", "S24-00905"),
        ),
        _REPAIR_WHY,
    ),
    SurveyTrap(
        "survey_responses_2024-03-22.sav",
        "communal_routing",
        ("S24-00098", "S24-00917", "S24-00923", "S24-00926"),
        _COMMUNAL_WHY,
    ),
    SurveyTrap(
        "survey_responses_2024-03-22.sav",
        "tp01_dont_know",
        ("S24-00048", "S24-00051", "S24-00227", "S24-00409", "S24-00573", "S24-00883"),
        _DONT_KNOW_WHY,
    ),
    SurveyTrap(
        "survey_responses_2025-03-21.csv",
        "repair_routing",
        (
            *("S25-00147", "S25-00156", "S25-00190", "S25-00252", "S25-00457", "S25-00475"),
            *("S25-00672", "S25-00857", "S25-00869", "S25-00878", "S25-01038"),
        ),
        _REPAIR_WHY,
    ),
    SurveyTrap(
        "survey_responses_2025-03-21.csv",
        "communal_routing",
        ("S25-00903", "S25-00925", "S25-01007"),
        _COMMUNAL_WHY,
    ),
    SurveyTrap(
        "survey_responses_2025-03-21.csv",
        "tp01_dont_know",
        ("S25-00200", "S25-00385", "S25-00763", "S25-01122"),
        _DONT_KNOW_WHY,
    ),
)


@dataclass
class Respondent:
    home: Home
    age_band: str
    method: str = ""
    responded: date = date.min
    answers: dict[str, str] = field(default_factory=dict)  # canonical codes; "" is blank
    ref: str = ""

    @property
    def tenure(self) -> str:
        return self.home.tenure


@dataclass
class SurveyYearData:
    spec: SurveySpec
    respondents: list[Respondent]
    population: dict[tuple[str, str, str], int]  # (tenure, characteristic, group) -> households
    excluded: int
    excluded_regeneration: int


def household_age_bands(homes: list[Home]) -> dict[str, str]:
    """The lead tenant's age band per home, the same in every year's survey."""
    rng = random.Random(f"{SEED}:households")
    return {
        h.ref: rng.choices(AGE_BANDS, AGE_BAND_WEIGHTS[h.stock_type])[0]
        for h in homes
        if h.tenure in ("LCRA", "LCHO")
    }


def _characteristic(home: Home, ages: dict[str, str], characteristic: str) -> str:
    if characteristic == "age_band":
        return ages[home.ref]
    return home.stock_type if characteristic == "stock_type" else home.area


def _choose_respondents(
    rng: random.Random, pool: list[Home], n: int, propensity: dict[str, float], ages
) -> list[Home]:
    """n homes whose tenants responded: weighted sampling without replacement
    (Efraimidis-Spirakis keys), then one more from any age band or area left empty, so
    rim weighting always has someone in every group."""
    keys = {h.ref: rng.random() ** (1 / propensity[ages[h.ref]]) for h in pool}
    ranked = sorted(pool, key=lambda h: (-keys[h.ref], h.ref))
    chosen = ranked[:n]
    for characteristic in ("age_band", "area"):
        present = {_characteristic(h, ages, characteristic) for h in chosen}
        for home in ranked[n:]:
            group = _characteristic(home, ages, characteristic)
            if group not in present:
                chosen.append(home)
                present.add(group)
    return chosen


def _scale_answer(rng: random.Random, tp: str, r: Respondent, mood: float, spec: SurveySpec) -> str:
    lcra_pct, lcho_pct, dont_know = TP_LEVELS[tp]
    if rng.random() < (0.003 if tp == "tp01" else 0.012):
        return ""  # left blank
    if rng.random() < dont_know / 100:
        return "dont_know"
    base = lcra_pct if r.tenure == "LCRA" else lcho_pct
    logit = math.log(base / (100 - base)) + spec.shift + AGE_EFFECT[r.age_band] + mood
    scale = AGREEMENT if tp == "tp08" else SATISFACTION
    if rng.random() < 1 / (1 + math.exp(-logit)):
        return scale[0] if rng.random() < 0.48 else scale[1]
    return rng.choices(scale[2:], (40, 33, 27))[0]


def _answer_questionnaire(rng: random.Random, r: Respondent, spec: SurveySpec) -> None:
    """Routing as the questionnaire asks it: TP02-TP04 and the repairs question for LCRA
    only, TP02/TP03 after a repair, TP09 after a complaint, TP10 with communal areas."""
    lcra = r.tenure == "LCRA"
    a = dict.fromkeys((*TP_COLUMNS, *ROUTING_COLUMNS), "")
    if lcra:
        a["repair_last_12m"] = "yes" if rng.random() < 0.6 else "no"
    flat = bool(r.home.building_ref)
    a["communal_areas"] = rng.choices(
        ("yes", "no", "dont_know"), (93, 4, 3) if flat else (5, 92, 3)
    )[0]
    a["complaint_last_12m"] = "yes" if rng.random() < 0.15 else "no"
    mood = rng.gauss(0, MOOD_SD)
    for tp in TP_COLUMNS:
        if not lcra and tp in ("tp02", "tp03", "tp04"):
            continue
        if (
            (tp in ("tp02", "tp03") and a["repair_last_12m"] != "yes")
            or (tp == "tp09" and a["complaint_last_12m"] != "yes")
            or (tp == "tp10" and a["communal_areas"] != "yes")
        ):
            continue
        a[tp] = _scale_answer(rng, tp, r, mood, spec)
    r.answers = a


def _collection(rng: random.Random, r: Respondent, spec: SurveySpec) -> None:
    weights = list(spec.methods)
    if r.age_band == "65+":
        weights[0] *= 2.5  # older residents send the paper form back
    elif r.age_band == "16-34":
        weights[1] *= 1.6
    r.method = rng.choices(SURVEY_METHODS, weights)[0]
    start, end = spec.fieldwork
    span = (end - start).days
    day = start + timedelta(days=round(rng.triangular(0, span, span * 0.2)))
    if r.method != "online" and r.method != "sms":  # logged or interviewed on weekdays
        while day.weekday() >= 5:
            day -= timedelta(days=1)
    r.responded = day


def make_survey_year(
    spec: SurveySpec, homes: list[Home], ages: dict[str, str], traps: bool
) -> SurveyYearData:
    rng = random.Random(f"{SEED}:survey:{spec.label}")
    start = spec.fieldwork[0]
    in_scope = [h for h in homes if h.tenure in ("LCRA", "LCHO") and h.owned_on(start)]
    population: dict[tuple[str, str, str], int] = {}
    for home in in_scope:
        for characteristic in SURVEY_CHARACTERISTICS:
            key = (home.tenure, characteristic, _characteristic(home, ages, characteristic))
            population[key] = population.get(key, 0) + 1
    # The regeneration block awaiting decant, and a few households staff may not contact.
    regeneration = [h for h in in_scope if h.decent_homes_applies == "N" and h.tenure == "LCRA"]
    frame = [h for h in in_scope if h not in regeneration]
    safeguarding = rng.sample(frame, spec.safeguarding)
    frame = [h for h in frame if h not in safeguarding]
    respondents: list[Respondent] = []
    for tenure, n in zip(("LCRA", "LCHO"), spec.respondents, strict=True):
        pool = [h for h in frame if h.tenure == tenure]
        propensity = dict.fromkeys(AGE_BANDS, 1.0)
        if tenure == "LCRA":
            p = sum(ages[h.ref] == "65+" for h in pool) / len(pool)
            s = p + spec.older_excess_points / 100
            propensity["65+"] = s * (1 - p) / (p * (1 - s))
        for home in _choose_respondents(rng, pool, n, propensity, ages):
            respondents.append(Respondent(home, ages[home.ref]))
    for r in respondents:
        _collection(rng, r, spec)
        _answer_questionnaire(rng, r, spec)
    respondents.sort(key=lambda r: (r.responded, r.home.ref))
    for i, r in enumerate(respondents, start=1):
        r.ref = f"{spec.prefix}-{i:05d}"
    if traps:
        apply_survey_traps(rng, spec, respondents)
    return SurveyYearData(
        spec, respondents, population, len(regeneration) + spec.safeguarding, len(regeneration)
    )


def _trap_fits(kind: str, r: Respondent) -> bool:
    a = r.answers
    if kind == "repair_routing":
        return r.tenure == "LCRA" and r.method == "postal" and a["repair_last_12m"] == "no"
    if kind == "communal_routing":
        return a["communal_areas"] == "no" and not a["tp10"]
    if kind == "tp01_dont_know":
        return a["tp01"] in SATISFACTION
    return kind == "lcho_tp02" and r.tenure == "LCHO"


def apply_survey_traps(rng: random.Random, spec: SurveySpec, respondents: list[Respondent]) -> None:
    """Give the respondents listed in SURVEY_TRAPS their faulty answers; check each fits."""
    by_ref = {r.ref: r for r in respondents}
    for trap in SURVEY_TRAPS:
        if trap.file != spec.file:
            continue
        for ref in trap.response_ids:
            r = by_ref.get(ref)
            if r is None or not _trap_fits(trap.kind, r):
                raise AssertionError(f"survey trap {trap.kind} does not fit {ref} in {trap.file}")
            a = r.answers
            if trap.kind == "repair_routing":
                a["tp02"] = rng.choice(SATISFACTION[:4])
                a["tp03"] = rng.choice(SATISFACTION)
            elif trap.kind == "communal_routing":
                a["tp10"] = rng.choice(SATISFACTION[:3])
            elif trap.kind == "tp01_dont_know":
                a["tp01"] = "dont_know"
            else:
                a["tp02"] = "fairly_satisfied"


def make_surveys(homes: list[Home], traps: bool = True) -> list[SurveyYearData]:
    ages = household_age_bands(homes)
    return [make_survey_year(spec, homes, ages, traps) for spec in SURVEYS]


def _survey_row(r: Respondent, spec: SurveySpec) -> dict[str, object]:
    """One respondent as the year's export writes it (see SurveySpec.style)."""
    row: dict[str, object] = {
        "response_id": r.ref,
        "tenure": r.tenure,
        "weight": "",
        "stock_type": r.home.stock_type,
        "area": r.home.area,
        "age_band": r.age_band,
    }
    for column in (*TP_COLUMNS, *ROUTING_COLUMNS):
        answer = r.answers[column]
        if spec.style == "words":
            # the online platform exports its own codes; data entry of paper and phone
            # responses writes the words on the form
            row[column] = answer if r.method == "online" else ANSWER_WORDS.get(answer, "")
        elif not answer:
            row[column] = "" if spec.style == "codes" else math.nan
        elif column in ROUTING_COLUMNS:
            row[column] = ROUTING_CODES[answer]
        elif answer == "dont_know":
            row[column] = 9 if spec.style == "codes" else 6
        else:
            row[column] = SCALE_CODES[answer]
    if spec.style == "words":
        row["collection_method"] = METHOD_WORDS[r.method]
        row["response_date"] = r.responded.strftime("%d/%m/%Y")
    elif spec.style == "codes":
        row["collection_method"] = r.method
        row["response_date"] = r.responded.isoformat()
        row.update({k: str(v) for k, v in row.items()})
    else:
        row["collection_method"] = r.method
        row["response_date"] = r.responded
        row["weight"] = math.nan
    return row


def survey_csv(data: SurveyYearData) -> bytes:
    rows = [_survey_row(r, data.spec) for r in data.respondents]
    return csv_text(SURVEY_COLUMNS, rows).encode("utf-8")  # type: ignore[arg-type]


def survey_sav(data: SurveyYearData) -> bytes:
    """The SPSS file, written by pyreadstat. ReadStat stamps the header with the time of
    writing (creation date "dd Mon yy" and time "hh:mm:ss", bytes 92-108 of the 176-byte
    header record); they are set to the export date at 07:00 so the bytes never change."""
    import tempfile

    import pandas as pd
    import pyreadstat

    spec = data.spec
    frame = pd.DataFrame(
        [_survey_row(r, spec) for r in data.respondents], columns=list(SURVEY_COLUMNS)
    )
    labels: dict[str, dict[int | float, str]] = {}
    for column in TP_COLUMNS:
        labels[column] = dict(AGREEMENT_LABELS if column == "tp08" else SATISFACTION_LABELS)
    for column in ROUTING_COLUMNS:
        codes = (1, 2, 3) if column == "communal_areas" else (1, 2)
        labels[column] = {c: ROUTING_LABELS[c] for c in codes}
    formats = {c: "F1.0" for c in (*TP_COLUMNS, *ROUTING_COLUMNS)}
    formats["weight"] = "F8.4"
    with tempfile.TemporaryDirectory(prefix="tsm-sample-") as tmp:
        path = Path(tmp) / spec.file
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=f"{LANDLORD} tenant satisfaction survey {spec.label}",
            column_labels={c: TP_QUESTIONS.get(c) for c in SURVEY_COLUMNS},
            variable_value_labels=labels,
            variable_format=formats,
        )
        content = bytearray(path.read_bytes())
    stamp = content[92:109].decode("ascii")
    if not (content[:4] == b"$FL2" and stamp[2] == " " and stamp[6] == " " and stamp[11] == ":"):
        raise AssertionError(f"unexpected .sav header from pyreadstat: {bytes(content[:120])!r}")
    export_day = export_date_of(spec.file)
    content[92:109] = (export_day.strftime("%d %b %y") + "07:00:00").encode("ascii")
    return bytes(content)


def export_date_of(name: str) -> date:
    return date.fromisoformat(name.rsplit("_", 1)[1].split(".")[0])


def population_rows(surveys: list[SurveyYearData]) -> list[dict[str, str]]:
    order = {"stock_type": STOCK_TYPES, "area": AREAS, "age_band": AGE_BANDS}
    rows = []
    for data in surveys:
        for tenure in ("LCRA", "LCHO"):
            for characteristic in SURVEY_CHARACTERISTICS:
                for group in order[characteristic]:
                    n = data.population.get((tenure, characteristic, group), 0)
                    if n:
                        rows.append(
                            {
                                "year": data.spec.label,
                                "tenure": tenure,
                                "characteristic": characteristic,
                                "group": group,
                                "households": str(n),
                            }
                        )
    return rows


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def survey_toml(surveys: list[SurveyYearData]) -> str:
    parts = [
        "# Facts about each year's tenant perception survey that no response row holds "
        "(inputs.md).\n"
        "# Every LCRA and LCHO household in the sample frame was invited (a census): by post\n"
        "# with an online link, then telephone follow-up of non-respondents.\n"
    ]
    for data in surveys:
        spec = data.spec
        lcho = sum(r.tenure == "LCHO" for r in data.respondents)
        reasons = (
            f"{data.excluded - data.excluded_regeneration} households with a safeguarding flag"
        )
        if data.excluded_regeneration:
            reasons = (
                f"{data.excluded_regeneration} households in the Castlemoor block awaiting "
                f"decant for regeneration; " + reasons
            )
        declared: dict[str, str] = {
            "sample_method": _toml_string("census"),
            "fieldwork_start": spec.fieldwork[0].isoformat(),
            "fieldwork_end": spec.fieldwork[1].isoformat(),
            "contractor": _toml_string(CONTRACTOR),
            "contractor_role": _toml_string(
                "collecting the responses (post, online, telephone) and validating the data; "
                f"{LANDLORD} generated the measures"
            ),
            "incentives": _toml_string("prize draw: 3 x £50 shopping vouchers"),
            "excluded_households": str(data.excluded),
            "excluded_reason": _toml_string(reasons),
            "shortfall_reason": _toml_string(
                f"LCHO: all shared owners were invited (a census); {lcho} responded, too few "
                "for ±5 points"
            ),
            "other_issues": _toml_string("none identified"),
            "characteristics": "[" + ", ".join(f'"{c}"' for c in SURVEY_CHARACTERISTICS) + "]",
            "characteristics_rationale": _toml_string(
                "stock type and area from the stock register; age band from tenancy records, "
                "as satisfaction differs by age"
            ),
            "weighting": _toml_string(spec.weighting),
            "weight_by": '["age_band", "area"]' if spec.weighting == "rim" else "[]",
            "flag_threshold_points": "5",
        }
        if spec.label == "2023/24":  # left undeclared: the report must say so
            del declared["shortfall_reason"], declared["other_issues"]
        if spec.weighting == "rim":
            declared["other_issues"] = _toml_string(
                "residents aged 65+ responded well above their share of the population, "
                "younger residents below it; results are rim weighted by age band and area"
            )
            declared["method_changes"] = _toml_string(
                "an SMS invitation with an online link was added; rim weighting was introduced"
            )
        body = "\n".join(f"{key} = {value}" for key, value in declared.items())
        parts.append(f'\n[surveys."{spec.label}"]\n{body}\n')
    return "".join(parts)


def survey_files(surveys: list[SurveyYearData]) -> dict[str, bytes]:
    files = {}
    for data in surveys:
        files[data.spec.file] = survey_sav(data) if data.spec.style == "sav" else survey_csv(data)
    files[POPULATION_FILE] = csv_text(POPULATION_COLUMNS, population_rows(surveys)).encode("utf-8")
    files[SURVEY_TOML] = survey_toml(surveys).encode("utf-8")
    return files


# --------------------------------------------------------------------------- text files


def homes_rows(homes: list[Home]) -> list[dict[str, str]]:
    return [
        {
            "home_ref": h.ref,
            "tenure": h.tenure,
            "stock_type": h.stock_type,
            "building_ref": h.building_ref,
            "area": h.area,
            "acquired_date": h.acquired.isoformat() if h.acquired else "",
            "disposed_date": h.disposed.isoformat() if h.disposed else "",
            "decent_homes_applies": h.decent_homes_applies,
        }
        for h in homes
    ]


def mapping_toml() -> str:
    recode = "\n".join(f'"{label}" = "{code}"' for code, label in FINDING_LABELS.items())
    return f"""# The Housing Ombudsman portal's export, mapped onto ombudsman_cases (inputs.md).
[ombudsman_cases]
source = "HOS_determinations_export*.csv"
date_format = "dayfirst"
rename = {{ "HOS Ref" = "ombudsman_ref", "Landlord Complaint Ref" = "complaint_ref", \
"Determination Date" = "determination_date", "Finding" = "finding", \
"Compensation Ordered" = "compensation_ordered_gbp", "Orders" = "orders" }}

[ombudsman_cases.values.finding]
{recode}
{survey_recode_toml()}"""


def survey_recode_toml() -> str:
    """The 2024/25 survey export's numeric codes (9 = don't know), and the SPSS file's long
    middle labels, recoded to the answer codes of inputs.md."""
    parts = [
        "\n# The survey contractor's numeric codes (survey_responses_2025-03-21.csv) and the "
        "SPSS file's\n# middle labels (survey_responses_2024-03-22.sav), recoded for "
        "survey_responses.\n"
    ]
    for column in TP_COLUMNS:
        scale = AGREEMENT if column == "tp08" else SATISFACTION
        labels = AGREEMENT_LABELS if column == "tp08" else SATISFACTION_LABELS
        lines = [f'"{i}" = "{answer}"' for i, answer in enumerate(scale, start=1)]
        lines += ['"9" = "dont_know"', f'"{labels[3]}" = "neither"']
        parts.append(f"[survey_responses.values.{column}]\n" + "\n".join(lines) + "\n")
    for column in ROUTING_COLUMNS:
        codes = ("yes", "no", "dont_know") if column == "communal_areas" else ("yes", "no")
        lines = [f'"{ROUTING_CODES[c]}" = "{c}"' for c in codes]
        parts.append(f"[survey_responses.values.{column}]\n" + "\n".join(lines) + "\n")
    return "\n".join(parts)


def landlord_toml() -> str:
    days = ", ".join(d.isoformat() for d in CLOSURE_DAYS)
    return f"""name = "{LANDLORD}"
closure_days = [{days}]   # office closed between Christmas and New Year
landlord_type = "PRP"   # a housing association ("LA": a local authority), for sector benchmarks

[benchmarks]
peer_group = "type"   # compare with all landlords of the same type (all | type | size_band | ...)

[priorities.P1]
class = "emergency"
hours = 24
[priorities.P2]
class = "non_emergency"
working_days = 5
[priorities.P3]
class = "non_emergency"
calendar_days = 28
"""


@dataclass
class Registers:
    """The repairs, stock condition, building safety and ASB files' contents."""

    jobs: list[Job]
    assessments: list[Assessment]
    decent_homes_traps: dict[str, str]
    checks: list[Check]
    safety_traps: dict[str, str]
    asb: list[AsbCase]


def _bullets(items: list[str]) -> str:
    return "\n".join(
        textwrap.fill(f"- {item}", 90, subsequent_indent="  ", break_on_hyphens=False)
        for item in items
    )


def registers_files(reg: Registers) -> str:
    n_jobs = len(reg.jobs)
    by_type = {t or "blank": sum(j.repair_type == t for j in reg.jobs) for t in REPAIR_TYPES}
    types = ", ".join(f"{t} {n:,}" for t, n in by_type.items())
    p1 = sum(j.priority == "P1" for j in reg.jobs)
    statuses = {
        s or "blank": sum(j.status == s for j in reg.jobs)
        for s in ("completed", "", "open", "cancelled")
    }
    status_text = ", ".join(f"{s} {n:,}" for s, n in statuses.items())
    explicit = sum(j.target_at is not None for j in reg.jobs)
    failing = {y: sum(a.as_at == y and not a.meets for a in reg.assessments) for y in YEAR_ENDS}
    mid_rows = sum(a.as_at.month == 9 for a in reg.assessments)
    n_lift = len({c.asset_ref for c in reg.checks if c.check_type == "lift" and c.required})
    asb_by_year = ", ".join(
        f"{s.year}/{(s.year + 1) % 100:02d} "
        f"{sum(s <= c.opened <= date(s.year + 1, 3, 31) for c in reg.asb)}"
        for s in YEAR_STARTS
    )
    hate = sum(bool(c.hate) for c in reg.asb)
    asb_tenures = ", ".join(
        f"{t} {sum(c.tenure == t for c in reg.asb)}" for t in ("LCRA", "LCHO", "leasehold")
    )
    files = [
        f"`{REPAIRS_FILE}`: {n_jobs:,} repair jobs (UTF-8, datetimes `YYYY-MM-DD HH:MM`) "
        "reported 1 March 2022 to 31 March 2025, as they stood at the end of 10 April 2025 "
        "(March 2022 jobs only if completed or still open on or after 1 April 2022). "
        f"Priorities as in `landlord.toml`: P1 emergency 24 hours ({p1:,} jobs), P2 5 working "
        f"days, P3 28 calendar days. `repair_type`: {types}. `status`: {status_text}. P1 and "
        f"P3 jobs have no `target_at`; {explicit:,} P2 jobs carry an explicit `target_at` (an "
        "agreed appointment, 17:00) that overrides the derived target. About 95-97% of "
        "emergency and 91-93% of non-emergency jobs are within target. `tenure` is mostly "
        "blank (taken from the home). Job refs are `R` + reported date (YYMMDD) + a count in "
        "the day (`9nn` for the hand-made jobs below).",
        f"`{DECENT_HOMES_FILE}`: {len(reg.assessments):,} assessments (ISO dates): every LCRA "
        "home owned at each 31 March (failing: "
        + ", ".join(f"{y.year} {n}" for y, n in failing.items())
        + ", including the 10 homes of the regeneration block, to which the standard does "
        f"not apply), {mid_rows} re-assessments at 30 September and two on 15 April 2024. "
        "LCHO homes are absent.",
        f"`{SAFETY_FILE}`: {len(reg.checks):,} rows, one per asset and check type at each 31 "
        "March. Gas per home (LCRA, LCHO and market rent; about 10% have no gas: `required` N "
        "and `compliant` blank; leasehold flats have no rows); fire, asbestos and water "
        "(legionella) per block (`asset_ref` = `building_ref`) for every block with a home "
        f"owned then; lifts in {n_lift} blocks, and `required` N lift rows for about half of "
        "the blocks without one.",
        f"`{ASB_FILE}`: {len(reg.asb)} ASB cases opened ({asb_by_year}), dates `DD/MM/YYYY`, "
        f"{hate} hate incidents (`hate_incident` Y; a few blank). `tenure` is mostly blank "
        f"(LCRA); {asb_tenures} (leasehold cases are left out). Cases still open on 10 April 2025 have no `closed_date`. "
        "Cases were opened on 31 March 2023, 1 April 2023 and 31 March 2025.",
    ]
    return _bullets(files) + "\n"


def registers_traps(reg: Registers) -> str:
    repair_traps = _bullets(
        [
            f"`{t.job_ref}` ({t.priority}, {t.reported_at} → {t.completed_at}): {t.why}"
            for t in REPAIR_TRAPS
        ]
    )
    dh_traps = _bullets([f"`{ref}`: {why}" for ref, why in reg.decent_homes_traps.items()])
    safety_traps = _bullets([f"`{ref}`: {why}" for ref, why in reg.safety_traps.items()])
    return f"""## Traps: repairs
A job counts in the year it is completed; planned, void and other jobs, cancelled and open
jobs and leasehold homes' jobs are left out. Working-day targets count like complaint
timescales (bank holidays and closure days are not working days); calendar-day targets
count from the day after the report; hour targets compare timestamps. Hand-made jobs:

{repair_traps}

## Traps: stock condition and building safety
RP01 takes each home's latest assessment on or before 31 March; BS01-BS05 count homes
(LCRA and LCHO owned at 31 March), a block's check applying to every flat in it.

{dh_traps}
{safety_traps}
"""


def _tp01(respondents: list[Respondent]) -> str:
    valid = [r.answers["tp01"] for r in respondents if r.answers["tp01"] in SATISFACTION]
    satisfied = sum(a in SATISFACTION[:2] for a in valid)
    return f"{satisfied * 100 / len(valid):.1f}% ({satisfied}/{len(valid)})"


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%"


def survey_readme_files(surveys: list[SurveyYearData]) -> str:
    methods = "; ".join(
        f"{d.spec.label} "
        + ", ".join(
            f"{m.replace('_', ' ')} {n}"
            for m in SURVEY_METHODS
            if (n := sum(r.method == m for r in d.respondents))
        )
        for d in surveys
    )
    items = [
        "`survey_responses_2023-03-24.csv`, `survey_responses_2024-03-22.sav`, "
        "`survey_responses_2025-03-21.csv`: dated exports of the tenant perception survey "
        f"({CONTRACTOR}), one row per respondent, `response_id` `S23-nnnnn`, `S24-` and "
        "`S25-` in order of response. Fieldwork January to March; every LCRA and LCHO "
        "household in the frame was invited (a census; LCHO, under 2,500 homes, cannot "
        "reach ±5 points). Responses by method: " + methods + ".",
        "2022/23 is UTF-8 with answer words as written on the form (`Very satisfied`, "
        "`Don't know`, `Face to face`, `SMS`), dates `DD/MM/YYYY`, except online responses, "
        "which carry the platform's codes (`very_satisfied`). 2023/24 is an SPSS file "
        "written with pyreadstat: numeric codes with value labels on every TP and routing "
        "column (1 Very satisfied ... 5 Very dissatisfied, 6 Don't know; TP08 1 Strongly "
        "agree ... 5 Strongly disagree; 1 Yes, 2 No, 3 Don't know), the question wording as "
        "variable labels, `response_date` an SPSS date; the middle labels (`Neither "
        "satisfied nor dissatisfied`) are recoded by `mapping.toml`. ReadStat stamps the "
        "header with the time of writing: the generator sets it to the export date, 07:00, "
        "so the file is byte-identical on every run (with the same pyreadstat). 2024/25 "
        "holds the contractor's raw numeric codes (1-5, 9 = don't know; 1 yes, 2 no, 3 "
        "don't know), ISO dates, which `mapping.toml` recodes.",
        "Questions as routed: LCRA respondents answer TP01-TP12, TP02/TP03 only after a "
        "repair (`repair_last_12m` yes, about 60%); LCHO respondents answer TP01 and "
        "TP05-TP12 (`tp02`-`tp04` and `repair_last_12m` blank); TP09 only after a complaint "
        "(about 15%), TP10 only with `communal_areas` yes (mostly flats). Don't know on "
        "TP05-TP08, TP11 and TP12 (about 3-8%); about 1% of answers left blank. `weight` "
        "is blank throughout. `stock_type` and `area` are the home's (`homes.csv`); "
        "`age_band` `16-34`, `35-54`, `55-64`, `65+` or `no_data`, the same for a household "
        "in every year.",
        f"`{POPULATION_FILE}`: the relevant tenant population for representativeness and "
        "weighting: LCRA and LCHO homes owned on the first day of fieldwork, by `stock_type`, "
        "`area` and `age_band` (group codes as in the responses); each characteristic sums "
        "to the same households per year and tenure.",
        f"`{SURVEY_TOML}`: one table per year: census, fieldwork dates, contractor, "
        "incentives (prize draw), excluded households (the regeneration block awaiting "
        "decant and safeguarding flags), characteristics, `flag_threshold_points` 5. "
        "`weighting` is `none` in 2022/23 and 2023/24 (the samples are roughly "
        "representative) and `rim` by `age_band` and `area` in 2024/25, when residents aged "
        "65+ over-responded. 2023/24 declares no `shortfall_reason` or `other_issues`, so "
        "the report names them as not declared.",
    ]
    return _bullets(items) + "\n"


def survey_readme_table(surveys: list[SurveyYearData]) -> str:
    table = []
    for data in surveys:
        spec = data.spec
        cells = [f"{spec.label}", f"`{spec.file}`"]
        for tenure in ("LCRA", "LCHO"):
            mine = [r for r in data.respondents if r.tenure == tenure]
            households = sum(
                n for (t, c, _g), n in data.population.items() if t == tenure and c == "area"
            )
            cells.append(f"{len(mine):,} of {households:,}, TP01 {_tp01(mine)}")
        lcra = [r for r in data.respondents if r.tenure == "LCRA"]
        older = sum(r.age_band == "65+" for r in lcra)
        population = data.population[("LCRA", "age_band", "65+")]
        everyone = sum(
            n for (t, c, _g), n in data.population.items() if (t, c) == ("LCRA", "age_band")
        )
        cells.append(f"{_share(older, len(lcra))} vs {_share(population, everyone)}")
        cells.append(str(data.excluded))
        table.append("| " + " | ".join(cells) + " |")
    rows = "\n".join(table)
    return f"""## Tenant survey
TP01 below is unweighted (satisfied / valid, don't know excluded); the 2024/25 figures the
pipeline publishes are rim weighted by age band and area.

| year | file | LCRA respondents of households | LCHO respondents of households | LCRA 65+: respondents vs population | excluded households |
|---|---|---|---|---|---|
{rows}
"""


def survey_readme_traps() -> str:
    traps = _bullets(
        [
            f"{t.file}: {', '.join(f'`{ref}`' for ref in t.response_ids)}: {t.why}"
            for t in SURVEY_TRAPS
        ]
    )
    return f"""## Traps: tenant survey
`SURVEY_TRAPS` in `pipeline/sample.py`. None of these rows is bad: every survey row must be
staged (none quarantined), and these answers left out of the measures; tsm.md asks for
them to be counted in data quality. Blank routing answers never route anyone away, and the
LCHO respondents' `repair_last_12m` is blank because they are not asked it.

{traps}
"""


def readme(
    homes: list[Home],
    complaints: list[Complaint],
    n_determinations: int,
    reg: Registers,
    surveys: list[SurveyYearData],
) -> str:
    def owned(tenure: str, d: date) -> int:
        return sum(h.tenure == tenure and h.owned_on(d) for h in homes)

    stock = "\n".join(
        f"| 31 March {y + 1} | {owned('LCRA', date(y + 1, 3, 31)):,} | "
        f"{owned('LCHO', date(y + 1, 3, 31)):,} | "
        f"{owned('leasehold', date(y + 1, 3, 31)) + owned('market_rent', date(y + 1, 3, 31))} |"
        for y in (s.year for s in YEAR_STARTS)
    )
    traps = "\n".join(
        textwrap.fill(f"- `{c.ref}`: {c.trap}", 90, subsequent_indent="  ", break_on_hyphens=False)
        for c in complaints
        if c.trap
    )
    bad = "\n".join(
        f"| {b.file} | `{b.complaint_ref}` | {b.stage} | {b.column} | {b.why} |"
        for b in DELIBERATE_BAD_ROWS
    )
    return f"""# Sample dataset: {LANDLORD}

A fictional English housing association with about 8,000 homes, covering the reporting
years 2022/23, 2023/24 and 2024/25. Generated by `python -m pipeline.sample` (seed
{SEED}); do not edit by hand: `tests/unit/test_sample_data.py` checks these files are
exactly what the generator writes.

| homes owned at | LCRA | LCHO | out of scope (leasehold, market rent) |
|---|---|---|---|
{stock}

## Files
- `homes.csv`: stock register (UTF-8, ISO dates). Flats carry a `building_ref`; some
  blocks mix LCRA and leasehold flats. Homes are bought (new-build batches, street
  purchases, 12 LCHO homes on 31 March 2025 itself) and sold (right to buy/acquire,
  staircasing, three sales completed on 31 March 2023, a block demolished in 2024), so the
  stock at each year end differs. `decent_homes_applies` is mostly blank, `N` for the
  regeneration block and some shared ownership homes, `Y` for some LCRA homes.
- `complaints_2023-04-14.csv`, `complaints_20240412.csv`, `complaints_2025-04-11.csv`:
  dated exports of the complaints log, one row per stage, each showing cases as they stood
  the day before the export. Overlapping rows differ where a case progressed; the latest
  export wins. The first is UTF-8 with ISO dates; the second is Windows-1252 from Excel,
  with `DD/MM/YYYY` dates, `Yes`/`No` and money like `£1,250.00`; the third is UTF-8 with
  a BOM and ISO dates. Complaints were received 1 April 2022 to 10 April 2025; cases
  received near the end are still open in the last export.
- `HOS_determinations_export.csv`: {n_determinations} Housing Ombudsman determinations in
  the portal's own headers and words, dates `DD/MM/YYYY`.
- `mapping.toml`: maps that portal file onto `ombudsman_cases`, and recodes the survey
  contractor's numeric codes and SPSS middle labels for `survey_responses`.
{registers_files(reg)}{survey_readme_files(surveys)}- `landlord.toml`: name, closure days (27 December 2023 and 2024, non-working days for
  complaint and repair timescales), repair priorities, and the landlord's type (`PRP`) and
  benchmark peer group for the report's sector benchmarks.

{survey_readme_table(surveys)}
## Traps: complaints
Working days exclude weekends, England and Wales bank holidays (including 19 September 2022
and 8 May 2023) and the closure days. Receipts fall on weekends, bank holidays, Christmas,
Easter and 31 March / 1 April of each year. About 5% of acknowledgements are late, about
8% of stages have an extension (some longer than the 10 WD maximum, some with no extended
due date), and some stage 1 complaints answered in March are escalated in April. Hand-made
cases:

{traps}

## Hand-written report inputs
`self_assessment.csv` (the self-assessment against the Complaint Handling Code),
`improvement_plan.csv` (the service improvement plan) and
`sector_quartiles_illustrative.csv` (made-up sector quartiles, marked illustrative) are
small files written by hand, not by this generator; the annual report reads them.

## Deliberately bad rows
The key (`complaint_ref` + `stage`) of each occurs in that one file only, so quarantining
the row leaves no older copy to fall back on. The pipeline must quarantine these rows (for
the duplicate, the second row; the first is kept) and no others.

| file | complaint_ref | stage | column | why |
|---|---|---|---|---|
{bad}

{registers_traps(reg)}
{survey_readme_traps()}"""


def make_registers(homes: list[Home]) -> Registers:
    assessments, dh_traps = make_decent_homes(homes)
    checks, safety_traps = make_safety_checks(homes)
    return Registers(
        make_repairs(homes), assessments, dh_traps, checks, safety_traps, make_asb_cases(homes)
    )


GITATTRIBUTES = "# Byte-exact fixtures: never convert line endings.\n* -text\n"


# --------------------------------------------------------------------------- entry points


def build_files(scale: int = 1) -> dict[str, bytes]:
    """Every file of the sample dataset, by name. Pure: same bytes on every call."""
    rng = random.Random(SEED)
    homes = make_homes(rng, scale)
    complaints = make_complaints(rng, homes, scale)
    determinations = make_determinations(rng, complaints)
    add_refused_escalation(complaints)  # after every random draw: the rest stays as it was
    exports = {spec.file: export_rows(complaints, i) for i, spec in enumerate(EXPORTS)}
    if scale == 1:  # the listed targets are complaints of the standard-size sample
        apply_bad_rows(exports)

    files = {"homes.csv": csv_text(HOMES_COLUMNS, homes_rows(homes)).encode("utf-8")}
    for spec in EXPORTS:
        text = csv_text(COMPLAINT_COLUMNS, exports[spec.file])
        files[spec.file] = text.encode(spec.encoding)
    hos = csv_text(HOS_COLUMNS, hos_rows(determinations))
    files["HOS_determinations_export.csv"] = hos.encode("utf-8")
    files["complaint_handling_failures.csv"] = COMPLAINT_HANDLING_FAILURES.encode("utf-8")
    files["governing_body_response.md"] = GOVERNING_BODY_RESPONSE.encode("utf-8")
    files["mapping.toml"] = mapping_toml().encode("utf-8")
    files["landlord.toml"] = landlord_toml().encode("utf-8")
    registers = make_registers(homes)
    files[REPAIRS_FILE] = csv_text(REPAIR_COLUMNS, repairs_rows(registers.jobs)).encode("utf-8")
    files[DECENT_HOMES_FILE] = csv_text(
        DECENT_HOMES_COLUMNS, decent_homes_rows(registers.assessments)
    ).encode("utf-8")
    files[SAFETY_FILE] = csv_text(SAFETY_COLUMNS, safety_rows(registers.checks)).encode("utf-8")
    files[ASB_FILE] = csv_text(ASB_COLUMNS, asb_rows(registers.asb)).encode("utf-8")
    surveys = make_surveys(homes, traps=scale == 1)
    files.update(survey_files(surveys))
    readme_text = readme(homes, complaints, len(determinations), registers, surveys)
    files["README.md"] = readme_text.encode("utf-8")
    files[".gitattributes"] = GITATTRIBUTES.encode("utf-8")
    return files


def write_sample(out_dir: Path, scale: int = 1) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in build_files(scale).items():
        path = out_dir / name
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Write the {LANDLORD} sample dataset.")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output folder (default: data/sample in the repository)",
    )
    args = parser.parse_args(argv)
    for path in write_sample(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
