"""The input contract: one InputSpec per file. Adding a file = one module + one entry here."""

from schemas.inputs.asb_cases import ASB_CASES
from schemas.inputs.complaint_handling_failures import COMPLAINT_HANDLING_FAILURES
from schemas.inputs.complaints import COMPLAINTS
from schemas.inputs.decent_homes import DECENT_HOMES
from schemas.inputs.homes import HOMES
from schemas.inputs.ombudsman_cases import OMBUDSMAN_CASES
from schemas.inputs.repairs import REPAIRS
from schemas.inputs.safety_checks import SAFETY_CHECKS
from schemas.inputs.survey_population import SURVEY_POPULATION
from schemas.inputs.survey_responses import SURVEY_RESPONSES

INPUT_SPECS = {
    spec.name: spec
    for spec in (HOMES, COMPLAINTS, OMBUDSMAN_CASES, COMPLAINT_HANDLING_FAILURES, REPAIRS,
                 DECENT_HOMES, SAFETY_CHECKS, ASB_CASES, SURVEY_RESPONSES, SURVEY_POPULATION)
}

__all__ = ["INPUT_SPECS"]
