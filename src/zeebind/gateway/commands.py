"""Gateway requests to broker commands (docs/commands.md): request validation and conversion.

Each converter takes the decoded request message and returns the `Command` to submit, or raises
`GatewayError(INVALID_ARGUMENT)` for a request the gateway itself refuses.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import grpc
from google.protobuf.message import Message

from zeebind.gateway.errors import GatewayError
from zeebind.protocol import ValueType
from zeebind.protocol.intent import (
    DecisionEvaluationIntent,
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ResourceDeletionIntent,
    SignalIntent,
    VariableDocumentIntent,
)
from zeebind.protocol.record import TENANT_DEFAULT

NO_KEY = -1
LATEST_VERSION = -1


@dataclass(frozen=True, slots=True)
class Command:
    """What `broker.command(...)` receives."""

    value_type: ValueType
    intent: StrEnum
    value: dict[str, Any]
    key: int = NO_KEY
    operation_reference: int | None = None

    def with_value(self, **changes: Any) -> Command:
        return replace(self, value={**self.value, **changes})


def invalid(details: str) -> GatewayError:
    return GatewayError(grpc.StatusCode.INVALID_ARGUMENT, details)


def document(text: str, *, name: str = "variables") -> dict[str, Any]:
    """A JSON object sent as a string; `""` is the empty document."""
    if not text.strip():
        return {}
    try:
        parsed = json.loads(text, parse_constant=_not_json)
    except ValueError as err:
        raise invalid(
            f"Expected to parse {name} as a JSON object, but it is not valid JSON: {err}"
        ) from None
    if not isinstance(parsed, dict):
        raise invalid(
            f"Expected {name} to be a JSON object, but it was a JSON {_json_kind(parsed)}: {text}"
        )
    return parsed


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def tenant(tenant_id: str, rpc: str) -> str:
    """Multi-tenancy is off: only the default tenant, spelled `<default>` or left empty."""
    if tenant_id in ("", TENANT_DEFAULT):
        return TENANT_DEFAULT
    raise invalid(
        f"Expected to handle gRPC request {rpc} with tenant identifier '{tenant_id}', "
        "but multi-tenancy is disabled"
    )


def tenants(tenant_ids: Sequence[str], rpc: str) -> list[str]:
    if not tenant_ids:
        return [TENANT_DEFAULT]
    return list(dict.fromkeys(tenant(tenant_id, rpc) for tenant_id in tenant_ids))


def operation_reference(request: Message) -> int | None:
    if request.HasField("operationReference"):
        reference: int = request.operationReference  # type: ignore[attr-defined]
        return reference
    return None


def _require(rpc: str, condition: bool, what: str, expected: str, actual: object) -> None:
    if not condition:
        raise invalid(f"Expected to {rpc} with {what} to be {expected}, but it was {actual}")


# --- deployment --------------------------------------------------------------------------------


def _deployment(resources: Sequence[tuple[str, bytes]], tenant_id: str) -> Command:
    return Command(
        ValueType.DEPLOYMENT,
        DeploymentIntent.CREATE,
        {
            "resources": [
                {"resourceName": name, "resource": base64.b64encode(content).decode("ascii")}
                for name, content in resources
            ],
            "tenantId": tenant_id,
        },
    )


def deploy_resource(request: Any) -> Command:
    return _deployment(
        [(resource.name, resource.content) for resource in request.resources],
        tenant(request.tenantId, "DeployResource"),
    )


def deploy_process(request: Any) -> Command:
    return _deployment(
        [(process.name, process.definition) for process in request.processes], TENANT_DEFAULT
    )


# --- process instances -------------------------------------------------------------------------


def _creation_value(request: Any, rpc: str) -> dict[str, Any]:
    by_key = request.processDefinitionKey > 0
    return {
        "bpmnProcessId": "" if by_key else request.bpmnProcessId,
        # Versions start at 1: an unset version (0) means the latest, like the clients' -1.
        "version": request.version if request.version > 0 else LATEST_VERSION,
        "processDefinitionKey": request.processDefinitionKey if by_key else NO_KEY,
        "variables": document(request.variables),
        "startInstructions": [
            {"elementId": instruction.elementId} for instruction in request.startInstructions
        ],
        "tenantId": tenant(request.tenantId, rpc),
    }


def create_process_instance(request: Any) -> Command:
    return Command(
        ValueType.PROCESS_INSTANCE_CREATION,
        ProcessInstanceCreationIntent.CREATE,
        _creation_value(request, "CreateProcessInstance"),
        operation_reference=operation_reference(request),
    )


def create_process_instance_with_result(request: Any) -> Command:
    inner = request.request
    value = _creation_value(inner, "CreateProcessInstanceWithResult")
    value["fetchVariables"] = list(request.fetchVariables)
    return Command(
        ValueType.PROCESS_INSTANCE_CREATION,
        ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
        value,
        operation_reference=operation_reference(inner),
    )


def cancel_process_instance(request: Any) -> Command:
    return Command(
        ValueType.PROCESS_INSTANCE,
        ProcessInstanceIntent.CANCEL,
        {},
        key=request.processInstanceKey,
        operation_reference=operation_reference(request),
    )


def modify_process_instance(request: Any) -> Command:
    """Zeebe's ProcessInstanceModificationRecord; an unset ancestor key (0) means none chosen."""
    return Command(
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        ProcessInstanceModificationIntent.MODIFY,
        {
            "processInstanceKey": request.processInstanceKey,
            "activateInstructions": [
                {
                    "elementId": activate.elementId,
                    "ancestorScopeKey": activate.ancestorElementInstanceKey or NO_KEY,
                    "variableInstructions": [
                        {"elementId": variables.scopeId, "variables": document(variables.variables)}
                        for variables in activate.variableInstructions
                    ],
                }
                for activate in request.activateInstructions
            ],
            "terminateInstructions": [
                {"elementInstanceKey": terminate.elementInstanceKey}
                for terminate in request.terminateInstructions
            ],
        },
        key=request.processInstanceKey,
        operation_reference=operation_reference(request),
    )


def migrate_process_instance(request: Any) -> Command:
    """Zeebe's ProcessInstanceMigrationRecord."""
    plan = request.migrationPlan
    return Command(
        ValueType.PROCESS_INSTANCE_MIGRATION,
        ProcessInstanceMigrationIntent.MIGRATE,
        {
            "processInstanceKey": request.processInstanceKey,
            "targetProcessDefinitionKey": plan.targetProcessDefinitionKey,
            "mappingInstructions": [
                {"sourceElementId": m.sourceElementId, "targetElementId": m.targetElementId}
                for m in plan.mappingInstructions
            ],
        },
        key=request.processInstanceKey,
        operation_reference=operation_reference(request),
    )


def set_variables(request: Any) -> Command:
    return Command(
        ValueType.VARIABLE_DOCUMENT,
        VariableDocumentIntent.UPDATE,
        {
            "scopeKey": request.elementInstanceKey,
            "variables": document(request.variables),
            "updateSemantics": "LOCAL" if request.local else "PROPAGATE",
        },
        operation_reference=operation_reference(request),
    )


def resolve_incident(request: Any) -> Command:
    return Command(
        ValueType.INCIDENT,
        IncidentIntent.RESOLVE,
        {},
        key=request.incidentKey,
        operation_reference=operation_reference(request),
    )


# --- messages, signals, decisions, resources ---------------------------------------------------


def publish_message(request: Any) -> Command:
    return Command(
        ValueType.MESSAGE,
        MessageIntent.PUBLISH,
        {
            "name": request.name,
            "correlationKey": request.correlationKey,
            "timeToLive": request.timeToLive,
            "messageId": request.messageId,
            "variables": document(request.variables),
            "tenantId": tenant(request.tenantId, "PublishMessage"),
        },
    )


def broadcast_signal(request: Any) -> Command:
    return Command(
        ValueType.SIGNAL,
        SignalIntent.BROADCAST,
        {
            "signalName": request.signalName,
            "variables": document(request.variables),
            "tenantId": tenant(request.tenantId, "BroadcastSignal"),
        },
    )


def evaluate_decision(request: Any) -> Command:
    return Command(
        ValueType.DECISION_EVALUATION,
        DecisionEvaluationIntent.EVALUATE,
        {
            "decisionId": request.decisionId,
            "decisionKey": request.decisionKey if request.decisionKey > 0 else NO_KEY,
            "variables": document(request.variables),
            "tenantId": tenant(request.tenantId, "EvaluateDecision"),
        },
    )


def delete_resource(request: Any) -> Command:
    return Command(
        ValueType.RESOURCE_DELETION,
        ResourceDeletionIntent.DELETE,
        {},
        key=request.resourceKey,
        operation_reference=operation_reference(request),
    )


# --- jobs --------------------------------------------------------------------------------------


def activate_jobs(request: Any) -> Command:
    rpc = "activate job batch"
    _require(rpc, bool(request.type.strip()), "type", "present", "blank")
    _require(rpc, bool(request.worker.strip()), "worker", "present", "blank")
    _require(rpc, request.timeout >= 1, "timeout", "greater than zero", request.timeout)
    _require(
        rpc,
        request.maxJobsToActivate >= 1,
        "maxJobsToActivate",
        "greater than zero",
        request.maxJobsToActivate,
    )
    return Command(
        ValueType.JOB_BATCH,
        JobBatchIntent.ACTIVATE,
        {
            "type": request.type,
            "worker": request.worker,
            "timeout": request.timeout,
            "maxJobsToActivate": request.maxJobsToActivate,
            "variables": list(request.fetchVariable),
            "tenantIds": tenants(request.tenantIds, "ActivateJobs"),
        },
    )


@dataclass(frozen=True, slots=True)
class JobStreamRequest:
    """The arguments of `broker.open_job_stream(...)`."""

    job_type: str
    worker: str
    timeout: int
    fetch_variables: list[str]
    tenant_ids: list[str]


def stream_activated_jobs(request: Any) -> JobStreamRequest:
    rpc = "stream activated jobs"
    _require(rpc, bool(request.type.strip()), "type", "present", "blank")
    _require(rpc, request.timeout >= 1, "timeout", "greater than zero", request.timeout)
    return JobStreamRequest(
        job_type=request.type,
        worker=request.worker,
        timeout=request.timeout,
        fetch_variables=list(request.fetchVariable),
        tenant_ids=tenants(request.tenantIds, "StreamActivatedJobs"),
    )


def complete_job(request: Any) -> Command:
    return Command(
        ValueType.JOB,
        JobIntent.COMPLETE,
        {"variables": document(request.variables)},
        key=request.jobKey,
    )


def fail_job(request: Any) -> Command:
    return Command(
        ValueType.JOB,
        JobIntent.FAIL,
        {
            "retries": request.retries,
            "errorMessage": request.errorMessage,
            "retryBackoff": request.retryBackOff,
            "variables": document(request.variables),
        },
        key=request.jobKey,
    )


def throw_error(request: Any) -> Command:
    return Command(
        ValueType.JOB,
        JobIntent.THROW_ERROR,
        {
            "errorCode": request.errorCode,
            "errorMessage": request.errorMessage,
            "variables": document(request.variables),
        },
        key=request.jobKey,
    )


def update_job_retries(request: Any) -> Command:
    return Command(
        ValueType.JOB,
        JobIntent.UPDATE_RETRIES,
        {"retries": request.retries},
        key=request.jobKey,
        operation_reference=operation_reference(request),
    )


def update_job_timeout(request: Any) -> Command:
    return Command(
        ValueType.JOB,
        JobIntent.UPDATE_TIMEOUT,
        {"timeout": request.timeout},
        key=request.jobKey,
        operation_reference=operation_reference(request),
    )


# RPC name -> converter, for every unary RPC that is one broker command.
COMMANDS: Mapping[str, Callable[[Any], Command]] = {
    "DeployResource": deploy_resource,
    "DeployProcess": deploy_process,
    "CreateProcessInstance": create_process_instance,
    "CreateProcessInstanceWithResult": create_process_instance_with_result,
    "CancelProcessInstance": cancel_process_instance,
    "ModifyProcessInstance": modify_process_instance,
    "MigrateProcessInstance": migrate_process_instance,
    "SetVariables": set_variables,
    "ResolveIncident": resolve_incident,
    "PublishMessage": publish_message,
    "BroadcastSignal": broadcast_signal,
    "EvaluateDecision": evaluate_decision,
    "DeleteResource": delete_resource,
    "CompleteJob": complete_job,
    "FailJob": fail_job,
    "ThrowError": throw_error,
    "UpdateJobRetries": update_job_retries,
    "UpdateJobTimeout": update_job_timeout,
}
