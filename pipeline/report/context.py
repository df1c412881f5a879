"""What every report notebook starts from: the notebook's parameters resolved into the year,
its label, a read-only connection to the warehouse, the dataset folder's optional inputs and
the report settings. Opened ad hoc (no parameters) it uses outputs/warehouse.duckdb and the
latest complete year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from pipeline.errors import PipelineError
from pipeline.report import inputs, report_data
from pipeline.report.complaints_report import report_date, report_date_basis


@dataclass
class Context:
    warehouse: Path
    end_year: int
    year_label: str
    landlord_name: str
    dataset_dir: Path | None
    tables_dir: Path | None
    figures_dir: str | None
    small_number_threshold: int
    report_date: date
    report_date_basis: str
    con: duckdb.DuckDBPyConnection

    @property
    def title(self) -> str:
        name = f"{self.landlord_name}: " if self.landlord_name else ""
        return f"{name}Annual report {self.year_label}"

    @property
    def period_text(self) -> str:
        return f"Reporting year 1 April {self.end_year - 1} to 31 March {self.end_year}."

    @property
    def no_dataset_text(self) -> str:
        return ("No dataset folder was given (the notebook parameter `dataset_dir`), so the "
                "dataset's optional files cannot be read.")

    def close(self) -> None:
        self.con.close()


def open_context(warehouse: str | Path = "outputs/warehouse.duckdb", year: int | None = None,
                 landlord_name: str = "", dataset_dir: str | Path | None = None,
                 tables_dir: str | Path | None = None, figures_dir: str | Path | None = None,
                 small_number_threshold: int | None = None) -> Context:
    """Resolve a notebook's parameters. `year` None: the latest complete year.
    `small_number_threshold` None: landlord.toml's, else 5."""
    end_year = int(year) if year is not None else report_data.latest_year(warehouse)
    con = report_data.connect(warehouse)
    try:
        labels = dict(con.execute(
            "select end_year, year_label from intermediate.int_reporting_years").fetchall())
        if end_year not in labels:
            known = ", ".join(str(y) for y in sorted(labels)) or "none"
            raise PipelineError(
                f"the warehouse has no reporting year ending March {end_year} (it has: {known})")
        threshold = (int(small_number_threshold) if small_number_threshold is not None
                     else inputs.small_number_threshold(dataset_dir))
        return Context(
            warehouse=Path(warehouse), end_year=end_year, year_label=labels[end_year],
            landlord_name=landlord_name or "",
            dataset_dir=Path(dataset_dir) if dataset_dir else None,
            tables_dir=Path(tables_dir) if tables_dir else None,
            figures_dir=str(figures_dir) if figures_dir else None,
            small_number_threshold=threshold, report_date=report_date(con, end_year),
            report_date_basis=report_date_basis(con), con=con)
    except BaseException:
        con.close()
        raise
