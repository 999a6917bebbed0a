"""The broker's own contract: backpressure, job streams, long-poll waiters, shutdown."""

from __future__ import annotations

import asyncio

from engine_models import ONE_TASK

from zeebind.broker import Backpressure, Broker
from zeebind.protocol.intent import ProcessInstanceCreationIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness


async def test_a_full_command_queue_is_backpressure() -> None:
    broker = await Broker.open(None, queue_limit=5)
    try:
        commands = [
            broker.command(
                ValueType.PROCESS_INSTANCE_CREATION,
                ProcessInstanceCreationIntent.CREATE,
                {"bpmnProcessId": "nothing", "version": -1},
            )
            for _ in range(6)
        ]
        results = await asyncio.gather(*commands, return_exceptions=True)
        assert sum(isinstance(r, Backpressure) for r in results) == 1
    finally:
        await broker.close()


async def test_job_stream_gets_jobs_pushed_before_polls_and_ends_on_close() -> None:
    async with EngineHarness() as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        stream = h.b.open_job_stream(job_type="work", worker="streamer", timeout=30_000)
        await h.create_instance("one-task", {"n": 1})
        job_key, job = await asyncio.wait_for(anext(aiter(stream)), 5)
        assert job["worker"] == "streamer"
        assert job["variables"] == {"n": 1}
        assert await h.activate_jobs("work") == []  # a pushed job is not polled again
        await h.complete_job(job_key)
        stream.close()
        assert [item async for item in stream] == []


async def test_wait_for_jobs_wakes_when_a_job_arrives() -> None:
    async with EngineHarness() as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        waiting = asyncio.ensure_future(h.b.wait_for_jobs("work", 5))
        await asyncio.sleep(0)
        assert not waiting.done()
        await h.create_instance("one-task")
        assert await asyncio.wait_for(waiting, 5) is True
        assert await h.b.wait_for_jobs("other", 0.01) is False


async def test_closing_the_broker_ends_open_job_streams() -> None:
    broker = await Broker.open(None)
    stream = broker.open_job_stream(job_type="work", worker="w", timeout=1_000)
    reader = asyncio.ensure_future(anext(aiter(stream), "ended"))
    await asyncio.sleep(0)
    await broker.close()
    assert await asyncio.wait_for(reader, 5) == "ended"
