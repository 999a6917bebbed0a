"""Inclusive and event-based gateways, with their deploy-time checks."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems

from zeebind.bpmn.model import (
    BpmnElementType,
    EventBasedGateway,
    Expression,
    InclusiveGateway,
)

START = '<bpmn:startEvent id="start"/>'
MESSAGES = (
    '<bpmn:message id="m" name="paid"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="= id"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:message id="m2" name="paid"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="= id"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:signal id="s" name="alarm"/>'
)


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def catch(node_id: str, definition: str) -> str:
    return f'<bpmn:intermediateCatchEvent id="{node_id}">{definition}</bpmn:intermediateCatchEvent>'


MESSAGE = '<bpmn:messageEventDefinition messageRef="m"/>'
TIMER = (
    "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
    "</bpmn:timerEventDefinition>"
)
SIGNAL = '<bpmn:signalEventDefinition signalRef="s"/>'


# --- inclusive -----------------------------------------------------------------------------------


def inclusive(default: str = "") -> str:
    attribute = f' default="{default}"' if default else ""
    return (
        START
        + f'<bpmn:inclusiveGateway id="g"{attribute}/><bpmn:endEvent id="a"/>'
        + '<bpmn:endEvent id="b"/><bpmn:endEvent id="c"/>'
        + flow("f0", "start", "g")
    )


def test_inclusive_gateway_with_conditions_and_default(parse: Parse) -> None:
    process = parse(
        inclusive(default="fc")
        + flow("fa", "g", "a", "= x &gt; 1")
        + flow("fb", "g", "b", "= y")
        + flow("fc", "g", "c")
    )
    gateway = process.element("g")
    assert isinstance(gateway, InclusiveGateway)
    assert gateway.element_type is BpmnElementType.INCLUSIVE_GATEWAY
    assert gateway.default_flow_id == "fc"
    assert gateway.outgoing == ["fa", "fb", "fc"]
    assert process.flow("fa").condition == Expression("x > 1")


def test_inclusive_gateway_with_one_unconditional_flow(parse: Parse) -> None:
    parse(inclusive() + flow("fa", "g", "a"))


def test_inclusive_join(parse: Parse) -> None:
    gateway = parse(
        START
        + '<bpmn:inclusiveGateway id="split"/><bpmn:inclusiveGateway id="join"/>'
        + '<bpmn:endEvent id="e"/>'
        + flow("f0", "start", "split")
        + flow("f1", "split", "join", "= a")
        + flow("f2", "split", "join", "= b")
        + flow("f3", "join", "e")
    ).element("join")
    assert gateway.incoming == ["f1", "f2"]


def test_inclusive_gateway_flows_need_conditions(problems: Problems) -> None:
    body = inclusive() + flow("fa", "g", "a", "= x") + flow("fb", "g", "b")
    assert problems(body) == [("fb", "Must have a condition or be default flow")]


def test_inclusive_default_flow_must_start_at_the_gateway(problems: Problems) -> None:
    body = inclusive(default="f0") + flow("fa", "g", "a", "= x") + flow("fb", "g", "b", "= y")
    assert problems(body) == [("g", "Default flow must start at gateway")]


# --- event-based ---------------------------------------------------------------------------------


def event_based(*targets: str) -> str:
    body = START + '<bpmn:eventBasedGateway id="g"/>' + flow("f0", "start", "g")
    for index, target in enumerate(targets):
        body += target + flow(f"f{index + 1}", "g", target.split('id="')[1].split('"')[0])
    return body


def test_event_based_gateway(parse: Parse) -> None:
    process = parse(
        event_based(catch("msg", MESSAGE), catch("tmr", TIMER), catch("sig", SIGNAL)),
        definitions=MESSAGES,
    )
    gateway = process.element("g")
    assert isinstance(gateway, EventBasedGateway)
    assert gateway.element_type is BpmnElementType.EVENT_BASED_GATEWAY
    assert [process.flow(f).target_id for f in gateway.outgoing] == ["msg", "tmr", "sig"]


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (
            (catch("msg", MESSAGE),),
            "Event-based gateway must have at least 2 outgoing sequence flows.",
        ),
        (
            (catch("msg", MESSAGE), '<bpmn:task id="t"/>'),
            "Event-based gateway must not have an outgoing sequence flow to other elements than "
            "message/timer/signal/conditional intermediate catch events.",
        ),
        (
            (catch("l1", '<bpmn:linkEventDefinition name="x"/>'), catch("msg", MESSAGE)),
            "Event-based gateway must not have an outgoing sequence flow to other elements than "
            "message/timer/signal/conditional intermediate catch events.",
        ),
        (
            (catch("a", MESSAGE), catch("b", '<bpmn:messageEventDefinition messageRef="m2"/>')),
            "Multiple message event definitions with the same name 'paid' are not allowed.",
        ),
        (
            (catch("a", SIGNAL), catch("b", SIGNAL)),
            "Multiple signal event definitions with the same name 'alarm' are not allowed.",
        ),
    ],
)
def test_invalid_event_based_gateway(
    problems: Problems, targets: tuple[str, ...], message: str
) -> None:
    assert problems(event_based(*targets), definitions=MESSAGES) == [("g", message)]


def test_event_based_gateway_targets_have_no_other_incoming_flows(problems: Problems) -> None:
    body = event_based(catch("msg", MESSAGE), catch("tmr", TIMER)) + flow("fx", "start", "tmr")
    assert problems(body, definitions=MESSAGES) == [
        (
            "g",
            "Target elements of an event gateway must not have any additional incoming sequence "
            "flows other than that from the event gateway.",
        )
    ]
