"""RESOURCE_DELETION DELETE: definitions leave the state; their versions are never reused."""

from __future__ import annotations

import json

import pytest
from decision_models import GREETING
from engine_models import ONE_TASK, chain, end, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import (
    DecisionEvaluationIntent,
    MessageStartEventSubscriptionIntent,
    ProcessInstanceCreationIntent,
    ResourceDeletionIntent,
    SignalIntent,
)
from zeebind.protocol.record import Record, RejectionType, ValueType
from zeebind.testing import EngineHarness

_MSS = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION


def one_task(job_type: str) -> str:
    return model(
        "one-task", start(), service("work", job_type), end(), chain("start", "work", "end")
    )


def message_start(job_type: str) -> str:
    return model(
        "started",
        start(inner='<bpmn:messageEventDefinition messageRef="go"/>'),
        service("work", job_type),
        end(),
        chain("start", "work", "end"),
        extra='<bpmn:message id="go" name="go"/>',
    )


async def _delete(h: EngineHarness, key: int) -> Record:
    return await h.b.command(
        ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETE, {}, key=key
    )


async def _deploy_process(h: EngineHarness, name: str, xml: str) -> tuple[int, int]:
    meta = (await h.deploy((name, xml))).value["processesMetadata"][0]
    return meta["processDefinitionKey"], meta["version"]


async def test_deleting_a_process_definition_writes_zeebes_records() -> None:
    async with EngineHarness() as h:
        key, _ = await _deploy_process(h, "one-task.bpmn", ONE_TASK)
        response = await _delete(h, key)
        assert response.intent == ResourceDeletionIntent.DELETED
        assert response.value == {"resourceKey": key, "tenantId": "<default>"}
        deletion = h.records().of(ValueType.RESOURCE_DELETION)
        assert deletion.intents() == ["DELETING", "DELETED"]
        assert len({r.key for r in deletion}) == 1
        process = h.records().of(ValueType.PROCESS, processDefinitionKey=key)
        assert process.intents() == ["CREATED", "DELETING", "DELETED"]
        assert process.records[-1].value["bpmnProcessId"] == "one-task"
        assert key not in h.b.engine.state.processes
        with pytest.raises(CommandRejected) as by_key:
            await h.b.command(
                ValueType.PROCESS_INSTANCE_CREATION,
                ProcessInstanceCreationIntent.CREATE,
                {"processDefinitionKey": key, "variables": {}},
            )
        assert by_key.value.rejection_type is RejectionType.NOT_FOUND
        with pytest.raises(CommandRejected) as by_id:
            await h.create_instance("one-task")
        assert by_id.value.rejection_type is RejectionType.NOT_FOUND
        assert by_id.value.reason == (
            "Expected to find process definition with process ID 'one-task', but none found"
        )


async def test_versions_are_never_reused_and_latest_skips_deleted_ones() -> None:
    async with EngineHarness() as h:
        first, _ = await _deploy_process(h, "p.bpmn", one_task("v1"))
        second, version = await _deploy_process(h, "p.bpmn", one_task("v2"))
        assert version == 2
        await _delete(h, second)
        instance = await h.create_instance("one-task")
        [(_, job)] = await h.activate_jobs("v1")
        assert (job["processInstanceKey"], job["processDefinitionKey"]) == (instance, first)
        # v1 is the latest again: deploying it unchanged is a duplicate.
        duplicate = (await h.deploy(("p.bpmn", one_task("v1")))).value["processesMetadata"][0]
        assert (duplicate["isDuplicate"], duplicate["version"]) == (True, 1)
        third, version = await _deploy_process(h, "p.bpmn", one_task("v2"))
        assert (version, third != second) == (3, True)


async def test_a_definition_with_running_instances_is_not_deleted() -> None:
    async with EngineHarness() as h:
        key, _ = await _deploy_process(h, "one-task.bpmn", ONE_TASK)
        instance = await h.create_instance("one-task")
        with pytest.raises(CommandRejected) as err:
            await _delete(h, key)
        assert err.value.rejection_type is RejectionType.INVALID_STATE
        assert err.value.reason == (
            f"Expected to delete resource with key `{key}` but there are still running instances"
        )
        assert len(h.records().of(ValueType.RESOURCE_DELETION)) == 0
        [(job_key, _)] = await h.activate_jobs("work")
        await h.complete_job(job_key)
        assert h.is_completed(instance)
        await _delete(h, key)
        assert key not in h.b.engine.state.processes


async def test_unknown_or_already_deleted_keys_are_not_found() -> None:
    async with EngineHarness() as h:
        with pytest.raises(CommandRejected) as unknown:
            await _delete(h, 12345)
        assert unknown.value.rejection_type is RejectionType.NOT_FOUND
        assert unknown.value.reason == (
            "Expected to delete resource but no resource found with key `12345`"
        )
        key, _ = await _deploy_process(h, "one-task.bpmn", ONE_TASK)
        await _delete(h, key)
        with pytest.raises(CommandRejected) as again:
            await _delete(h, key)
        assert again.value.rejection_type is RejectionType.NOT_FOUND


async def test_deleting_the_latest_version_reopens_the_previous_message_start() -> None:
    async with EngineHarness() as h:
        first, _ = await _deploy_process(h, "started.bpmn", message_start("v1"))
        second, _ = await _deploy_process(h, "started.bpmn", message_start("v2"))
        await _delete(h, second)
        subscriptions = h.records().of(_MSS)
        assert [(r.intent, r.value["processDefinitionKey"]) for r in subscriptions] == [
            ("CREATED", first),
            ("DELETED", first),
            ("CREATED", second),
            ("DELETED", second),
            ("CREATED", first),
        ]
        await h.publish("go", "")
        [(_, job)] = await h.activate_jobs("v1")
        assert job["processDefinitionKey"] == first
        assert await h.activate_jobs("v2") == []
        correlated = h.records().of(_MSS, MessageStartEventSubscriptionIntent.CORRELATED)
        assert correlated.only().value["processDefinitionKey"] == first


async def test_deleting_an_older_version_leaves_the_latest_subscribed() -> None:
    async with EngineHarness() as h:
        first, _ = await _deploy_process(h, "started.bpmn", message_start("v1"))
        second, _ = await _deploy_process(h, "started.bpmn", message_start("v2"))
        await _delete(h, first)
        assert len(h.records().of(_MSS)) == 3
        open_subscriptions = h.b.engine.state.start_subscriptions.values()
        assert [s.value["processDefinitionKey"] for s in open_subscriptions] == [second]
        _, version = await _deploy_process(h, "started.bpmn", message_start("v3"))
        assert version == 3


async def test_deleting_a_drg_deletes_its_decisions() -> None:
    async with EngineHarness() as h:
        deployment = await h.deploy(("greeting.dmn", GREETING))
        drg = deployment.value["decisionRequirementsMetadata"][0]
        decision = deployment.value["decisionsMetadata"][0]
        await _delete(h, drg["decisionRequirementsKey"])
        assert h.records().of(ValueType.DECISION).intents() == ["CREATED", "DELETED"]
        deleted = h.records().of(ValueType.DECISION, "DELETED").only()
        assert deleted.value["decisionKey"] == decision["decisionKey"]
        assert h.records().of(ValueType.DECISION_REQUIREMENTS).intents() == ["CREATED", "DELETED"]
        with pytest.raises(CommandRejected) as err:
            await h.b.command(
                ValueType.DECISION_EVALUATION,
                DecisionEvaluationIntent.EVALUATE,
                {"decisionId": "greet", "decisionKey": -1, "variables": {"name": "x"}},
            )
        assert "but no decision found for id 'greet'" in err.value.reason
        again = await h.deploy(("greeting.dmn", GREETING))
        assert again.value["decisionRequirementsMetadata"][0]["decisionRequirementsVersion"] == 2
        assert again.value["decisionsMetadata"][0]["version"] == 2


async def test_deleting_a_form() -> None:
    form = json.dumps({"id": "order-form", "components": [], "type": "default"})
    async with EngineHarness() as h:
        deployment = await h.deploy(("order.form", form))
        form_key = deployment.value["formMetadata"][0]["formKey"]
        await _delete(h, form_key)
        assert h.records().of(ValueType.FORM).intents() == ["CREATED", "DELETED"]
        assert h.b.engine.state.forms == {}
        again = await h.deploy(("order.form", form))
        assert again.value["formMetadata"][0]["version"] == 2


def timer_start(cycle: str, job_type: str) -> str:
    definition = (
        '<bpmn:timerEventDefinition><bpmn:timeCycle xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
        f'instance" xsi:type="bpmn:tFormalExpression">{cycle}</bpmn:timeCycle>'
        "</bpmn:timerEventDefinition>"
    )
    return model(
        "ticker",
        start(inner=definition),
        service("tick", job_type),
        end(),
        chain("start", "tick", "end"),
    )


def signal_start(job_type: str) -> str:
    return model(
        "signalled",
        start(inner='<bpmn:signalEventDefinition signalRef="s"/>'),
        service("work", job_type),
        end(),
        chain("start", "work", "end"),
        extra='<bpmn:signal id="s" name="go"/>',
    )


async def test_deleting_the_latest_version_restores_the_previous_start_timer() -> None:
    async with EngineHarness() as h:
        first, _ = await _deploy_process(h, "ticker.bpmn", timer_start("R/PT1H", "v1"))
        second, _ = await _deploy_process(h, "ticker.bpmn", timer_start("R/PT1M", "v2"))
        await _delete(h, second)
        timers = h.records().of(ValueType.TIMER)
        assert [(r.intent, r.value["processDefinitionKey"]) for r in timers] == [
            ("CREATED", first),
            ("CANCELED", first),
            ("CREATED", second),
            ("CANCELED", second),
            ("CREATED", first),
        ]
        await h.advance(60_000)
        assert await h.activate_jobs("v2") == []
        await h.advance(3_600_000)
        [(_, job)] = await h.activate_jobs("v1")
        assert job["processDefinitionKey"] == first


async def test_deleting_the_latest_version_restores_the_previous_signal_start() -> None:
    async with EngineHarness() as h:
        first, _ = await _deploy_process(h, "signalled.bpmn", signal_start("v1"))
        second, _ = await _deploy_process(h, "signalled.bpmn", signal_start("v2"))
        await _delete(h, second)
        subscriptions = h.records().of(ValueType.SIGNAL_SUBSCRIPTION)
        assert [r.intent for r in subscriptions] == [
            "CREATED",
            "DELETED",
            "CREATED",
            "DELETED",
            "CREATED",
        ]
        await h.b.command(
            ValueType.SIGNAL,
            SignalIntent.BROADCAST,
            {"signalName": "go", "variables": {}, "tenantId": "<default>"},
        )
        [(_, job)] = await h.activate_jobs("v1")
        assert job["processDefinitionKey"] == first
        assert await h.activate_jobs("v2") == []
