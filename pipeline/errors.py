"""Errors the pipeline reports to the user as one clear line each, never a traceback."""


class PipelineError(Exception):
    """A problem with the input or configuration that the user must fix."""

    exit_code = 2


class ContractError(PipelineError):
    """An output failed its contract check: a bug, so the run stops."""

    exit_code = 3
