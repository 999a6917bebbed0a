"""@camunda8/sdk 8.8 (Node, @grpc/grpc-js) against a real zeebind engine."""

from __future__ import annotations

import pytest
from gateway_clients import Camunda8Sdk, node_binary

from zeebind.app import EngineApp

pytestmark = pytest.mark.conformance


@pytest.fixture
def sdk(engine: EngineApp) -> Camunda8Sdk:
    binary = node_binary()
    if binary is None:
        pytest.skip("node or @camunda8/sdk not installed: run `make tools`")
    return Camunda8Sdk(binary, f"grpc://127.0.0.1:{engine.port}")


async def test_topology(sdk: Camunda8Sdk) -> None:
    assert await sdk("topology") == {
        "gatewayVersion": "8.8.0",
        "brokers": 1,
        "partitions": 1,
    }


async def test_deploy_and_create(sdk: Camunda8Sdk) -> None:
    result = await sdk("deployAndCreate")
    assert result["deployedId"] == "one-task"
    assert int(result["processInstanceKey"]) >> 51 == 1
    assert result["tenantId"] == "<default>"


async def test_polling_worker(sdk: Camunda8Sdk) -> None:
    result = await sdk("worker")
    assert result["variables"] == {"amount": 4, "doubled": 8}
    [job] = result["seen"]
    assert job["variables"] == {"amount": 4}
    assert job["headers"] == {"kind": "demo"}


async def test_stream_jobs(sdk: Camunda8Sdk) -> None:
    result = await sdk("streamJobs")
    assert result == {"variables": {"amount": 1, "streamed": True}, "seen": ["node-stream"]}


async def test_duplicate_message_is_already_exists(sdk: Camunda8Sdk) -> None:
    result = await sdk("duplicateMessage")
    assert result["code"] == 6
    assert result["message"].startswith("6 ALREADY_EXISTS: Command 'PUBLISH' rejected")
