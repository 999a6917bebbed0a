"""One scenario suite, three paths: zeebind's ZeebeClient in-process, the same client over gRPC to
a `zeebind engine` subprocess, and pyzeebe 4.7 against that same engine. Outcomes must agree.

An outcome is what a user sees: returned variables and shapes, or the name of the error class
(pyzeebe's and zeebind's classes carry the same names). Keys differ and are left out.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
import pyzeebe
from gateway_clients import bpmn
from pyzeebe.errors import BusinessError as PyzeebeBusinessError

from zeebind import ZeebeClient, ZeebeWorker
from zeebind.api.errors import BusinessError, PyZeebeError
from zeebind.broker import Broker
from zeebind.gateway.service import GatewayService

pytestmark = pytest.mark.conformance

READY = re.compile(r"zeebind engine ready on (?P<host>[^\s]+):(?P<port>\d+) ")
POLL_MS = 300
# Short job timeouts: a job activated by a long poll whose worker has just stopped (its cancel
# still on the way to the gateway) is lost to that poll, and comes back when it times out, as in
# Zeebe. The network paths share one engine across tests, so this can happen between two tests.
JOB_TIMEOUT_MS = 1500
_unique = itertools.count(1)

Handler = Callable[..., Any]


class Face(Protocol):
    """What a scenario does through one path."""

    business_error: type[Exception]

    async def deploy(self, *paths: Path) -> Any: ...
    async def run(self, process_id: str, variables: dict[str, Any]) -> Any: ...
    async def run_with_result(
        self, process_id: str, variables: dict[str, Any], timeout: int = 10_000
    ) -> Any: ...
    async def cancel(self, key: int) -> Any: ...
    async def publish(self, name: str, key: str, variables: dict[str, Any], mid: str) -> Any: ...
    async def signal(self, name: str) -> Any: ...
    async def decide(self, decision_id: str) -> Any: ...
    def working(self, handlers: dict[str, Handler]) -> Any: ...
    async def close(self) -> None: ...


class ZeebindFace:
    business_error: type[Exception] = BusinessError

    def __init__(self, client: ZeebeClient, on_close: Callable[[], Awaitable[None]]) -> None:
        self.client = client
        self._on_close = on_close

    async def deploy(self, *paths: Path) -> Any:
        return await self.client.deploy_resource(*paths)

    async def run(self, process_id: str, variables: dict[str, Any]) -> Any:
        return await self.client.run_process(process_id, variables)

    async def run_with_result(
        self, process_id: str, variables: dict[str, Any], timeout: int = 10_000
    ) -> Any:
        return await self.client.run_process_with_result(process_id, variables, timeout=timeout)

    async def cancel(self, key: int) -> Any:
        return await self.client.cancel_process_instance(key)

    async def publish(self, name: str, key: str, variables: dict[str, Any], mid: str) -> Any:
        return await self.client.publish_message(name, key, variables, 30_000, message_id=mid)

    async def signal(self, name: str) -> Any:
        return await self.client.broadcast_signal(name)

    async def decide(self, decision_id: str) -> Any:
        return await self.client.evaluate_decision(None, decision_id)

    @asynccontextmanager
    async def working(self, handlers: dict[str, Handler]) -> AsyncIterator[None]:
        worker = ZeebeWorker(self.client, "paths", request_timeout=POLL_MS, poll_retry_delay=0.1)
        for job_type, handler in handlers.items():
            worker.task(job_type, timeout_ms=JOB_TIMEOUT_MS)(handler)
        task = asyncio.create_task(worker.work())
        try:
            yield
        finally:
            await worker.stop()
            await asyncio.wait_for(task, 10)

    async def close(self) -> None:
        await self.client.close()
        await self._on_close()


class PyzeebeFace:
    business_error: type[Exception] = PyzeebeBusinessError

    def __init__(self, address: str) -> None:
        self.channel = pyzeebe.create_insecure_channel(grpc_address=address)
        self.client = pyzeebe.ZeebeClient(self.channel)

    async def deploy(self, *paths: Path) -> Any:
        return await self.client.deploy_resource(*(str(p) for p in paths))

    async def run(self, process_id: str, variables: dict[str, Any]) -> Any:
        return await self.client.run_process(process_id, variables)

    async def run_with_result(
        self, process_id: str, variables: dict[str, Any], timeout: int = 10_000
    ) -> Any:
        return await self.client.run_process_with_result(process_id, variables, timeout=timeout)

    async def cancel(self, key: int) -> Any:
        return await self.client.cancel_process_instance(key)

    async def publish(self, name: str, key: str, variables: dict[str, Any], mid: str) -> Any:
        return await self.client.publish_message(name, key, variables, 30_000, message_id=mid)

    async def signal(self, name: str) -> Any:
        return await self.client.broadcast_signal(name)

    async def decide(self, decision_id: str) -> Any:
        return await self.client.evaluate_decision(None, decision_id)

    @asynccontextmanager
    async def working(self, handlers: dict[str, Handler]) -> AsyncIterator[None]:
        worker = pyzeebe.ZeebeWorker(
            self.channel, name="paths", request_timeout=POLL_MS, poll_retry_delay=0
        )
        for job_type, handler in handlers.items():
            worker.task(job_type, timeout_ms=JOB_TIMEOUT_MS)(handler)
        task = asyncio.create_task(worker.work())
        try:
            yield
        finally:
            await worker.stop()
            await asyncio.wait_for(task, 10)

    async def close(self) -> None:
        await self.channel.close()


# --- the engine subprocess all network paths share ----------------------------------------------


@pytest.fixture(scope="module")
def engine_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("engine") / "stderr.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "zeebind", "engine", "--port", "0", "--in-memory"],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        end = time.monotonic() + 30
        while not (match := READY.search(log.read_text(errors="replace"))):
            assert process.poll() is None, f"the engine exited: {log.read_text()}"
            assert time.monotonic() < end, "no ready line within 30 s"
            time.sleep(0.02)
        yield f"{match['host']}:{match['port']}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text(errors="replace")


PATHS = ["in-process", "grpc", "pyzeebe"]


@pytest.fixture(params=PATHS)
async def face(request: pytest.FixtureRequest) -> AsyncIterator[Face]:
    made: Face
    if request.param == "in-process":
        broker = await Broker.open(None)
        made = ZeebindFace(ZeebeClient.embedded(GatewayService(broker)), broker.close)
    else:
        address = request.getfixturevalue("engine_address")
        if request.param == "grpc":

            async def nothing() -> None:
                pass

            made = ZeebindFace(ZeebeClient.connect(address, insecure=True), nothing)
        else:
            made = PyzeebeFace(address)
    try:
        yield made
    finally:
        await made.close()


async def outcome(call: Awaitable[Any]) -> Any:
    """The result, or the error's class name and whether it is one of the client's own."""
    try:
        return await call
    except (PyZeebeError, pyzeebe.errors.PyZeebeError) as err:
        return f"raises {type(err).__name__}"


def unique() -> str:
    return f"{time.monotonic_ns()}-{next(_unique)}"


# --- the scenarios -------------------------------------------------------------------------------


async def test_deploy_shape(face: Face) -> None:
    deployed = await face.deploy(bpmn("one-task.bpmn"), bpmn("no-task.bpmn"))
    shape = [
        (type(d).__name__, d.bpmn_process_id, d.version > 0, d.resource_name)
        for d in deployed.deployments
    ]
    assert shape == [
        ("ProcessMetadata", "one-task", True, "one-task.bpmn"),
        ("ProcessMetadata", "no-task", True, "no-task.bpmn"),
    ]
    assert deployed.tenant_id == "<default>"


async def test_run_with_result_returns_the_variables(face: Face) -> None:
    await face.deploy(bpmn("no-task.bpmn"))
    result = await face.run_with_result("no-task", {"a": 1, "b": ["x", None], "c": {"d": 2.5}})
    assert (type(result).__name__, result.bpmn_process_id, result.variables) == (
        "CreateProcessInstanceWithResultResponse",
        "no-task",
        {"a": 1, "b": ["x", None], "c": {"d": 2.5}},
    )


async def test_run_process_shape(face: Face) -> None:
    deployed = await face.deploy(bpmn("message-catch.bpmn"))
    started = await face.run("message-catch", {"orderId": unique()})
    assert type(started).__name__ == "CreateProcessInstanceResponse"
    assert started.process_definition_key == deployed.deployments[0].process_definition_key
    assert (started.bpmn_process_id, started.tenant_id) == ("message-catch", "<default>")
    assert started.process_instance_key > 0
    assert await outcome(face.cancel(started.process_instance_key)) is not None


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("unknown process", "raises ProcessDefinitionNotFoundError"),
        ("no none start event", "raises ProcessDefinitionHasNoStartEventError"),
        ("invalid model", "raises ProcessInvalidError"),
        ("unknown instance", "raises ProcessInstanceNotFoundError"),
        ("duplicate message id", "raises MessageAlreadyExistsError"),
        ("unknown decision", "raises DecisionNotFoundError"),
        ("result timeout", "raises ProcessTimeoutError"),
    ],
)
async def test_errors(face: Face, scenario: str, expected: str) -> None:
    if scenario == "unknown process":
        got = await outcome(face.run("no-such-process", {}))
    elif scenario == "no none start event":
        await face.deploy(bpmn("message-start.bpmn"))
        got = await outcome(face.run("message-start", {}))
    elif scenario == "invalid model":
        got = await outcome(face.deploy(bpmn("invalid-no-task-type.bpmn")))
    elif scenario == "unknown instance":
        got = await outcome(face.cancel(2251799813999999))
    elif scenario == "duplicate message id":
        mid, key = unique(), unique()
        await face.publish("nobody-waits", key, {}, mid)
        got = await outcome(face.publish("nobody-waits", key, {}, mid))
    elif scenario == "unknown decision":
        got = await outcome(face.decide("no-such-decision"))
    else:
        await face.deploy(bpmn("message-catch.bpmn"))
        got = await outcome(face.run_with_result("message-catch", {"orderId": unique()}, 300))
    assert got == expected


async def test_message_correlates(face: Face) -> None:
    await face.deploy(bpmn("message-catch.bpmn"))
    order = unique()
    waiting = asyncio.create_task(face.run_with_result("message-catch", {"orderId": order}))
    published = await face.publish("paid", order, {"amount": 5}, unique())
    result = await asyncio.wait_for(waiting, 15)
    assert type(published).__name__ == "PublishMessageResponse"
    assert result.variables == {"orderId": order, "amount": 5}


async def test_signal_shape(face: Face) -> None:
    sent = await face.signal(f"nobody-listens-{unique()}")
    assert (type(sent).__name__, sent.key > 0, sent.tenant_id) == (
        "BroadcastSignalResponse",
        True,
        "<default>",
    )


async def test_worker_completes_with_the_returned_variables(face: Face) -> None:
    await face.deploy(bpmn("one-task.bpmn"))
    marker = unique()

    async def work(amount: int, marker: str) -> dict[str, Any]:
        return {"doubled": amount * 2}

    async with face.working({"one-task-work": work}):
        result = await face.run_with_result("one-task", {"amount": 21, "marker": marker})
    assert result.variables == {"amount": 21, "marker": marker, "doubled": 42}


async def test_worker_exception_fails_and_the_job_is_retried(face: Face) -> None:
    await face.deploy(bpmn("one-task.bpmn"))
    marker = unique()
    calls: list[str] = []

    def work(marker: str) -> dict[str, Any]:
        calls.append(marker)
        if len([c for c in calls if c == marker]) == 1:
            raise RuntimeError("first attempt fails")
        return {"attempts": calls.count(marker)}

    async with face.working({"one-task-work": work}):
        result = await face.run_with_result("one-task", {"marker": marker})
    assert result.variables == {"marker": marker, "attempts": 2}


async def test_business_error_is_caught_by_the_boundary_event(face: Face) -> None:
    await face.deploy(bpmn("error-boundary.bpmn"))
    marker = unique()
    error = face.business_error

    async def risky(marker: str) -> dict[str, Any]:
        raise error("BOOM")  # type: ignore[call-arg]

    async def recover(marker: str) -> dict[str, Any]:
        return {"recovered": True}

    async with face.working({"risky-work": risky, "recover-work": recover}):
        result = await face.run_with_result("error-boundary", {"marker": marker})
    assert result.variables == {"marker": marker, "recovered": True}


NAP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="short-nap" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nap" />
    <bpmn:intermediateCatchEvent id="nap">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT0.2S</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="nap" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
ORDER = Path(__file__).resolve().parents[2] / "examples" / "order_test" / "order.bpmn"


async def test_timer_fires_on_the_wall_clock(face: Face, tmp_path: Path) -> None:
    model = tmp_path / "short-nap.bpmn"
    model.write_text(NAP)
    await face.deploy(model)
    began = time.monotonic()
    result = await face.run_with_result("short-nap", {"n": 1})
    assert result.variables == {"n": 1}
    assert time.monotonic() - began >= 0.2


async def test_the_example_order_model(face: Face) -> None:
    """examples/order_test's model: gateway, message and jobs, the paid path."""
    await face.deploy(ORDER)
    order = unique()

    async def check_stock(item: str) -> dict[str, Any]:
        return {"available": 5 if item == "book" else 0}

    def ship(reference: str) -> dict[str, Any]:
        return {"trackingNumber": f"TRACK-{reference}"}

    async with face.working({"check-stock": check_stock, "ship-order": ship}):
        variables = {"orderId": order, "item": "book", "quantity": 2}
        waiting = asyncio.create_task(face.run_with_result("order", variables))
        await face.publish("payment-received", order, {"paid": 40.0}, unique())
        result = await asyncio.wait_for(waiting, 15)
        out_of_stock = await face.run_with_result(
            "order", {"orderId": unique(), "item": "lamp", "quantity": 1}
        )
    assert result.variables == {
        **variables,
        "available": 5,
        "paid": 40.0,
        "trackingNumber": f"TRACK-{order}",
    }
    assert out_of_stock.variables["available"] == 0
    assert "trackingNumber" not in out_of_stock.variables
