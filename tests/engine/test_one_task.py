"""A start event, one service task, an end event: the lifecycle as Zeebe writes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_models import ONE_TASK, chain, end, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.record import RecordType, RejectionType, ValueType
from zeebind.testing import EngineHarness


async def test_one_task_instance_completes_with_the_workers_variables(tmp_path: Path) -> None:
    async with EngineHarness(tmp_path) as h:
        deployment = await h.deploy(("one-task.bpmn", ONE_TASK))
        meta = deployment.value["processesMetadata"][0]
        assert (meta["bpmnProcessId"], meta["version"], meta["isDuplicate"]) == (
            "one-task",
            1,
            False,
        )
        instance = await h.create_instance("one-task", {"x": 1})
        [(job_key, job)] = await h.activate_jobs("work")
        assert job["variables"] == {"x": 1}
        assert job["processInstanceKey"] == instance
        assert job["deadline"] == h.clock.now_ms() + 60_000
        await h.complete_job(job_key, {"y": 2})

        assert h.is_completed(instance)
        assert h.process_instance_intents("work") == [
            "ELEMENT_ACTIVATING",
            "ELEMENT_ACTIVATED",
            "ELEMENT_COMPLETING",
            "ELEMENT_COMPLETED",
        ]
        variables = h.records().of(ValueType.VARIABLE, processInstanceKey=instance)
        assert sorted(r.value["name"] for r in variables) == ["x", "y"]
        assert h.b.engine.state.element_instances == {}
        assert h.b.engine.state.jobs == {}


async def test_keys_are_minted_as_zeebe_does() -> None:
    async with EngineHarness() as h:
        deployment = await h.deploy(("one-task.bpmn", ONE_TASK))
        assert deployment.key == (1 << 51) + 1
        assert deployment.value["processesMetadata"][0]["processDefinitionKey"] == (1 << 51) + 2


async def test_redeploying_the_same_resource_is_a_duplicate() -> None:
    async with EngineHarness() as h:
        first = await h.deploy(("one-task.bpmn", ONE_TASK))
        again = await h.deploy(("one-task.bpmn", ONE_TASK))
        renamed = await h.deploy(("other-name.bpmn", ONE_TASK))
        meta = [d.value["processesMetadata"][0] for d in (first, again, renamed)]
        assert [m["version"] for m in meta] == [1, 1, 2]
        assert meta[1]["isDuplicate"] is True
        assert meta[1]["processDefinitionKey"] == meta[0]["processDefinitionKey"]
        assert again.key != first.key
        assert len(h.records().of(ValueType.PROCESS, "CREATED")) == 2


async def test_invalid_model_is_rejected_with_every_problem() -> None:
    broken = model(
        "broken",
        start(),
        service("a", ""),
        service("b", ""),
        end(),
        chain("start", "a", "b", "end"),
    )
    async with EngineHarness() as h:
        with pytest.raises(CommandRejected) as err:
            await h.deploy(("broken.bpmn", broken))
        assert err.value.rejection_type is RejectionType.INVALID_ARGUMENT
        text = str(err.value)
        assert text.startswith("Command 'CREATE' rejected with code 'INVALID_ARGUMENT': ")
        assert "'broken.bpmn'" in text
        assert "Element: a" in text
        assert "Element: b" in text
        assert len(h.records().of(record_type=RecordType.COMMAND_REJECTION)) == 1


async def test_create_instance_of_unknown_process_is_not_found() -> None:
    async with EngineHarness() as h:
        with pytest.raises(CommandRejected) as err:
            await h.create_instance("missing")
        assert err.value.rejection_type is RejectionType.NOT_FOUND
        assert "process ID 'missing'" in err.value.reason


async def test_state_survives_a_restart_on_the_same_file(tmp_path: Path) -> None:
    async with EngineHarness(tmp_path) as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        instance = await h.create_instance("one-task")
    async with EngineHarness(tmp_path) as h:
        [(job_key, job)] = await h.activate_jobs("work")
        assert job["processInstanceKey"] == instance
        await h.complete_job(job_key)
        assert h.is_completed(instance)
        # keys keep growing after the restart: nothing is minted twice
        later = await h.create_instance("one-task")
        assert later > job_key
