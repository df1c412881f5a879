"""RunConfig: where things are. Paths come from here only, so tests point them at tmp_path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.periods import ReportingPeriod


@dataclass(frozen=True)
class RunConfig:
    dataset_dir: Path
    outputs_dir: Path
    warehouse_path: Path
    period: ReportingPeriod | None = None
    render: bool = True

    @classmethod
    def create(cls, dataset: str | Path, outputs: str | Path, warehouse: str | Path | None = None,
               year: str | int | None = None, render: bool = True) -> RunConfig:
        outputs = Path(outputs).resolve()
        return cls(
            dataset_dir=Path(dataset).resolve(),
            outputs_dir=outputs,
            warehouse_path=Path(warehouse).resolve() if warehouse else outputs / "warehouse.duckdb",
            period=ReportingPeriod.parse(year) if year is not None else None,
            render=render,
        )

    @property
    def year_dir(self) -> Path:
        assert self.period is not None
        return self.outputs_dir / self.period.path_label
