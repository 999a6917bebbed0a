"""pyzeebe 4.7 `ZeebeWorker`, polling and streaming, completing and failing real jobs."""

# No `from __future__ import annotations`: pyzeebe recognises a `job: Job` parameter by comparing
# the live annotation with its Job class.
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import grpc
import pytest
from gateway_clients import bpmn
from pyzeebe import Job, ZeebeClient, ZeebeWorker
from pyzeebe.errors import BusinessError

pytestmark = pytest.mark.conformance


@asynccontextmanager
async def running(worker: ZeebeWorker) -> AsyncIterator[ZeebeWorker]:
    task = asyncio.create_task(worker.work())
    try:
        yield worker
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 10)


def make_worker(channel: grpc.aio.Channel, *, stream: bool) -> ZeebeWorker:
    return ZeebeWorker(channel, name="conformance", stream_enabled=stream)


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
async def test_worker_completes_the_task(
    channel: grpc.aio.Channel, zeebe: ZeebeClient, stream: bool
) -> None:
    worker = make_worker(channel, stream=stream)
    seen: list[Job] = []

    @worker.task(task_type="one-task-work", timeout_ms=30_000)
    async def work(job: Job, amount: int) -> dict[str, Any]:
        seen.append(job)
        return {"doubled": amount * 2}

    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    async with running(worker):
        result = await zeebe.run_process_with_result("one-task", {"amount": 21}, timeout=10_000)
    assert result.variables == {"amount": 21, "doubled": 42}
    [job] = seen
    assert job.type == "one-task-work"
    assert job.worker == "conformance"
    assert job.retries == 3
    assert job.element_id == "work"
    assert job.bpmn_process_id == "one-task"
    assert job.process_instance_key == result.process_instance_key
    assert job.custom_headers == {"kind": "demo"}
    assert job.variables == {"amount": 21}
    assert job.tenant_id == "<default>"
    assert job.deadline > 0


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
async def test_business_error_is_caught_by_the_boundary_event(
    channel: grpc.aio.Channel, zeebe: ZeebeClient, stream: bool
) -> None:
    worker = make_worker(channel, stream=stream)
    recovered: list[Job] = []

    @worker.task(task_type="risky-work")
    async def risky() -> dict[str, Any]:
        raise BusinessError("BOOM")

    @worker.task(task_type="recover-work")
    async def recover(job: Job) -> dict[str, Any]:
        recovered.append(job)
        return {"recovered": True}

    await zeebe.deploy_resource(str(bpmn("error-boundary.bpmn")))
    async with running(worker):
        result = await zeebe.run_process_with_result("error-boundary", {"n": 1}, timeout=10_000)
    assert result.variables == {"n": 1, "recovered": True}
    assert [job.element_id for job in recovered] == ["recover"]


async def test_failing_handler_fails_the_job_with_one_retry_less(
    channel: grpc.aio.Channel, zeebe: ZeebeClient
) -> None:
    worker = make_worker(channel, stream=False)
    attempts: list[int] = []

    @worker.task(task_type="one-task-work")
    async def flaky(job: Job) -> dict[str, Any]:
        attempts.append(job.retries)
        if len(attempts) < 3:
            raise RuntimeError("not yet")
        return {"attempts": len(attempts)}

    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    async with running(worker):
        result = await zeebe.run_process_with_result("one-task", timeout=10_000)
    assert attempts == [3, 2, 1]
    assert result.variables == {"attempts": 3}


async def test_many_instances_through_a_streaming_worker(
    channel: grpc.aio.Channel, zeebe: ZeebeClient
) -> None:
    worker = make_worker(channel, stream=True)
    handled: list[int] = []

    @worker.task(task_type="one-task-work")
    async def work(i: int) -> dict[str, Any]:
        handled.append(i)
        return {"done": i}

    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))

    async def run(i: int) -> Any:
        return await zeebe.run_process_with_result("one-task", {"i": i}, timeout=10_000)

    async with running(worker):
        results = await asyncio.gather(*(run(i) for i in range(20)))
    assert sorted(handled) == list(range(20)), "each job handed out exactly once"
    assert [r.variables["done"] for r in results] == list(range(20))
