"""ZeebeWorker on the in-process engine: handlers in, outcomes out, polling and streaming."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from zeebind import Job, ZeebeTaskRouter, ZeebeWorker
from zeebind.api import errors
from zeebind.protocol.record import ValueType
from zeebind.testing import InMemoryEngine

BPMN = Path(__file__).resolve().parents[2] / "fixtures" / "bpmn"


@pytest.fixture
async def engine() -> AsyncIterator[InMemoryEngine]:
    async with InMemoryEngine() as engine:
        await engine.deploy(BPMN / "one-task.bpmn", BPMN / "error-boundary.bpmn")
        yield engine


async def test_handler_gets_its_variables_and_the_job(engine: InMemoryEngine) -> None:
    worker = engine.worker()
    seen: list[tuple[int, Job]] = []

    @worker.task("one-task-work")
    async def work(amount: int, job: Job) -> dict[str, Any]:
        seen.append((amount, job))
        return {"doubled": amount * 2}

    assert worker.get_task("one-task-work").variables_to_fetch == ["amount"]
    key = await engine.start_instance("one-task", {"amount": 21, "other": "not fetched"})
    assert await engine.run_worker(worker) == 1
    [(amount, job)] = seen
    assert amount == 21
    assert dict(job.variables) == {"amount": 21}, "only the parameters' variables are fetched"
    assert (job.type, job.element_id, job.process_instance_key) == ("one-task-work", "work", key)
    engine.assert_that(key).is_completed().has_variables({"doubled": 42, "other": "not fetched"})


async def test_sync_handler_with_all_variables(engine: InMemoryEngine) -> None:
    worker = engine.worker()

    @worker.task("one-task-work")
    def work(**variables: Any) -> dict[str, Any]:
        return {"names": sorted(variables)}

    key = await engine.start_instance("one-task", {"b": 1, "a": 2})
    await engine.run_worker(worker)
    engine.assert_that(key).is_completed().has_variable("names", ["a", "b"])


async def test_single_value_and_none(engine: InMemoryEngine) -> None:
    worker = engine.worker()

    @worker.task("one-task-work", single_value=True, variable_name="answer")
    async def work() -> int:
        return 42

    @worker.task("risky-work")
    async def nothing() -> None:
        return None

    one = await engine.start_instance("one-task")
    await engine.run_worker(worker)
    engine.assert_that(one).is_completed().has_variables({"answer": 42})

    two = await engine.start_instance("error-boundary")
    await engine.run_worker(worker)
    engine.assert_that(two).is_completed().has_passed("done").has_not_passed("recover")


async def test_exception_fails_the_job_with_one_retry_less(engine: InMemoryEngine) -> None:
    worker = engine.worker()

    @worker.task("one-task-work")
    async def work() -> dict[str, Any]:
        raise RuntimeError("the printer is on fire")

    key = await engine.start_instance("one-task")
    assert await engine.run_worker(worker) == 3, "three retries, then it stays failed"
    failed = engine.records.of(ValueType.JOB, "FAILED")
    assert [r.value["retries"] for r in failed] == [2, 1, 0]
    assert failed.first().value["errorMessage"] == "Failed job. Error: the printer is on fire"
    engine.assert_that(key).is_waiting_at("work").has_incident("JOB_NO_RETRIES")


async def test_a_handler_returning_no_dict_fails_the_job(engine: InMemoryEngine) -> None:
    worker = engine.worker()

    @worker.task("one-task-work")
    async def work() -> Any:
        return [1, 2]

    await engine.start_instance("one-task")
    await worker.work_once()
    [failed] = engine.records.of(ValueType.JOB, "FAILED")
    assert "returned list, not a dict" in failed.value["errorMessage"]


async def test_business_error_throws_the_bpmn_error(engine: InMemoryEngine) -> None:
    worker = engine.worker()

    @worker.task("risky-work")
    async def risky() -> None:
        raise errors.BusinessError("BOOM")

    @worker.task("recover-work")
    async def recover() -> dict[str, Any]:
        return {"recovered": True}

    key = await engine.start_instance("error-boundary")
    await engine.run_worker(worker)
    engine.assert_that(key).is_completed().has_passed("boom-caught", "recovered")
    [thrown] = engine.records.of(ValueType.JOB, "ERROR_THROWN")
    assert thrown.value["errorCode"] == "BOOM"


def test_registration_errors(engine: InMemoryEngine) -> None:
    worker = engine.worker()
    worker.task("a")(lambda: None)
    with pytest.raises(errors.DuplicateTaskType):
        worker.task("a")
    with pytest.raises(errors.NoVariableNameGiven):
        worker.task("b", single_value=True)
    with pytest.raises(errors.TaskNotFound):
        worker.get_task("c")


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
async def test_work_runs_until_stopped(engine: InMemoryEngine, stream: bool) -> None:
    worker = ZeebeWorker(engine.client, "background", request_timeout=200, stream_enabled=stream)
    done = asyncio.Event()

    @worker.task("one-task-work")
    async def work(amount: int) -> dict[str, Any]:
        done.set()
        return {"amount": amount + 1}

    running = asyncio.create_task(worker.work())
    await asyncio.sleep(0.05)  # the poll (or stream) is open before the job exists
    result = await engine.client.run_process_with_result("one-task", {"amount": 1}, timeout=5000)
    assert result.variables == {"amount": 2}
    assert done.is_set()
    await worker.stop()
    await asyncio.wait_for(running, 5)
    job = engine.records.of(ValueType.JOB, "COMPLETED").only()
    assert job.value["worker"] == "background"


async def test_routers_bring_their_tasks(engine: InMemoryEngine) -> None:
    router = ZeebeTaskRouter()

    @router.task("one-task-work")
    async def work(amount: int) -> dict[str, Any]:
        return {"routed": amount}

    worker = engine.worker()
    worker.include_router(router)
    with pytest.raises(errors.DuplicateTaskTypeError):
        worker.include_router(router)
    key = await engine.start_instance("one-task", {"amount": 7})
    await engine.run_worker(worker)
    engine.assert_that(key).is_completed().has_variables({"routed": 7})
