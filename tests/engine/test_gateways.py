"""Exclusive and parallel gateways, conditions, default flows, condition incidents."""

from __future__ import annotations

from engine_models import chain, end, flow, model, service, start

from zeebind.protocol.intent import IncidentIntent, VariableDocumentIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

XOR = model(
    "xor",
    start(),
    '<bpmn:exclusiveGateway id="split" default="to-c"/>',
    service("a", "a"),
    service("b", "b"),
    service("c", "c"),
    end("end-a"),
    end("end-b"),
    end("end-c"),
    chain("start", "split"),
    flow("to-a", "split", "a", "=x &gt; 10"),
    flow("to-b", "split", "b", "=x &gt; 5"),
    flow("to-c", "split", "c"),
    chain("a", "end-a"),
    chain("b", "end-b"),
    chain("c", "end-c"),
)

XOR_NO_DEFAULT = model(
    "xor-strict",
    start(),
    '<bpmn:exclusiveGateway id="split"/>',
    service("a", "a"),
    end(),
    chain("start", "split"),
    flow("to-a", "split", "a", "=x = 1"),
    chain("a", "end"),
)

AND = model(
    "and",
    start(),
    '<bpmn:parallelGateway id="fork"/>',
    service("left", "left"),
    service("right", "right"),
    '<bpmn:parallelGateway id="join"/>',
    service("after", "after"),
    end(),
    chain("start", "fork"),
    flow("f1", "fork", "left"),
    flow("f2", "fork", "right"),
    flow("f3", "left", "join"),
    flow("f4", "right", "join"),
    chain("join", "after", "end"),
)


async def test_exclusive_gateway_takes_the_first_true_condition_in_order() -> None:
    async with EngineHarness() as h:
        await h.deploy(("xor.bpmn", XOR))
        await h.create_instance("xor", {"x": 20})
        await h.create_instance("xor", {"x": 7})
        await h.create_instance("xor", {"x": 1})
        assert len(await h.activate_jobs("a")) == 1
        assert len(await h.activate_jobs("b")) == 1
        assert len(await h.activate_jobs("c")) == 1


async def test_condition_on_missing_variable_is_an_extract_value_incident_then_resolved() -> None:
    async with EngineHarness() as h:
        await h.deploy(("xor.bpmn", XOR))
        instance = await h.create_instance("xor")
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
        assert "to be 'BOOLEAN', but was 'NULL'" in incident.value["errorMessage"]
        assert h.process_instance_intents("split") == ["ELEMENT_ACTIVATING"]
        await h.b.command(
            ValueType.VARIABLE_DOCUMENT,
            VariableDocumentIntent.UPDATE,
            {"scopeKey": instance, "variables": {"x": 11}, "updateSemantics": "PROPAGATE"},
        )
        await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident.key)
        assert len(await h.activate_jobs("a")) == 1


async def test_no_true_condition_and_no_default_is_a_condition_error() -> None:
    async with EngineHarness() as h:
        await h.deploy(("strict.bpmn", XOR_NO_DEFAULT))
        await h.create_instance("xor-strict", {"x": 2})
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "CONDITION_ERROR"
        assert incident.value["elementId"] == "split"


async def test_parallel_join_waits_for_every_branch() -> None:
    async with EngineHarness() as h:
        await h.deploy(("and.bpmn", AND))
        instance = await h.create_instance("and")
        [(left, _)] = await h.activate_jobs("left")
        [(right, _)] = await h.activate_jobs("right")
        await h.complete_job(left, {"l": 1})
        assert h.process_instance_intents("join") == []
        await h.complete_job(right, {"r": 2})
        assert h.process_instance_intents("join")[:2] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
        [(after, job)] = await h.activate_jobs("after")
        assert job["variables"] == {"l": 1, "r": 2}
        await h.complete_job(after)
        assert h.is_completed(instance)
        assert h.b.engine.state.element_instances == {}


async def test_implicit_split_takes_every_outgoing_flow() -> None:
    split = model(
        "split",
        start(),
        service("a", "a"),
        service("b", "b"),
        end("e1"),
        end("e2"),
        flow("s1", "start", "a"),
        flow("s2", "start", "b"),
        chain("a", "e1"),
        chain("b", "e2"),
    )
    async with EngineHarness() as h:
        await h.deploy(("split.bpmn", split))
        instance = await h.create_instance("split")
        [(a, _)] = await h.activate_jobs("a")
        [(b, _)] = await h.activate_jobs("b")
        await h.complete_job(a)
        assert not h.is_completed(instance)
        await h.complete_job(b)
        assert h.is_completed(instance)
