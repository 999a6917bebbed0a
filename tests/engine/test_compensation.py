"""Compensation as Zeebe 8.5+ runs it: the handlers of completed activities run when a
compensation throw or end event of their scope fires, and the event waits for them.

Each test is one behaviour of the Camunda docs (*Compensation events*, *Compensation handler*,
8.8) and of Zeebe's engine (`BpmnCompensationSubscriptionBehaviour`): which handlers run, how
often, in which scope, with which variables, the COMPENSATION_SUBSCRIPTION records
(CREATED, TRIGGERED, COMPLETED, DELETED) and that nothing of it stays in the state.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_models import chain, end, flow, io, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import (
    CompensationSubscriptionIntent,
    JobIntent,
    ProcessInstanceIntent,
)
from zeebind.protocol.record import Record, RejectionType, ValueType
from zeebind.testing import EngineHarness

_CS = ValueType.COMPENSATION_SUBSCRIPTION
_PI = ValueType.PROCESS_INSTANCE
CREATED = CompensationSubscriptionIntent.CREATED
TRIGGERED = CompensationSubscriptionIntent.TRIGGERED
COMPLETED = CompensationSubscriptionIntent.COMPLETED
DELETED = CompensationSubscriptionIntent.DELETED

# --- models -------------------------------------------------------------------------------------


def handler(handler_id: str, job_type: str, extensions: str = "", inner: str = "") -> str:
    """A service task marked as compensation handler."""
    return (
        f'<bpmn:serviceTask id="{handler_id}" isForCompensation="true"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}"/>{extensions}</bpmn:extensionElements>'
        f"{inner}</bpmn:serviceTask>"
    )


def boundary(activity_id: str, handler_id: str) -> str:
    """A compensation boundary event on `activity_id`, associated with `handler_id`."""
    return (
        f'<bpmn:boundaryEvent id="{activity_id}-comp" attachedToRef="{activity_id}">'
        "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>"
        f'<bpmn:association id="{activity_id}-assoc" associationDirection="One" '
        f'sourceRef="{activity_id}-comp" targetRef="{handler_id}"/>'
    )


def compensable(task_id: str, extensions: str = "", inner: str = "") -> str:
    """Service task `task_id` (job type `task_id`) undone by handler `undo-<task_id>`."""
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{task_id}"/>{extensions}</bpmn:extensionElements>'
        f"{inner}</bpmn:serviceTask>"
        + boundary(task_id, f"undo-{task_id}")
        + handler(f"undo-{task_id}", f"undo-{task_id}")
    )


def throw(event_id: str = "undo", activity: str | None = None) -> str:
    ref = f' activityRef="{activity}"' if activity else ""
    return (
        f'<bpmn:intermediateThrowEvent id="{event_id}"><bpmn:compensateEventDefinition{ref}/>'
        "</bpmn:intermediateThrowEvent>"
    )


def compensation_end(event_id: str, activity: str | None = None) -> str:
    ref = f' activityRef="{activity}"' if activity else ""
    return f'<bpmn:endEvent id="{event_id}"><bpmn:compensateEventDefinition{ref}/></bpmn:endEvent>'


def sub(sub_id: str, *body: str, head: str = "", attrs: str = "") -> str:
    return f'<bpmn:subProcess id="{sub_id}"{attrs}>{head}{"".join(body)}</bpmn:subProcess>'


def each(collection: str, element: str | None = None) -> str:
    """Parallel multi-instance over `collection` (a FEEL expression), items as `element`."""
    item = f' inputElement="{element}"' if element else ""
    return (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        f'<zeebe:loopCharacteristics inputCollection="{collection}"{item}/>'
        "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>"
    )


def call(element_id: str, process_id: str, attrs: str = "") -> str:
    return (
        f'<bpmn:callActivity id="{element_id}"{attrs}><bpmn:extensionElements>'
        f'<zeebe:calledElement processId="{process_id}"/></bpmn:extensionElements>'
        "</bpmn:callActivity>"
    )


def gateway(kind: str, gateway_id: str, attrs: str = "") -> str:
    return f'<bpmn:{kind}Gateway id="{gateway_id}"{attrs}/>'


# --- reading the log ----------------------------------------------------------------------------


def trace(h: EngineHarness, instance: int) -> list[tuple[str, str]]:
    """(element id, intent) of the instance's PROCESS_INSTANCE events, in log order."""
    return [
        (r.value["elementId"], r.intent) for r in h.records().of(_PI, processInstanceKey=instance)
    ]


def position(h: EngineHarness, instance: int, element_id: str, intent: str, nth: int = 0) -> int:
    found = [
        r.position
        for r in h.records().of(_PI, intent, processInstanceKey=instance, elementId=element_id)
    ]
    assert len(found) > nth, f"{element_id} {intent} #{nth} not in\n{h.records().describe()}"
    return found[nth]


def subscriptions(h: EngineHarness) -> list[tuple[str, str, str]]:
    """(intent, compensable activity, handler) of every COMPENSATION_SUBSCRIPTION event."""
    return [
        (r.intent, r.value["compensableActivityId"], r.value["compensationHandlerId"])
        for r in h.records().of(_CS)
    ]


def handler_instances(h: EngineHarness, handler_id: str) -> list[Record]:
    """The ELEMENT_ACTIVATED records of a handler (one per invocation)."""
    return list(h.records().of(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, elementId=handler_id))


def key_of(h: EngineHarness, element_id: str, nth: int = 0) -> int:
    activated = list(
        h.records().of(_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED, elementId=element_id)
    )
    return activated[nth].key


async def complete(h: EngineHarness, job_type: str, count: int = 1, **variables: Any) -> list[dict]:
    """Activates exactly `count` jobs of `job_type` and completes them; returns the jobs."""
    jobs = await h.activate_jobs(job_type)
    assert len(jobs) == count, f"{len(jobs)} jobs of type {job_type!r}, expected {count}"
    for key, _ in jobs:
        await h.complete_job(key, variables or None)
    return [job for _, job in jobs]


def assert_compensation_state_empty(h: EngineHarness) -> None:
    state = h.b.engine.state
    assert state.compensation_subscriptions == {}
    assert state.compensation_by_instance == {}


# --- throw and end events -----------------------------------------------------------------------

BOOKING = model(
    "booking",
    start(),
    compensable("book-hotel"),
    compensable("book-flight"),
    throw("undo"),
    service("after", "after"),
    end(),
    chain("start", "book-hotel", "book-flight", "undo", "after", "end"),
)


async def test_throw_runs_the_handler_of_every_completed_activity_then_continues() -> None:
    async with EngineHarness() as h:
        await h.deploy(("booking.bpmn", BOOKING))
        instance = await h.create_instance("booking")
        await complete(h, "book-hotel")
        await complete(h, "book-flight")

        # A subscription per completed compensable activity, written before it completes.
        hotel = h.records().of(_CS, CREATED, compensableActivityId="book-hotel").only()
        assert hotel.position < position(h, instance, "book-hotel", "ELEMENT_COMPLETED")
        assert hotel.value == {
            "tenantId": "<default>",
            "processInstanceKey": instance,
            "processDefinitionKey": hotel.value["processDefinitionKey"],
            "compensableActivityId": "book-hotel",
            "compensableActivityScopeKey": instance,
            "compensableActivityInstanceKey": key_of(h, "book-hotel"),
            "compensationHandlerId": "undo-book-hotel",
            "compensationHandlerInstanceKey": -1,
            "throwEventId": "",
            "throwEventInstanceKey": -1,
            "variables": {},
        }

        # Both handlers run at once, in the throw event's scope; the throw event waits.
        [(hotel_job, _)] = await h.activate_jobs("undo-book-hotel")
        [(flight_job, _)] = await h.activate_jobs("undo-book-flight")
        assert await h.activate_jobs("after") == []
        undo = key_of(h, "undo")
        for handler_id in ("undo-book-hotel", "undo-book-flight"):
            [activated] = handler_instances(h, handler_id)
            assert activated.value["bpmnEventType"] == "COMPENSATION"
            assert activated.value["flowScopeKey"] == instance
            triggered = h.records().of(_CS, TRIGGERED, compensationHandlerId=handler_id).only()
            assert triggered.value["throwEventId"] == "undo"
            assert triggered.value["throwEventInstanceKey"] == undo
            assert triggered.value["compensationHandlerInstanceKey"] == activated.key
        # The compensation boundary event passes (ACTIVATING..COMPLETED) before its handler starts.
        steps = trace(h, instance)
        first = steps.index(("book-hotel-comp", "ELEMENT_ACTIVATING"))
        assert steps[first : first + 4] == [
            ("book-hotel-comp", "ELEMENT_ACTIVATING"),
            ("book-hotel-comp", "ELEMENT_ACTIVATED"),
            ("book-hotel-comp", "ELEMENT_COMPLETING"),
            ("book-hotel-comp", "ELEMENT_COMPLETED"),
        ]
        comp = h.records().of(_PI, "ELEMENT_COMPLETED", elementId="book-hotel-comp").only()
        assert comp.value["bpmnElementType"] == "BOUNDARY_EVENT"
        assert comp.value["bpmnEventType"] == "COMPENSATION"
        assert comp.value["flowScopeKey"] == instance

        await h.complete_job(hotel_job)
        assert await h.activate_jobs("after") == []  # still waiting for the flight handler
        await h.complete_job(flight_job)
        undo_completed = position(h, instance, "undo", "ELEMENT_COMPLETED")
        for handler_id in ("undo-book-hotel", "undo-book-flight"):
            assert position(h, instance, handler_id, "ELEMENT_COMPLETED") < undo_completed
        await complete(h, "after")
        assert h.is_completed(instance)
        assert subscriptions(h) == [
            (CREATED, "book-hotel", "undo-book-hotel"),
            (CREATED, "book-flight", "undo-book-flight"),
            (TRIGGERED, "book-hotel", "undo-book-hotel"),
            (TRIGGERED, "book-flight", "undo-book-flight"),
            (COMPLETED, "book-hotel", "undo-book-hotel"),
            (COMPLETED, "book-flight", "undo-book-flight"),
        ]
        assert_compensation_state_empty(h)


async def test_compensation_end_event_runs_the_handlers_before_the_process_completes() -> None:
    m = model(
        "ending",
        start(),
        compensable("A"),
        compensation_end("undo-end"),
        chain("start", "A", "undo-end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("ending.bpmn", m))
        instance = await h.create_instance("ending")
        await complete(h, "A")
        assert not h.is_completed(instance)
        await complete(h, "undo-A")
        assert h.is_completed(instance)
        handled = position(h, instance, "undo-A", "ELEMENT_COMPLETED")
        ended = position(h, instance, "undo-end", "ELEMENT_COMPLETED")
        assert handled < ended < position(h, instance, "ending", "ELEMENT_COMPLETED")
        assert subscriptions(h) == [
            (CREATED, "A", "undo-A"),
            (TRIGGERED, "A", "undo-A"),
            (COMPLETED, "A", "undo-A"),
        ]
        assert_compensation_state_empty(h)


async def test_nothing_to_compensate_continues_at_once() -> None:
    async with EngineHarness() as h:
        early = model(
            "early",
            start(),
            throw("undo"),
            compensable("book"),
            end(),
            chain("start", "undo", "book", "end"),
        )
        await h.deploy(("early.bpmn", early))
        instance = await h.create_instance("early")
        await complete(h, "book")
        assert h.is_completed(instance)
        assert await h.activate_jobs("undo-book") == []
        # The subscription of the activity completed after the throw is deleted with the process.
        assert subscriptions(h) == [(CREATED, "book", "undo-book"), (DELETED, "book", "undo-book")]
        assert_compensation_state_empty(h)


async def test_active_and_terminated_activities_are_not_compensated() -> None:
    # A completes; C is interrupted by its timer, which leads to the throw; B is still running.
    late = (
        '<bpmn:boundaryEvent id="late" attachedToRef="C"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:boundaryEvent>"
    )
    m = model(
        "partial",
        start(),
        gateway("parallel", "fork"),
        compensable("A"),
        compensable("C"),
        late,
        compensable("B"),
        throw("undo"),
        end("end-c"),
        end("end-undo"),
        end("end-b"),
        chain("start", "fork", "A", "C", "end-c"),
        chain("late", "undo", "end-undo"),
        chain("fork", "B", "end-b"),
    )
    async with EngineHarness() as h:
        await h.deploy(("partial.bpmn", m))
        instance = await h.create_instance("partial")
        await complete(h, "A")
        await h.advance(60_000)
        assert h.process_instance_intents("C")[-1] == "ELEMENT_TERMINATED"
        await complete(h, "undo-A")
        assert await h.activate_jobs("undo-B") == []
        assert await h.activate_jobs("undo-C") == []
        assert h.process_instance_intents("undo")[-1] == "ELEMENT_COMPLETED"
        await complete(h, "B")  # completes after the throw: compensable from now on
        assert h.is_completed(instance)
        assert subscriptions(h) == [
            (CREATED, "A", "undo-A"),
            (TRIGGERED, "A", "undo-A"),
            (COMPLETED, "A", "undo-A"),
            (CREATED, "B", "undo-B"),
            (DELETED, "B", "undo-B"),
        ]
        assert_compensation_state_empty(h)


async def test_activity_ref_compensates_only_that_activity_and_only_once() -> None:
    m = model(
        "targeted",
        start(),
        compensable("A"),
        compensable("B"),
        throw("undo-b", activity="B"),
        throw("undo-b-again", activity="B"),
        throw("undo-rest"),
        end(),
        chain("start", "A", "B", "undo-b", "undo-b-again", "undo-rest", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("targeted.bpmn", m))
        instance = await h.create_instance("targeted")
        await complete(h, "A")
        await complete(h, "B")
        assert await h.activate_jobs("undo-A") == []
        await complete(h, "undo-B")
        # B was compensated already: the second throw for B finds nothing and continues; the
        # throw without activityRef then compensates what is left, A.
        assert h.process_instance_intents("undo-b-again")[-1] == "ELEMENT_COMPLETED"
        await complete(h, "undo-A")
        assert h.is_completed(instance)
        assert len(handler_instances(h, "undo-B")) == 1
        assert len(handler_instances(h, "undo-A")) == 1
        assert_compensation_state_empty(h)


async def test_activity_completed_in_a_loop_is_compensated_as_often() -> None:
    m = model(
        "looping",
        start(),
        compensable("A", io(outputs={"n": "=n + 1"})),
        gateway("exclusive", "again", ' default="f_again_A"'),
        throw("undo"),
        end(),
        chain("start", "A", "again"),
        flow("f_again_A", "again", "A"),
        flow("f_again_undo", "again", "undo", condition="=n >= 3"),
        chain("undo", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("looping.bpmn", m))
        instance = await h.create_instance("looping", {"n": 0})
        for _ in range(3):
            await complete(h, "A")
        assert len(h.records().of(_CS, CREATED)) == 3
        jobs = await h.activate_jobs("undo-A")
        assert len(jobs) == 3
        # One handler instance per completion of A, each for one instance of A.
        triggered = list(h.records().of(_CS, TRIGGERED))
        assert len({t.value["compensableActivityInstanceKey"] for t in triggered}) == 3
        assert len({t.value["compensationHandlerInstanceKey"] for t in triggered}) == 3
        for key, _ in jobs[:2]:
            await h.complete_job(key)
        assert h.process_instance_intents("undo")[-1] == "ELEMENT_ACTIVATED"
        await h.complete_job(jobs[2][0])
        assert h.is_completed(instance)
        assert len(h.records().of(_CS, COMPLETED)) == 3
        assert_compensation_state_empty(h)


# --- embedded subprocesses ----------------------------------------------------------------------

NESTED = model(
    "nested",
    start(),
    sub(
        "outer",
        start("outer-start"),
        compensable("A"),
        sub(
            "inner",
            start("inner-start"),
            compensable("B"),
            end("inner-end"),
            chain("inner-start", "B", "inner-end"),
        ),
        end("outer-end"),
        chain("outer-start", "A", "inner", "outer-end"),
    ),
    compensable("C"),
    throw("undo", activity="outer"),
    throw("undo-rest"),
    end(),
    chain("start", "outer", "C", "undo", "undo-rest", "end"),
)


async def test_completed_subprocess_compensates_the_activities_inside_it() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested")
        await complete(h, "A")
        await complete(h, "B")
        await complete(h, "C")
        # A completed subprocess with subscriptions inside gets one of its own (no handler).
        outer = h.records().of(_CS, CREATED, compensableActivityId="outer").only()
        assert outer.value["compensationHandlerId"] == ""
        assert outer.value["compensableActivityScopeKey"] == instance
        inner = h.records().of(_CS, CREATED, compensableActivityId="inner").only()
        assert inner.value["compensableActivityScopeKey"] == key_of(h, "outer")
        b = h.records().of(_CS, CREATED, compensableActivityId="B").only()
        assert b.value["compensableActivityScopeKey"] == key_of(h, "inner")

        # activityRef="outer": the handlers inside it (nested too) run, not C's.
        [(a_job, _)] = await h.activate_jobs("undo-A")
        [(b_job, _)] = await h.activate_jobs("undo-B")
        assert await h.activate_jobs("undo-C") == []
        undo = key_of(h, "undo")
        for handler_id in ("undo-A", "undo-B"):
            [activated] = handler_instances(h, handler_id)
            # The subprocesses are gone: the handlers run in the throw event's scope.
            assert activated.value["flowScopeKey"] == instance
        outer_triggered = h.records().of(_CS, TRIGGERED, compensableActivityId="outer").only()
        assert outer_triggered.value["compensationHandlerInstanceKey"] == -1
        assert outer_triggered.value["throwEventInstanceKey"] == undo
        await h.complete_job(b_job)
        # inner's subscription completes with its last handler, outer's waits for A's handler.
        assert [i for i, a, _ in subscriptions(h) if a == "inner"] == [
            CREATED,
            TRIGGERED,
            COMPLETED,
        ]
        assert [i for i, a, _ in subscriptions(h) if a == "outer"] == [CREATED, TRIGGERED]
        assert h.process_instance_intents("undo")[-1] == "ELEMENT_ACTIVATED"
        await h.complete_job(a_job)
        assert [i for i, a, _ in subscriptions(h) if a == "outer"] == [
            CREATED,
            TRIGGERED,
            COMPLETED,
        ]
        assert h.process_instance_intents("undo")[-1] == "ELEMENT_COMPLETED"
        # The throw without activityRef then finds C only.
        await complete(h, "undo-C")
        assert h.is_completed(instance)
        assert len(handler_instances(h, "undo-A")) == 1
        assert len(handler_instances(h, "undo-B")) == 1
        assert_compensation_state_empty(h)


async def test_throw_inside_a_subprocess_compensates_only_its_own_instance() -> None:
    # Both instances of the multi-instance subprocess completed their B before the first one
    # throws: each throw compensates the B of its own instance, not the other's, not A outside.
    m = model(
        "scoped",
        start(),
        compensable("A"),
        sub(
            "each",
            start("each-start"),
            compensable("B"),
            service("hold", "hold"),
            throw("undo-b"),
            end("each-end"),
            chain("each-start", "B", "hold", "undo-b", "each-end"),
            head=each("=[1, 2]"),
        ),
        end(),
        chain("start", "A", "each", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("scoped.bpmn", m))
        instance = await h.create_instance("scoped")
        await complete(h, "A")
        await complete(h, "B", 2)
        holds = {job["variables"]["loopCounter"]: key for key, job in await h.activate_jobs("hold")}
        b_of = {
            r.value["flowScopeKey"]: r.key
            for r in h.records().of(_PI, "ELEMENT_COMPLETED", elementId="B")
        }
        for counter in (1, 2):
            await h.complete_job(holds[counter])
            [(undo_key, job)] = await h.activate_jobs("undo-B")
            # The handler runs in the subprocess instance of the throw (its loop variables).
            assert job["variables"]["loopCounter"] == counter
            triggered = list(h.records().of(_CS, TRIGGERED))[-1]
            inner = key_of(h, "undo-b", counter - 1)
            assert triggered.value["throwEventInstanceKey"] == inner
            assert (
                triggered.value["compensableActivityInstanceKey"]
                == b_of[h.b.engine.state.element_instances[inner].flow_scope_key]
            )
            await h.complete_job(undo_key)
        assert h.is_completed(instance)
        assert len(handler_instances(h, "undo-B")) == 2
        assert handler_instances(h, "undo-A") == []
        assert_compensation_state_empty(h)


async def test_active_subprocess_is_not_compensated() -> None:
    m = model(
        "running",
        start(),
        gateway("parallel", "fork"),
        sub(
            "S",
            start("s-start"),
            compensable("A"),
            service("wait", "wait"),
            end("s-end"),
            chain("s-start", "A", "wait", "s-end"),
        ),
        service("B", "B"),
        throw("undo"),
        gateway("parallel", "join"),
        end(),
        chain("start", "fork", "S", "join", "end"),
        chain("fork", "B", "undo", "join"),
    )
    async with EngineHarness() as h:
        await h.deploy(("running.bpmn", m))
        instance = await h.create_instance("running")
        await complete(h, "A")  # completed, but inside S, which is still active
        await complete(h, "B")
        assert h.process_instance_intents("undo")[-1] == "ELEMENT_COMPLETED"
        assert await h.activate_jobs("undo-A") == []
        await complete(h, "wait")
        assert h.is_completed(instance)
        assert subscriptions(h) == [
            (CREATED, "A", "undo-A"),
            (CREATED, "S", ""),
            (DELETED, "A", "undo-A"),
            (DELETED, "S", ""),
        ]
        assert_compensation_state_empty(h)


async def test_terminated_subprocess_is_not_compensated() -> None:
    stop = (
        '<bpmn:boundaryEvent id="stop" attachedToRef="work"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:boundaryEvent>"
    )
    m = model(
        "stopped",
        start(),
        sub(
            "work",
            start("work-start"),
            compensable("A"),
            service("wait", "wait"),
            end("work-end"),
            chain("work-start", "A", "wait", "work-end"),
        ),
        stop,
        end(),
        throw("undo"),
        end("stopped-end"),
        chain("start", "work", "end"),
        chain("stop", "undo", "stopped-end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("stopped.bpmn", m))
        instance = await h.create_instance("stopped")
        await complete(h, "A")
        await h.advance(60_000)  # the subprocess is terminated; its subscriptions go with it
        assert h.process_instance_intents("work")[-1] == "ELEMENT_TERMINATED"
        assert h.is_completed(instance)
        assert await h.activate_jobs("undo-A") == []
        assert subscriptions(h) == [(CREATED, "A", "undo-A"), (DELETED, "A", "undo-A")]
        deleted = position(h, instance, "work", "ELEMENT_TERMINATING")
        assert h.records().of(_CS, DELETED).only().position > deleted
        assert_compensation_state_empty(h)


# --- call activities ----------------------------------------------------------------------------


async def test_handlers_inside_a_called_process_are_not_invoked() -> None:
    child = model("child", start(), compensable("X"), end(), chain("start", "X", "end"))
    parent = model(
        "parent",
        start(),
        call("pay", "child"),
        boundary("pay", "undo-pay"),
        handler("undo-pay", "undo-pay"),
        compensation_end("undo"),
        chain("start", "pay", "undo"),
    )
    async with EngineHarness() as h:
        await h.deploy(("child.bpmn", child), ("parent.bpmn", parent))
        instance = await h.create_instance("parent")
        await complete(h, "X")
        # The call activity is compensated by its own handler; the child's X is not.
        await complete(h, "undo-pay")
        assert await h.activate_jobs("undo-X") == []
        assert h.is_completed(instance)
        assert subscriptions(h) == [
            (CREATED, "X", "undo-X"),
            (DELETED, "X", "undo-X"),  # with the child process instance
            (CREATED, "pay", "undo-pay"),
            (TRIGGERED, "pay", "undo-pay"),
            (COMPLETED, "pay", "undo-pay"),
        ]
        assert_compensation_state_empty(h)


# --- handlers that are not tasks ----------------------------------------------------------------


async def test_call_activity_as_handler() -> None:
    refund = model(
        "refund",
        start(),
        service("refund-work", "refund"),
        end(),
        chain("start", "refund-work", "end"),
    )
    m = model(
        "paying",
        start(),
        service("charge", "charge"),
        boundary("charge", "refund-call"),
        call("refund-call", "refund", attrs=' isForCompensation="true"'),
        throw("undo"),
        end(),
        chain("start", "charge", "undo", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("refund.bpmn", refund), ("paying.bpmn", m))
        instance = await h.create_instance("paying", {"amount": 5})
        await complete(h, "charge")
        [activated] = handler_instances(h, "refund-call")
        assert activated.value["bpmnElementType"] == "CALL_ACTIVITY"
        assert activated.value["bpmnEventType"] == "COMPENSATION"
        [job] = await complete(h, "refund")
        assert job["variables"] == {"amount": 5}
        assert h.is_completed(instance)
        refund_done = [
            r.position
            for r in h.records().of(
                _PI, "ELEMENT_COMPLETED", bpmnElementType="PROCESS", bpmnProcessId="refund"
            )
        ]
        assert refund_done[0] < position(h, instance, "undo", "ELEMENT_COMPLETED")
        assert_compensation_state_empty(h)


async def test_embedded_subprocess_as_handler() -> None:
    undo = sub(
        "undo-ship",
        start("u-start"),
        service("recall", "recall"),
        service("restock", "restock"),
        end("u-end"),
        chain("u-start", "recall", "restock", "u-end"),
        attrs=' isForCompensation="true"',
    )
    m = model(
        "shipping",
        start(),
        service("ship", "ship"),
        boundary("ship", "undo-ship"),
        undo,
        throw("undo"),
        end(),
        chain("start", "ship", "undo", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("shipping.bpmn", m))
        instance = await h.create_instance("shipping")
        await complete(h, "ship")
        [activated] = handler_instances(h, "undo-ship")
        assert activated.value["bpmnElementType"] == "SUB_PROCESS"
        assert activated.value["bpmnEventType"] == "COMPENSATION"
        await complete(h, "recall")
        assert h.process_instance_intents("undo")[-1] == "ELEMENT_ACTIVATED"
        await complete(h, "restock")
        assert h.is_completed(instance)
        assert position(h, instance, "undo-ship", "ELEMENT_COMPLETED") < position(
            h, instance, "undo", "ELEMENT_COMPLETED"
        )
        assert_compensation_state_empty(h)


async def test_multi_instance_handler_is_invoked_once_and_runs_every_item() -> None:
    m = model(
        "lines",
        start(),
        service("order", "order"),
        boundary("order", "cancel-lines"),
        handler(
            "cancel-lines",
            "cancel-line",
            inner=each("=lines", "line"),
        ),
        compensation_end("undo"),
        chain("start", "order", "undo"),
    )
    async with EngineHarness() as h:
        await h.deploy(("lines.bpmn", m))
        instance = await h.create_instance("lines", {"lines": ["a", "b", "c"]})
        await complete(h, "order")
        assert len(h.records().of(_CS, TRIGGERED)) == 1
        [body] = [
            r
            for r in handler_instances(h, "cancel-lines")
            if r.value["bpmnElementType"] == "MULTI_INSTANCE_BODY"
        ]
        assert body.value["bpmnEventType"] == "COMPENSATION"
        jobs = await h.activate_jobs("cancel-line")
        assert sorted(job["variables"]["line"] for _, job in jobs) == ["a", "b", "c"]
        for key, _ in jobs[:2]:
            await h.complete_job(key)
        assert not h.is_completed(instance)
        await h.complete_job(jobs[2][0])
        assert h.is_completed(instance)
        assert subscriptions(h) == [
            (CREATED, "order", "cancel-lines"),
            (TRIGGERED, "order", "cancel-lines"),
            (COMPLETED, "order", "cancel-lines"),
        ]
        assert_compensation_state_empty(h)


# --- multi-instance compensable activities ------------------------------------------------------


async def test_multi_instance_activity_is_compensated_once_after_all_its_instances() -> None:
    m = model(
        "batch",
        start(),
        compensable("A", inner=each("=[1, 2, 3]")),
        throw("undo"),
        end(),
        chain("start", "A", "undo", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("batch.bpmn", m))
        instance = await h.create_instance("batch")
        jobs = await h.activate_jobs("A")
        assert len(jobs) == 3
        for key, _ in jobs[:2]:
            await h.complete_job(key)
        assert subscriptions(h) == []  # not before every instance completed
        await h.complete_job(jobs[2][0])
        created = h.records().of(_CS, CREATED).only()
        body = (
            h.records().of(_PI, "ELEMENT_COMPLETED", bpmnElementType="MULTI_INSTANCE_BODY").only()
        )
        assert created.value["compensableActivityInstanceKey"] == body.key
        assert created.position < body.position
        await complete(h, "undo-A")  # once, not per item
        assert h.is_completed(instance)
        assert subscriptions(h) == [
            (CREATED, "A", "undo-A"),
            (TRIGGERED, "A", "undo-A"),
            (COMPLETED, "A", "undo-A"),
        ]
        assert_compensation_state_empty(h)


async def test_activity_in_a_multi_instance_subprocess_is_compensated_per_instance() -> None:
    m = model(
        "per-item",
        start(),
        sub(
            "items",
            start("i-start"),
            compensable("A"),
            end("i-end"),
            chain("i-start", "A", "i-end"),
            head=each("=[1, 2, 3]"),
        ),
        throw("undo"),
        end(),
        chain("start", "items", "undo", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("per-item.bpmn", m))
        instance = await h.create_instance("per-item")
        await complete(h, "A", 3)
        await complete(h, "undo-A", 3)
        assert h.is_completed(instance)
        created = [a for i, a, _ in subscriptions(h) if i == CREATED]
        assert sorted(created) == ["A", "A", "A", "items", "items", "items", "items"]
        assert len(h.records().of(_CS, TRIGGERED)) == 7
        assert len(h.records().of(_CS, COMPLETED)) == 7
        assert_compensation_state_empty(h)


# --- compensation from event subprocesses -------------------------------------------------------

ERROR = '<bpmn:error id="err" errorCode="FAILED"/>'


def on_error(*body: str) -> str:
    return sub(
        "on-error",
        '<bpmn:startEvent id="caught"><bpmn:errorEventDefinition errorRef="err"/>'
        "</bpmn:startEvent>",
        *body,
        attrs=' triggeredByEvent="true"',
    )


async def fail_job(h: EngineHarness, job_type: str) -> None:
    [(key, _)] = await h.activate_jobs(job_type)
    await h.b.command(
        ValueType.JOB, JobIntent.THROW_ERROR, {"errorCode": "FAILED", "errorMessage": ""}, key=key
    )


async def test_error_event_subprocess_compensates_the_enclosing_scope() -> None:
    m = model(
        "undo-on-error",
        start(),
        compensable("A"),
        compensable("B"),
        service("C", "C"),
        end(),
        chain("start", "A", "B", "C", "end"),
        on_error(compensation_end("undo-all"), chain("caught", "undo-all")),
        extra=ERROR,
    )
    async with EngineHarness() as h:
        await h.deploy(("undo-on-error.bpmn", m))
        instance = await h.create_instance("undo-on-error")
        await complete(h, "A")
        await complete(h, "B")
        await fail_job(h, "C")
        esp = key_of(h, "on-error")
        for handler_id in ("undo-A", "undo-B"):
            [activated] = handler_instances(h, handler_id)
            assert activated.value["flowScopeKey"] == esp  # the throw event's scope
        await complete(h, "undo-A")
        assert not h.is_completed(instance)
        await complete(h, "undo-B")
        assert position(h, instance, "undo-all", "ELEMENT_COMPLETED") < position(
            h, instance, "on-error", "ELEMENT_COMPLETED"
        )
        assert h.is_completed(instance)
        assert_compensation_state_empty(h)


async def test_event_subprocess_may_compensate_one_activity_of_the_enclosing_scope() -> None:
    m = model(
        "undo-one",
        start(),
        compensable("A"),
        compensable("B"),
        service("C", "C"),
        end(),
        chain("start", "A", "B", "C", "end"),
        on_error(compensation_end("undo-a", activity="A"), chain("caught", "undo-a")),
        extra=ERROR,
    )
    async with EngineHarness() as h:
        await h.deploy(("undo-one.bpmn", m))  # activityRef to the event subprocess's outer scope
        instance = await h.create_instance("undo-one")
        await complete(h, "A")
        await complete(h, "B")
        await fail_job(h, "C")
        await complete(h, "undo-A")
        assert await h.activate_jobs("undo-B") == []
        assert h.is_completed(instance)
        assert subscriptions(h)[-1] == (DELETED, "B", "undo-B")
        assert_compensation_state_empty(h)


# --- variables ----------------------------------------------------------------------------------


async def test_handler_sees_the_variables_of_the_throw_events_scope() -> None:
    m = model(
        "vars",
        start(),
        sub(
            "booking",
            start("b-start"),
            compensable("book"),
            compensation_end("b-undo"),
            chain("b-start", "book", "b-undo"),
            head="<bpmn:extensionElements>"
            + io(inputs={"room": "=7"})
            + "</bpmn:extensionElements>",
        ),
        sub(
            "paying",
            start("p-start"),
            compensable("pay"),
            end("p-end"),
            chain("p-start", "pay", "p-end"),
            head="<bpmn:extensionElements>"
            + io(inputs={"card": "=4242"})
            + "</bpmn:extensionElements>",
        ),
        throw("undo"),
        end(),
        chain("start", "booking", "paying", "undo", "end"),
    )
    m = m.replace(
        '<zeebe:taskDefinition type="undo-book"/>',
        '<zeebe:taskDefinition type="undo-book"/>' + io(inputs={"twice": "=room * 2"}),
    )
    async with EngineHarness() as h:
        await h.deploy(("vars.bpmn", m))
        instance = await h.create_instance("vars", {"order": 1})
        await complete(h, "book", room=8)  # a result variable: it updates the subprocess's room
        # The throw is in the subprocess: its handler sees the subprocess's variables and
        # applies its input mappings in its own scope.
        [(undo_book, job)] = await h.activate_jobs("undo-book")
        assert job["variables"] == {"order": 1, "room": 8, "twice": 16}
        booking = key_of(h, "booking")
        await h.complete_job(undo_book, {"room": 0, "released": True})
        # Completing the handler propagates like any task: room exists in the subprocess,
        # released goes to the process.
        room = h.records().of(ValueType.VARIABLE, name="room", scopeKey=booking)
        assert [r.value["value"] for r in room] == ["7", "8", "0"]
        assert (
            h.records().of(ValueType.VARIABLE, name="released").only().value["scopeKey"] == instance
        )
        await complete(h, "pay")
        # The throw at process level compensates pay, whose subprocess is gone: its handler
        # runs in the process scope and does not see the subprocess's card.
        [job] = await complete(h, "undo-pay")
        assert job["variables"] == {"order": 1, "released": True}
        assert h.is_completed(instance)
        assert_compensation_state_empty(h)


# --- cancellation -------------------------------------------------------------------------------


async def test_cancelling_while_handlers_run_terminates_them_and_deletes_the_subscriptions() -> (
    None
):
    async with EngineHarness() as h:
        await h.deploy(("booking.bpmn", BOOKING))
        instance = await h.create_instance("booking")
        await complete(h, "book-hotel")
        await complete(h, "book-flight")
        await h.b.command(_PI, ProcessInstanceIntent.CANCEL, {}, key=instance)
        assert h.process_instance_intents("undo")[-1] == "ELEMENT_TERMINATED"
        assert h.process_instance_intents("undo-book-hotel")[-1] == "ELEMENT_TERMINATED"
        assert h.process_instance_intents("undo-book-flight")[-1] == "ELEMENT_TERMINATED"
        assert [i for i, _, _ in subscriptions(h)][-2:] == [DELETED, DELETED]
        deleted = h.records().of(_CS, DELETED)
        assert {r.value["throwEventId"] for r in deleted} == {"undo"}  # the triggered ones
        terminating = position(h, instance, "booking", "ELEMENT_TERMINATING")
        assert all(terminating < r.position for r in deleted)
        assert all(
            r.position < position(h, instance, "undo", "ELEMENT_TERMINATED") for r in deleted
        )
        assert h.b.engine.state.element_instances == {}
        assert_compensation_state_empty(h)


# --- migration ----------------------------------------------------------------------------------


async def deploy(h: EngineHarness, name: str, xml: str) -> int:
    return int((await h.deploy((name, xml))).value["processesMetadata"][0]["processDefinitionKey"])


MIGRATING_V1 = model(
    "moving",
    start(),
    sub("S", start("s-start"), compensable("A"), end("s-end"), chain("s-start", "A", "s-end")),
    service("W", "W"),
    throw("undo"),
    end(),
    chain("start", "S", "W", "undo", "end"),
)
MIGRATING_V2 = model(
    "moving",
    start(),
    sub("S2", start("s-start"), compensable("A2"), end("s-end"), chain("s-start", "A2", "s-end")),
    service("W", "W"),
    throw("undo"),
    end(),
    chain("start", "S2", "W", "undo", "end"),
)


async def test_migration_moves_subscriptions_whose_compensation_boundary_is_mapped() -> None:
    async with EngineHarness() as h:
        await deploy(h, "v1.bpmn", MIGRATING_V1)
        instance = await h.create_instance("moving")
        await complete(h, "A")
        v2 = await deploy(h, "v2.bpmn", MIGRATING_V2)
        await h.migrate(instance, v2, ("W", "W"), ("A-comp", "A2-comp"))
        migrated = list(h.records().of(_CS, CompensationSubscriptionIntent.MIGRATED))
        assert [
            (r.value["compensableActivityId"], r.value["compensationHandlerId"]) for r in migrated
        ] == [
            ("A2", "undo-A2"),
            ("S2", ""),
        ]
        assert {r.value["processDefinitionKey"] for r in migrated} == {v2}
        await complete(h, "W")
        await complete(h, "undo-A2")  # the target's handler
        assert h.is_completed(instance)
        assert_compensation_state_empty(h)


async def test_migration_deletes_subscriptions_whose_compensation_boundary_is_not_mapped() -> None:
    async with EngineHarness() as h:
        await deploy(h, "v1.bpmn", MIGRATING_V1)
        instance = await h.create_instance("moving")
        await complete(h, "A")
        v2 = await deploy(h, "v2.bpmn", MIGRATING_V2)
        await h.migrate(instance, v2, ("W", "W"))
        assert subscriptions(h)[-2:] == [(DELETED, "A", "undo-A"), (DELETED, "S", "")]
        await complete(h, "W")  # nothing left to compensate
        assert h.is_completed(instance)
        assert_compensation_state_empty(h)


async def test_migration_rejects_a_compensation_boundary_mapped_elsewhere() -> None:
    timer_boundary = (
        '<bpmn:boundaryEvent id="late" attachedToRef="A2"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:boundaryEvent>"
    )
    wrong_type = model(
        "moving",
        start(),
        compensable("A2"),
        timer_boundary,
        end("late-end"),
        service("W", "W"),
        end(),
        chain("start", "A2", "W", "end"),
        chain("late", "late-end"),
    )
    async with EngineHarness() as h:
        await deploy(h, "v1.bpmn", MIGRATING_V1)
        instance = await h.create_instance("moving")
        await complete(h, "A")
        flat = await deploy(h, "flat.bpmn", wrong_type)
        with pytest.raises(CommandRejected) as err:
            await h.migrate(instance, flat, ("W", "W"), ("A-comp", "late"))
        assert err.value.rejection_type is RejectionType.INVALID_ARGUMENT
        assert err.value.reason == (
            "Expected to migrate process instance with id 'moving' but compensation boundary "
            "event 'A-comp' is mapped to a target boundary event 'late' that has event type "
            "'TIMER' different than compensation boundary event type."
        )
        with pytest.raises(CommandRejected) as err:
            await h.migrate(instance, flat, ("W", "W"), ("A-comp", "A2-comp"))
        assert err.value.rejection_type is RejectionType.INVALID_STATE
        assert err.value.reason == (
            "Expected to migrate process instance with id 'moving' but the flow scope of "
            "compensation boundary event is changed. Flow scope 'S' is not in the same level as "
            "'moving'. The flow scope of a compensation boundary event cannot be changed during "
            "migration yet."
        )
        assert len(h.records().of(_CS, CREATED)) == 2
        assert len(h.records().of(_CS)) == 2  # nothing changed
