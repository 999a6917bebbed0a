"""ZeebeClient in-process, the gRPC transport's constructors, and the sync facade."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from zeebind import SyncZeebeClient, ZeebeClient
from zeebind.api import errors
from zeebind.api.transport import cloud_gateway, default_address, oauth_from_environment
from zeebind.app import EngineApp
from zeebind.client.remote import RemoteGatewayClient
from zeebind.protocol.record import ValueType
from zeebind.testing import InMemoryEngine

BPMN = Path(__file__).resolve().parents[2] / "fixtures" / "bpmn"


@pytest.fixture
async def engine() -> AsyncIterator[InMemoryEngine]:
    async with InMemoryEngine() as engine:
        yield engine


def test_both_generations_are_the_same_calls() -> None:
    assert ZeebeClient.run_workflow is ZeebeClient.run_process
    assert ZeebeClient.run_workflow_with_result is ZeebeClient.run_process_with_result
    assert ZeebeClient.cancel_workflow_instance is ZeebeClient.cancel_process_instance
    assert ZeebeClient.deploy_workflow is ZeebeClient.deploy_resource
    assert ZeebeClient.deploy_process is ZeebeClient.deploy_resource


async def test_deploys_paths_and_named_contents(engine: InMemoryEngine) -> None:
    text = (BPMN / "no-task.bpmn").read_text()
    deployed = await engine.client.deploy_workflow(
        str(BPMN / "one-task.bpmn"), ("renamed.bpmn", text.replace('"no-task"', '"renamed"'))
    )
    assert [(d.bpmn_process_id, d.resource_name) for d in deployed.processes] == [
        ("one-task", "one-task.bpmn"),
        ("renamed", "renamed.bpmn"),
    ]
    assert deployed.DecisionMetadata.__name__ == "DecisionMetadata"


async def test_old_names_run_and_cancel(engine: InMemoryEngine) -> None:
    await engine.deploy(BPMN / "one-task.bpmn")
    started = await engine.client.run_workflow("one-task", {"amount": 1})
    await engine.client.cancel_workflow_instance(started.process_instance_key)
    await engine.settle()
    engine.assert_that(started.process_instance_key).is_terminated()
    with pytest.raises(errors.WorkflowInstanceNotFound, match="was not found"):
        await engine.client.cancel_workflow_instance(started.process_instance_key)


async def test_variables_that_are_not_json_are_refused_before_sending(
    engine: InMemoryEngine,
) -> None:
    with pytest.raises(errors.InvalidJSON, match="not JSON"):
        await engine.client.run_process("one-task", {"when": object()})


async def test_evaluate_decision_needs_a_key_or_an_id(engine: InMemoryEngine) -> None:
    with pytest.raises(ValueError, match="decision_key or decision_id"):
        await engine.client.evaluate_decision()


async def test_evaluates_a_deployed_decision(engine: InMemoryEngine) -> None:
    deployed = await engine.deploy(BPMN / "dish.dmn")
    decision = next(d for d in deployed.deployments if type(d).__name__ == "DecisionMetadata")
    result = await engine.client.evaluate_decision(
        decision.decision_key, None, {"season": "Winter", "guestCount": 4}
    )
    assert result.decision_id == decision.dmn_decision_id
    assert result.evaluated_decisions
    assert result.failure_message == ""


async def test_jobs_set_variables_and_incidents(engine: InMemoryEngine) -> None:
    await engine.deploy(BPMN / "one-task.bpmn")
    key = await engine.start_instance("one-task", {"amount": 1})
    client = engine.client

    job = await engine.fail_job("one-task-work", "broken", retries=0)
    engine.assert_that(key).has_incident("JOB_NO_RETRIES", element_id="work")
    [incident] = engine.records.of(ValueType.INCIDENT, "CREATED")
    await client.update_job_retries(job.key, 2)
    await client.resolve_incident(incident.key)
    await client.set_variables(key, {"amount": 5})
    await engine.settle()
    engine.assert_that(key).has_no_incidents().has_variables({"amount": 5})

    [again] = await client.activate_jobs("one-task-work", max_jobs_to_activate=5)
    assert (again.key, again.retries, again.variables["amount"]) == (job.key, 2, 5)
    await client.update_job_timeout(again.key, 60_000)
    await client.throw_error(again.key, "UNCAUGHT", "nobody catches this")
    await engine.settle()
    engine.assert_that(key).has_incident("UNHANDLED_ERROR_EVENT")
    with pytest.raises(errors.JobAlreadyDeactivated, match="ERROR_THROWN"):
        await client.complete_job(again.key)
    with pytest.raises(errors.JobNotFound):
        await client.complete_job(123)


async def test_topology_of_the_embedded_engine(engine: InMemoryEngine) -> None:
    topology = await engine.client.topology()
    assert topology.cluster_size == 1
    assert topology.brokers[0].partitions[0].partition_id == 1


async def test_grpc_to_a_live_engine_and_to_nothing() -> None:
    async with EngineApp(data_dir=None, port=0) as app:
        async with ZeebeClient.connect(app.address, insecure=True) as client:
            deployed = await client.deploy_resource(BPMN / "no-task.bpmn")
            result = await client.run_process_with_result("no-task", {"x": 1}, timeout=5_000)
        assert result.variables == {"x": 1}
        assert result.process_definition_key == deployed.deployments[0].process_definition_key

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
    async with ZeebeClient.connect(closed, insecure=True) as client:
        with pytest.raises(errors.ZeebeGatewayUnavailable):
            await client.topology()


def test_addresses_and_credentials_follow_pyzeebe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZEEBE_ADDRESS", raising=False)
    assert default_address(None) == "localhost:26500"
    monkeypatch.setenv("ZEEBE_ADDRESS", "zeebe:26500")
    assert default_address(None) == "zeebe:26500"
    assert default_address("given:1") == "given:1"

    for name in ("CAMUNDA_CLIENT_ID", "CAMUNDA_CLIENT_SECRET", "ZEEBE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(errors.InvalidOAuthCredentialsError, match="client_id, client_secret"):
        oauth_from_environment(authorization_server="https://auth", audience="zeebe")
    monkeypatch.setenv("ZEEBE_CLIENT_ID", "id")
    monkeypatch.setenv("CAMUNDA_CLIENT_SECRET", "secret")
    credentials = oauth_from_environment(authorization_server="https://auth", audience="zeebe")
    assert (credentials.client_id, credentials.client_secret) == ("id", "secret")


async def test_camunda_saas_address_and_token_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAMUNDA_CLUSTER_ID", raising=False)
    monkeypatch.delenv("CAMUNDA_CLUSTER_REGION", raising=False)
    with pytest.raises(errors.SettingsError, match="cluster id"):
        cloud_gateway("id", "secret")
    gateway = cloud_gateway("id", "secret", "abc-123")
    assert isinstance(gateway, RemoteGatewayClient)
    assert gateway.address == "abc-123.bru-2.zeebe.camunda.io:443"
    assert gateway.token_source is not None
    await gateway.close()
    monkeypatch.setenv("CAMUNDA_CLUSTER_REGION", "syd-1")
    client = ZeebeClient.camunda_cloud("id", "secret", "abc-123")
    assert isinstance(client.gateway, RemoteGatewayClient)
    assert client.gateway.address == "abc-123.syd-1.zeebe.camunda.io:443"
    await client.close()


def test_sync_client_on_its_own_in_memory_engine() -> None:
    with SyncZeebeClient.in_memory() as zeebe:
        zeebe.deploy_resource(BPMN / "no-task.bpmn")
        result = zeebe.run_workflow_with_result("no-task", {"a": [1, 2]})
        assert result.variables == {"a": [1, 2]}
        with pytest.raises(errors.ProcessDefinitionNotFound):
            zeebe.run_process("missing")
        with pytest.raises(AttributeError):
            zeebe.no_such_call()


async def test_sync_client_over_grpc() -> None:
    async with EngineApp(data_dir=None, port=0) as app:

        def blocking() -> int:
            with SyncZeebeClient.connect(app.address, insecure=True) as zeebe:
                zeebe.deploy_resource(BPMN / "no-task.bpmn")
                return zeebe.run_process("no-task").version

        assert await asyncio.to_thread(blocking) == 1
