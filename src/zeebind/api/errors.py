"""The typed errors of the Python API: pyzeebe's classes, under both naming generations.

A failed call arrives as a `GatewayError` (a gRPC status code and its details). `client_error`
turns it into the class pyzeebe 4 raises for the same RPC and code, so code written against
pyzeebe catches the same exceptions here. pyzeebe 2.x names (`WorkflowNotFound`,
`ZeebeBackPressure`, …) and the suffix-less 4.x names are aliases of the same classes.
"""

from __future__ import annotations

from typing import Any

import grpc

from zeebind.errors import ZeebindError
from zeebind.gateway.errors import GatewayError

__all__ = [
    "ActivateJobsRequestInvalid",
    "ActivateJobsRequestInvalidError",
    "BusinessError",
    "DecisionNotFound",
    "DecisionNotFoundError",
    "DuplicateTaskType",
    "DuplicateTaskTypeError",
    "InvalidCamundaCloudCredentials",
    "InvalidJSON",
    "InvalidJSONError",
    "InvalidOAuthCredentials",
    "InvalidOAuthCredentialsError",
    "JobAlreadyDeactivated",
    "JobAlreadyDeactivatedError",
    "JobNotFound",
    "JobNotFoundError",
    "MessageAlreadyExists",
    "MessageAlreadyExistsError",
    "NoVariableNameGiven",
    "NoVariableNameGivenError",
    "ProcessDefinitionHasNoStartEvent",
    "ProcessDefinitionHasNoStartEventError",
    "ProcessDefinitionNotFound",
    "ProcessDefinitionNotFoundError",
    "ProcessInstanceNotFound",
    "ProcessInstanceNotFoundError",
    "ProcessInvalid",
    "ProcessInvalidError",
    "ProcessTimeout",
    "ProcessTimeoutError",
    "PyZeebeError",
    "PyZeebeException",
    "SettingsError",
    "StreamActivateJobsRequestInvalidError",
    "TaskNotFound",
    "TaskNotFoundError",
    "UnknownGrpcStatusCodeError",
    "UnkownGrpcStatusCodeError",
    "WorkflowHasNoStartEvent",
    "WorkflowInstanceNotFound",
    "WorkflowInvalid",
    "WorkflowNotFound",
    "ZeebeBackPressure",
    "ZeebeBackPressureError",
    "ZeebeDeadlineExceeded",
    "ZeebeError",
    "ZeebeGatewayUnavailable",
    "ZeebeGatewayUnavailableError",
    "ZeebeInternalError",
    "client_error",
    "error_class",
]


class PyZeebeError(ZeebindError):
    """Base of every error the Python API raises (pyzeebe's `PyZeebeError`)."""

    def __init__(
        self, message: str = "", *, code: grpc.StatusCode | None = None, details: str = ""
    ):
        super().__init__(message or details or type(self).__name__)
        self.code = code
        self.details = details


# --- errors of the transport, whatever the call (pyzeebe's `ZeebeError` family) ----------------


class ZeebeError(PyZeebeError):
    """The gateway answered with an error status (`code`, `details`)."""


class ZeebeBackPressureError(ZeebeError):
    """RESOURCE_EXHAUSTED: the broker is under back pressure; retry later."""


class ZeebeGatewayUnavailableError(ZeebeError):
    """UNAVAILABLE or CANCELLED: the gateway cannot be reached."""


class ZeebeInternalError(ZeebeError):
    """INTERNAL: the gateway failed unexpectedly."""


class ZeebeDeadlineExceeded(ZeebeError):
    """DEADLINE_EXCEEDED: no answer within the call's deadline."""


class UnknownGrpcStatusCodeError(ZeebeError):
    """A status code this call does not expect."""


# --- errors of one call ------------------------------------------------------------------------


class ProcessDefinitionNotFoundError(PyZeebeError):
    bpmn_process_id: str | None = None
    version: int | None = None


class ProcessInstanceNotFoundError(PyZeebeError):
    process_instance_key: int | None = None


class ProcessDefinitionHasNoStartEventError(PyZeebeError):
    bpmn_process_id: str | None = None


class ProcessInvalidError(PyZeebeError):
    pass


class InvalidJSONError(PyZeebeError):
    pass


class ProcessTimeoutError(PyZeebeError, TimeoutError):
    bpmn_process_id: str | None = None


class DecisionNotFoundError(PyZeebeError):
    decision_key: int | None = None
    decision_id: str | None = None


class MessageAlreadyExistsError(PyZeebeError):
    pass


class JobNotFoundError(PyZeebeError):
    job_key: int | None = None


class JobAlreadyDeactivatedError(PyZeebeError):
    job_key: int | None = None


class ActivateJobsRequestInvalidError(PyZeebeError):
    pass


class StreamActivateJobsRequestInvalidError(PyZeebeError):
    pass


class InvalidOAuthCredentialsError(PyZeebeError):
    pass


# --- errors of the worker ----------------------------------------------------------------------


class BusinessError(PyZeebeError):
    """Raised by a task handler: the job throws a BPMN error with `error_code`."""

    def __init__(self, error_code: str, msg: str | None = None) -> None:
        super().__init__(msg if msg is not None else f"Business error with code {error_code}")
        self.error_code = error_code


class DuplicateTaskTypeError(PyZeebeError):
    pass


class NoVariableNameGivenError(PyZeebeError):
    pass


class TaskNotFoundError(PyZeebeError):
    pass


class SettingsError(PyZeebeError):
    pass


# --- which class for which call and status code ------------------------------------------------

_CREATE = {
    grpc.StatusCode.NOT_FOUND: ProcessDefinitionNotFoundError,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidJSONError,
    grpc.StatusCode.FAILED_PRECONDITION: ProcessDefinitionHasNoStartEventError,
    grpc.StatusCode.DEADLINE_EXCEEDED: ProcessTimeoutError,
}
_JOB = {
    grpc.StatusCode.NOT_FOUND: JobNotFoundError,
    grpc.StatusCode.FAILED_PRECONDITION: JobAlreadyDeactivatedError,
}

# (rpc, status code) -> class, as pyzeebe 4.7 maps them; codes not listed fall to `_TRANSPORT`.
BY_CALL: dict[str, dict[grpc.StatusCode, type[PyZeebeError]]] = {
    "CreateProcessInstance": _CREATE,
    "CreateProcessInstanceWithResult": _CREATE,
    "CancelProcessInstance": {grpc.StatusCode.NOT_FOUND: ProcessInstanceNotFoundError},
    "DeployResource": {grpc.StatusCode.INVALID_ARGUMENT: ProcessInvalidError},
    "DeployProcess": {grpc.StatusCode.INVALID_ARGUMENT: ProcessInvalidError},
    "PublishMessage": {grpc.StatusCode.ALREADY_EXISTS: MessageAlreadyExistsError},
    "EvaluateDecision": {grpc.StatusCode.NOT_FOUND: DecisionNotFoundError},
    "CompleteJob": _JOB,
    "FailJob": _JOB,
    "ThrowError": _JOB,
    "UpdateJobTimeout": _JOB,
    "UpdateJobRetries": _JOB,
    "ActivateJobs": {grpc.StatusCode.INVALID_ARGUMENT: ActivateJobsRequestInvalidError},
    "StreamActivatedJobs": {
        grpc.StatusCode.INVALID_ARGUMENT: StreamActivateJobsRequestInvalidError
    },
}
_TRANSPORT: dict[grpc.StatusCode, type[ZeebeError]] = {
    grpc.StatusCode.RESOURCE_EXHAUSTED: ZeebeBackPressureError,
    grpc.StatusCode.UNAVAILABLE: ZeebeGatewayUnavailableError,
    grpc.StatusCode.CANCELLED: ZeebeGatewayUnavailableError,
    grpc.StatusCode.INTERNAL: ZeebeInternalError,
    grpc.StatusCode.DEADLINE_EXCEEDED: ZeebeDeadlineExceeded,
}
# Zeebe up to 8.7 answered an unknown decision with INVALID_ARGUMENT and this text.
_NO_DECISION = "but no decision found for"
# How `zeebind.client.oauth.TokenError` begins.
_NO_TOKEN = "failed to obtain access token"

_MESSAGES: dict[type[PyZeebeError], str] = {
    ProcessDefinitionNotFoundError: "Process definition: {bpmn_process_id} with {version} was "
    "not found",
    ProcessInstanceNotFoundError: "Process instance key: {process_instance_key} was not found",
    ProcessDefinitionHasNoStartEventError: "Process {bpmn_process_id} has no start event that "
    "can be called manually",
    ProcessTimeoutError: "Timeout while waiting for process {bpmn_process_id} to complete",
    DecisionNotFoundError: "Decision {decision} was not found",
    JobNotFoundError: "Job {job_key} not found",
    JobAlreadyDeactivatedError: "Job {job_key} was already stopped (Completed/Failed/Error)",
    ProcessInvalidError: "The resources are not valid",
    MessageAlreadyExistsError: "A message with this id was already published",
    InvalidJSONError: "The variables were refused",
}


def error_class(rpc: str, code: grpc.StatusCode, details: str = "") -> type[PyZeebeError]:
    """The class pyzeebe raises when `rpc` fails with `code`."""
    refused = code == grpc.StatusCode.INVALID_ARGUMENT
    if rpc == "EvaluateDecision" and refused and _NO_DECISION in details:
        return DecisionNotFoundError
    specific = BY_CALL.get(rpc, {}).get(code)
    if specific is not None:
        return specific
    return _TRANSPORT.get(code, UnknownGrpcStatusCodeError)


def client_error(rpc: str, err: GatewayError, **context: Any) -> PyZeebeError:
    """The typed error for a failed call; `context` (the request's ids) goes into its text."""
    if err.code == grpc.StatusCode.UNAUTHENTICATED and err.details.startswith(_NO_TOKEN):
        # The call never left: the authorization server gave no token (pyzeebe raises this too).
        return InvalidOAuthCredentialsError(err.details, code=err.code, details=err.details)
    cls = error_class(rpc, err.code, err.details)
    template = _MESSAGES.get(cls)
    if "decision" not in context:
        ident = context.get("decision_id") or context.get("decision_key")
        context["decision"] = repr(ident)
    head = template.format_map(_Missing(context)) if template else f"{rpc} failed"
    error = cls(f"{head} ({err.code.name}: {err.details})", code=err.code, details=err.details)
    for name, value in context.items():
        if hasattr(cls, name):
            setattr(error, name, value)
    return error


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


# --- the names of earlier generations ----------------------------------------------------------

PyZeebeException = PyZeebeError
ZeebeBackPressure = ZeebeBackPressureError
ZeebeGatewayUnavailable = ZeebeGatewayUnavailableError
ProcessDefinitionNotFound = WorkflowNotFound = ProcessDefinitionNotFoundError
ProcessInstanceNotFound = WorkflowInstanceNotFound = ProcessInstanceNotFoundError
ProcessDefinitionHasNoStartEvent = WorkflowHasNoStartEvent = ProcessDefinitionHasNoStartEventError
ProcessInvalid = WorkflowInvalid = ProcessInvalidError
InvalidJSON = InvalidJSONError
ProcessTimeout = ProcessTimeoutError
DecisionNotFound = DecisionNotFoundError
MessageAlreadyExists = MessageAlreadyExistsError
JobNotFound = JobNotFoundError
JobAlreadyDeactivated = JobAlreadyDeactivatedError
ActivateJobsRequestInvalid = ActivateJobsRequestInvalidError
InvalidOAuthCredentials = InvalidCamundaCloudCredentials = InvalidOAuthCredentialsError
DuplicateTaskType = DuplicateTaskTypeError
NoVariableNameGiven = NoVariableNameGivenError
TaskNotFound = TaskNotFoundError
UnkownGrpcStatusCodeError = UnknownGrpcStatusCodeError  # sic: pyzeebe 3.x spelling
