"""Property: for any sequence of commands, replaying the log rebuilds exactly the live state."""

from __future__ import annotations

import asyncio
from typing import Any

from engine_models import chain, end, flow, model, service, start
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import (
    IncidentIntent,
    JobIntent,
    ProcessInstanceIntent,
    VariableDocumentIntent,
)
from zeebind.protocol.record import RecordType, ValueType
from zeebind.testing import EngineHarness

MESSAGE = (
    '<bpmn:message id="m" name="poke"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=k"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:error id="err" errorCode="E"/>'
)
MODEL = model(
    "mixed",
    start(),
    '<bpmn:exclusiveGateway id="split" default="to-b"/>',
    service("a", "a"),
    service("b", "b"),
    '<bpmn:boundaryEvent id="poked" attachedToRef="a" cancelActivity="false">'
    '<bpmn:messageEventDefinition messageRef="m"/></bpmn:boundaryEvent>',
    '<bpmn:boundaryEvent id="failed" attachedToRef="b">'
    '<bpmn:errorEventDefinition errorRef="err"/></bpmn:boundaryEvent>',
    '<bpmn:parallelGateway id="join"/>',
    end(),
    end("poke-end"),
    end("error-end"),
    chain("start", "split"),
    flow("to-a", "split", "a", "=n &gt; 1"),
    flow("to-b", "split", "b"),
    flow("a-join", "a", "join"),
    flow("b-join", "b", "join"),
    chain("join", "end"),
    chain("poked", "poke-end"),
    chain("failed", "error-end"),
    extra=MESSAGE,
)

operation = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 3)),
    st.tuples(st.just("activate"), st.sampled_from(["a", "b"])),
    st.tuples(st.just("complete"), st.integers(0, 5)),
    st.tuples(st.just("fail"), st.integers(0, 5), st.integers(0, 2), st.sampled_from([0, 500])),
    st.tuples(st.just("throw"), st.integers(0, 5), st.sampled_from(["E", "X"])),
    st.tuples(st.just("publish"), st.integers(0, 3), st.sampled_from([0, 1_000])),
    st.tuples(st.just("advance"), st.sampled_from([100, 1_000, 70_000])),
    st.tuples(st.just("resolve"), st.integers(0, 3)),
    st.tuples(st.just("retries"), st.integers(0, 5)),
    st.tuples(st.just("cancel"), st.integers(0, 3)),
    st.tuples(st.just("set"), st.integers(0, 3)),
)


def _pick(items: list[Any], index: int) -> Any | None:
    return items[index % len(items)] if items else None


async def _run(operations: list[tuple[Any, ...]]) -> None:
    async with EngineHarness() as h:
        await h.deploy(("mixed.bpmn", MODEL))
        instances: list[int] = []
        for op in operations:
            state = h.b.engine.state
            jobs = sorted(state.jobs)
            try:
                match op:
                    case ("create", n):
                        instances.append(await h.create_instance("mixed", {"n": n, "k": "c"}))
                    case ("activate", job_type):
                        await h.activate_jobs(job_type, max_jobs=3, timeout=60_000)
                    case ("complete", i) if jobs:
                        await h.complete_job(_pick(jobs, i), {"done": i})
                    case ("fail", i, retries, backoff) if jobs:
                        await h.b.command(
                            ValueType.JOB,
                            JobIntent.FAIL,
                            {"retries": retries, "errorMessage": "x", "retryBackoff": backoff},
                            key=_pick(jobs, i),
                        )
                    case ("throw", i, code) if jobs:
                        await h.b.command(
                            ValueType.JOB,
                            JobIntent.THROW_ERROR,
                            {"errorCode": code},
                            key=_pick(jobs, i),
                        )
                    case ("publish", i, ttl):
                        await h.publish("poke", "c", {"p": i}, ttl=ttl)
                    case ("advance", ms):
                        await h.advance(ms)
                    case ("resolve", i) if state.incidents:
                        key = _pick(sorted(state.incidents), i)
                        await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=key)
                    case ("retries", i) if jobs:
                        await h.b.command(
                            ValueType.JOB,
                            JobIntent.UPDATE_RETRIES,
                            {"retries": 2},
                            key=_pick(jobs, i),
                        )
                    case ("cancel", i) if instances:
                        await h.b.command(
                            ValueType.PROCESS_INSTANCE,
                            ProcessInstanceIntent.CANCEL,
                            {},
                            key=_pick(instances, i),
                        )
                    case ("set", i) if instances:
                        await h.b.command(
                            ValueType.VARIABLE_DOCUMENT,
                            VariableDocumentIntent.UPDATE,
                            {"scopeKey": _pick(instances, i), "variables": {"n": i}},
                        )
                    case _:
                        pass
            except CommandRejected:
                pass  # invalid commands are part of the property: they must leave no trace
            await h.settle()
            assert all(job.value["retries"] >= 0 for job in h.b.engine.state.jobs.values())
        records = h.records()
        commands = records.of(record_type=RecordType.COMMAND)
        positions = [r.position for r in records]
        assert positions == list(range(1, len(positions) + 1))
        assert len(commands) > 0
    # leaving the harness asserts replay == live


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=30))
def test_replay_rebuilds_the_live_state_for_any_command_sequence(
    operations: list[tuple[Any, ...]],
) -> None:
    asyncio.run(_run(operations))
