"""Compensation (Zeebe 8.5+): handlers of completed activities run when compensation is thrown."""

from __future__ import annotations

from engine_models import chain, end, model, service, start

from zeebind.protocol.intent import CompensationSubscriptionIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness


def compensable(task_id: str, job_type: str, handler_id: str, handler_type: str) -> str:
    return (
        service(task_id, job_type)
        + f'<bpmn:boundaryEvent id="{task_id}-comp" attachedToRef="{task_id}">'
        "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>"
        + f'<bpmn:serviceTask id="{handler_id}" isForCompensation="true">'
        f'<bpmn:extensionElements><zeebe:taskDefinition type="{handler_type}"/>'
        "</bpmn:extensionElements></bpmn:serviceTask>"
        + f'<bpmn:association id="{task_id}-assoc" associationDirection="One" '
        f'sourceRef="{task_id}-comp" targetRef="{handler_id}"/>'
    )


BOOKING = model(
    "booking",
    start(),
    compensable("book-hotel", "book-hotel", "cancel-hotel", "cancel-hotel"),
    compensable("book-flight", "book-flight", "cancel-flight", "cancel-flight"),
    '<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition/>'
    "</bpmn:intermediateThrowEvent>",
    service("after", "after"),
    end(),
    chain("start", "book-hotel", "book-flight", "undo", "after", "end"),
)


async def test_compensation_throw_runs_every_handler_then_continues() -> None:
    async with EngineHarness() as h:
        await h.deploy(("booking.bpmn", BOOKING))
        instance = await h.create_instance("booking")
        for job_type in ("book-hotel", "book-flight"):
            [(key, _)] = await h.activate_jobs(job_type)
            await h.complete_job(key)
        assert len(h.records().of(ValueType.COMPENSATION_SUBSCRIPTION, "CREATED")) == 2
        [(hotel, _)] = await h.activate_jobs("cancel-hotel")
        [(flight, _)] = await h.activate_jobs("cancel-flight")
        assert await h.activate_jobs("after") == []
        await h.complete_job(hotel)
        assert await h.activate_jobs("after") == []  # still waiting for the flight handler
        await h.complete_job(flight)
        [(after, _)] = await h.activate_jobs("after")
        await h.complete_job(after)
        assert h.is_completed(instance)
        completed = h.records().of(
            ValueType.COMPENSATION_SUBSCRIPTION, CompensationSubscriptionIntent.COMPLETED
        )
        assert len(completed) == 2
        assert h.b.engine.state.compensation_subscriptions == {}


async def test_nothing_to_compensate_continues_at_once() -> None:
    async with EngineHarness() as h:
        early = model(
            "early",
            start(),
            '<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition/>'
            "</bpmn:intermediateThrowEvent>",
            compensable("book", "book", "unbook", "unbook"),
            end(),
            chain("start", "undo", "book", "end"),
        )
        await h.deploy(("early.bpmn", early))
        instance = await h.create_instance("early")
        [(key, _)] = await h.activate_jobs("book")
        await h.complete_job(key)
        assert h.is_completed(instance)
        assert await h.activate_jobs("unbook") == []
