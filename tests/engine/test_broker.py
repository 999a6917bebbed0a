"""The broker's own contract: backpressure, job streams, long-poll waiters, shutdown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine_models import ONE_TASK, chain, end, model, start

from zeebind.broker import Backpressure, Broker
from zeebind.protocol.intent import ProcessInstanceCreationIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

WAIT_10S = model(
    "wait",
    start(),
    '<bpmn:intermediateCatchEvent id="sleep"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>PT10S</bpmn:timeDuration>"
    "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
    end(),
    chain("start", "sleep", "end"),
)


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


async def test_a_burst_of_due_timers_is_worked_off_in_batches_with_callers_served_between(
    tmp_path: Path,
) -> None:
    async with EngineHarness(tmp_path) as h:
        h.b._batch_limit = 10
        await h.deploy(("wait.bpmn", WAIT_10S))
        for _ in range(35):
            await h.create_instance("wait")
        before = h.b.engine.state.last_position
        h.clock.advance(10_000)  # 35 timers due at once; the broker wakes up at once
        caller = await h.b.command(
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE,
            {"bpmnProcessId": "wait", "version": -1},
        )
        await h.settle()
        triggered = [
            r.position for r in h.records().of(ValueType.TIMER, "TRIGGERED") if r.position > before
        ]
        assert len(triggered) == 35
        # The caller's command was answered after the first batch, not after the whole burst.
        assert triggered[9] < caller.position < triggered[10]
        assert len(h.b.engine.state.timers) == 1  # the caller's instance waits
