"""Elements outside the supported set are rejected at deploy time, naming the element."""

from __future__ import annotations

import pytest
from bpmn_documents import Problems

from zeebind.bpmn.parser import BUILDERS

START = '<bpmn:startEvent id="start"/>'
TIMER = "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration>"
TIMER += "</bpmn:timerEventDefinition>"
TASK = '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="w"/>'
TASK += "</bpmn:extensionElements></bpmn:serviceTask>"


def event(tag: str, definition: str, **attributes: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return f'<bpmn:{tag} id="x"{extra}>{definition}</bpmn:{tag}>'


CASES = {
    "timer start": (
        event("startEvent", TIMER),
        "Elements of type 'timerEventDefinition' are not supported yet",
    ),
    "signal start": (
        event("startEvent", '<bpmn:signalEventDefinition signalRef="s"/>'),
        "Elements of type 'signalEventDefinition' are not supported yet",
    ),
    "timer catch": (
        event("intermediateCatchEvent", TIMER),
        "Elements of type 'timerEventDefinition' are not supported yet",
    ),
    "link catch": (
        event("intermediateCatchEvent", '<bpmn:linkEventDefinition name="a"/>'),
        "Elements of type 'linkEventDefinition' are not supported yet",
    ),
    "conditional catch": (
        event("intermediateCatchEvent", "<bpmn:conditionalEventDefinition/>"),
        "Elements of type 'conditionalEventDefinition' are not supported yet",
    ),
    "message throw": (
        event("intermediateThrowEvent", "<bpmn:messageEventDefinition/>"),
        "Elements of type 'intermediateThrowEvent' with 'messageEventDefinition' are not "
        "supported yet",
    ),
    "escalation throw": (
        event("intermediateThrowEvent", "<bpmn:escalationEventDefinition/>"),
        "Elements of type 'escalationEventDefinition' are not supported yet",
    ),
    "compensation throw": (
        event("intermediateThrowEvent", "<bpmn:compensateEventDefinition/>"),
        "Elements of type 'compensateEventDefinition' are not supported yet",
    ),
    "terminate end": (
        event("endEvent", "<bpmn:terminateEventDefinition/>"),
        "Elements of type 'terminateEventDefinition' are not supported yet",
    ),
    "message end": (
        event("endEvent", "<bpmn:messageEventDefinition/>"),
        "Elements of type 'endEvent' with 'messageEventDefinition' are not supported yet",
    ),
    "signal end": (
        event("endEvent", "<bpmn:signalEventDefinition/>"),
        "Elements of type 'signalEventDefinition' are not supported yet",
    ),
    "timer boundary": (
        TASK
        + event("boundaryEvent", TIMER, attachedToRef="t")
        + '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>',
        "Elements of type 'timerEventDefinition' are not supported yet",
    ),
    "call activity": (
        '<bpmn:callActivity id="x"/>',
        "Elements of type 'callActivity' are not supported yet",
    ),
    "event-based gateway": (
        '<bpmn:eventBasedGateway id="x"/>',
        "Elements of type 'eventBasedGateway' are not supported yet",
    ),
    "inclusive gateway": (
        '<bpmn:inclusiveGateway id="x"/>',
        "Elements of type 'inclusiveGateway' are not supported yet",
    ),
    "complex gateway": (
        '<bpmn:complexGateway id="x"/>',
        "Elements of type 'complexGateway' are not supported yet",
    ),
    "transaction": (
        '<bpmn:transaction id="x"/>',
        "Elements of type 'transaction' are not supported yet",
    ),
    "ad-hoc subprocess": (
        '<bpmn:adHocSubProcess id="x"/>',
        "Elements of type 'adHocSubProcess' are not supported yet",
    ),
    "event subprocess": (
        '<bpmn:subProcess id="x" triggeredByEvent="true"><bpmn:startEvent id="s">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent></bpmn:subProcess>',
        "Event subprocesses are not supported yet",
    ),
    "multi-instance": (
        '<bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics/></bpmn:task>',
        "Elements of type 'multiInstanceLoopCharacteristics' are not supported yet",
    ),
    "standard loop": (
        '<bpmn:task id="x"><bpmn:standardLoopCharacteristics/></bpmn:task>',
        "Elements of type 'standardLoopCharacteristics' are not supported yet",
    ),
    "compensation handler": (
        '<bpmn:task id="x" isForCompensation="true"/>',
        "Compensation handlers ('isForCompensation') are not supported yet",
    ),
    "feel script task": (
        '<bpmn:scriptTask id="x"><bpmn:extensionElements><zeebe:script expression="=1" '
        'resultVariable="r"/></bpmn:extensionElements></bpmn:scriptTask>',
        "Elements of type 'scriptTask' with 'zeebe:script' are not supported yet",
    ),
    "publish message send task": (
        '<bpmn:sendTask id="x"><bpmn:extensionElements><zeebe:publishMessage '
        'messageName="m"/></bpmn:extensionElements></bpmn:sendTask>',
        "Elements of type 'sendTask' with 'zeebe:publishMessage' are not supported yet",
    ),
    "camunda user task": (
        '<bpmn:userTask id="x"><bpmn:extensionElements><zeebe:userTask/>'
        "</bpmn:extensionElements></bpmn:userTask>",
        "Elements of type 'userTask' with 'zeebe:userTask' (Camunda user tasks) are not "
        "supported yet",
    ),
    "linked form": (
        '<bpmn:userTask id="x"><bpmn:extensionElements><zeebe:formDefinition formId="f"/>'
        "</bpmn:extensionElements></bpmn:userTask>",
        "Attribute 'formId' of 'zeebe:formDefinition' is not supported yet",
    ),
    "execution listeners": (
        '<bpmn:task id="x"><bpmn:extensionElements><zeebe:executionListeners/>'
        "</bpmn:extensionElements></bpmn:task>",
        "Extension element 'zeebe:executionListeners' is not supported yet",
    ),
}


@pytest.mark.parametrize(("body", "message"), CASES.values(), ids=CASES.keys())
def test_unsupported_element_is_rejected_by_name(
    problems: Problems, body: str, message: str
) -> None:
    found = problems(START + body)
    assert found[0][1] == message
    assert all("not supported yet" in text for _, text in found), found


def test_only_unsupported_start_event_is_one_problem(problems: Problems) -> None:
    """No follow-up "Must have at least one start event"."""
    assert ("startEvent", "timerEventDefinition") not in BUILDERS
    assert problems(event("startEvent", TIMER)) == [
        ("x", "Elements of type 'timerEventDefinition' are not supported yet")
    ]
