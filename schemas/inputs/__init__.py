"""The input contract: one InputSpec per file. Adding a file = one module + one entry here."""

from schemas.inputs.complaints import COMPLAINTS
from schemas.inputs.homes import HOMES
from schemas.inputs.ombudsman_cases import OMBUDSMAN_CASES

INPUT_SPECS = {spec.name: spec for spec in (HOMES, COMPLAINTS, OMBUDSMAN_CASES)}

__all__ = ["COMPLAINTS", "HOMES", "INPUT_SPECS", "OMBUDSMAN_CASES"]
