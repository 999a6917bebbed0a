"""Event definitions Zeebe executes, placed where Zeebe never allows them: Zeebe's own texts."""

from __future__ import annotations

import pytest
from bpmn_documents import Problems

START = '<bpmn:startEvent id="start"/>'
TASK = (
    '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="w"/>'
    "</bpmn:extensionElements></bpmn:serviceTask>"
)
TIMER = (
    "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration>"
    "</bpmn:timerEventDefinition>"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<bpmn:intermediateCatchEvent id="x"><bpmn:errorEventDefinition/>'
            "</bpmn:intermediateCatchEvent>",
            "Event definition must be one of: message, timer, signal, link, or conditional",
        ),
        (
            '<bpmn:intermediateCatchEvent id="x"><bpmn:terminateEventDefinition/>'
            "</bpmn:intermediateCatchEvent>",
            "Event definition must be one of: message, timer, signal, link, or conditional",
        ),
        (
            TASK + '<bpmn:boundaryEvent id="x" attachedToRef="t"><bpmn:linkEventDefinition '
            'name="a"/></bpmn:boundaryEvent><bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>',
            "Boundary events must be one of: timer, message, error, signal, escalation",
        ),
        (
            f'<bpmn:endEvent id="x">{TIMER}</bpmn:endEvent>',
            "End events must be one of: none, error, message, terminate, signal, escalation or "
            "compensation",
        ),
        (
            '<bpmn:endEvent id="x"><bpmn:linkEventDefinition name="a"/></bpmn:endEvent>',
            "End events must be one of: none, error, message, terminate, signal, escalation or "
            "compensation",
        ),
    ],
)
def test_event_definition_in_a_position_zeebe_never_allows(
    problems: Problems, body: str, message: str
) -> None:
    assert problems(START + body) == [("x", message)]


def test_definitions_zeebe_never_executes_stay_not_supported(problems: Problems) -> None:
    body = START + '<bpmn:endEvent id="x"><bpmn:cancelEventDefinition/></bpmn:endEvent>'
    assert problems(body) == [
        ("x", "Elements of type 'cancelEventDefinition' are not supported yet")
    ]
