"""Timers: intermediate catch, boundary (interrupting, non-interrupting cycles), start events."""

from __future__ import annotations

from pathlib import Path

from engine_models import chain, end, model, service, start

from zeebind.protocol.intent import TimerIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness


def timer(kind: str, value: str) -> str:
    return (
        f"<bpmn:timerEventDefinition><bpmn:{kind} "
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:type="bpmn:tFormalExpression">{value}</bpmn:{kind}></bpmn:timerEventDefinition>'
    )


WAIT = model(
    "wait",
    start(),
    f'<bpmn:intermediateCatchEvent id="sleep">{timer("timeDuration", "PT10S")}'
    "</bpmn:intermediateCatchEvent>",
    service("after", "after"),
    end(),
    chain("start", "sleep", "after", "end"),
)

EXPRESSION_WAIT = model(
    "expression-wait",
    start(),
    f'<bpmn:intermediateCatchEvent id="sleep">{timer("timeDuration", "=wait")}'
    "</bpmn:intermediateCatchEvent>",
    end(),
    chain("start", "sleep", "end"),
)


def guarded(interrupting: bool, definition: str) -> str:
    cancel = "true" if interrupting else "false"
    return model(
        "guarded",
        start(),
        service("work", "work"),
        end(),
        f'<bpmn:boundaryEvent id="late" attachedToRef="work" cancelActivity="{cancel}">'
        f"{definition}</bpmn:boundaryEvent>",
        service("remind", "remind"),
        end("reminded"),
        chain("start", "work", "end"),
        chain("late", "remind", "reminded"),
    )


async def test_intermediate_timer_fires_after_its_duration_not_before() -> None:
    async with EngineHarness() as h:
        await h.deploy(("wait.bpmn", WAIT))
        await h.create_instance("wait")
        created = h.records().of(ValueType.TIMER, TimerIntent.CREATED).only()
        assert created.value["dueDate"] == h.clock.now_ms() + 10_000
        await h.advance(9_999)
        assert await h.activate_jobs("after") == []
        await h.advance(1)
        assert len(await h.activate_jobs("after")) == 1
        assert h.process_instance_intents("sleep")[-1] == "ELEMENT_COMPLETED"


async def test_timer_duration_from_an_expression_and_a_bad_value_is_an_incident() -> None:
    async with EngineHarness() as h:
        await h.deploy(("w.bpmn", EXPRESSION_WAIT))
        good = await h.create_instance("expression-wait", {"wait": "PT1M"})
        await h.create_instance("expression-wait", {"wait": "soon"})
        incident = h.records().of(ValueType.INCIDENT, "CREATED").only()
        assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
        assert "Invalid duration format 'soon'" in incident.value["errorMessage"]
        await h.advance(60_000)
        assert h.is_completed(good)


async def test_interrupting_timer_boundary_terminates_the_task() -> None:
    async with EngineHarness() as h:
        await h.deploy(("g.bpmn", guarded(True, timer("timeDuration", "PT1H"))))
        instance = await h.create_instance("guarded")
        await h.advance(3_600_000)
        assert h.process_instance_intents("work")[-1] == "ELEMENT_TERMINATED"
        [(key, _)] = await h.activate_jobs("remind")
        await h.complete_job(key)
        assert h.is_completed(instance)


async def test_non_interrupting_cycle_fires_its_repetitions_and_stops_with_the_task() -> None:
    async with EngineHarness() as h:
        await h.deploy(("g.bpmn", guarded(False, timer("timeCycle", "R2/PT10S"))))
        await h.create_instance("guarded")
        for _ in range(4):
            await h.advance(10_000)
        assert len(await h.activate_jobs("remind", max_jobs=10)) == 2
        assert len(h.records().of(ValueType.TIMER, TimerIntent.TRIGGERED)) == 2
        [(work, _)] = await h.activate_jobs("work")
        await h.complete_job(work)
        assert h.b.engine.state.timers == {}


async def test_completing_the_task_cancels_its_boundary_timer() -> None:
    async with EngineHarness() as h:
        await h.deploy(("g.bpmn", guarded(True, timer("timeDuration", "PT1H"))))
        await h.create_instance("guarded")
        [(work, _)] = await h.activate_jobs("work")
        await h.complete_job(work)
        assert len(h.records().of(ValueType.TIMER, TimerIntent.CANCELED)) == 1
        await h.advance(3_600_000)
        assert await h.activate_jobs("remind") == []


async def test_timer_start_event_creates_instances_and_a_new_version_replaces_it(
    tmp_path: Path,
) -> None:
    def started(cycle: str) -> str:
        return model(
            "ticker",
            start(inner=timer("timeCycle", cycle)),
            service("tick", "tick"),
            end(),
            chain("start", "tick", "end"),
        )

    async with EngineHarness(tmp_path) as h:
        await h.deploy(("ticker.bpmn", started("R/PT1M")))
        await h.advance(60_000)
        await h.advance(60_000)
        ticks = await h.activate_jobs("tick", max_jobs=10)
        assert len(ticks) == 2
        for key, _ in ticks:
            await h.complete_job(key)
        await h.deploy(("ticker.bpmn", started("R/PT1H")))
        assert len(h.records().of(ValueType.TIMER, TimerIntent.CANCELED)) == 1
        await h.advance(60_000)
        assert await h.activate_jobs("tick") == []
    # the start timer is persisted: it fires after a restart
    async with EngineHarness(tmp_path) as h:
        h.clock.advance(10 * 3_600_000)
        await h.settle()
        assert len(await h.activate_jobs("tick", max_jobs=10)) == 1
