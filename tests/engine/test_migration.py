"""PROCESS_INSTANCE_MIGRATION MIGRATE: running instances move onto another definition."""

from __future__ import annotations

import pytest
from engine_models import chain, end, io, message, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import IncidentIntent, ProcessInstanceMigrationIntent, SignalIntent
from zeebind.protocol.record import RecordType, RejectionType, ValueType
from zeebind.testing import EngineHarness

_PI = ValueType.PROCESS_INSTANCE

V1 = model("order", start(), service("A", "a"), end(), chain("start", "A", "end"))
V2 = model(
    "order", start(), service("A", "a"), service("B", "b"), end(), chain("start", "A", "B", "end")
)
RENAMED = model("shipping", start(), service("C", "c"), end(), chain("start", "C", "end"))


def boundary(element_id: str, attached: str, message_ref: str) -> str:
    return (
        f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="{attached}">'
        f'<bpmn:messageEventDefinition messageRef="{message_ref}"/></bpmn:boundaryEvent>'
    )


def guarded(*boundaries: tuple[str, str]) -> str:
    """start -> A -> end with message boundaries (id, message ref) on A, each to its own end."""
    body = [start(), service("A", "a"), end(), chain("start", "A", "end")]
    for boundary_id, message_ref in boundaries:
        body += [boundary(boundary_id, "A", message_ref), end(f"end-{boundary_id}")]
        body.append(chain(boundary_id, f"end-{boundary_id}"))
    return model(
        "guarded",
        *body,
        extra=message("m1", "cancel", "=orderId")
        + message("m2", "pause", "=orderId")
        + message("m3", "resume", "=orderId"),
    )


async def _deploy(h: EngineHarness, name: str, xml: str) -> int:
    meta = (await h.deploy((name, xml))).value["processesMetadata"][0]
    return int(meta["processDefinitionKey"])


async def _rejection(
    h: EngineHarness, instance: int, target: int, *mappings: tuple[str, str]
) -> CommandRejected:
    before = len(h.records().records)
    with pytest.raises(CommandRejected) as err:
        await h.migrate(instance, target, *mappings)
    written = h.records().records[before:]
    assert [r.record_type for r in written] == [RecordType.COMMAND, RecordType.COMMAND_REJECTION]
    return err.value


async def test_an_instance_continues_on_the_new_version() -> None:
    async with EngineHarness() as h:
        await _deploy(h, "order.bpmn", V1)
        instance = await h.create_instance("order", {"x": 1})
        [(job_key, _)] = await h.activate_jobs("a")
        v2 = await _deploy(h, "order.bpmn", V2)
        response = await h.migrate(instance, v2, ("A", "A"))
        assert response.intent == ProcessInstanceMigrationIntent.MIGRATED
        assert response.value["targetProcessDefinitionKey"] == v2
        migrated = h.records().of(_PI, "ELEMENT_MIGRATED")
        assert (migrated.first().key, migrated.first().value["elementId"]) == (instance, "order")
        assert {r.value["processDefinitionKey"] for r in migrated} == {v2}
        assert {r.value["version"] for r in migrated} == {2}
        job = h.records().of(ValueType.JOB, "MIGRATED").only()
        assert job.key == job_key
        assert (job.value["processDefinitionKey"], job.value["processDefinitionVersion"]) == (v2, 2)
        variable = h.records().of(ValueType.VARIABLE, "MIGRATED").only()
        assert (variable.value["name"], variable.value["processDefinitionKey"]) == ("x", v2)
        await h.complete_job(job_key)
        [(b_job, value)] = await h.activate_jobs("b")
        assert value["processDefinitionKey"] == v2
        await h.complete_job(b_job)
        assert h.is_completed(instance)


async def test_an_active_element_maps_to_another_element_and_keeps_its_job() -> None:
    async with EngineHarness() as h:
        await _deploy(h, "order.bpmn", V1)
        instance = await h.create_instance("order")
        target = await _deploy(h, "shipping.bpmn", RENAMED)
        await h.migrate(instance, target, ("A", "C"))
        [(job_key, job)] = await h.activate_jobs("a")  # the job keeps its type
        assert (job["elementId"], job["bpmnProcessId"]) == ("C", "shipping")
        await h.complete_job(job_key)
        assert h.is_completed(instance)
        assert h.process_instance_intents("C")[-1] == "ELEMENT_COMPLETED"


async def test_an_incident_moves_with_its_element_and_the_fix_applies_on_resolve() -> None:
    broken = model(
        "order",
        start(),
        service("A", "=kind", io(inputs={"total": "=price * 2"})),
        end(),
        chain("start", "A", "end"),
    )
    fixed = model(
        "order",
        start(),
        service("A", "a", io(inputs={"total": "=price * 3"})),
        end(),
        chain("start", "A", "end"),
    )
    async with EngineHarness() as h:
        await _deploy(h, "order.bpmn", broken)
        instance = await h.create_instance("order", {"price": 3, "kind": 5})
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        target = await _deploy(h, "order.bpmn", fixed)
        await h.migrate(instance, target, ("A", "A"))
        moved = h.records().of(ValueType.INCIDENT, "MIGRATED").only()
        assert (moved.key, moved.value["processDefinitionKey"]) == (incident.key, target)
        await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident.key)
        [(_, job)] = await h.activate_jobs("a")
        assert job["variables"]["total"] == 9


async def test_subprocesses_migrate_with_their_children() -> None:
    def nested(sub_id: str, task_id: str, extra: str = "") -> str:
        return model(
            "nested",
            start(),
            f'<bpmn:subProcess id="{sub_id}">'
            + start("s")
            + service(task_id, "t")
            + end("e")
            + chain("s", task_id, "e")
            + "</bpmn:subProcess>",
            extra,
            end(),
            chain("start", sub_id, "end"),
        )

    moved_out = model(
        "nested",
        start(),
        '<bpmn:subProcess id="sub2">'
        + start("s")
        + end("e")
        + chain("s", "e")
        + "</bpmn:subProcess>",
        service("task2", "t"),
        end(),
        chain("start", "sub2", "task2", "end"),
    )
    async with EngineHarness() as h:
        await _deploy(h, "nested.bpmn", nested("sub", "task"))
        instance = await h.create_instance("nested")
        target = await _deploy(h, "nested.bpmn", nested("sub2", "task2"))
        err = await _rejection(h, instance, target, ("task", "task2"))
        assert err.rejection_type is RejectionType.INVALID_STATE
        assert err.reason == (
            f"Expected to migrate process instance '{instance}' but no mapping instruction "
            "defined for active element with id 'sub'. Elements cannot be migrated without a "
            "mapping."
        )
        elsewhere = await _deploy(h, "nested.bpmn", moved_out)
        err = await _rejection(h, instance, elsewhere, ("sub", "sub2"), ("task", "task2"))
        assert err.reason == (
            f"Expected to migrate process instance '{instance}' but the flow scope of active "
            "element with id 'task' is changed. The flow scope of the active element is expected "
            "to be 'sub2' but was 'nested'. The flow scope of an element cannot be changed during "
            "migration yet."
        )
        await h.migrate(instance, target, ("sub", "sub2"), ("task", "task2"))
        assert [r.value["elementId"] for r in h.records().of(_PI, "ELEMENT_MIGRATED")] == [
            "nested",
            "sub2",
            "task2",
        ]
        [(job_key, _)] = await h.activate_jobs("t")
        await h.complete_job(job_key)
        assert h.is_completed(instance)
        assert h.process_instance_intents("sub2")[-1] == "ELEMENT_COMPLETED"


async def test_catch_events_follow_the_mapping() -> None:
    async with EngineHarness() as h:
        await _deploy(h, "guarded.bpmn", guarded(("keep", "m1"), ("drop", "m2")))
        instance = await h.create_instance("guarded", {"orderId": "o"})
        subscriptions = {
            r.value["elementId"]: r.key for r in h.records().of(ValueType.MESSAGE_SUBSCRIPTION)
        }
        same_name = await _deploy(h, "guarded.bpmn", guarded(("kept", "m1"), ("again", "m2")))
        err = await _rejection(h, instance, same_name, ("A", "A"), ("keep", "kept"))
        assert err.reason == (
            f"Expected to migrate process instance '{instance}' but active element with id 'A' "
            "attempts to subscribe to a message it is already subscribed to with name 'pause'. "
            "Migrating active elements that subscribe to a message they are already subscribed "
            "to is not possible yet. Please provide a mapping instruction to message catch event "
            "with id 'again' to migrate the respective message subscription."
        )
        target = await _deploy(h, "guarded.bpmn", guarded(("kept", "m1"), ("added", "m3")))
        await h.migrate(instance, target, ("A", "A"), ("keep", "kept"))
        ms = h.records().of(ValueType.MESSAGE_SUBSCRIPTION)
        after = [(r.intent, r.value["elementId"]) for r in ms.records[2:]]
        assert after == [("MIGRATED", "kept"), ("DELETED", "drop"), ("CREATED", "added")]
        migrated = ms.of(intent="MIGRATED").only()
        assert migrated.key == subscriptions["keep"]
        assert h.records().of(ValueType.PROCESS_MESSAGE_SUBSCRIPTION, "MIGRATED").only()
        await h.publish("cancel", "o")
        assert h.process_instance_intents("kept")[-1] == "ELEMENT_COMPLETED"
        assert h.process_instance_intents("end-kept")[-1] == "ELEMENT_COMPLETED"
        assert h.is_completed(instance)


async def test_a_waiting_catch_event_keeps_its_subscription() -> None:
    def catching(event_id: str, job_type: str) -> str:
        return model(
            "catch",
            start(),
            f'<bpmn:intermediateCatchEvent id="{event_id}">'
            '<bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>',
            service("after", job_type),
            end(),
            chain("start", event_id, "after", "end"),
            extra=message("m1", "paid", "=orderId"),
        )

    async with EngineHarness() as h:
        await _deploy(h, "catch.bpmn", catching("wait", "v1"))
        instance = await h.create_instance("catch", {"orderId": "o"})
        target = await _deploy(h, "catch.bpmn", catching("waiting", "v2"))
        await h.migrate(instance, target, ("wait", "waiting"))
        await h.publish("paid", "o", {"amount": 3})
        [(job_key, job)] = await h.activate_jobs("v2")
        assert job["variables"] == {"orderId": "o", "amount": 3}
        await h.complete_job(job_key)
        assert h.is_completed(instance)


async def test_rejections() -> None:
    user_task = model(
        "order",
        start(),
        '<bpmn:userTask id="A"/>',
        end(),
        chain("start", "A", "end"),
    )
    async with EngineHarness() as h:
        v1 = await _deploy(h, "order.bpmn", V1)
        instance = await h.create_instance("order")
        with pytest.raises(CommandRejected) as missing:
            await h.migrate(42, v1, ("A", "A"))
        assert missing.value.rejection_type is RejectionType.NOT_FOUND
        assert missing.value.reason == (
            "Expected to migrate process instance but no process instance found with key '42'"
        )
        err = await _rejection(h, instance, 43, ("A", "A"))
        assert err.rejection_type is RejectionType.NOT_FOUND
        assert err.reason == (
            "Expected to migrate process instance to process definition but no process "
            "definition found with key '43'"
        )
        v2 = await _deploy(h, "order.bpmn", V2)
        err = await _rejection(h, instance, v2, ("A", "A"), ("A", "B"))
        assert err.rejection_type is RejectionType.INVALID_ARGUMENT
        assert err.reason == (
            f"Expected to migrate process instance '{instance}' but the mapping instructions "
            "contain duplicate source element ids '[A]'."
        )
        err = await _rejection(h, instance, v2, ("X", "A"))
        assert "contain a non-existing source element id 'X'" in err.reason
        err = await _rejection(h, instance, v2, ("A", "Y"))
        assert "contain a non-existing target element id 'Y'" in err.reason
        other = await _deploy(h, "order.bpmn", user_task)
        err = await _rejection(h, instance, other, ("A", "A"))
        assert err.rejection_type is RejectionType.INVALID_STATE
        assert err.reason == (
            f"Expected to migrate process instance '{instance}' but active element with id 'A' "
            "and type 'SERVICE_TASK' is mapped to an element with id 'A' and different type "
            "'USER_TASK'. Elements must be mapped to elements of the same type."
        )
        assert h.records().of(_PI, "ELEMENT_MIGRATED").records == []


def timed(*boundaries: tuple[str, str]) -> str:
    """start -> A -> end with timer boundaries (id, duration) on A, each to its own end."""
    body = [start(), service("A", "a"), end(), chain("start", "A", "end")]
    for boundary_id, duration in boundaries:
        body.append(
            f'<bpmn:boundaryEvent id="{boundary_id}" attachedToRef="A"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:type="bpmn:tFormalExpression">{duration}</bpmn:timeDuration>'
            "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        )
        body += [end(f"end-{boundary_id}"), chain(boundary_id, f"end-{boundary_id}")]
    return model("timed", *body)


async def test_a_mapped_timer_keeps_its_due_date_and_new_ones_start_now() -> None:
    async with EngineHarness() as h:
        await _deploy(h, "timed.bpmn", timed(("t1", "PT1H"), ("t2", "PT2H")))
        instance = await h.create_instance("timed")
        created = {r.value["targetElementId"]: r for r in h.records().of(ValueType.TIMER)}
        await h.advance(30 * 60_000)
        target = await _deploy(h, "timed.bpmn", timed(("kept", "PT5H"), ("added", "PT1H")))
        await h.migrate(instance, target, ("A", "A"), ("t1", "kept"))
        timers = h.records().of(ValueType.TIMER).records[2:]
        assert [(r.intent, r.value["targetElementId"]) for r in timers] == [
            ("MIGRATED", "kept"),
            ("CANCELED", "t2"),
            ("CREATED", "added"),
        ]
        assert timers[0].key == created["t1"].key
        assert timers[0].value["dueDate"] == created["t1"].value["dueDate"]
        assert timers[2].value["dueDate"] == h.clock.now_ms() + 3_600_000
        await h.advance(30 * 60_000)  # the migrated timer fires at its old due date
        assert h.process_instance_intents("kept")[-1] == "ELEMENT_COMPLETED"
        assert h.process_instance_intents("end-kept")[-1] == "ELEMENT_COMPLETED"
        assert h.is_completed(instance)
        assert h.b.engine.state.timers == {}


async def test_a_catch_event_cannot_change_its_event_type() -> None:
    def waiting(definition: str) -> str:
        return model(
            "waiting",
            start(),
            f'<bpmn:intermediateCatchEvent id="wait">{definition}</bpmn:intermediateCatchEvent>',
            end(),
            chain("start", "wait", "end"),
            extra=message("m1", "paid", "=orderId") + '<bpmn:signal id="s" name="go"/>',
        )

    async with EngineHarness() as h:
        await _deploy(h, "w.bpmn", waiting('<bpmn:messageEventDefinition messageRef="m1"/>'))
        instance = await h.create_instance("waiting", {"orderId": "o"})
        target = await _deploy(h, "w.bpmn", waiting('<bpmn:signalEventDefinition signalRef="s"/>'))
        err = await _rejection(h, instance, target, ("wait", "wait"))
        assert err.rejection_type is RejectionType.INVALID_STATE
        assert "and event type 'MESSAGE' is mapped to an element with id 'wait' and different " in (
            err.reason
        )


async def test_a_waiting_signal_catch_event_keeps_its_subscription() -> None:
    def signalled(event_id: str, job_type: str) -> str:
        return model(
            "signalled",
            start(),
            f'<bpmn:intermediateCatchEvent id="{event_id}">'
            '<bpmn:signalEventDefinition signalRef="s"/></bpmn:intermediateCatchEvent>',
            service("after", job_type),
            end(),
            chain("start", event_id, "after", "end"),
            extra='<bpmn:signal id="s" name="go"/>',
        )

    async with EngineHarness() as h:
        await _deploy(h, "s.bpmn", signalled("wait", "v1"))
        instance = await h.create_instance("signalled")
        target = await _deploy(h, "s.bpmn", signalled("waiting", "v2"))
        await h.migrate(instance, target, ("wait", "waiting"))
        moved = h.records().of(ValueType.SIGNAL_SUBSCRIPTION, "MIGRATED").only()
        assert (moved.value["catchEventId"], moved.value["processDefinitionKey"]) == (
            "waiting",
            target,
        )
        await h.b.command(
            ValueType.SIGNAL,
            SignalIntent.BROADCAST,
            {"signalName": "go", "variables": {}, "tenantId": "<default>"},
        )
        [(job_key, _)] = await h.activate_jobs("v2")
        await h.complete_job(job_key)
        assert h.is_completed(instance)


def each(task_id: str, sequential: bool) -> str:
    flag = "true" if sequential else "false"
    return model(
        "each",
        start(),
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="item"/></bpmn:extensionElements>'
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{flag}">'
        '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" '
        'inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>'
        "</bpmn:serviceTask>",
        end(),
        chain("start", task_id, "end"),
    )


async def test_a_multi_instance_body_migrates_with_its_instances() -> None:
    async with EngineHarness() as h:
        await _deploy(h, "each.bpmn", each("A", sequential=False))
        instance = await h.create_instance("each", {"items": [1, 2]})
        sequential = await _deploy(h, "each.bpmn", each("B", sequential=True))
        err = await _rejection(h, instance, sequential, ("A", "B"))
        assert err.reason == (
            f"Expected to migrate process instance '{instance}' but active multi-instance element "
            "with id 'A' is parallel and mapped to the sequential multi-instance element with id "
            "'B'. The multi-instance type cannot be changed during migration."
        )
        target = await _deploy(h, "each.bpmn", each("B", sequential=False))
        await h.migrate(instance, target, ("A", "B"))
        migrated = h.records().of(_PI, "ELEMENT_MIGRATED")
        assert [r.value["bpmnElementType"] for r in migrated] == [
            "PROCESS",
            "MULTI_INSTANCE_BODY",
            "SERVICE_TASK",
            "SERVICE_TASK",
        ]
        jobs = await h.activate_jobs("item")
        assert {job["elementId"] for _, job in jobs} == {"B"}
        for job_key, _ in jobs:
            await h.complete_job(job_key)
        assert h.is_completed(instance)


def with_event_subprocess(start_id: str, job_type: str) -> str:
    esp = (
        '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        f'<bpmn:startEvent id="{start_id}" isInterrupting="false">'
        '<bpmn:messageEventDefinition messageRef="m1"/></bpmn:startEvent>'
        + service("esp-work", job_type)
        + end("esp-end")
        + chain(start_id, "esp-work", "esp-end")
        + "</bpmn:subProcess>"
    )
    return model(
        "updates",
        start(),
        service("A", "a"),
        end(),
        esp,
        chain("start", "A", "end"),
        extra=message("m1", "update", "=orderId"),
    )


async def test_event_subprocess_starts_follow_the_mapping() -> None:
    async with EngineHarness() as h:
        await _deploy(h, "esp.bpmn", with_event_subprocess("esp-start", "v1"))
        first = await h.create_instance("updates", {"orderId": "o-1"})
        second = await h.create_instance("updates", {"orderId": "o-2"})
        target = await _deploy(h, "esp.bpmn", with_event_subprocess("esp-start-2", "v2"))
        await h.migrate(first, target, ("A", "A"), ("esp-start", "esp-start-2"))
        # The same message again without a mapping: Zeebe asks for the mapping.
        err = await _rejection(h, second, target, ("A", "A"))
        assert "attempts to subscribe to a message it is already subscribed to" in err.reason
        await h.migrate(second, target, ("A", "A"), ("esp-start", "esp-start-2"))
        ms = h.records().of(ValueType.MESSAGE_SUBSCRIPTION).records[2:]
        assert [(r.intent, r.value["elementId"], r.value["correlationKey"]) for r in ms] == [
            ("MIGRATED", "esp-start-2", "o-1"),
            ("MIGRATED", "esp-start-2", "o-2"),
        ]
        await h.publish("update", "o-1")
        await h.publish("update", "o-2")
        jobs = await h.activate_jobs("v2")
        assert sorted(job["processInstanceKey"] for _, job in jobs) == sorted([first, second])
        # An active event subprocess instance needs its own mapping.
        third_target = await _deploy(h, "esp.bpmn", with_event_subprocess("esp-start-3", "v3"))
        err = await _rejection(h, first, third_target, ("A", "A"), ("esp-work", "esp-work"))
        assert "no mapping instruction defined for active element with id 'esp'" in err.reason
        await h.migrate(
            first,
            third_target,
            ("A", "A"),
            ("esp", "esp"),
            ("esp-work", "esp-work"),
            ("esp-start-2", "esp-start-3"),
        )
        for job_key, _ in jobs:
            await h.complete_job(job_key)
        [(a_job, _)] = [
            (k, j)
            for k, j in await h.activate_jobs("a", max_jobs=2)
            if j["processInstanceKey"] == first
        ]
        await h.complete_job(a_job)
        assert h.is_completed(first)


def racing(paid_id: str, job_type: str) -> str:
    """start -> event-based gateway -> (message paid_id | timer PT1H) -> tasks."""
    timer = (
        '<bpmn:timerEventDefinition><bpmn:timeDuration xmlns:xsi="http://www.w3.org/2001/'
        'XMLSchema-instance" xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition>"
    )
    return model(
        "racing",
        start(),
        '<bpmn:eventBasedGateway id="gw"/>',
        f'<bpmn:intermediateCatchEvent id="{paid_id}">'
        '<bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>',
        f'<bpmn:intermediateCatchEvent id="late">{timer}</bpmn:intermediateCatchEvent>',
        service("ship", job_type),
        service("remind", "remind"),
        end(),
        end("end-late"),
        chain("start", "gw", paid_id, "ship", "end"),
        chain("gw", "late", "remind", "end-late"),
        extra=message("m1", "paid", "=orderId"),
    )


async def test_an_event_based_gateway_migrates_with_its_events() -> None:
    async with EngineHarness() as h:
        await _deploy(h, "racing.bpmn", racing("paid", "v1"))
        instance = await h.create_instance("racing", {"orderId": "o"})
        target = await _deploy(h, "racing.bpmn", racing("paid-2", "v2"))
        await h.migrate(instance, target, ("gw", "gw"), ("paid", "paid-2"))
        ms = h.records().of(ValueType.MESSAGE_SUBSCRIPTION, "MIGRATED").only()
        assert ms.value["elementId"] == "paid-2"
        timers = h.records().of(ValueType.TIMER).intents()
        assert timers == ["CREATED", "CANCELED", "CREATED"]
        await h.publish("paid", "o")
        [(job_key, _)] = await h.activate_jobs("v2")
        await h.complete_job(job_key)
        assert h.is_completed(instance)
        assert h.b.engine.state.timers == {}


async def test_a_token_waiting_at_a_join_is_not_a_wait_state() -> None:
    parallel = model(
        "par",
        start(),
        '<bpmn:parallelGateway id="fork"/>',
        service("A", "a"),
        service("B", "b"),
        '<bpmn:parallelGateway id="join"/>',
        end(),
        chain("start", "fork", "A", "join", "end"),
        chain("fork", "B", "join"),
    )
    async with EngineHarness() as h:
        source = await _deploy(h, "par.bpmn", parallel)
        instance = await h.create_instance("par")
        [(a, _)] = await h.activate_jobs("a")
        await h.complete_job(a)
        err = await _rejection(h, instance, source, ("B", "B"))
        assert err.reason == (
            f"Expected to migrate process instance '{instance}' but a concurrent command was "
            "executed on the process instance. Please retry the migration."
        )
