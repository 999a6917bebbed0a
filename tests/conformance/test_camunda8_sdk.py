"""@camunda8/sdk 8.8 (Node, @grpc/grpc-js) against a real zeebind engine."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from gateway_clients import BPMN, REPO

from zeebind.app import EngineApp

pytestmark = pytest.mark.conformance

SCRIPT = Path(__file__).parent / "node" / "camunda8_sdk.js"
NODE_MODULES = REPO / ".tools" / "node-sdk" / "node_modules"


@pytest.fixture
def node() -> str:
    binary = shutil.which("node")
    if binary is None or not (NODE_MODULES / "@camunda8" / "sdk").is_dir():
        pytest.skip("node or @camunda8/sdk not installed: run `make tools`")
    return binary


async def sdk(node: str, engine: EngineApp, scenario: str) -> Any:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "NODE_PATH": str(NODE_MODULES),
        "ZEEBE_GRPC_ADDRESS": f"grpc://127.0.0.1:{engine.port}",
        "CAMUNDA_AUTH_STRATEGY": "NONE",
        "ZEEBE_CLIENT_LOG_LEVEL": "NONE",
    }
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        scenario,
        str(BPMN),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [line for line in out.decode().splitlines() if line.startswith("OUTCOME ")]
    assert lines, f"no outcome; stdout={out.decode()[-2000:]} stderr={err.decode()[-2000:]}"
    outcome = json.loads(lines[-1].removeprefix("OUTCOME "))
    assert outcome["ok"], outcome["error"]
    return outcome["result"]


async def test_topology(node: str, engine: EngineApp) -> None:
    assert await sdk(node, engine, "topology") == {
        "gatewayVersion": "8.8.0",
        "brokers": 1,
        "partitions": 1,
    }


async def test_deploy_and_create(node: str, engine: EngineApp) -> None:
    result = await sdk(node, engine, "deployAndCreate")
    assert result["deployedId"] == "one-task"
    assert int(result["processInstanceKey"]) >> 51 == 1
    assert result["tenantId"] == "<default>"


async def test_polling_worker(node: str, engine: EngineApp) -> None:
    result = await sdk(node, engine, "worker")
    assert result["variables"] == {"amount": 4, "doubled": 8}
    [job] = result["seen"]
    assert job["variables"] == {"amount": 4}
    assert job["headers"] == {"kind": "demo"}


async def test_stream_jobs(node: str, engine: EngineApp) -> None:
    result = await sdk(node, engine, "streamJobs")
    assert result == {"variables": {"amount": 1, "streamed": True}, "seen": ["node-stream"]}


async def test_duplicate_message_is_already_exists(node: str, engine: EngineApp) -> None:
    result = await sdk(node, engine, "duplicateMessage")
    assert result["code"] == 6
    assert result["message"].startswith("6 ALREADY_EXISTS: Command 'PUBLISH' rejected")
