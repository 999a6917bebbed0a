"""@camunda8/sdk (Node) modifies, migrates and deletes through a real zeebind engine."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from gateway_clients import Camunda8Sdk, node_binary
from test_instance_commands import tasks

from zeebind.app import EngineApp
from zeebind.protocol import Record

pytestmark = pytest.mark.conformance

SCRIPT = Path(__file__).parent / "node" / "instance_commands.js"


async def test_modify_migrate_and_delete_resource(
    engine: EngineApp, committed: list[Record], tmp_path: Path
) -> None:
    binary = node_binary()
    if binary is None:
        pytest.skip("node or @camunda8/sdk not installed: run `make tools`")
    (tmp_path / "v1.bpmn").write_bytes(tasks("a", "b"))
    (tmp_path / "v2.bpmn").write_bytes(tasks("b", "c"))
    env = Camunda8Sdk(binary, f"grpc://127.0.0.1:{engine.port}").env
    process = await asyncio.create_subprocess_exec(
        binary,
        str(SCRIPT),
        str(tmp_path),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [line for line in out.decode().splitlines() if line.startswith("OUTCOME ")]
    assert lines, f"no outcome; stdout={out.decode()[-2000:]} stderr={err.decode()[-2000:]}"
    outcome = json.loads(lines[-1].removeprefix("OUTCOME "))
    assert outcome["ok"], outcome["error"]
    result = outcome["result"]
    assert result["bVariables"] == {"x": 1, "y": 2}
    assert result["modifyRejected"]["code"] == 3  # INVALID_ARGUMENT
    assert "an element that could not be found: 'nope'" in result["modifyRejected"]["message"]
    c = result["c"]
    assert (c["processDefinitionKey"], c["version"]) == (c["v2Key"], 2)
    assert result["deleteAgain"]["code"] == 5  # NOT_FOUND
    instance = int(result["instance"])
    assert any(
        r.key == instance and r.intent == "ELEMENT_COMPLETED" and r.value["elementId"] == "order"
        for r in committed
    )
