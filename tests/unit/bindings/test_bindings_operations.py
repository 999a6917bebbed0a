"""Each operation against a scripted gateway: the request it sends, the JSON it answers, its
errors."""

from __future__ import annotations

import base64
import json

import grpc
import pytest
from google.protobuf.json_format import MessageToDict
from scripted_gateway import ScriptedGateway

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command.binding import ZeebeCommandBinding
from zeebind.bindings.errors import BindingError, PayloadError
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb

BIG = 9007199254740993  # 2^53 + 1: lost by float64, kept here


async def invoke(
    gateway: ScriptedGateway, operation: str, data: object = None, **metadata: str
) -> bytes:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    response = await ZeebeCommandBinding(gateway).invoke(InvokeRequest(operation, raw, metadata))
    return response.data


def sent(gateway: ScriptedGateway) -> dict[str, object]:
    return MessageToDict(gateway.last.request, preserving_proto_field_name=True)


async def test_topology_keeps_zero_values(gateway: ScriptedGateway) -> None:
    topology = pb.TopologyResponse(
        clusterSize=1, partitionsCount=1, replicationFactor=1, gatewayVersion="8.8.0"
    )
    broker = topology.brokers.add(nodeId=0, host="localhost", port=26501, version="8.8.0")
    broker.partitions.add(partitionId=1, role=0, health=0)
    gateway.answers["Topology"] = topology
    body = await invoke(gateway, "topology", {})
    assert body == (
        b'{"brokers":[{"nodeId":0,"host":"localhost","port":26501,"partitions":[{"partitionId":1,'
        b'"role":0,"health":0}],"version":"8.8.0"}],"clusterSize":1,"partitionsCount":1,'
        b'"replicationFactor":1,"gatewayVersion":"8.8.0"}'
    )


async def test_topology_error(gateway: ScriptedGateway) -> None:
    gateway.answers["Topology"] = GatewayError(grpc.StatusCode.UNAVAILABLE, "connection refused")
    with pytest.raises(
        BindingError,
        match="cannot get zeebe topology: rpc error: code = Unavailable desc = connection refused",
    ):
        await invoke(gateway, "topology")


@pytest.mark.parametrize("operation", ["deploy-resource", "deploy-process"])
async def test_deploy_raw_bytes(gateway: ScriptedGateway, operation: str) -> None:
    answer = pb.DeployResourceResponse(key=BIG, tenantId="<default>")
    answer.deployments.add().process.CopyFrom(
        pb.ProcessMetadata(
            bpmnProcessId="p", version=1, processDefinitionKey=BIG + 1, resourceName="p.bpmn"
        )
    )
    gateway.answers["DeployResource"] = answer
    body = await invoke(gateway, operation, b"<bpmn/>", fileName="p.bpmn")
    assert gateway.last.request.resources[0].content == b"<bpmn/>"
    assert gateway.last.request.resources[0].name == "p.bpmn"
    assert body == (
        b'{"key":9007199254740993,"deployments":[{"Metadata":{"Process":{"bpmnProcessId":"p",'
        b'"version":1,"processDefinitionKey":9007199254740994,"resourceName":"p.bpmn"}}}],'
        b'"tenantId":"<default>"}'
    )


async def test_deploy_a_json_string_is_unquoted(gateway: ScriptedGateway) -> None:
    xml = '<?xml version="1.0"?><definitions name="ü&amp;"/>'
    await invoke(gateway, "deploy-resource", json.dumps(xml).encode(), fileName="p.bpmn")
    assert gateway.last.request.resources[0].content == xml.encode()


async def test_deploy_base64(gateway: ScriptedGateway) -> None:
    encoded = json.dumps(base64.b64encode(b"<dmn/>").decode()).encode()
    await invoke(gateway, "deploy-resource", encoded, fileName="d.dmn", encoding="base64")
    assert gateway.last.request.resources[0].content == b"<dmn/>"


async def test_deploy_a_form_object_and_tenant(gateway: ScriptedGateway) -> None:
    await invoke(gateway, "deploy-resource", {"id": "f"}, fileName="f.form", tenantId="t1")
    assert json.loads(gateway.last.request.resources[0].content) == {"id": "f"}
    assert gateway.last.request.tenantId == "t1"


async def test_deploy_needs_a_file_name(gateway: ScriptedGateway) -> None:
    with pytest.raises(PayloadError, match=r"^fileName is a required attribute$"):
        await invoke(gateway, "deploy-resource", b"<bpmn/>")


async def test_deploy_error_names_the_file(gateway: ScriptedGateway) -> None:
    gateway.answers["DeployResource"] = GatewayError(grpc.StatusCode.INVALID_ARGUMENT, "bad")
    with pytest.raises(
        BindingError, match=r"^cannot deploy resource with fileName p.bpmn: rpc error"
    ):
        await invoke(gateway, "deploy-resource", b"x", fileName="p.bpmn")


async def test_create_instance_by_id_latest(gateway: ScriptedGateway) -> None:
    gateway.answers["CreateProcessInstance"] = pb.CreateProcessInstanceResponse(
        processDefinitionKey=BIG,
        bpmnProcessId="p",
        version=3,
        processInstanceKey=BIG + 2,
        tenantId="<default>",
    )
    body = await invoke(gateway, "create-instance", {"bpmnProcessId": "p", "variables": {"a": BIG}})
    assert sent(gateway) == {
        "bpmnProcessId": "p",
        "version": -1,
        "variables": '{"a":9007199254740993}',
    }
    assert body == (
        b'{"processDefinitionKey":9007199254740993,"bpmnProcessId":"p","version":3,'
        b'"processInstanceKey":9007199254740995,"tenantId":"<default>"}'
    )


async def test_create_instance_by_key_with_result(gateway: ScriptedGateway) -> None:
    gateway.answers["CreateProcessInstanceWithResult"] = pb.CreateProcessInstanceWithResultResponse(
        processDefinitionKey=1,
        bpmnProcessId="p",
        version=1,
        processInstanceKey=2,
        variables='{"foo":"bar"}',
        tenantId="<default>",
    )
    body = await invoke(
        gateway,
        "create-instance",
        {
            "processDefinitionKey": 1,
            "withResult": True,
            "requestTimeout": "30s",
            "fetchVariables": ["foo"],
            "tenantId": "t",
        },
    )
    assert sent(gateway) == {
        "request": {"processDefinitionKey": "1", "tenantId": "t"},
        "requestTimeout": "27000",
        "fetchVariables": ["foo"],
    }
    assert gateway.last.timeout == 30
    assert json.loads(body)["variables"] == '{"foo":"bar"}'
    assert list(json.loads(body)) == [
        "processDefinitionKey",
        "bpmnProcessId",
        "version",
        "processInstanceKey",
        "variables",
        "tenantId",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "either 'bpmnProcessId' or 'processDefinitionKey' must be passed$"),
        (
            {"bpmnProcessId": "p", "processDefinitionKey": 1},
            "either 'bpmnProcessId' or 'processDefinitionKey' must be passed, not both",
        ),
        ({"bpmnProcessId": 5}, "field 'bpmnProcessId' must be a string, not an integer"),
        ({"bpmnProcessId": "p", "version": "x"}, "field 'version' must be an integer \\(int32\\)"),
        (
            {"bpmnProcessId": "p", "withResult": True, "requestTimeout": "soon"},
            "invalid value \"soon\" for field 'requestTimeout'",
        ),
    ],
)
async def test_create_instance_validation(
    gateway: ScriptedGateway, data: object, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        await invoke(gateway, "create-instance", data)


async def test_create_instance_errors_show_version_and_key(gateway: ScriptedGateway) -> None:
    gateway.answers["CreateProcessInstance"] = GatewayError(grpc.StatusCode.NOT_FOUND, "none")
    with pytest.raises(
        BindingError, match=r"^cannot create instance for bpmnProcessId p and version 2:"
    ):
        await invoke(gateway, "create-instance", {"bpmnProcessId": "p", "version": 2})
    with pytest.raises(
        BindingError, match=r"^cannot create instance for bpmnProcessId p and latest"
    ):
        await invoke(gateway, "create-instance", {"bpmnProcessId": "p"})
    with pytest.raises(
        BindingError, match=rf"^cannot create instance for processDefinitionKey {BIG}:"
    ):
        await invoke(gateway, "create-instance", {"processDefinitionKey": BIG})


@pytest.mark.parametrize(
    ("operation", "data", "method", "request_fields", "context"),
    [
        (
            "cancel-instance",
            {"processInstanceKey": BIG},
            "CancelProcessInstance",
            {"processInstanceKey": str(BIG)},
            f"cannot cancel instance for process instance key {BIG}",
        ),
        (
            "resolve-incident",
            {"incidentKey": BIG},
            "ResolveIncident",
            {"incidentKey": str(BIG)},
            f"cannot resolve incident for key {BIG}",
        ),
        (
            "complete-job",
            {"jobKey": BIG, "variables": {"r": 1}},
            "CompleteJob",
            {"jobKey": str(BIG), "variables": '{"r":1}'},
            f"cannot complete job for key {BIG}",
        ),
        (
            "fail-job",
            {
                "jobKey": 1,
                "retries": 0,
                "errorMessage": "e",
                "retryBackOff": "PT15S",
                "variables": {},
            },
            "FailJob",
            {"jobKey": "1", "errorMessage": "e", "retryBackOff": "15000", "variables": "{}"},
            "cannot fail job for key 1",
        ),
        (
            "update-job-retries",
            {"jobKey": 1},
            "UpdateJobRetries",
            {"jobKey": "1", "retries": 3},
            "cannot update job retries for key 1",
        ),
        (
            "throw-error",
            {"jobKey": 1, "errorCode": "E1", "errorMessage": "m", "variables": {"x": True}},
            "ThrowError",
            {"jobKey": "1", "errorCode": "E1", "errorMessage": "m", "variables": '{"x":true}'},
            "cannot throw error for job key 1",
        ),
        (
            "delete-resource",
            {"resourceKey": 7},
            "DeleteResource",
            {"resourceKey": "7"},
            "cannot delete resource for key 7",
        ),
        (
            "update-job-timeout",
            {"jobKey": 1, "timeout": "1m"},
            "UpdateJobTimeout",
            {"jobKey": "1", "timeout": "60000"},
            "cannot update job timeout for key 1",
        ),
        (
            "modify-process-instance",
            {
                "processInstanceKey": 5,
                "activateInstructions": [
                    {"elementId": "a", "variableInstructions": [{"variables": {"v": 1}}]}
                ],
                "terminateInstructions": [{"elementInstanceKey": 6}],
            },
            "ModifyProcessInstance",
            {
                "processInstanceKey": "5",
                "activateInstructions": [
                    {"elementId": "a", "variableInstructions": [{"variables": '{"v":1}'}]}
                ],
                "terminateInstructions": [{"elementInstanceKey": "6"}],
            },
            "cannot modify process instance for key 5",
        ),
        (
            "migrate-process-instance",
            {
                "processInstanceKey": 5,
                "migrationPlan": {
                    "targetProcessDefinitionKey": 9,
                    "mappingInstructions": [{"sourceElementId": "a", "targetElementId": "b"}],
                },
            },
            "MigrateProcessInstance",
            {
                "processInstanceKey": "5",
                "migrationPlan": {
                    "targetProcessDefinitionKey": "9",
                    "mappingInstructions": [{"sourceElementId": "a", "targetElementId": "b"}],
                },
            },
            "cannot migrate process instance for key 5",
        ),
    ],
)
async def test_operations_without_a_body(
    gateway: ScriptedGateway,
    operation: str,
    data: object,
    method: str,
    request_fields: dict[str, object],
    context: str,
) -> None:
    assert await invoke(gateway, operation, data) == b""
    assert gateway.last.method == method
    assert sent(gateway) == request_fields
    gateway.answers[method] = GatewayError(grpc.StatusCode.NOT_FOUND, "no such thing")
    with pytest.raises(BindingError) as caught:
        await invoke(gateway, operation, data)
    assert str(caught.value) == f"{context}: rpc error: code = NotFound desc = no such thing"


@pytest.mark.parametrize(
    ("operation", "data", "message"),
    [
        ("cancel-instance", {}, "processInstanceKey is a required attribute"),
        ("resolve-incident", {}, "incidentKey is a required attribute"),
        ("set-variables", {"variables": {}}, "elementInstanceKey is a required attribute"),
        ("set-variables", {"elementInstanceKey": 1}, "variables is a required attribute"),
        ("publish-message", {}, "messageName is a required attribute"),
        ("activate-jobs", {"maxJobsToActivate": 1}, "jobType is a required attribute"),
        ("activate-jobs", {"jobType": "t"}, "maxJobsToActivate is a required attribute"),
        ("complete-job", {}, "jobKey is a required attribute"),
        ("fail-job", {"retries": 1}, "jobKey is a required attribute"),
        ("fail-job", {"jobKey": 1}, "retries is a required attribute"),
        ("update-job-retries", {}, "jobKey is a required attribute"),
        ("throw-error", {"errorCode": "x"}, "jobKey is a required attribute"),
        ("throw-error", {"jobKey": 1}, "errorCode is a required attribute"),
        ("throw-error", {"jobKey": 1, "errorCode": ""}, "errorCode is a required attribute"),
        ("evaluate-decision", {}, "either 'decisionId' or 'decisionKey' must be passed"),
        ("broadcast-signal", {}, "signalName is a required attribute"),
        ("delete-resource", {}, "resourceKey is a required attribute"),
        ("update-job-timeout", {"jobKey": 1}, "timeout is a required attribute"),
        ("migrate-process-instance", {"processInstanceKey": 1}, "migrationPlan is a required"),
        (
            "modify-process-instance",
            {"processInstanceKey": 1, "activateInstructions": [{}]},
            r"activateInstructions\[0\]\.elementId is a required attribute",
        ),
        (
            "fail-job",
            {"jobKey": 1, "retries": 1, "retryBackOff": "1 minute"},
            "invalid value \"1 minute\" for field 'retryBackOff'",
        ),
        ("publish-message", {"messageName": "m", "timeToLive": "-1s"}, "must not be negative"),
    ],
)
async def test_required_fields(
    gateway: ScriptedGateway, operation: str, data: object, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        await invoke(gateway, operation, data)
    assert gateway.calls == []


async def test_set_variables(gateway: ScriptedGateway) -> None:
    gateway.answers["SetVariables"] = pb.SetVariablesResponse(key=BIG)
    body = await invoke(
        gateway, "set-variables", {"elementInstanceKey": 3, "variables": {"a": 1}, "local": True}
    )
    assert sent(gateway) == {"elementInstanceKey": "3", "variables": '{"a":1}', "local": True}
    assert body == b'{"key":9007199254740993}'


async def test_publish_message(gateway: ScriptedGateway) -> None:
    gateway.answers["PublishMessage"] = pb.PublishMessageResponse(key=BIG, tenantId="<default>")
    body = await invoke(
        gateway,
        "publish-message",
        {
            "messageName": "m",
            "correlationKey": "2",
            "timeToLive": "1m",
            "messageId": "id",
            "variables": {"p": "x"},
        },
    )
    assert sent(gateway) == {
        "name": "m",
        "correlationKey": "2",
        "timeToLive": "60000",
        "messageId": "id",
        "variables": '{"p":"x"}',
    }
    assert body == b'{"key":9007199254740993,"tenantId":"<default>"}'


def job(key: int) -> object:
    return pb.ActivatedJob(
        key=key,
        type="t",
        processInstanceKey=2,
        bpmnProcessId="p",
        processDefinitionVersion=1,
        processDefinitionKey=3,
        elementId="task",
        elementInstanceKey=4,
        customHeaders='{"h":"1"}',
        worker="w",
        retries=3,
        deadline=1700000000000,
        variables='{"a":1}',
        tenantId="<default>",
    )


async def test_activate_jobs_gathers_every_message(gateway: ScriptedGateway) -> None:
    gateway.answers["ActivateJobs"] = [
        pb.ActivateJobsResponse(jobs=[job(BIG)]),
        pb.ActivateJobsResponse(jobs=[job(2)]),
    ]
    body = await invoke(
        gateway,
        "activate-jobs",
        {
            "jobType": "t",
            "maxJobsToActivate": 5,
            "timeout": "5m",
            "workerName": "w",
            "fetchVariables": ["a"],
        },
    )
    assert sent(gateway) == {
        "type": "t",
        "worker": "w",
        "timeout": "300000",
        "maxJobsToActivate": 5,
        "fetchVariable": ["a"],
    }
    assert gateway.last.timeout == 20  # the gateway's 10 s long poll, plus 10 s
    jobs = json.loads(body)
    assert [item["key"] for item in jobs] == [BIG, 2]
    assert list(jobs[0]) == [
        "key",
        "type",
        "processInstanceKey",
        "bpmnProcessId",
        "processDefinitionVersion",
        "processDefinitionKey",
        "elementId",
        "elementInstanceKey",
        "customHeaders",
        "worker",
        "retries",
        "deadline",
        "variables",
        "tenantId",
    ]
    assert jobs[0]["customHeaders"] == '{"h":"1"}'


async def test_activate_jobs_answers_an_empty_array(gateway: ScriptedGateway) -> None:
    body = await invoke(gateway, "activate-jobs", {"jobType": "t", "maxJobsToActivate": 1})
    assert body == b"[]"
    assert sent(gateway)["worker"] == "default"
    assert sent(gateway)["timeout"] == "300000"


@pytest.mark.parametrize(
    ("timeout", "sent_ms", "deadline"), [("-1s", "-1", 10), ("30s", "30000", 40), (None, None, 20)]
)
async def test_activate_jobs_long_poll(
    gateway: ScriptedGateway, timeout: str | None, sent_ms: str | None, deadline: float
) -> None:
    data: dict[str, object] = {"jobType": "t", "maxJobsToActivate": 1}
    if timeout is not None:
        data["requestTimeout"] = timeout
    await invoke(gateway, "activate-jobs", data)
    assert sent(gateway).get("requestTimeout") == sent_ms
    assert gateway.last.timeout == deadline


async def test_activate_jobs_error(gateway: ScriptedGateway) -> None:
    gateway.answers["ActivateJobs"] = GatewayError(grpc.StatusCode.INVALID_ARGUMENT, "bad")
    with pytest.raises(
        BindingError, match=r"^cannot activate jobs for type t: rpc error: code = Inv"
    ):
        await invoke(gateway, "activate-jobs", {"jobType": "t", "maxJobsToActivate": 1})


async def test_evaluate_decision(gateway: ScriptedGateway) -> None:
    gateway.answers["EvaluateDecision"] = pb.EvaluateDecisionResponse(
        decisionKey=1, decisionId="d", decisionOutput='"ok"'
    )
    body = await invoke(gateway, "evaluate-decision", {"decisionId": "d", "variables": {"x": 1}})
    assert sent(gateway) == {"decisionId": "d", "variables": '{"x":1}'}
    assert body == b'{"decisionKey":1,"decisionId":"d","decisionOutput":"\\"ok\\""}'


async def test_broadcast_signal(gateway: ScriptedGateway) -> None:
    gateway.answers["BroadcastSignal"] = pb.BroadcastSignalResponse(key=4, tenantId="<default>")
    body = await invoke(gateway, "broadcast-signal", {"signalName": "s", "tenantId": "t"})
    assert sent(gateway) == {"signalName": "s", "tenantId": "t"}
    assert body == b'{"key":4,"tenantId":"<default>"}'


async def test_unimplemented_rpcs_say_so(gateway: ScriptedGateway) -> None:
    gateway.answers["MigrateProcessInstance"] = GatewayError(
        grpc.StatusCode.UNIMPLEMENTED, "Method not found"
    )
    data = {"processInstanceKey": 1, "migrationPlan": {"targetProcessDefinitionKey": 2}}
    with pytest.raises(
        BindingError, match="code = Unimplemented desc = the gateway does not support"
    ):
        await invoke(gateway, "migrate-process-instance", data)


async def test_unknown_operation_when_called_directly(gateway: ScriptedGateway) -> None:
    with pytest.raises(BindingError, match=r"^unsupported operation: nope$"):
        await invoke(gateway, "nope", {})
