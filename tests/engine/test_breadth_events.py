"""Signals, escalations and event subprocesses."""

from __future__ import annotations

from engine_models import chain, end, model, service, start

from zeebind.protocol.intent import EscalationIntent, JobIntent, SignalIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

SIGNAL = '<bpmn:signal id="s" name="stop-all"/>'


async def broadcast(h: EngineHarness, name: str, variables: dict | None = None) -> None:
    await h.b.command(
        ValueType.SIGNAL, SignalIntent.BROADCAST, {"signalName": name, "variables": variables or {}}
    )


async def test_signal_reaches_catch_events_boundaries_and_start_events() -> None:
    waiting = model(
        "waiting",
        start(),
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="s"/>'
        "</bpmn:intermediateCatchEvent>",
        end(),
        chain("start", "wait", "end"),
        extra=SIGNAL,
    )
    guarded = model(
        "guarded",
        start(),
        service("work", "work"),
        end(),
        '<bpmn:boundaryEvent id="stopped" attachedToRef="work">'
        '<bpmn:signalEventDefinition signalRef="s"/></bpmn:boundaryEvent>',
        end("stopped-end"),
        chain("start", "work", "end"),
        chain("stopped", "stopped-end"),
        extra=SIGNAL,
    )
    started = model(
        "started",
        start(inner='<bpmn:signalEventDefinition signalRef="s"/>'),
        service("react", "react"),
        end(),
        chain("start", "react", "end"),
        extra=SIGNAL,
    )
    async with EngineHarness() as h:
        await h.deploy(("w.bpmn", waiting), ("g.bpmn", guarded), ("s.bpmn", started))
        a = await h.create_instance("waiting")
        b = await h.create_instance("guarded")
        await broadcast(h, "other")
        assert not h.is_completed(a)
        await broadcast(h, "stop-all", {"why": "shutdown"})
        assert h.is_completed(a)
        assert h.is_completed(b)
        [(_, job)] = await h.activate_jobs("react")
        assert job["variables"] == {"why": "shutdown"}
        assert len(h.records().of(ValueType.JOB, JobIntent.CANCELED)) == 1


async def test_signal_throw_event_broadcasts_its_local_variables() -> None:
    thrower = model(
        "thrower",
        start(),
        '<bpmn:intermediateThrowEvent id="shout"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:input source="=1" target="level"/></zeebe:ioMapping></bpmn:extensionElements>'
        '<bpmn:signalEventDefinition signalRef="s"/></bpmn:intermediateThrowEvent>',
        end(),
        chain("start", "shout", "end"),
        extra=SIGNAL,
    )
    listener = model(
        "listener",
        start(inner='<bpmn:signalEventDefinition signalRef="s"/>'),
        service("heard", "heard"),
        end(),
        chain("start", "heard", "end"),
        extra=SIGNAL,
    )
    async with EngineHarness() as h:
        await h.deploy(("t.bpmn", thrower), ("l.bpmn", listener))
        instance = await h.create_instance("thrower")
        assert h.is_completed(instance)
        [(_, job)] = await h.activate_jobs("heard")
        assert job["variables"] == {"level": 1}


ESCALATING = model(
    "escalating",
    start(),
    '<bpmn:subProcess id="sub">'
    + start("sub-start")
    + '<bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition '
    'escalationRef="esc"/></bpmn:intermediateThrowEvent>'
    + service("continue", "continue")
    + end("sub-end")
    + chain("sub-start", "raise", "continue", "sub-end")
    + "</bpmn:subProcess>",
    '<bpmn:boundaryEvent id="noticed" attachedToRef="sub" cancelActivity="false">'
    '<bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:boundaryEvent>',
    service("notify", "notify"),
    end("noticed-end"),
    end(),
    chain("start", "sub", "end"),
    chain("noticed", "notify", "noticed-end"),
    extra='<bpmn:escalation id="esc" escalationCode="LATE"/>',
)


async def test_non_interrupting_escalation_boundary_runs_beside_the_thrower() -> None:
    async with EngineHarness() as h:
        await h.deploy(("e.bpmn", ESCALATING))
        instance = await h.create_instance("escalating")
        assert len(h.records().of(ValueType.ESCALATION, EscalationIntent.ESCALATED)) == 1
        [(notify, _)] = await h.activate_jobs("notify")
        [(cont, _)] = await h.activate_jobs("continue")
        await h.complete_job(notify)
        await h.complete_job(cont)
        assert h.is_completed(instance)


async def test_uncaught_escalation_just_continues() -> None:
    lonely = model(
        "lonely",
        start(),
        '<bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition '
        'escalationRef="esc"/></bpmn:intermediateThrowEvent>',
        end(),
        chain("start", "raise", "end"),
        extra='<bpmn:escalation id="esc" escalationCode="LATE"/>',
    )
    async with EngineHarness() as h:
        await h.deploy(("l.bpmn", lonely))
        instance = await h.create_instance("lonely")
        assert h.is_completed(instance)
        assert len(h.records().of(ValueType.ESCALATION, EscalationIntent.NOT_ESCALATED)) == 1


def event_subprocess(start_inner: str, interrupting: bool, job_type: str) -> str:
    flag = "true" if interrupting else "false"
    return (
        '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        f'<bpmn:startEvent id="esp-start" isInterrupting="{flag}">{start_inner}</bpmn:startEvent>'
        + service("esp-work", job_type)
        + end("esp-end")
        + chain("esp-start", "esp-work", "esp-end")
        + "</bpmn:subProcess>"
    )


MSG = (
    '<bpmn:message id="m" name="update"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=id"/></bpmn:extensionElements></bpmn:message>'
)


async def test_interrupting_message_event_subprocess_replaces_the_main_flow() -> None:
    m = model(
        "esp-process",
        start(),
        service("main", "main"),
        end(),
        chain("start", "main", "end"),
        event_subprocess('<bpmn:messageEventDefinition messageRef="m"/>', True, "handle"),
        extra=MSG,
    )
    async with EngineHarness() as h:
        await h.deploy(("esp.bpmn", m))
        instance = await h.create_instance("esp-process", {"id": "x"})
        await h.publish("update", "x", {"change": 1})
        assert h.process_instance_intents("main")[-1] == "ELEMENT_TERMINATED"
        [(key, job)] = await h.activate_jobs("handle")
        assert job["variables"]["change"] == 1
        await h.complete_job(key)
        assert h.is_completed(instance)


async def test_non_interrupting_event_subprocess_runs_each_time_and_scope_waits_for_it() -> None:
    m = model(
        "esp-process",
        start(),
        service("main", "main"),
        end(),
        chain("start", "main", "end"),
        event_subprocess('<bpmn:messageEventDefinition messageRef="m"/>', False, "handle"),
        extra=MSG,
    )
    async with EngineHarness() as h:
        await h.deploy(("esp.bpmn", m))
        instance = await h.create_instance("esp-process", {"id": "x"})
        await h.publish("update", "x")
        await h.publish("update", "x", message_id="2")
        handles = await h.activate_jobs("handle")
        assert len(handles) == 2
        [(main, _)] = await h.activate_jobs("main")
        await h.complete_job(main)
        assert not h.is_completed(instance)  # the event subprocesses still run
        for key, _ in handles:
            await h.complete_job(key)
        assert h.is_completed(instance)


async def test_error_event_subprocess_catches_a_thrown_error() -> None:
    m = model(
        "esp-error",
        start(),
        service("main", "main"),
        end(),
        chain("start", "main", "end"),
        event_subprocess('<bpmn:errorEventDefinition errorRef="e"/>', True, "recover"),
        extra='<bpmn:error id="e" errorCode="BROKEN"/>',
    )
    async with EngineHarness() as h:
        await h.deploy(("esp.bpmn", m))
        instance = await h.create_instance("esp-error")
        [(main, _)] = await h.activate_jobs("main")
        await h.b.command(
            ValueType.JOB,
            JobIntent.THROW_ERROR,
            {"errorCode": "BROKEN", "variables": {"cause": "disk"}},
            key=main,
        )
        [(key, job)] = await h.activate_jobs("recover")
        assert job["variables"]["cause"] == "disk"
        await h.complete_job(key)
        assert h.is_completed(instance)


async def test_timer_event_subprocess_fires_while_the_scope_is_active() -> None:
    timer = (
        "<bpmn:timerEventDefinition><bpmn:timeDuration "
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="bpmn:tFormalExpression">PT5M</bpmn:timeDuration></bpmn:timerEventDefinition>'
    )
    m = model(
        "esp-timer",
        start(),
        service("main", "main"),
        end(),
        chain("start", "main", "end"),
        event_subprocess(timer, False, "remind"),
    )
    async with EngineHarness() as h:
        await h.deploy(("esp.bpmn", m))
        await h.create_instance("esp-timer")
        await h.advance(300_000)
        assert len(await h.activate_jobs("remind")) == 1
