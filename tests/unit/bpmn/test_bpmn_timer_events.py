"""Timer start, catch, boundary and event-subprocess start events, with their deploy-time checks."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems

from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnEventType,
    Expression,
    IntermediateCatchEvent,
    StartEvent,
    Static,
    TimerDefinition,
    TimerKind,
)

START = '<bpmn:startEvent id="start"/>'
TASK = (
    '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="w"/>'
    "</bpmn:extensionElements></bpmn:serviceTask>"
)
END = '<bpmn:endEvent id="end"/>'


def timer(kind: str, value: str) -> str:
    return (
        f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"
    )


def timer_start(kind: str, value: str, node_id: str = "ts") -> str:
    return f'<bpmn:startEvent id="{node_id}">{timer(kind, value)}</bpmn:startEvent>'


def boundary(definition: str, *, interrupting: bool = True) -> str:
    cancel = "" if interrupting else ' cancelActivity="false"'
    return (
        TASK
        + f'<bpmn:boundaryEvent id="b" attachedToRef="t"{cancel}>{definition}</bpmn:boundaryEvent>'
        + END
        + '<bpmn:sequenceFlow id="f" sourceRef="b" targetRef="end"/>'
    )


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("timeCycle", "R5/PT10S", Static("R5/PT10S")),
        ("timeCycle", "0 0 9-17 * * MON-FRI", Static("0 0 9-17 * * MON-FRI")),
        ("timeDate", "2030-01-01T12:00:00Z", Static("2030-01-01T12:00:00Z")),
        ("timeDuration", "PT1H", Static("PT1H")),
        ("timeCycle", '= "R/PT" + string(5) + "M"', Expression('"R/PT" + string(5) + "M"')),
    ],
)
def test_timer_start_event(
    parse: Parse, kind: str, value: str, expected: Static | Expression
) -> None:
    process = parse(timer_start(kind, value))
    start = process.element("ts")
    assert isinstance(start, StartEvent)
    assert start.event_type is BpmnEventType.TIMER
    assert start.events.timer == TimerDefinition(TimerKind(kind), expected)
    assert process.timer_start_event_ids == ["ts"]
    assert process.none_start_event_id is None


def test_timer_and_none_start_events_coexist(parse: Parse) -> None:
    process = parse(
        START
        + timer_start("timeCycle", "R/P1D")
        + timer_start("timeDate", "2030-01-01T00:00:00+01:00", "t2")
    )
    assert process.none_start_event_id == "start"
    assert process.timer_start_event_ids == ["ts", "t2"]


def test_timer_value_is_trimmed(parse: Parse) -> None:
    start = parse(timer_start("timeCycle", "\n  R3/PT1M  \n")).element("ts")
    assert isinstance(start, StartEvent)
    assert start.events.timer == TimerDefinition(TimerKind.CYCLE, Static("R3/PT1M"))


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("timeDuration", "foo", "duration expression (Invalid duration format 'foo'"),
        ("timeDate", "foo", "date expression (Invalid date-time format 'foo'"),
        (
            "timeDate",
            "2030-01-01T12:00",
            "date expression (Invalid date-time format '2030-01-01T12:00'",
        ),
    ],
)
def test_invalid_static_timer_value_is_rejected(
    problems: Problems, kind: str, value: str, message: str
) -> None:
    body = START + '<bpmn:intermediateCatchEvent id="c">' + timer(kind, value)
    body += "</bpmn:intermediateCatchEvent>"
    assert problems(body) == [("c", f"Invalid timer {message} for expression '{value}')")]


@pytest.mark.parametrize("value", ["foo", "R5", "Rx/PT1S", "R5/P", "60 * * * * *", "* * * * *"])
def test_invalid_static_cycle_is_rejected(problems: Problems, value: str) -> None:
    [(path, message)] = problems(timer_start("timeCycle", value))
    assert path == "ts"
    assert message.startswith("Invalid timer cycle expression (")
    assert f"'{value}'" in message


def test_timer_needs_exactly_one_kind(problems: Problems) -> None:
    both = (
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration>"
        "<bpmn:timeDate>2030-01-01T00:00:00Z</bpmn:timeDate></bpmn:timerEventDefinition>"
    )
    message = "Must be exactly one type of timer: timeDuration, timeDate or timeCycle"
    assert problems(f'<bpmn:startEvent id="ts">{both}</bpmn:startEvent>') == [("ts", message)]
    empty = '<bpmn:startEvent id="ts"><bpmn:timerEventDefinition/></bpmn:startEvent>'
    assert problems(empty) == [("ts", message)]


def test_timer_expression_is_syntax_checked(problems: Problems) -> None:
    assert problems(timer_start("timeCycle", "=")) == [
        ("ts", "Expected an expression after '=' but found none")
    ]


@pytest.mark.parametrize(
    ("kind", "value"), [("timeDuration", "PT5M"), ("timeDate", "2030-01-01T00:00:00Z")]
)
def test_timer_catch_event(parse: Parse, kind: str, value: str) -> None:
    event = parse(
        START
        + '<bpmn:intermediateCatchEvent id="c">'
        + timer(kind, value)
        + "</bpmn:intermediateCatchEvent>"
    ).element("c")
    assert isinstance(event, IntermediateCatchEvent)
    assert event.event_type is BpmnEventType.TIMER
    assert event.events.timer == TimerDefinition(TimerKind(kind), Static(value))


def test_timer_catch_event_with_cycle_is_rejected(problems: Problems) -> None:
    body = START + '<bpmn:intermediateCatchEvent id="c">' + timer("timeCycle", "R/PT1S")
    body += "</bpmn:intermediateCatchEvent>"
    assert problems(body) == [
        ("c", "Intermediate timer catch event must have either a time duration or a time date.")
    ]


@pytest.mark.parametrize(
    ("kind", "value", "interrupting"),
    [
        ("timeDuration", "PT5M", True),
        ("timeDate", "2030-01-01T00:00:00Z", True),
        ("timeDuration", "PT5M", False),
        ("timeDate", "2030-01-01T00:00:00Z", False),
        ("timeCycle", "R3/PT5M", False),
        ("timeCycle", "0 */5 * * * *", False),
    ],
)
def test_timer_boundary_event(parse: Parse, kind: str, value: str, interrupting: bool) -> None:
    process = parse(START + boundary(timer(kind, value), interrupting=interrupting))
    event = process.element("b")
    assert isinstance(event, BoundaryEvent)
    assert event.event_type is BpmnEventType.TIMER
    assert event.cancel_activity is interrupting
    assert event.events.timer == TimerDefinition(TimerKind(kind), Static(value))
    assert process.element("t").boundary_event_ids == ["b"]


def test_interrupting_timer_boundary_with_cycle_is_rejected(problems: Problems) -> None:
    assert problems(START + boundary(timer("timeCycle", "R3/PT5M"))) == [
        ("b", "Interrupting timer event with time cycle is not allowed.")
    ]


def event_sub_process(start: str, *, interrupting: bool = True) -> str:
    flag = "" if interrupting else ' isInterrupting="false"'
    return (
        '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        f'<bpmn:startEvent id="es"{flag}>{start}</bpmn:startEvent>'
        '<bpmn:endEvent id="ee"/><bpmn:sequenceFlow id="ef" sourceRef="es" targetRef="ee"/>'
        "</bpmn:subProcess>"
    )


@pytest.mark.parametrize("interrupting", [True, False])
def test_event_sub_process_timer_start(parse: Parse, interrupting: bool) -> None:
    process = parse(
        START + event_sub_process(timer("timeDuration", "PT1M"), interrupting=interrupting)
    )
    start = process.element("es")
    assert isinstance(start, StartEvent)
    assert start.event_type is BpmnEventType.TIMER
    assert start.is_interrupting is interrupting
    assert start.events.timer == TimerDefinition(TimerKind.DURATION, Static("PT1M"))
    # Timer starts of event subprocesses are not process start events.
    assert process.timer_start_event_ids == []


def test_event_sub_process_timer_cycle_must_be_non_interrupting(
    parse: Parse, problems: Problems
) -> None:
    parse(START + event_sub_process(timer("timeCycle", "R/PT1M"), interrupting=False))
    assert problems(START + event_sub_process(timer("timeCycle", "R/PT1M"))) == [
        ("es", "Interrupting timer event with time cycle is not allowed.")
    ]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("timeCycle", '= "R/PT1H"'),
        ("timeCycle", '= "0 0 " + string(9) + " * * *"'),
        ("timeDate", '= date and time("2030-01-01T00:00:00Z")'),
        ("timeDate", '= now() + duration("PT1H")'),
        ("timeDate", '= "2030-01-01T00:00:00Z"'),
        ("timeDuration", '= duration("PT1H")'),
        ("timeDuration", '= duration("P1M")'),
    ],
)
def test_start_event_timer_expression_evaluated_at_deploy(
    parse: Parse, kind: str, value: str
) -> None:
    parse(timer_start(kind, value))


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (
            "timeCycle",
            "= INVALID_CYCLE_EXPRESSION",
            "Invalid timer cycle expression (Expected result of the expression "
            "'INVALID_CYCLE_EXPRESSION' to be 'STRING', but was 'NULL'. The evaluation reported "
            "the following warnings:\n[NO_VARIABLE_FOUND] No variable found with name "
            "'INVALID_CYCLE_EXPRESSION')",
        ),
        (
            "timeCycle",
            '= "R5"',
            "Invalid timer cycle expression (Invalid time cycle format 'R5': no interval given "
            "for expression '\"R5\"')",
        ),
        (
            "timeDate",
            "= today()",
            "Invalid timer date expression (Expected result of the expression 'today()' to be "
            "one of 'DATE_TIME', 'STRING', but was 'DATE'.)",
        ),
    ],
)
def test_start_event_timer_expression_that_fails_without_variables(
    problems: Problems, kind: str, value: str, message: str
) -> None:
    assert problems(timer_start(kind, value)) == [("ts", message)]


def test_only_process_level_start_expressions_are_evaluated_at_deploy(parse: Parse) -> None:
    parse(START + event_sub_process(timer("timeDuration", "= delay")))
    parse(
        START
        + '<bpmn:intermediateCatchEvent id="c">'
        + timer("timeDuration", "= delay")
        + "</bpmn:intermediateCatchEvent>"
    )
