"""landlord.toml: facts about the landlord that no export holds (inputs.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.dataset import read_toml
from pipeline.errors import PipelineError


@dataclass(frozen=True)
class Landlord:
    name: str = "Landlord"
    closure_days: tuple[date, ...] = ()
    priorities: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)


def read_landlord(dataset_dir: Path) -> Landlord:
    raw = read_toml(dataset_dir / "landlord.toml")
    closures = raw.get("closure_days", [])
    if not isinstance(closures, list):
        raise PipelineError("landlord.toml: closure_days must be a list of dates, e.g. [2023-12-27]")
    try:  # TOML dates, or quoted ISO dates
        closures = [d if isinstance(d, date) else date.fromisoformat(str(d).strip()) for d in closures]
    except ValueError:
        raise PipelineError(
            "landlord.toml: closure_days must be a list of dates, e.g. [2023-12-27]") from None
    return Landlord(
        name=str(raw.get("name", "Landlord")),
        closure_days=tuple(sorted(closures)),
        priorities=raw.get("priorities", {}),
        settings=raw,
    )
