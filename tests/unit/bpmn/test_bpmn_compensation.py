"""Compensation: boundary events, handlers linked by associations, and compensation throws."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems

from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnEventType,
    EndEvent,
    IntermediateThrowEvent,
    SubProcess,
)

START = '<bpmn:startEvent id="start"/>'


def task(task_id: str, *, handler: bool = False, tag: str = "serviceTask") -> str:
    marker = ' isForCompensation="true"' if handler else ""
    return (
        f'<bpmn:{tag} id="{task_id}"{marker}><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{task_id}"/></bpmn:extensionElements></bpmn:{tag}>'
    )


def compensated(
    activity: str = "a", handler: str = "undo", boundary: str = "cb", tag: str = "serviceTask"
) -> str:
    """Activity `activity` with a compensation boundary associated to handler `handler`."""
    return (
        task(activity)
        + task(handler, handler=True, tag=tag)
        + f'<bpmn:boundaryEvent id="{boundary}" attachedToRef="{activity}">'
        "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>"
        f'<bpmn:association id="as-{boundary}" associationDirection="One" '
        f'sourceRef="{boundary}" targetRef="{handler}"/>'
    )


THROW = '<bpmn:intermediateThrowEvent id="throw"><bpmn:compensateEventDefinition{}/>'
THROW += "</bpmn:intermediateThrowEvent>"


def test_compensation_boundary_links_activity_to_handler(parse: Parse) -> None:
    process = parse(
        START
        + compensated()
        + THROW.format("")
        + '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a"/>'
        + '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="throw"/>'
    )
    boundary = process.element("cb")
    assert isinstance(boundary, BoundaryEvent)
    assert boundary.event_type is BpmnEventType.COMPENSATION
    assert boundary.outgoing == []
    assert process.element("a").boundary_event_ids == ["cb"]
    assert process.element("undo").is_for_compensation is True
    assert process.element("a").is_for_compensation is False
    assert process.compensation_handlers == {"a": "undo"}
    throw = process.element("throw")
    assert isinstance(throw, IntermediateThrowEvent)
    assert throw.event_type is BpmnEventType.COMPENSATION
    assert throw.events.compensate_activity_id is None


def test_compensation_inside_a_subprocess_is_recorded_on_it(parse: Parse) -> None:
    process = parse(
        START
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + compensated()
        + '<bpmn:endEvent id="e"><bpmn:compensateEventDefinition activityRef="a"/></bpmn:endEvent>'
        + "</bpmn:subProcess>"
    )
    sub = process.element("sub")
    assert isinstance(sub, SubProcess)
    assert sub.compensation_handlers == {"a": "undo"}
    assert process.compensation_handlers == {}
    end = process.element("e")
    assert isinstance(end, EndEvent)
    assert (end.event_type, end.events.compensate_activity_id) == (BpmnEventType.COMPENSATION, "a")


@pytest.mark.parametrize(
    "handler",
    [
        '<bpmn:subProcess id="undo" isForCompensation="true"><bpmn:startEvent id="us"/>'
        "</bpmn:subProcess>",
        '<bpmn:callActivity id="undo" isForCompensation="true"><bpmn:extensionElements>'
        '<zeebe:calledElement processId="undo"/></bpmn:extensionElements></bpmn:callActivity>',
        '<bpmn:userTask id="undo" isForCompensation="true"/>',
        '<bpmn:task id="undo" isForCompensation="true"/>',
    ],
)
def test_handler_may_be_a_subprocess_call_activity_or_task(parse: Parse, handler: str) -> None:
    process = parse(
        START
        + task("a")
        + handler
        + '<bpmn:boundaryEvent id="cb" attachedToRef="a"><bpmn:compensateEventDefinition/>'
        '</bpmn:boundaryEvent><bpmn:association id="as" sourceRef="cb" targetRef="undo"/>'
    )
    assert process.compensation_handlers == {"a": "undo"}


def test_compensation_throw_for_a_subprocess(parse: Parse) -> None:
    parse(
        START
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/></bpmn:subProcess>'
        + THROW.format(' activityRef="sub"')
    )


ERROR_START = '<bpmn:startEvent id="es"><bpmn:errorEventDefinition/></bpmn:startEvent>'
UNDO_A = (
    '<bpmn:endEvent id="undo-a"><bpmn:compensateEventDefinition activityRef="a"/></bpmn:endEvent>'
)


def test_event_subprocess_may_compensate_an_activity_of_its_outer_scope(parse: Parse) -> None:
    process = parse(
        START
        + compensated()
        + '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        + ERROR_START
        + UNDO_A
        + "</bpmn:subProcess>"
    )
    assert process.element("undo-a").events.compensate_activity_id == "a"  # type: ignore[attr-defined]


def test_event_subprocess_compensates_no_further_out_than_its_outer_scope(
    problems: Problems,
) -> None:
    assert problems(
        START
        + compensated()
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        + ERROR_START
        + UNDO_A
        + "</bpmn:subProcess></bpmn:subProcess>"
    ) == [
        (
            "undo-a",
            "The referenced compensation activity 'a' must be in the same scope as the "
            "compensation throw event",
        )
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            task("a")
            + '<bpmn:boundaryEvent id="cb" attachedToRef="a"><bpmn:compensateEventDefinition/>'
            "</bpmn:boundaryEvent>",
            [
                (
                    "cb",
                    "Compensation boundary events must have a compensation association and no "
                    "outgoing sequence flows",
                )
            ],
        ),
        (
            compensated() + '<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="undo"/>',
            [("undo", "A compensation handler should have no incoming sequence flows")],
        ),
        (
            compensated() + '<bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f" sourceRef="undo" targetRef="e"/>',
            [("undo", "A compensation handler should have no outgoing sequence flows")],
        ),
        (
            task("a")
            + task("undo")
            + '<bpmn:boundaryEvent id="cb" attachedToRef="a"><bpmn:compensateEventDefinition/>'
            '</bpmn:boundaryEvent><bpmn:association id="as" sourceRef="cb" targetRef="undo"/>',
            [("undo", 'A compensation handler must be marked as such (isForCompensation="true")')],
        ),
        (
            compensated(tag="businessRuleTask"),
            [
                (
                    "undo",
                    "Compensation task must be one of: service task, user task, send task, "
                    "script task, manual task, or undefined task.",
                )
            ],
        ),
        (
            THROW.format(' activityRef="ghost"'),
            [("throw", "The referenced compensation activity 'ghost' doesn't exist")],
        ),
        (
            task("a") + THROW.format(' activityRef="a"'),
            [
                (
                    "throw",
                    "The referenced compensation activity 'a' must have either a compensation "
                    "boundary event or be a subprocess",
                )
            ],
        ),
        (
            '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
            + compensated()
            + "</bpmn:subProcess>"
            + THROW.format(' activityRef="a"'),
            [
                (
                    "throw",
                    "The referenced compensation activity 'a' must be in the same scope as the "
                    "compensation throw event",
                )
            ],
        ),
        (
            THROW.format(' waitForCompletion="false"'),
            [
                (
                    "throw",
                    "A compensation intermediate throwing event waitForCompletion attribute must "
                    "be true or not present",
                )
            ],
        ),
        (
            task("a") + '<bpmn:boundaryEvent id="cb" attachedToRef="a" cancelActivity="false">'
            "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>"
            '<bpmn:association id="as" sourceRef="cb" targetRef="undo"/>'
            + task("undo", handler=True),
            [("cb", "Non-Interrupting event of this type is not allowed")],
        ),
    ],
)
def test_invalid_compensation(
    problems: Problems, body: str, expected: list[tuple[str, str]]
) -> None:
    assert problems(START + body) == expected
