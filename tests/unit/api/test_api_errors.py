"""The typed errors: both naming generations, pyzeebe's attributes, texts with the gateway's."""

from __future__ import annotations

import grpc
import pytest

import zeebind
from zeebind.api import errors
from zeebind.gateway.errors import GatewayError

GENERATIONS = [
    ("WorkflowNotFound", "ProcessDefinitionNotFound", "ProcessDefinitionNotFoundError"),
    ("WorkflowInstanceNotFound", "ProcessInstanceNotFound", "ProcessInstanceNotFoundError"),
    (
        "WorkflowHasNoStartEvent",
        "ProcessDefinitionHasNoStartEvent",
        "ProcessDefinitionHasNoStartEventError",
    ),
    ("WorkflowInvalid", "ProcessInvalid", "ProcessInvalidError"),
    ("InvalidJSON", "InvalidJSON", "InvalidJSONError"),
    ("MessageAlreadyExists", "MessageAlreadyExists", "MessageAlreadyExistsError"),
    ("ZeebeBackPressure", "ZeebeBackPressure", "ZeebeBackPressureError"),
    ("ZeebeGatewayUnavailable", "ZeebeGatewayUnavailable", "ZeebeGatewayUnavailableError"),
    ("ZeebeInternalError", "ZeebeInternalError", "ZeebeInternalError"),
    ("JobNotFound", "JobNotFound", "JobNotFoundError"),
    ("PyZeebeException", "PyZeebeError", "PyZeebeError"),
    ("InvalidCamundaCloudCredentials", "InvalidOAuthCredentials", "InvalidOAuthCredentialsError"),
]


@pytest.mark.parametrize(("old", "short", "new"), GENERATIONS)
def test_every_generation_names_the_same_class(old: str, short: str, new: str) -> None:
    cls = getattr(errors, new)
    assert getattr(errors, old) is cls
    assert getattr(errors, short) is cls
    assert getattr(zeebind, old) is cls, "exported from the package too"
    assert issubclass(cls, errors.PyZeebeError)


def test_transport_errors_share_zeebe_error() -> None:
    for cls in (
        errors.ZeebeBackPressureError,
        errors.ZeebeGatewayUnavailableError,
        errors.ZeebeInternalError,
        errors.ZeebeDeadlineExceeded,
        errors.UnknownGrpcStatusCodeError,
    ):
        assert issubclass(cls, errors.ZeebeError)
    assert issubclass(errors.ProcessTimeoutError, TimeoutError)


@pytest.mark.parametrize(
    ("rpc", "code", "expected"),
    [
        ("CreateProcessInstance", "NOT_FOUND", "ProcessDefinitionNotFoundError"),
        ("CreateProcessInstance", "INVALID_ARGUMENT", "InvalidJSONError"),
        ("CreateProcessInstance", "FAILED_PRECONDITION", "ProcessDefinitionHasNoStartEventError"),
        ("CreateProcessInstanceWithResult", "DEADLINE_EXCEEDED", "ProcessTimeoutError"),
        ("CreateProcessInstance", "DEADLINE_EXCEEDED", "ProcessTimeoutError"),
        ("CancelProcessInstance", "NOT_FOUND", "ProcessInstanceNotFoundError"),
        ("DeployResource", "INVALID_ARGUMENT", "ProcessInvalidError"),
        ("PublishMessage", "ALREADY_EXISTS", "MessageAlreadyExistsError"),
        ("PublishMessage", "NOT_FOUND", "UnknownGrpcStatusCodeError"),
        ("EvaluateDecision", "NOT_FOUND", "DecisionNotFoundError"),
        ("EvaluateDecision", "INVALID_ARGUMENT", "UnknownGrpcStatusCodeError"),
        ("CompleteJob", "NOT_FOUND", "JobNotFoundError"),
        ("FailJob", "FAILED_PRECONDITION", "JobAlreadyDeactivatedError"),
        ("ActivateJobs", "INVALID_ARGUMENT", "ActivateJobsRequestInvalidError"),
        ("Topology", "RESOURCE_EXHAUSTED", "ZeebeBackPressureError"),
        ("Topology", "UNAVAILABLE", "ZeebeGatewayUnavailableError"),
        ("Topology", "CANCELLED", "ZeebeGatewayUnavailableError"),
        ("Topology", "INTERNAL", "ZeebeInternalError"),
        ("Topology", "DEADLINE_EXCEEDED", "ZeebeDeadlineExceeded"),
        ("Topology", "PERMISSION_DENIED", "UnknownGrpcStatusCodeError"),
    ],
)
def test_the_class_follows_call_and_code(rpc: str, code: str, expected: str) -> None:
    assert errors.error_class(rpc, grpc.StatusCode[code]).__name__ == expected


def test_old_decision_text_still_means_not_found() -> None:
    details = "Expected to evaluate decision 'x', but no decision found for id 'x'"
    cls = errors.error_class("EvaluateDecision", grpc.StatusCode.INVALID_ARGUMENT, details)
    assert cls is errors.DecisionNotFoundError


def test_the_error_carries_the_request_and_the_gateway_answer() -> None:
    answer = GatewayError(grpc.StatusCode.NOT_FOUND, "Command 'CREATE' rejected with code ...")
    err = errors.client_error("CreateProcessInstance", answer, bpmn_process_id="order", version=3)
    assert isinstance(err, errors.WorkflowNotFound)
    assert (err.bpmn_process_id, err.version) == ("order", 3)
    assert err.code is grpc.StatusCode.NOT_FOUND
    assert err.details == answer.details
    assert str(err) == (
        "Process definition: order with 3 was not found "
        "(NOT_FOUND: Command 'CREATE' rejected with code ...)"
    )


def test_business_error_keeps_its_code() -> None:
    err = errors.BusinessError("OUT_OF_STOCK")
    assert err.error_code == "OUT_OF_STOCK"
    assert str(err) == "Business error with code OUT_OF_STOCK"
    assert str(errors.BusinessError("X", "custom")) == "custom"
