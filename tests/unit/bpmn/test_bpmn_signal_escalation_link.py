"""Signal, escalation, link and terminate events, with their deploy-time checks."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems

from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EndEvent,
    EscalationDefinition,
    Expression,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    SignalDefinition,
    StartEvent,
    Static,
)

START = '<bpmn:startEvent id="start"/>'
END = '<bpmn:endEvent id="end"/>'
SIGNALS = (
    '<bpmn:signal id="s" name="alarm"/><bpmn:signal id="s2" name="= &quot;a-&quot; + string(2)"/>'
)
ESCALATIONS = (
    '<bpmn:escalation id="esc" escalationCode="LATE"/>'
    '<bpmn:escalation id="dyn" escalationCode="= code"/>'
    '<bpmn:escalation id="nocode"/>'
)
SUB = (
    '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="se"/>'
    '<bpmn:sequenceFlow id="sf" sourceRef="ss" targetRef="se"/></bpmn:subProcess>'
)
TASK = (
    '<bpmn:serviceTask id="sub"><bpmn:extensionElements><zeebe:taskDefinition type="w"/>'
    "</bpmn:extensionElements></bpmn:serviceTask>"
)


def boundary(definition: str, *, interrupting: bool = True, activity: str = SUB) -> str:
    cancel = "" if interrupting else ' cancelActivity="false"'
    return (
        activity
        + f'<bpmn:boundaryEvent id="b" attachedToRef="sub"{cancel}>{definition}'
        + "</bpmn:boundaryEvent>"
        + END
        + '<bpmn:sequenceFlow id="f" sourceRef="b" targetRef="end"/>'
    )


def signal(ref: str = "s") -> str:
    return f'<bpmn:signalEventDefinition signalRef="{ref}"/>'


def escalation(ref: str | None = "esc") -> str:
    attribute = f' escalationRef="{ref}"' if ref else ""
    return f"<bpmn:escalationEventDefinition{attribute}/>"


# --- signals -------------------------------------------------------------------------------------


def test_signal_start_events(parse: Parse) -> None:
    process = parse(
        f'<bpmn:startEvent id="a">{signal()}</bpmn:startEvent>'
        f'<bpmn:startEvent id="b">{signal("s2")}</bpmn:startEvent>',
        definitions=SIGNALS,
    )
    a, b = process.element("a"), process.element("b")
    assert isinstance(a, StartEvent)
    assert isinstance(b, StartEvent)
    assert a.event_type is BpmnEventType.SIGNAL
    assert a.events.signal == SignalDefinition("s", Static("alarm"))
    assert b.events.signal == SignalDefinition("s2", Expression('"a-" + string(2)'))
    assert process.signal_start_event_ids == ["a", "b"]


def test_signal_catch_throw_end_and_boundary(parse: Parse) -> None:
    process = parse(
        START
        + f'<bpmn:intermediateCatchEvent id="c">{signal()}</bpmn:intermediateCatchEvent>'
        + f'<bpmn:intermediateThrowEvent id="t">{signal()}</bpmn:intermediateThrowEvent>'
        + f'<bpmn:endEvent id="e">{signal("s2")}</bpmn:endEvent>'
        + boundary(signal(), interrupting=False),
        definitions=SIGNALS,
    )
    catch, throw, end, edge = (process.element(i) for i in ("c", "t", "e", "b"))
    assert isinstance(catch, IntermediateCatchEvent)
    assert isinstance(throw, IntermediateThrowEvent)
    assert isinstance(end, EndEvent)
    assert isinstance(edge, BoundaryEvent)
    for node in (catch, throw, end, edge):
        assert node.event_type is BpmnEventType.SIGNAL
    assert throw.element_type is BpmnElementType.INTERMEDIATE_THROW_EVENT
    assert catch.events.signal == throw.events.signal == SignalDefinition("s", Static("alarm"))
    assert end.events.signal == SignalDefinition("s2", Expression('"a-" + string(2)'))
    assert edge.cancel_activity is False


@pytest.mark.parametrize(
    ("definitions", "definition", "path", "message"),
    [
        (SIGNALS, "<bpmn:signalEventDefinition/>", "c", "Must reference a signal"),
        (SIGNALS, signal("nope"), "c", "Referenced signal 'nope' does not exist"),
        ('<bpmn:signal id="s"/>', signal(), "s", "Name must be present and not empty"),
    ],
)
def test_invalid_signal_reference(
    problems: Problems, definitions: str, definition: str, path: str, message: str
) -> None:
    body = START + f'<bpmn:intermediateCatchEvent id="c">{definition}</bpmn:intermediateCatchEvent>'
    assert problems(body, definitions=definitions) == [(path, message)]


def test_signal_start_names_are_unique(problems: Problems) -> None:
    found = problems(
        f'<bpmn:startEvent id="a">{signal()}</bpmn:startEvent>'
        '<bpmn:startEvent id="b"><bpmn:signalEventDefinition signalRef="same"/>'
        "</bpmn:startEvent>",
        definitions=SIGNALS + '<bpmn:signal id="same" name="alarm"/>',
    )
    assert found == [
        ("p", "Multiple signal event definitions with the same name 'alarm' are not allowed.")
    ]


def test_signal_boundary_names_are_unique_per_activity(problems: Problems) -> None:
    body = (
        boundary(signal())
        + f'<bpmn:boundaryEvent id="b2" attachedToRef="sub">{signal()}</bpmn:boundaryEvent>'
        + '<bpmn:sequenceFlow id="f2" sourceRef="b2" targetRef="end"/>'
    )
    assert problems(START + body, definitions=SIGNALS) == [
        ("sub", "Multiple signal event definitions with the same name 'alarm' are not allowed.")
    ]


# --- escalations ---------------------------------------------------------------------------------


def test_escalation_throw_and_end(parse: Parse) -> None:
    process = parse(
        START
        + f'<bpmn:intermediateThrowEvent id="t">{escalation()}</bpmn:intermediateThrowEvent>'
        + f'<bpmn:endEvent id="e">{escalation("dyn")}</bpmn:endEvent>',
        definitions=ESCALATIONS,
    )
    throw, end = process.element("t"), process.element("e")
    assert isinstance(throw, IntermediateThrowEvent)
    assert isinstance(end, EndEvent)
    assert throw.event_type is end.event_type is BpmnEventType.ESCALATION
    assert throw.events.escalation == EscalationDefinition("esc", Static("LATE"))
    assert end.events.escalation == EscalationDefinition("dyn", Expression("code"))


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (escalation(), EscalationDefinition("esc", Static("LATE"))),
        (escalation(None), EscalationDefinition("", None)),
        (escalation("nocode"), EscalationDefinition("nocode", None)),
    ],
)
def test_escalation_boundary_static_code_or_catch_all(
    parse: Parse, definition: str, expected: EscalationDefinition
) -> None:
    edge = parse(START + boundary(definition), definitions=ESCALATIONS).element("b")
    assert isinstance(edge, BoundaryEvent)
    assert edge.event_type is BpmnEventType.ESCALATION
    assert edge.events.escalation == expected


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        (
            '<bpmn:endEvent id="e"><bpmn:escalationEventDefinition/></bpmn:endEvent>',
            "e",
            "Must reference an escalation",
        ),
        (
            f'<bpmn:endEvent id="e">{escalation("nocode")}</bpmn:endEvent>',
            "nocode",
            "EscalationCode must be present and not empty",
        ),
        (
            f'<bpmn:endEvent id="e">{escalation("zzz")}</bpmn:endEvent>',
            "e",
            "Referenced escalation 'zzz' does not exist",
        ),
        (
            boundary(escalation("dyn")),
            "dyn",
            "The escalationCode of the escalation catch event is not allowed to be an expression",
        ),
        (
            boundary(escalation(), activity=TASK),
            "b",
            "An escalation boundary event should only be attached to a subprocess, or a call "
            "activity.",
        ),
    ],
)
def test_invalid_escalation(problems: Problems, body: str, path: str, message: str) -> None:
    assert problems(START + body, definitions=ESCALATIONS) == [(path, message)]


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            escalation(),
            "Multiple escalation catch events with the same escalation code 'LATE' are not "
            "supported on the same scope.",
        ),
        (None, None),
    ],
)
def test_escalation_codes_are_unique_per_activity(
    problems: Problems, parse: Parse, second: str | None, message: str | None
) -> None:
    def body(first: str, other: str) -> str:
        return (
            START
            + boundary(first)
            + f'<bpmn:boundaryEvent id="b2" attachedToRef="sub">{other}</bpmn:boundaryEvent>'
            + '<bpmn:sequenceFlow id="f2" sourceRef="b2" targetRef="end"/>'
        )

    if second is None:
        catch_all = (
            "The same scope can not contain more than one escalation catch event without "
            "escalation code. An escalation catch event without escalation code catches all "
            "escalations."
        )
        found = problems(body(escalation(None), escalation("nocode")), definitions=ESCALATIONS)
        assert found == [("sub", catch_all)]
        parse(body(escalation(), escalation(None)), definitions=ESCALATIONS)
    else:
        found = problems(body(escalation(), second), definitions=ESCALATIONS)
        assert found == [("sub", message)]


# --- links ---------------------------------------------------------------------------------------


def link(tag: str, node_id: str, name: str) -> str:
    return f'<bpmn:{tag} id="{node_id}"><bpmn:linkEventDefinition name="{name}"/></bpmn:{tag}>'


def test_link_throw_and_catch(parse: Parse) -> None:
    process = parse(
        START
        + link("intermediateThrowEvent", "go", "A")
        + link("intermediateCatchEvent", "land", "A")
        + '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="go"/>'
    )
    throw, catch = process.element("go"), process.element("land")
    assert isinstance(throw, IntermediateThrowEvent)
    assert isinstance(catch, IntermediateCatchEvent)
    assert throw.event_type is catch.event_type is BpmnEventType.LINK
    assert throw.events.link_name == catch.events.link_name == "A"


def test_link_throw_needs_a_catch_in_its_scope(problems: Problems) -> None:
    body = (
        START
        + link("intermediateThrowEvent", "go", "A")
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + link("intermediateCatchEvent", "land", "A")
        + "</bpmn:subProcess>"
    )
    assert problems(body) == [
        ("p", "Can't find an catch link event for the throw link event with the name 'A'.")
    ]


def test_link_catch_names_are_unique(problems: Problems) -> None:
    body = START + link("intermediateCatchEvent", "l1", "A")
    body += link("intermediateCatchEvent", "l2", "A")
    assert problems(body) == [
        (
            "p",
            "Multiple intermediate catch link event definitions with the same name 'A' are not "
            "allowed.",
        )
    ]


def test_link_name_is_required(problems: Problems) -> None:
    body = START + '<bpmn:intermediateCatchEvent id="l"><bpmn:linkEventDefinition/>'
    body += "</bpmn:intermediateCatchEvent>"
    assert problems(body) == [("l", "Link name must be present and not empty.")]


# --- terminate -----------------------------------------------------------------------------------


def test_terminate_end_event(parse: Parse) -> None:
    end = parse(
        START + '<bpmn:endEvent id="e"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
    ).element("e")
    assert isinstance(end, EndEvent)
    assert (end.element_type, end.event_type) == (
        BpmnElementType.END_EVENT,
        BpmnEventType.TERMINATE,
    )


@pytest.mark.parametrize(
    ("start", "definitions"),
    [
        ('<bpmn:signalEventDefinition signalRef="x"/>', '<bpmn:signal id="x" name="= name"/>'),
        ('<bpmn:messageEventDefinition messageRef="x"/>', '<bpmn:message id="x" name="= name"/>'),
    ],
)
def test_start_event_names_are_evaluated_at_deploy(
    problems: Problems, start: str, definitions: str
) -> None:
    body = f'<bpmn:startEvent id="a">{start}</bpmn:startEvent>'
    assert problems(body, definitions=definitions) == [
        (
            "a",
            "Expected result of the expression 'name' to be 'STRING', but was 'NULL'. The "
            "evaluation reported the following warnings:\n[NO_VARIABLE_FOUND] No variable found "
            "with name 'name'",
        )
    ]
