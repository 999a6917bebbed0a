"""zeebind: Zeebe workflows driven through Dapr's Zeebe bindings, with an embedded Zeebe engine.

The Python API, with pyzeebe's names: `ZeebeClient`, `SyncZeebeClient`, `ZeebeWorker`, and the
typed errors of `zeebind.api.errors` (`ProcessDefinitionNotFoundError`, `WorkflowNotFound` …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeebind.api import Job as Job
    from zeebind.api import SyncZeebeClient as SyncZeebeClient
    from zeebind.api import ZeebeClient as ZeebeClient
    from zeebind.api import ZeebeTaskRouter as ZeebeTaskRouter
    from zeebind.api import ZeebeWorker as ZeebeWorker
    from zeebind.api.errors import *  # noqa: F403

__version__ = "0.1.0"
_API = ("Job", "SyncZeebeClient", "ZeebeClient", "ZeebeTaskRouter", "ZeebeWorker")
# The classes of zeebind.api.errors, under every name pyzeebe gave them.
_ERRORS = (
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
)
__all__ = ["__version__", *_API, *_ERRORS]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that `import zeebind.cli` does not load the client API.
    if name in _API:
        from zeebind import api

        return getattr(api, name)
    if name in _ERRORS:
        from zeebind.api import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'zeebind' has no attribute {name!r}")
