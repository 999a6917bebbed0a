"""Variables: creation, set variables (local and propagating), input mappings, with-result."""

from __future__ import annotations

import asyncio

import pytest
from engine_models import ONE_TASK, chain, end, flow, io, message, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import ProcessInstanceCreationIntent, VariableDocumentIntent
from zeebind.protocol.record import RejectionType, ValueType
from zeebind.testing import EngineHarness

MAPPED = model(
    "mapped",
    start(),
    service("work", "work", io(inputs={"local": "=x", "order.id": "=id"})),
    end(),
    chain("start", "work", "end"),
)


async def set_variables(h: EngineHarness, scope: int, variables: dict, local: bool = False):
    return await h.b.command(
        ValueType.VARIABLE_DOCUMENT,
        VariableDocumentIntent.UPDATE,
        {
            "scopeKey": scope,
            "variables": variables,
            "updateSemantics": "LOCAL" if local else "PROPAGATE",
        },
    )


async def test_identical_value_writes_no_record_and_changes_write_updated() -> None:
    async with EngineHarness() as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        instance = await h.create_instance("one-task", {"x": 1})
        await set_variables(h, instance, {"x": 1})
        await set_variables(h, instance, {"x": 2})
        intents = h.records().of(ValueType.VARIABLE, name="x").intents()
        assert intents == ["CREATED", "UPDATED"]
        assert h.variables(instance) == {"x": 2}


async def test_input_mappings_are_local_and_shadow_on_completion() -> None:
    async with EngineHarness() as h:
        await h.deploy(("mapped.bpmn", MAPPED))
        instance = await h.create_instance("mapped", {"x": 5, "id": "a"})
        [(job_key, job)] = await h.activate_jobs("work")
        assert job["variables"] == {"x": 5, "id": "a", "local": 5, "order": {"id": "a"}}
        # no output mappings: a result variable named like a local one stays local (Zeebe's rule)
        await h.complete_job(job_key, {"local": 6, "new": True})
        names = {r.value["name"]: r.value["scopeKey"] for r in h.records().of(ValueType.VARIABLE)}
        assert names["new"] == instance
        assert names["local"] == job["elementInstanceKey"]


async def test_set_variables_local_on_a_task_and_propagating_from_it() -> None:
    async with EngineHarness() as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        instance = await h.create_instance("one-task", {"shared": 0})
        [(_, job)] = await h.activate_jobs("work")
        task = job["elementInstanceKey"]
        response = await set_variables(h, task, {"mine": 1}, local=True)
        assert response.key > task
        await set_variables(h, task, {"shared": 1, "fresh": 2})
        assert h.variables(task) == {"mine": 1}
        assert h.variables(instance) == {"shared": 1, "fresh": 2}
        with pytest.raises(CommandRejected) as err:
            await set_variables(h, task + 10_000, {"a": 1})
        assert err.value.rejection_type is RejectionType.NOT_FOUND
        assert f"element with key '{task + 10_000}'" in err.value.reason


async def test_create_with_result_answers_when_the_instance_completes() -> None:
    async with EngineHarness() as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        pending = asyncio.ensure_future(
            h.b.command(
                ValueType.PROCESS_INSTANCE_CREATION,
                ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
                {
                    "bpmnProcessId": "one-task",
                    "version": -1,
                    "variables": {"a": 1},
                    "fetchVariables": ["b"],
                },
            )
        )
        await h.settle()
        [(job_key, _)] = await h.activate_jobs("work")
        assert not pending.done()
        await h.complete_job(job_key, {"b": 2, "c": 3})
        result = await asyncio.wait_for(pending, 5)
        assert result.value["variables"] == {"b": 2}
        assert result.value["bpmnProcessId"] == "one-task"


async def test_create_with_result_of_a_straight_through_process_answers_at_once() -> None:
    straight = model("straight", start(), end(), chain("start", "end"))
    async with EngineHarness() as h:
        await h.deploy(("straight.bpmn", straight))
        result = await h.b.command(
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
            {"bpmnProcessId": "straight", "version": -1, "variables": {"v": [1, 2]}},
        )
        assert result.value["variables"] == {"v": [1, 2]}


async def test_start_instructions_start_before_the_given_elements() -> None:
    two = model(
        "two-step",
        start(),
        service("first", "first"),
        service("second", "second"),
        end(),
        chain("start", "first", "second", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("two.bpmn", two))
        record = await h.b.command(
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE,
            {
                "bpmnProcessId": "two-step",
                "version": -1,
                "variables": {"v": 1},
                "startInstructions": [{"elementId": "second"}],
            },
        )
        instance = record.value["processInstanceKey"]
        assert await h.activate_jobs("first") == []
        [(key, job)] = await h.activate_jobs("second")
        assert job["variables"] == {"v": 1}
        await h.complete_job(key)
        assert h.is_completed(instance)
        assert h.process_instance_intents("start") == []
        with pytest.raises(CommandRejected) as err:
            await h.b.command(
                ValueType.PROCESS_INSTANCE_CREATION,
                ProcessInstanceCreationIntent.CREATE,
                {"bpmnProcessId": "two-step", "startInstructions": [{"elementId": "nope"}]},
            )
        assert err.value.reason == (
            "Expected to create instance of process with start instructions but no element "
            "found with id 'nope'."
        )


NESTED = model(
    "nested",
    start(),
    service("before", "before"),
    '<bpmn:subProcess id="outer"><bpmn:startEvent id="outer-start"/>'
    '<bpmn:subProcess id="inner"><bpmn:startEvent id="inner-start"/>'
    '<bpmn:serviceTask id="deep-a"><bpmn:extensionElements>'
    '<zeebe:taskDefinition type="deep"/></bpmn:extensionElements></bpmn:serviceTask>'
    '<bpmn:serviceTask id="deep-b"><bpmn:extensionElements>'
    '<zeebe:taskDefinition type="deep"/></bpmn:extensionElements></bpmn:serviceTask>'
    '<bpmn:endEvent id="inner-end"/>'
    + chain("inner-start", "deep-a", "inner-end")
    + flow("inner-b", "deep-b", "inner-end")
    + "</bpmn:subProcess>"
    '<bpmn:endEvent id="outer-end"/>'
    + chain("outer-start", "inner", "outer-end")
    + "</bpmn:subProcess>"
    '<bpmn:subProcess id="each"><bpmn:multiInstanceLoopCharacteristics>'
    '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1]"/>'
    "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>"
    '<bpmn:startEvent id="each-start"/><bpmn:endEvent id="each-end"/>'
    + chain("each-start", "each-end")
    + "</bpmn:subProcess>",
    end(),
    chain("start", "before", "outer", "each", "end"),
)


async def test_start_instructions_open_the_subprocesses_an_element_is_in() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        record = await h.b.command(
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE,
            {
                "bpmnProcessId": "nested",
                "version": -1,
                "variables": {"v": 1},
                "startInstructions": [{"elementId": "deep-a"}, {"elementId": "deep-b"}],
            },
        )
        instance = record.value["processInstanceKey"]
        # One instance of each subprocess, shared by both instructions, without start events.
        assert h.process_instance_intents("outer") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
        assert h.process_instance_intents("inner") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
        assert h.process_instance_intents("outer-start") == []
        assert h.process_instance_intents("inner-start") == []
        assert await h.activate_jobs("before") == []
        jobs = await h.activate_jobs("deep")
        assert len(jobs) == 2
        assert all(job["variables"] == {"v": 1} for _, job in jobs)
        scopes = h.records().of(ValueType.PROCESS_INSTANCE, "ELEMENT_ACTIVATED", elementId="inner")
        assert scopes.only().value["flowScopeKey"] != instance  # inside "outer", not the process
        for key, _ in jobs:
            await h.complete_job(key)
        # Both tokens end in inner-end; the subprocesses complete, the process goes on.
        assert h.process_instance_intents("inner")[-1] == "ELEMENT_COMPLETED"
        assert h.process_instance_intents("outer")[-1] == "ELEMENT_COMPLETED"
        assert h.is_completed(instance)


async def test_start_instructions_zeebe_refuses_are_rejected_with_its_reasons() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))

        async def reason(*element_ids: str) -> str:
            with pytest.raises(CommandRejected) as err:
                await h.b.command(
                    ValueType.PROCESS_INSTANCE_CREATION,
                    ProcessInstanceCreationIntent.CREATE,
                    {
                        "bpmnProcessId": "nested",
                        "startInstructions": [{"elementId": e} for e in element_ids],
                    },
                )
            assert err.value.rejection_type == "INVALID_ARGUMENT"
            return err.value.reason

        expected = "Expected to create instance of process with start instructions but "
        assert await reason("each-end") == (
            f"{expected}the element with id 'each-end' is inside a multi-instance subprocess. "
            "The creation of elements inside a multi-instance subprocess is not supported."
        )
        assert (await reason("before", "inner-start")).startswith(
            f"{expected}the element with id 'inner-start' targets unsupported element type "
            "'START_EVENT'. Supported element types are: ["
        )
        assert "unsupported element type 'SEQUENCE_FLOW'" in await reason("inner-b")
        # The first check that fails answers: a missing element before an unsupported one.
        assert (
            await reason("inner-start", "ghost") == f"{expected}no element found with id 'ghost'."
        )
        assert h.records().of(ValueType.PROCESS_INSTANCE).intents() == []


async def test_later_input_mappings_see_earlier_targets() -> None:
    chained = model(
        "chained",
        start(),
        service(
            "work",
            "work",
            io(inputs={"base": "=&quot;http://x&quot;", "url": "=base + &quot;/y&quot;"}),
        ),
        end(),
        chain("start", "work", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("chained.bpmn", chained))
        await h.create_instance("chained")
        [(_, job)] = await h.activate_jobs("work")
        assert job["variables"]["url"] == "http://x/y"


async def test_start_instructions_start_a_process_that_has_no_none_start_event() -> None:
    by_message = model(
        "by-message",
        '<bpmn:startEvent id="ordered"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:startEvent>",
        service("ship", "ship"),
        end(),
        chain("ordered", "ship", "end"),
        extra=message("m", "order-placed"),
    )
    async with EngineHarness() as h:
        await h.deploy(("by-message.bpmn", by_message))
        with pytest.raises(CommandRejected) as err:
            await h.create_instance("by-message")
        assert err.value.reason == (
            "Expected to create instance of process with none start event, but there is no "
            "such event"
        )
        record = await h.b.command(
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE,
            {"bpmnProcessId": "by-message", "startInstructions": [{"elementId": "ship"}]},
        )
        [(key, _)] = await h.activate_jobs("ship")
        await h.complete_job(key)
        assert h.is_completed(record.value["processInstanceKey"])
