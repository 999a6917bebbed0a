"""Elements outside the supported set are rejected at deploy time, naming the element."""

from __future__ import annotations

import pytest
from bpmn_documents import Problems

from zeebind.bpmn.parser import BUILDERS

START = '<bpmn:startEvent id="start"/>'
TASK = '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="w"/>'
TASK += "</bpmn:extensionElements></bpmn:serviceTask>"


def event(tag: str, definition: str, **attributes: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return f'<bpmn:{tag} id="x"{extra}>{definition}</bpmn:{tag}>'


CASES = {
    "conditional start": (
        event("startEvent", "<bpmn:conditionalEventDefinition/>"),
        "Elements of type 'conditionalEventDefinition' are not supported yet",
    ),
    "conditional catch": (
        event("intermediateCatchEvent", "<bpmn:conditionalEventDefinition/>"),
        "Elements of type 'conditionalEventDefinition' are not supported yet",
    ),
    "conditional boundary": (
        TASK
        + event("boundaryEvent", "<bpmn:conditionalEventDefinition/>", attachedToRef="t")
        + '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>',
        "Elements of type 'conditionalEventDefinition' are not supported yet",
    ),
    "cancel end": (
        event("endEvent", "<bpmn:cancelEventDefinition/>"),
        "Elements of type 'cancelEventDefinition' are not supported yet",
    ),
    "cancel boundary": (
        TASK
        + event("boundaryEvent", "<bpmn:cancelEventDefinition/>", attachedToRef="t")
        + '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>',
        "Elements of type 'cancelEventDefinition' are not supported yet",
    ),
    "conditional event subprocess start": (
        '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        + event("startEvent", "<bpmn:conditionalEventDefinition/>")
        + "</bpmn:subProcess>",
        "Elements of type 'conditionalEventDefinition' are not supported yet",
    ),
    "link start": (
        event("startEvent", '<bpmn:linkEventDefinition name="a"/>'),
        "Elements of type 'startEvent' with 'linkEventDefinition' are not supported yet",
    ),
    "publish message throw": (
        event(
            "intermediateThrowEvent",
            "<bpmn:messageEventDefinition><bpmn:extensionElements>"
            '<zeebe:publishMessage messageName="m" correlationKey="=k"/>'
            "</bpmn:extensionElements></bpmn:messageEventDefinition>",
        ),
        "Elements of type 'intermediateThrowEvent' with 'zeebe:publishMessage' are not "
        "supported yet",
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
    "standard loop": (
        '<bpmn:task id="x"><bpmn:standardLoopCharacteristics/></bpmn:task>',
        "Elements of type 'standardLoopCharacteristics' are not supported yet",
    ),
    "publish message send task": (
        '<bpmn:sendTask id="x"><bpmn:extensionElements><zeebe:publishMessage '
        'messageName="m"/></bpmn:extensionElements></bpmn:sendTask>',
        "Elements of type 'sendTask' with 'zeebe:publishMessage' are not supported yet",
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
    "task listeners": (
        '<bpmn:userTask id="x"><bpmn:extensionElements><zeebe:taskListeners/>'
        "</bpmn:extensionElements></bpmn:userTask>",
        "Extension element 'zeebe:taskListeners' is not supported yet",
    ),
    "ad-hoc extension": (
        '<bpmn:subProcess id="x"><bpmn:extensionElements><zeebe:adHoc/>'
        '</bpmn:extensionElements><bpmn:startEvent id="y"/></bpmn:subProcess>',
        "Extension element 'zeebe:adHoc' is not supported yet",
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
    assert ("startEvent", "conditionalEventDefinition") not in BUILDERS
    assert problems(event("startEvent", "<bpmn:conditionalEventDefinition/>")) == [
        ("x", "Elements of type 'conditionalEventDefinition' are not supported yet")
    ]
