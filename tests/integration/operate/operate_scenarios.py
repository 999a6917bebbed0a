"""Real scenarios for the Operate read API: a broker on SQLite, the API on a real port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from zeebind.operate.service import OperateService
from zeebind.protocol.intent import JobIntent, ProcessInstanceIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

ROOT = Path(__file__).resolve().parents[2]
DISH_DMN = (ROOT / "fixtures" / "bpmn" / "dish.dmn").read_text()

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" '
    'targetNamespace="http://bpmn.io/schema/bpmn">'
)
ORDER = (
    HEADER + '<bpmn:process id="order" name="Order process" isExecutable="true">'
    '<bpmn:extensionElements><zeebe:versionTag value="v1.2"/></bpmn:extensionElements>'
    '<bpmn:startEvent id="received" name="Order received"/>'
    '<bpmn:serviceTask id="charge" name="Charge card"><bpmn:extensionElements>'
    '<zeebe:taskDefinition type="charge" retries="3"/></bpmn:extensionElements>'
    "</bpmn:serviceTask>"
    '<bpmn:endEvent id="done"/>'
    '<bpmn:sequenceFlow id="to-charge" sourceRef="received" targetRef="charge"/>'
    '<bpmn:sequenceFlow id="to-done" sourceRef="charge" targetRef="done"/>'
    "</bpmn:process></bpmn:definitions>"
)
BIG = "x" * 9000


@dataclass
class Scenario:
    """Four instances of `order`, one second apart: completed, canceled, incident, active."""

    harness: EngineHarness
    operate: OperateService
    http: httpx.AsyncClient
    definition_key: int = 0
    completed: int = 0
    canceled: int = 0
    incident: int = 0
    active: int = 0
    incident_key: int = 0
    incident_job: int = 0
    keys: list[int] = field(default_factory=list)

    async def search(self, entity: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(f"/v1/{entity}/search", json=body or {})

    async def items(self, entity: str, body: dict[str, Any] | None = None) -> list[Any]:
        answer = await self.search(entity, body)
        assert answer.status_code == 200, answer.text
        items: list[Any] = answer.json()["items"]
        return items


async def _nothing() -> None:
    return None


async def run_scenario(
    h: EngineHarness, between: Callable[[], Awaitable[None]] = _nothing
) -> dict[str, int]:
    """`between` runs after every step (e.g. a flush, so that later steps update earlier rows)."""
    deployment = await h.deploy(("order.bpmn", ORDER))
    await between()
    definition_key = deployment.value["processesMetadata"][0]["processDefinitionKey"]
    completed = await h.create_instance("order", {"amount": 10, "customer": "ada"})
    await between()
    [(job, _)] = await h.activate_jobs("charge", max_jobs=1)
    await between()
    await h.complete_job(job, {"charged": True})
    await between()
    await h.advance(1000)
    await between()
    canceled = await h.create_instance("order", {"amount": 20, "customer": "bob"})
    await between()
    await h.b.command(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=canceled)
    await between()
    await h.advance(1000)
    await between()
    incident = await h.create_instance("order", {"amount": 30, "customer": "cyd"})
    await between()
    [(job, _)] = await h.activate_jobs("charge", max_jobs=1)
    await between()
    value = {"retries": 0, "errorMessage": "card declined", "retryBackoff": 0, "variables": {}}
    await h.b.command(ValueType.JOB, JobIntent.FAIL, value, key=job)
    await between()
    await h.advance(1000)
    await between()
    active = await h.create_instance("order", {"amount": 40, "customer": "dan", "notes": BIG})
    await between()
    await h.settle()
    await between()
    return {
        "definition_key": definition_key,
        "completed": completed,
        "canceled": canceled,
        "incident": incident,
        "active": active,
        "incident_job": job,
    }


@contextlib.asynccontextmanager
async def scenario(
    data_dir: Path | None = None, *, token: str | None = None, connectors: bool = False
) -> AsyncIterator[Scenario]:
    async with EngineHarness(data_dir) as h:
        operate = await OperateService.start(
            h.b, port=0, data_dir=data_dir, token=token, connectors=connectors
        )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with httpx.AsyncClient(base_url=operate.url, headers=headers) as http:
                s = Scenario(h, operate, http)
                keys = await run_scenario(h)
                for name, value in keys.items():
                    setattr(s, name, value)
                s.keys = [s.completed, s.canceled, s.incident, s.active]
                await operate.director.caught_up()
                row = operate.director.exporter.connection.execute(
                    "SELECT key FROM incidents"
                ).fetchone()
                s.incident_key = row[0]
                yield s
        finally:
            await operate.stop()


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Polls `check` until it holds (real time: for the connector's real HTTP calls)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
