"""Gateway requests become the broker commands of docs/commands.md; bad requests never get there."""

from __future__ import annotations

import base64
from typing import Any

import grpc
import pytest

from zeebind.gateway import commands
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb
from zeebind.protocol import ValueType
from zeebind.protocol.intent import (
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    VariableDocumentIntent,
)

BIG_KEY = 2251799813685249 + 2**40


def invalid_argument(call: Any) -> str:
    with pytest.raises(GatewayError) as caught:
        call()
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    return caught.value.details


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", {}), ("  ", {}), ("{}", {}), ('{"a": [1, {"b": null}]}', {"a": [1, {"b": None}]})],
)
def test_document_accepts_objects_and_empty_text(text: str, expected: dict[str, Any]) -> None:
    assert commands.document(text) == expected


def test_document_keeps_big_integers_exact() -> None:
    assert commands.document(f'{{"key": {BIG_KEY}}}') == {"key": BIG_KEY}


@pytest.mark.parametrize(
    ("text", "kind"), [("[1]", "array"), ('"x"', "string"), ("3", "number"), ("null", "null")]
)
def test_document_rejects_other_roots(text: str, kind: str) -> None:
    details = invalid_argument(lambda: commands.document(text))
    assert f"JSON {kind}" in details


@pytest.mark.parametrize("text", ["{a:", '{"x": NaN}', '{"x": -Infinity}', "{} {}"])
def test_document_rejects_malformed_json(text: str) -> None:
    assert "not valid JSON" in invalid_argument(lambda: commands.document(text))


def test_tenant_default_spellings_and_multi_tenancy_off() -> None:
    assert commands.tenant("", "X") == "<default>"
    assert commands.tenant("<default>", "X") == "<default>"
    assert commands.tenants([], "X") == ["<default>"]
    assert commands.tenants(["<default>", ""], "X") == ["<default>"]
    details = invalid_argument(lambda: commands.tenant("acme", "CreateProcessInstance"))
    assert "'acme'" in details
    assert "multi-tenancy is disabled" in details


def test_deploy_resource_encodes_content_base64() -> None:
    request = pb.DeployResourceRequest(
        resources=[pb.Resource(name="a.bpmn", content=b"<xml/>")], tenantId=""
    )
    command = commands.deploy_resource(request)
    assert (command.value_type, command.intent) == (ValueType.DEPLOYMENT, DeploymentIntent.CREATE)
    assert command.value == {
        "resources": [{"resourceName": "a.bpmn", "resource": base64.b64encode(b"<xml/>").decode()}],
        "tenantId": "<default>",
    }


def test_deploy_process_is_the_same_deployment() -> None:
    request = pb.DeployProcessRequest(
        processes=[pb.ProcessRequestObject(name="a.bpmn", definition=b"<x/>")]
    )
    command = commands.deploy_process(request)
    assert command.value["resources"][0]["resourceName"] == "a.bpmn"
    assert command.intent is DeploymentIntent.CREATE


def test_create_by_id_latest_version() -> None:
    request = pb.CreateProcessInstanceRequest(
        bpmnProcessId="order",
        version=-1,
        variables='{"x": 1}',
        startInstructions=[pb.ProcessInstanceCreationStartInstruction(elementId="task")],
    )
    command = commands.create_process_instance(request)
    assert command.value_type is ValueType.PROCESS_INSTANCE_CREATION
    assert command.intent is ProcessInstanceCreationIntent.CREATE
    assert command.value == {
        "bpmnProcessId": "order",
        "version": -1,
        "processDefinitionKey": -1,
        "variables": {"x": 1},
        "startInstructions": [{"elementId": "task"}],
        "tenantId": "<default>",
    }
    assert command.operation_reference is None


def test_create_by_key_and_unset_version_means_latest() -> None:
    request = pb.CreateProcessInstanceRequest(
        processDefinitionKey=BIG_KEY, bpmnProcessId="ignored", operationReference=0
    )
    command = commands.create_process_instance(request)
    assert command.value["processDefinitionKey"] == BIG_KEY
    assert command.value["bpmnProcessId"] == ""
    assert command.value["version"] == -1
    assert command.operation_reference == 0


def test_create_rejects_bad_variables_and_tenants() -> None:
    invalid_argument(
        lambda: commands.create_process_instance(
            pb.CreateProcessInstanceRequest(bpmnProcessId="p", variables="[]")
        )
    )
    invalid_argument(
        lambda: commands.create_process_instance(
            pb.CreateProcessInstanceRequest(bpmnProcessId="p", tenantId="acme")
        )
    )


def test_create_with_result_adds_fetch_variables() -> None:
    request = pb.CreateProcessInstanceWithResultRequest(
        request=pb.CreateProcessInstanceRequest(bpmnProcessId="p", version=2),
        requestTimeout=5000,
        fetchVariables=["a", "b"],
    )
    command = commands.create_process_instance_with_result(request)
    assert command.intent is ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
    assert command.value["fetchVariables"] == ["a", "b"]
    assert command.value["version"] == 2


def test_cancel_and_set_variables() -> None:
    cancel = commands.cancel_process_instance(
        pb.CancelProcessInstanceRequest(processInstanceKey=BIG_KEY, operationReference=42)
    )
    assert (cancel.value_type, cancel.intent, cancel.key, cancel.value) == (
        ValueType.PROCESS_INSTANCE,
        ProcessInstanceIntent.CANCEL,
        BIG_KEY,
        {},
    )
    assert cancel.operation_reference == 42
    local = commands.set_variables(
        pb.SetVariablesRequest(elementInstanceKey=BIG_KEY, variables='{"a":1}', local=True)
    )
    assert local.intent is VariableDocumentIntent.UPDATE
    assert local.value == {"scopeKey": BIG_KEY, "variables": {"a": 1}, "updateSemantics": "LOCAL"}
    propagate = commands.set_variables(pb.SetVariablesRequest(elementInstanceKey=1))
    assert propagate.value["updateSemantics"] == "PROPAGATE"
    assert propagate.value["variables"] == {}


def test_modify_process_instance() -> None:
    instruction = pb.ModifyProcessInstanceRequest.ActivateInstruction(
        elementId="task",
        variableInstructions=[
            pb.ModifyProcessInstanceRequest.VariableInstruction(variables='{"a":1}', scopeId="sub")
        ],
    )
    request = pb.ModifyProcessInstanceRequest(
        processInstanceKey=BIG_KEY,
        activateInstructions=[instruction],
        terminateInstructions=[
            pb.ModifyProcessInstanceRequest.TerminateInstruction(elementInstanceKey=BIG_KEY + 1)
        ],
        operationReference=3,
    )
    command = commands.modify_process_instance(request)
    assert (command.value_type, command.key, command.operation_reference) == (
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        BIG_KEY,
        3,
    )
    assert command.value == {
        "processInstanceKey": BIG_KEY,
        "activateInstructions": [
            {
                "elementId": "task",
                "ancestorScopeKey": -1,
                "variableInstructions": [{"elementId": "sub", "variables": {"a": 1}}],
            }
        ],
        "terminateInstructions": [{"elementInstanceKey": BIG_KEY + 1}],
    }
    bad = pb.ModifyProcessInstanceRequest.VariableInstruction(variables="[]")
    invalid_argument(
        lambda: commands.modify_process_instance(
            pb.ModifyProcessInstanceRequest(
                activateInstructions=[
                    pb.ModifyProcessInstanceRequest.ActivateInstruction(variableInstructions=[bad])
                ]
            )
        )
    )


def test_migrate_process_instance() -> None:
    plan = pb.MigrateProcessInstanceRequest.MigrationPlan(
        targetProcessDefinitionKey=BIG_KEY + 2,
        mappingInstructions=[
            pb.MigrateProcessInstanceRequest.MappingInstruction(
                sourceElementId="a", targetElementId="b"
            )
        ],
    )
    command = commands.migrate_process_instance(
        pb.MigrateProcessInstanceRequest(processInstanceKey=BIG_KEY, migrationPlan=plan)
    )
    assert command.key == BIG_KEY
    assert command.value == {
        "processInstanceKey": BIG_KEY,
        "targetProcessDefinitionKey": BIG_KEY + 2,
        "mappingInstructions": [{"sourceElementId": "a", "targetElementId": "b"}],
    }


def test_publish_message() -> None:
    command = commands.publish_message(
        pb.PublishMessageRequest(
            name="paid", correlationKey="o-1", timeToLive=5000, messageId="m1", variables=""
        )
    )
    assert command.value == {
        "name": "paid",
        "correlationKey": "o-1",
        "timeToLive": 5000,
        "messageId": "m1",
        "variables": {},
        "tenantId": "<default>",
    }


def activate(**fields: Any) -> Any:
    defaults: dict[str, Any] = {"type": "t", "worker": "w", "timeout": 1000, "maxJobsToActivate": 3}
    return pb.ActivateJobsRequest(**{**defaults, **fields})


def test_activate_jobs_command() -> None:
    command = commands.activate_jobs(activate(fetchVariable=["a"], requestTimeout=-1))
    assert (command.value_type, command.intent) == (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE)
    assert command.value == {
        "type": "t",
        "worker": "w",
        "timeout": 1000,
        "maxJobsToActivate": 3,
        "variables": ["a"],
        "tenantIds": ["<default>"],
    }


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({"type": " "}, "type"),
        ({"worker": ""}, "worker"),
        ({"timeout": 0}, "timeout"),
        ({"maxJobsToActivate": 0}, "maxJobsToActivate"),
        ({"tenantIds": ["acme"]}, "acme"),
    ],
)
def test_activate_jobs_validation(fields: dict[str, Any], mentions: str) -> None:
    assert mentions in invalid_argument(lambda: commands.activate_jobs(activate(**fields)))


def test_stream_activated_jobs_validation() -> None:
    wanted = commands.stream_activated_jobs(
        pb.StreamActivatedJobsRequest(type="t", worker="w", timeout=5, fetchVariable=["x"])
    )
    assert wanted == commands.JobStreamRequest("t", "w", 5, ["x"], ["<default>"])
    invalid_argument(
        lambda: commands.stream_activated_jobs(pb.StreamActivatedJobsRequest(type="", timeout=5))
    )
    invalid_argument(
        lambda: commands.stream_activated_jobs(pb.StreamActivatedJobsRequest(type="t", timeout=0))
    )


def test_job_commands() -> None:
    complete = commands.complete_job(pb.CompleteJobRequest(jobKey=BIG_KEY, variables='{"r":true}'))
    assert (complete.intent, complete.key, complete.value) == (
        JobIntent.COMPLETE,
        BIG_KEY,
        {"variables": {"r": True}},
    )
    fail = commands.fail_job(
        pb.FailJobRequest(jobKey=1, retries=2, errorMessage="boom", retryBackOff=500)
    )
    assert fail.value == {
        "retries": 2,
        "errorMessage": "boom",
        "retryBackoff": 500,
        "variables": {},
    }
    thrown = commands.throw_error(pb.ThrowErrorRequest(jobKey=1, errorCode="E1"))
    assert thrown.intent is JobIntent.THROW_ERROR
    assert thrown.value == {"errorCode": "E1", "errorMessage": "", "variables": {}}
    retries = commands.update_job_retries(pb.UpdateJobRetriesRequest(jobKey=1, retries=5))
    assert (retries.intent, retries.value) == (JobIntent.UPDATE_RETRIES, {"retries": 5})
    timeout = commands.update_job_timeout(pb.UpdateJobTimeoutRequest(jobKey=1, timeout=9))
    assert (timeout.intent, timeout.value) == (JobIntent.UPDATE_TIMEOUT, {"timeout": 9})


def test_every_unary_command_rpc_has_a_response_converter() -> None:
    from zeebind.gateway.responses import RESPONSES

    assert set(commands.COMMANDS) == set(RESPONSES)
    assert set(commands.COMMANDS) <= set(pb.methods)
