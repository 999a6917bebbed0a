"""Event subprocesses: start events of every kind, scoping and their deploy-time checks."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems

from zeebind.bpmn.model import (
    BpmnElementType,
    BpmnEventType,
    EscalationDefinition,
    Expression,
    MessageDefinition,
    SignalDefinition,
    StartEvent,
    Static,
    SubProcess,
)

START = '<bpmn:startEvent id="start"/>'
DEFINITIONS = (
    '<bpmn:message id="m" name="cancel"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:message id="m2" name="cancel"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:signal id="s" name="alarm"/>'
    '<bpmn:error id="e" errorCode="BOOM"/><bpmn:error id="e2" errorCode="BOOM"/>'
    '<bpmn:escalation id="esc" escalationCode="LATE"/>'
)
MESSAGE = '<bpmn:messageEventDefinition messageRef="m"/>'
TIMER = (
    "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration>"
    "</bpmn:timerEventDefinition>"
)


def esp(definition: str, *, esp_id: str = "esp", interrupting: bool | None = None) -> str:
    flag = "" if interrupting is None else f' isInterrupting="{str(interrupting).lower()}"'
    return (
        f'<bpmn:subProcess id="{esp_id}" triggeredByEvent="true">'
        f'<bpmn:startEvent id="{esp_id}-start"{flag}>{definition}</bpmn:startEvent>'
        f'<bpmn:endEvent id="{esp_id}-end"/>'
        f'<bpmn:sequenceFlow id="{esp_id}-f" sourceRef="{esp_id}-start" '
        f'targetRef="{esp_id}-end"/></bpmn:subProcess>'
    )


def test_event_sub_process_in_the_process(parse: Parse) -> None:
    process = parse(START + esp(MESSAGE), definitions=DEFINITIONS)
    sub = process.element("esp")
    assert isinstance(sub, SubProcess)
    assert sub.element_type is BpmnElementType.EVENT_SUB_PROCESS
    assert sub.triggered_by_event is True
    assert sub.start_event_ids == ["esp-start"]
    assert sub.start_event_id == "esp-start"
    assert sub.child_ids == ["esp-start", "esp-end"]
    assert process.event_sub_process_ids == ["esp"]
    start = process.element("esp-start")
    assert isinstance(start, StartEvent)
    assert start.flow_scope_id == "esp"
    assert start.is_interrupting is True
    # The message start of an event subprocess subscribes with a correlation key.
    assert start.message == MessageDefinition("m", Static("cancel"), Expression("orderId"))
    # It is not a start event of the process.
    assert process.message_start_event_ids == []
    assert process.none_start_event_id == "start"


def test_event_sub_process_inside_a_subprocess(parse: Parse) -> None:
    process = parse(
        START
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + esp(TIMER, interrupting=False)
        + "</bpmn:subProcess>",
        definitions=DEFINITIONS,
    )
    sub = process.element("sub")
    assert isinstance(sub, SubProcess)
    assert sub.event_sub_process_ids == ["esp"]
    assert sub.start_event_id == "ss"
    assert sub.start_event_ids == ["ss"]
    assert process.event_sub_process_ids == []
    start = process.element("esp-start")
    assert isinstance(start, StartEvent)
    assert (start.event_type, start.is_interrupting) == (BpmnEventType.TIMER, False)


@pytest.mark.parametrize(
    ("definition", "event_type", "field", "expected"),
    [
        (
            '<bpmn:signalEventDefinition signalRef="s"/>',
            BpmnEventType.SIGNAL,
            "signal",
            SignalDefinition("s", Static("alarm")),
        ),
        (
            '<bpmn:escalationEventDefinition escalationRef="esc"/>',
            BpmnEventType.ESCALATION,
            "escalation",
            EscalationDefinition("esc", Static("LATE")),
        ),
        (
            "<bpmn:escalationEventDefinition/>",
            BpmnEventType.ESCALATION,
            "escalation",
            EscalationDefinition("", None),
        ),
    ],
)
def test_signal_and_escalation_starts(
    parse: Parse, definition: str, event_type: BpmnEventType, field: str, expected: object
) -> None:
    start = parse(START + esp(definition, interrupting=False), definitions=DEFINITIONS).element(
        "esp-start"
    )
    assert isinstance(start, StartEvent)
    assert start.event_type is event_type
    assert getattr(start.events, field) == expected
    assert start.is_interrupting is False


@pytest.mark.parametrize(
    ("definition", "code"),
    [('<bpmn:errorEventDefinition errorRef="e"/>', "BOOM"), ("<bpmn:errorEventDefinition/>", None)],
)
def test_error_start_with_code_or_catch_all(
    parse: Parse, definition: str, code: str | None
) -> None:
    start = parse(START + esp(definition), definitions=DEFINITIONS).element("esp-start")
    assert isinstance(start, StartEvent)
    assert (start.event_type, start.error_code, start.is_interrupting) == (
        BpmnEventType.ERROR,
        code,
        True,
    )


def test_error_start_must_be_interrupting(problems: Problems) -> None:
    body = START + esp("<bpmn:errorEventDefinition/>", interrupting=False)
    assert problems(body) == [("esp-start", "Non-Interrupting event of this type is not allowed")]


def test_error_start_code_must_be_static(problems: Problems) -> None:
    body = START + esp('<bpmn:errorEventDefinition errorRef="x"/>')
    assert problems(body, definitions='<bpmn:error id="x" errorCode="= code"/>') == [
        ("x", "The errorCode of the error catch event is not allowed to be an expression")
    ]


def test_event_sub_process_needs_a_typed_start_event(problems: Problems) -> None:
    assert problems(START + esp("")) == [
        (
            "esp",
            "Start events in event subprocesses must be one of: message, timer, error, signal "
            "or escalation",
        )
    ]


def test_event_sub_process_needs_exactly_one_start_event(problems: Problems) -> None:
    body = (
        START + '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        f'<bpmn:startEvent id="a">{TIMER}</bpmn:startEvent>'
        f'<bpmn:startEvent id="b">{TIMER}</bpmn:startEvent></bpmn:subProcess>'
    )
    assert problems(body) == [("esp", "Must have exactly one start event")]


def test_event_sub_process_has_no_sequence_flows(problems: Problems) -> None:
    body = START + esp(TIMER) + '<bpmn:sequenceFlow id="in" sourceRef="start" targetRef="esp"/>'
    assert problems(body) == [("esp", "Event subprocesses must not have incoming sequence flows")]


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (
            MESSAGE,
            '<bpmn:messageEventDefinition messageRef="m2"/>',
            "Multiple message event definitions with the same name 'cancel' are not allowed.",
        ),
        (
            '<bpmn:errorEventDefinition errorRef="e"/>',
            '<bpmn:errorEventDefinition errorRef="e2"/>',
            "Multiple error catch events with the same error code 'BOOM' are not supported on "
            "the same scope.",
        ),
        (
            "<bpmn:errorEventDefinition/>",
            "<bpmn:errorEventDefinition/>",
            "The same scope can not contain more than one error catch event without error code. "
            "An error catch event without error code catches all errors.",
        ),
    ],
)
def test_event_sub_process_triggers_are_unique_per_scope(
    problems: Problems, first: str, second: str, message: str
) -> None:
    body = START + esp(first, esp_id="a") + esp(second, esp_id="b")
    assert problems(body, definitions=DEFINITIONS) == [("p", message)]


@pytest.mark.parametrize(
    "definition",
    ['<bpmn:errorEventDefinition errorRef="e"/>', "<bpmn:escalationEventDefinition/>"],
)
def test_error_and_escalation_starts_need_an_event_sub_process(
    problems: Problems, definition: str
) -> None:
    kind = "error" if "error" in definition else "escalation"
    found = problems(
        f'<bpmn:startEvent id="x">{definition}</bpmn:startEvent>', definitions=DEFINITIONS
    )
    assert found == [("x", f"Start events of type {kind} are only allowed in event subprocesses")]


def test_none_start_in_an_embedded_subprocess_is_still_required(problems: Problems) -> None:
    body = START + '<bpmn:subProcess id="sub">' + f'<bpmn:startEvent id="ss">{TIMER}'
    body += "</bpmn:startEvent></bpmn:subProcess>"
    assert problems(body) == [("ss", "Start events in subprocesses must be of type none")]
