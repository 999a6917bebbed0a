"""Variables: creation, set variables (local and propagating), input mappings, with-result."""

from __future__ import annotations

import asyncio

import pytest
from engine_models import ONE_TASK, chain, end, io, model, service, start

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
        assert "element 'nope' does not exist" in err.value.reason


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
