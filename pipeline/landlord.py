"""landlord.toml: facts about the landlord that no export holds (inputs.md).

Read once at the start of a run into a checked Landlord: a value of the wrong type or out of
range is a one-line error naming the file and the key before any work is done, and every
module takes its values from the Landlord (never from the raw TOML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline import config_checks as check
from pipeline.config_checks import Where
from pipeline.dataset import read_toml

FILE = "landlord.toml"
DEFAULT_NAME = "Landlord"
DEFAULT_SMALL_NUMBER_THRESHOLD = 5
DEFAULT_RETENTION_DAYS = 30
MAX_SMALL_NUMBER_THRESHOLD = 1_000
MAX_RETENTION_DAYS = 36_500  # 100 years: past it a date subtraction leaves the calendar
CLASSES = ("emergency", "non_emergency")
UNITS = ("hours", "working_days", "calendar_days")
# a repair target beyond ten years is a typo (1e18 once reached the SQL as an overflow)
MAX_TARGET = {"hours": 87_600, "working_days": 3_650, "calendar_days": 3_650}
LANDLORD_TYPES = {"PRP": "PRP", "HA": "PRP", "LA": "LA", "LARP": "LA"}
TOP_KEYS = ("name", "closure_days", "small_number_threshold", "personal_data_retention_days",
            "data_as_at", "landlord_type", "rsh_code", "benchmarks", "priorities")
BENCHMARK_KEYS = ("peer_group", "landlord_type", "rsh_code", "size_band", "region",
                  "supported_over_30pct", "survey_method")
PRIORITY_KEYS = ("class", *UNITS)


@dataclass(frozen=True)
class Priority:
    """[priorities.<code>]: a repair priority's class and target."""

    code: str
    klass: str  # emergency | non_emergency
    unit: str  # hours | working_days | calendar_days
    value: float


@dataclass(frozen=True)
class Landlord:
    name: str = DEFAULT_NAME
    closure_days: tuple[date, ...] = ()
    priorities: dict[str, Priority] = field(default_factory=dict)
    # the checked values of the keys landlord.toml sets (unknown keys left out), for code
    # that reads a section as a whole (pipeline.benchmarks.position.peer_group_spec)
    settings: dict = field(default_factory=dict)
    small_number_threshold: int = DEFAULT_SMALL_NUMBER_THRESHOLD
    personal_data_retention_days: int = DEFAULT_RETENTION_DAYS
    data_as_at: date | None = None
    landlord_type: str | None = None  # PRP | LA


def read_landlord(dataset_dir: Path) -> Landlord:
    path = Path(dataset_dir) / FILE
    return parse_landlord(read_toml(path), str(path))


def parse_landlord(raw: dict, source: str = FILE) -> Landlord:
    """The checked Landlord of landlord.toml's parsed TOML; `source` keys its warnings."""
    where = Where(FILE)
    check.unknown_keys(where, raw, TOP_KEYS, source)
    settings: dict = {}
    if "name" in raw:
        settings["name"] = check.text(where, "name", raw["name"])
    if "closure_days" in raw:
        settings["closure_days"] = sorted(check.dates(where, "closure_days", raw["closure_days"]))
    if "small_number_threshold" in raw:
        settings["small_number_threshold"] = check.whole(
            where, "small_number_threshold", raw["small_number_threshold"], 1,
            MAX_SMALL_NUMBER_THRESHOLD)
    if "personal_data_retention_days" in raw:
        settings["personal_data_retention_days"] = check.whole(
            where, "personal_data_retention_days", raw["personal_data_retention_days"], 0,
            MAX_RETENTION_DAYS)
    if "data_as_at" in raw:
        settings["data_as_at"] = check.a_date(where, "data_as_at", raw["data_as_at"])
    if "landlord_type" in raw:
        settings["landlord_type"] = _landlord_type(where, raw["landlord_type"])
    if "rsh_code" in raw:
        settings["rsh_code"] = check.text(where, "rsh_code", raw["rsh_code"]).strip()
    benchmarks = _benchmarks(where, raw, source)
    if benchmarks is not None:
        settings["benchmarks"] = benchmarks
    priorities = _priorities(where, raw.get("priorities", {}), source)
    if "priorities" in raw:
        settings["priorities"] = {p.code: {"class": p.klass, p.unit: raw["priorities"][p.code][p.unit]}
                                  for p in priorities.values()}
    return Landlord(
        name=settings.get("name", DEFAULT_NAME),
        closure_days=tuple(settings.get("closure_days", ())),
        priorities=priorities,
        settings=settings,
        small_number_threshold=settings.get("small_number_threshold",
                                            DEFAULT_SMALL_NUMBER_THRESHOLD),
        personal_data_retention_days=settings.get("personal_data_retention_days",
                                                  DEFAULT_RETENTION_DAYS),
        data_as_at=settings.get("data_as_at"),
        landlord_type=settings.get("landlord_type",
                                   settings.get("benchmarks", {}).get("landlord_type")),
    )


def _landlord_type(where: Where, value: object) -> str:
    if not isinstance(value, str) or value.strip().upper() not in LANDLORD_TYPES:
        raise where.error("landlord_type", '"PRP" (a housing association) or "LA" (a local '
                          "authority)", value)
    return LANDLORD_TYPES[value.strip().upper()]


def _benchmarks(where: Where, raw: dict, source: str) -> dict | None:
    """[benchmarks], with a top-level rsh_code (as the README documents it) carried into it."""
    from pipeline.benchmarks.peers import PEER_GROUPS

    if "benchmarks" not in raw and "rsh_code" not in raw:
        return None
    section = check.table(where, "benchmarks", raw.get("benchmarks", {}),
                          '[benchmarks] peer_group = "type"')
    inner = where.sub("[benchmarks]")
    check.unknown_keys(inner, section, BENCHMARK_KEYS, source)
    out: dict = {}
    if "peer_group" in section:
        out["peer_group"] = check.choice(inner, "peer_group", section["peer_group"], PEER_GROUPS)
    if "landlord_type" in section:
        out["landlord_type"] = _landlord_type(inner, section["landlord_type"])
    for key in ("rsh_code", "size_band", "region"):
        if key in section:
            out[key] = check.text(inner, key, section[key]).strip()
    if "rsh_code" not in out and "rsh_code" in raw:
        out["rsh_code"] = raw["rsh_code"].strip()
    if "supported_over_30pct" in section:
        if not isinstance(section["supported_over_30pct"], bool):
            raise inner.error("supported_over_30pct", "true or false",
                              section["supported_over_30pct"])
        out["supported_over_30pct"] = section["supported_over_30pct"]
    if "survey_method" in section:
        method = section["survey_method"]
        out["survey_method"] = check.by_tenure(inner, "survey_method", method, check.text) \
            if isinstance(method, dict) else check.text(inner, "survey_method", method)
    return out


def _priorities(where: Where, value: object, source: str) -> dict[str, Priority]:
    tables = check.table(where, "priorities", value,
                         '[priorities.P1] class = "emergency" and hours = 24')
    priorities: dict[str, Priority] = {}
    folded: dict[str, str] = {}
    for code, table in tables.items():
        inner = where.sub(f"[priorities.{code}]")
        if not isinstance(table, dict):
            raise inner.problem("must be a table: class and one of "
                                  f"{', '.join(UNITS)}", table)
        check.unknown_keys(inner, table, PRIORITY_KEYS, source)
        if "class" not in table:
            raise inner.problem('needs class = "emergency" or "non_emergency"')
        klass = check.choice(inner, "class", table["class"], CLASSES)
        units = [u for u in UNITS if u in table]
        if len(units) != 1:
            raise inner.problem(f"needs exactly one of {', '.join(UNITS)}"
                                  + (f" (it has {', '.join(units)})" if units else ""))
        unit = units[0]
        number = check.positive(inner, unit, table[unit], MAX_TARGET[unit])
        if unit != "hours" and number != int(number):
            raise inner.error(unit, "a whole number of days", number)
        if code.strip().casefold() in folded:
            raise inner.problem(f"and [priorities.{folded[code.strip().casefold()]}] "
                                  "differ only in letter case (codes match in any case)")
        folded[code.strip().casefold()] = code
        priorities[code] = Priority(code, klass, unit, float(number))
    return priorities
