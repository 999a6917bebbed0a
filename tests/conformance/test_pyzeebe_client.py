"""pyzeebe 4.7 `ZeebeClient` against a real zeebind engine."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest
from gateway_clients import bpmn, eventually
from pyzeebe import ZeebeClient
from pyzeebe.errors import (
    DecisionNotFoundError,
    InvalidJSONError,
    MessageAlreadyExistsError,
    ProcessDefinitionHasNoStartEventError,
    ProcessDefinitionNotFoundError,
    ProcessInstanceNotFoundError,
    ProcessInvalidError,
    ProcessTimeoutError,
)
from pyzeebe.grpc_internals.types import DeployResourceResponse

from zeebind.app import EngineApp
from zeebind.protocol import Record, ValueType
from zeebind.protocol.intent import ProcessInstanceCreationIntent

pytestmark = pytest.mark.conformance

FIRST_KEY = 2251799813685249


def grpc_details(error: BaseException) -> str:
    """pyzeebe raises its errors `from` the grpc.aio.AioRpcError."""
    cause = error.__cause__
    assert isinstance(cause, grpc.aio.AioRpcError), repr(cause)
    return str(cause.details())


async def test_topology(zeebe: ZeebeClient, engine: EngineApp) -> None:
    topology = await zeebe.topology()
    assert topology.gateway_version == "8.8.0"
    assert (topology.cluster_size, topology.partitions_count, topology.replication_factor) == (
        1,
        1,
        1,
    )
    [broker] = topology.brokers
    assert (broker.node_id, broker.host, broker.port, broker.version) == (
        0,
        "127.0.0.1",
        engine.port,
        "8.8.0",
    )
    [partition] = broker.partitions
    assert partition.partition_id == 1
    assert partition.role == partition.PartitionBrokerRole.LEADER
    assert partition.health == partition.PartitionBrokerHealth.HEALTHY


async def test_healthcheck(zeebe: ZeebeClient) -> None:
    response = await zeebe.healthcheck()
    assert response.status == 1  # SERVING


async def test_deploy_resource(zeebe: ZeebeClient) -> None:
    response = await zeebe.deploy_resource(str(bpmn("one-task.bpmn")), str(bpmn("no-task.bpmn")))
    assert response.key >= FIRST_KEY
    assert response.tenant_id == "<default>"
    processes = [deployment.bpmn_process_id for deployment in response.deployments]
    assert processes == ["one-task", "no-task"]
    first = response.deployments[0]
    assert first.version == 1
    assert first.resource_name == "one-task.bpmn"
    assert first.process_definition_key >= FIRST_KEY
    again = await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    assert again.deployments[0].version == 1, "an unchanged resource is a duplicate"
    assert again.deployments[0].process_definition_key == first.process_definition_key


async def test_run_process(zeebe: ZeebeClient) -> None:
    deployment = await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    created = await zeebe.run_process("one-task", {"orderId": "o-1"})
    assert created.process_instance_key > deployment.key
    assert created.bpmn_process_id == "one-task"
    assert created.version == 1
    assert created.process_definition_key == deployment.deployments[0].process_definition_key
    assert created.tenant_id == "<default>"


async def test_run_process_with_result(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("no-task.bpmn")))
    result = await zeebe.run_process_with_result(
        "no-task", {"a": 1, "b": {"c": [True, None]}, "big": 2**60}, timeout=5000
    )
    assert result.bpmn_process_id == "no-task"
    assert result.variables == {"a": 1, "b": {"c": [True, None]}, "big": 2**60}
    fetched = await zeebe.run_process_with_result(
        "no-task", {"a": 1, "b": 2}, timeout=5000, variables_to_fetch=["b"]
    )
    assert fetched.variables == {"b": 2}


async def test_run_process_with_result_times_out(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    with pytest.raises(ProcessTimeoutError):
        await zeebe.run_process_with_result("one-task", timeout=300)


async def test_publish_message_correlates_and_duplicates_are_refused(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("message-catch.bpmn")))
    await zeebe.run_process("message-catch", {"orderId": "o-7"})
    published = await zeebe.publish_message(
        "paid", "o-7", {"amount": 10}, time_to_live_in_milliseconds=60_000, message_id="pay-o-7"
    )
    assert published.key >= FIRST_KEY
    assert published.tenant_id == "<default>"
    with pytest.raises(MessageAlreadyExistsError):
        await zeebe.publish_message("paid", "o-7", message_id="pay-o-7")


async def test_message_completes_waiting_instance(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("message-catch.bpmn")))
    await zeebe.publish_message("paid", "o-8", {"amount": 5}, time_to_live_in_milliseconds=60_000)
    result = await zeebe.run_process_with_result("message-catch", {"orderId": "o-8"}, timeout=5000)
    assert result.variables == {"orderId": "o-8", "amount": 5}


async def test_cancel_process_instance(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    created = await zeebe.run_process("one-task")
    await zeebe.cancel_process_instance(created.process_instance_key)
    with pytest.raises(ProcessInstanceNotFoundError):
        await zeebe.cancel_process_instance(created.process_instance_key)


async def test_unknown_process_definition(zeebe: ZeebeClient) -> None:
    with pytest.raises(ProcessDefinitionNotFoundError) as caught:
        await zeebe.run_process("no-such-process")
    assert "no-such-process" in grpc_details(caught.value)
    with pytest.raises(ProcessDefinitionNotFoundError):
        await zeebe.run_process_with_result("no-such-process")


async def test_unknown_process_instance(zeebe: ZeebeClient) -> None:
    with pytest.raises(ProcessInstanceNotFoundError):
        await zeebe.cancel_process_instance(FIRST_KEY + 10_000)


async def test_invalid_process(zeebe: ZeebeClient) -> None:
    with pytest.raises(ProcessInvalidError) as caught:
        await zeebe.deploy_resource(str(bpmn("invalid-no-task-type.bpmn")))
    details = grpc_details(caught.value)
    assert details.startswith("Command 'CREATE' rejected with code 'INVALID_ARGUMENT': ")
    assert "invalid-no-task-type.bpmn" in details


async def test_variables_must_be_a_json_object(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("no-task.bpmn")))
    with pytest.raises(InvalidJSONError):
        await zeebe.run_process("no-task", [1, 2])  # type: ignore[arg-type]


async def test_other_tenants_are_refused(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("no-task.bpmn")))
    with pytest.raises(InvalidJSONError) as caught:
        await zeebe.run_process("no-task", tenant_id="acme")
    assert "multi-tenancy is disabled" in grpc_details(caught.value)
    created = await zeebe.run_process("no-task", tenant_id="<default>")
    assert created.tenant_id == "<default>"


async def test_no_none_start_event(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("message-start.bpmn")))
    with pytest.raises(ProcessDefinitionHasNoStartEventError):
        await zeebe.run_process("message-start")


async def test_message_start_event(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("message-start.bpmn")))
    published = await zeebe.publish_message("order-received", "", {"n": 1})
    assert published.key >= FIRST_KEY


async def test_keys_are_exact_int64(zeebe: ZeebeClient) -> None:
    await zeebe.deploy_resource(str(bpmn("no-task.bpmn")))
    created = await zeebe.run_process("no-task")
    assert created.process_instance_key >> 51 == 1, "partition 1 key"
    assert json.loads(json.dumps(created.process_instance_key)) == created.process_instance_key


async def test_deploy_process_decision_and_form_together(zeebe: ZeebeClient) -> None:
    response = await zeebe.deploy_resource(
        str(bpmn("one-task.bpmn")), str(bpmn("dish.dmn")), str(bpmn("order.form"))
    )
    process, decision, requirements, form = response.deployments
    assert isinstance(process, DeployResourceResponse.ProcessMetadata)
    assert isinstance(decision, DeployResourceResponse.DecisionMetadata)
    assert (decision.dmn_decision_id, decision.dmn_decision_name) == ("dish", "Dish")
    assert decision.dmn_decision_requirements_id == "dish-requirements"
    assert isinstance(requirements, DeployResourceResponse.DecisionRequirementsMetadata)
    assert requirements.decision_requirements_key == decision.decision_requirements_key
    assert requirements.resource_name == "dish.dmn"
    assert isinstance(form, DeployResourceResponse.FormMetadata)
    assert (form.form_id, form.version, form.resource_name) == ("order-form", 1, "order.form")


async def test_evaluate_decision(zeebe: ZeebeClient) -> None:
    deployed = await zeebe.deploy_resource(str(bpmn("dish.dmn")))
    decision = deployed.deployments[0]
    assert isinstance(decision, DeployResourceResponse.DecisionMetadata)
    by_id = await zeebe.evaluate_decision(None, "dish", {"season": "Winter"})
    assert by_id.decision_output == "Roastbeef"
    assert by_id.decision_key == decision.decision_key
    [evaluated] = by_id.evaluated_decisions
    assert [rule.rule_id for rule in evaluated.matched_rules] == ["rule-winter"]
    assert [i.input_value for i in evaluated.evaluated_inputs] == ["Winter"]
    by_key = await zeebe.evaluate_decision(decision.decision_key, None, {"season": "Summer"})
    assert by_key.decision_output == "Salad"
    with pytest.raises(DecisionNotFoundError):
        await zeebe.evaluate_decision(None, "no-such-decision", {})


async def test_with_result_of_a_cancelled_instance_times_out(
    zeebe: ZeebeClient, committed: list[Record]
) -> None:
    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    waiting = asyncio.ensure_future(zeebe.run_process_with_result("one-task", timeout=1000))

    async def created() -> int | None:
        for record in committed:
            if (
                record.value_type is ValueType.PROCESS_INSTANCE_CREATION
                and record.intent == ProcessInstanceCreationIntent.CREATED
            ):
                key: int = record.value["processInstanceKey"]
                return key
        return None

    await zeebe.cancel_process_instance(await eventually(created))
    with pytest.raises(ProcessTimeoutError):
        await waiting


async def subscribed_to_signal(committed: list[Record], name: str) -> None:
    async def found() -> bool:
        return any(
            record.value_type is ValueType.SIGNAL_SUBSCRIPTION
            and record.value.get("signalName") == name
            for record in committed
        )

    await eventually(found)


async def test_broadcast_signal(zeebe: ZeebeClient, committed: list[Record]) -> None:
    await zeebe.deploy_resource(str(bpmn("signal-catch.bpmn")))
    waiting = asyncio.ensure_future(
        zeebe.run_process_with_result("signal-catch", {"a": 1}, timeout=5000)
    )
    await subscribed_to_signal(committed, "go")
    broadcast = await zeebe.broadcast_signal("go", {"b": 2})
    assert broadcast.key >= FIRST_KEY
    assert broadcast.tenant_id == "<default>"
    result = await waiting
    assert result.variables["a"] == 1
