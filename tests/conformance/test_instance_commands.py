"""ModifyProcessInstance, MigrateProcessInstance and DeleteResource over gRPC, raw (no client API).

A real `zeebind engine` (EngineApp on a port) is driven with zeebind's own message classes,
as a client built from Zeebe's gateway.proto would send them.
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import grpc
import pytest
from gateway_clients import RawGateway

from zeebind.gateway.protocol import pb
from zeebind.protocol import Record

pytestmark = pytest.mark.conformance

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://x">'
)


def tasks(*task_ids: str) -> bytes:
    """start -> one service task per id (job type = id) -> end, in process `order`."""
    nodes = ['<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>']
    nodes += [
        f'<bpmn:serviceTask id="{t}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{t}"/></bpmn:extensionElements></bpmn:serviceTask>'
        for t in task_ids
    ]
    ids = ["start", *task_ids, "end"]
    flows = [
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(pairwise(ids))
    ]
    body = "".join(nodes + flows)
    return (
        HEADER + f'<bpmn:process id="order" isExecutable="true">{body}</bpmn:process>'
        "</bpmn:definitions>"
    ).encode()


async def deploy(raw: RawGateway, content: bytes) -> int:
    request = pb.DeployResourceRequest(resources=[pb.Resource(name="order.bpmn", content=content)])
    response = await raw.unary("DeployResource", request)
    return int(response.deployments[0].process.processDefinitionKey)


async def create(raw: RawGateway, variables: dict[str, Any] | None = None) -> int:
    request = pb.CreateProcessInstanceRequest(
        bpmnProcessId="order", version=-1, variables=json.dumps(variables or {})
    )
    return int((await raw.unary("CreateProcessInstance", request)).processInstanceKey)


async def activate_one(raw: RawGateway, job_type: str) -> Any:
    request = pb.ActivateJobsRequest(
        type=job_type, worker="raw", timeout=60_000, maxJobsToActivate=1, requestTimeout=2_000
    )
    jobs = [job async for response in raw.stream("ActivateJobs", request) for job in response.jobs]
    assert len(jobs) == 1, jobs
    return jobs[0]


async def complete(raw: RawGateway, job: Any) -> None:
    await raw.unary("CompleteJob", pb.CompleteJobRequest(jobKey=job.key, variables="{}"))


def completed(records: list[Record], instance: int) -> bool:
    return any(
        r.key == instance and r.intent == "ELEMENT_COMPLETED" and r.value["elementId"] == "order"
        for r in records
    )


async def rejected(raw: RawGateway, method: str, request: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await raw.unary(method, request)
    return caught.value


async def test_modify_moves_the_token_with_variables(
    raw: RawGateway, committed: list[Record]
) -> None:
    await deploy(raw, tasks("a", "b"))
    instance = await create(raw, {"x": 1})
    job_a = await activate_one(raw, "a")
    Modify = pb.ModifyProcessInstanceRequest
    request = Modify(
        processInstanceKey=instance,
        activateInstructions=[
            Modify.ActivateInstruction(
                elementId="b",
                variableInstructions=[Modify.VariableInstruction(variables='{"y": 2}')],
            )
        ],
        terminateInstructions=[
            Modify.TerminateInstruction(elementInstanceKey=job_a.elementInstanceKey)
        ],
    )
    response = await raw.unary("ModifyProcessInstance", request)
    assert response.ByteSize() == 0  # ModifyProcessInstanceResponse is empty
    job_b = await activate_one(raw, "b")
    assert json.loads(job_b.variables) == {"x": 1, "y": 2}
    gone = await rejected(raw, "CompleteJob", pb.CompleteJobRequest(jobKey=job_a.key))
    assert gone.code() == grpc.StatusCode.NOT_FOUND
    await complete(raw, job_b)
    assert completed(committed, instance)


async def test_modify_rejections_carry_zeebes_status_and_text(raw: RawGateway) -> None:
    await deploy(raw, tasks("a"))
    instance = await create(raw)
    Modify = pb.ModifyProcessInstanceRequest
    unknown = await rejected(
        raw,
        "ModifyProcessInstance",
        Modify(
            processInstanceKey=instance,
            activateInstructions=[Modify.ActivateInstruction(elementId="nope")],
        ),
    )
    assert unknown.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert unknown.details() == (
        "Command 'MODIFY' rejected with code 'INVALID_ARGUMENT': Expected to modify instance of "
        "process 'order' but it contains one or more activate instructions with an element that "
        "could not be found: 'nope'"
    )
    missing = await rejected(
        raw, "ModifyProcessInstance", Modify(processInstanceKey=instance + 1000)
    )
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    assert "no process instance found with key" in missing.details()


async def test_migrate_moves_a_running_instance_to_the_new_version(
    raw: RawGateway, committed: list[Record]
) -> None:
    await deploy(raw, tasks("a"))
    instance = await create(raw)
    job_a = await activate_one(raw, "a")
    v2 = await deploy(raw, tasks("a", "b"))
    Migrate = pb.MigrateProcessInstanceRequest
    unmapped = await rejected(
        raw,
        "MigrateProcessInstance",
        Migrate(
            processInstanceKey=instance,
            migrationPlan=Migrate.MigrationPlan(targetProcessDefinitionKey=v2),
        ),
    )
    assert unmapped.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "but no mapping instruction defined for active element with id 'a'" in (
        unmapped.details()
    )
    plan = Migrate.MigrationPlan(
        targetProcessDefinitionKey=v2,
        mappingInstructions=[Migrate.MappingInstruction(sourceElementId="a", targetElementId="a")],
    )
    await raw.unary(
        "MigrateProcessInstance", Migrate(processInstanceKey=instance, migrationPlan=plan)
    )
    await complete(raw, job_a)
    job_b = await activate_one(raw, "b")
    assert (job_b.processDefinitionKey, job_b.processDefinitionVersion) == (v2, 2)
    await complete(raw, job_b)
    assert completed(committed, instance)


async def test_delete_resource(raw: RawGateway) -> None:
    key = await deploy(raw, tasks("a"))
    instance = await create(raw)
    busy = await rejected(raw, "DeleteResource", pb.DeleteResourceRequest(resourceKey=key))
    assert busy.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert busy.details() == (
        "Command 'DELETE' rejected with code 'INVALID_STATE': Expected to delete resource with "
        f"key `{key}` but there are still running instances"
    )
    await raw.unary(
        "CancelProcessInstance", pb.CancelProcessInstanceRequest(processInstanceKey=instance)
    )
    await raw.unary("DeleteResource", pb.DeleteResourceRequest(resourceKey=key))
    again = await rejected(raw, "DeleteResource", pb.DeleteResourceRequest(resourceKey=key))
    assert again.code() == grpc.StatusCode.NOT_FOUND
    assert again.details() == (
        "Command 'DELETE' rejected with code 'NOT_FOUND': Expected to delete resource but no "
        f"resource found with key `{key}`"
    )
    redeployed = pb.DeployResourceRequest(
        resources=[pb.Resource(name="order.bpmn", content=tasks("a", "b"))]
    )
    response = await raw.unary("DeployResource", redeployed)
    assert response.deployments[0].process.version == 2
