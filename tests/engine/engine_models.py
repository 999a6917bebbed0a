"""Compact BPMN text for engine scenario tests (the parser is tested on Modeler files elsewhere)."""

from __future__ import annotations

from itertools import pairwise

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" '
    'targetNamespace="http://bpmn.io/schema/bpmn">'
)


def definitions(*processes: str, extra: str = "") -> str:
    return HEADER + "".join(processes) + extra + "</bpmn:definitions>"


def process(process_id: str, *body: str) -> str:
    return f'<bpmn:process id="{process_id}" isExecutable="true">{"".join(body)}</bpmn:process>'


def model(process_id: str, *body: str, extra: str = "") -> str:
    return definitions(process(process_id, *body), extra=extra)


def start(element_id: str = "start", inner: str = "") -> str:
    return f'<bpmn:startEvent id="{element_id}">{inner}</bpmn:startEvent>'


def end(element_id: str = "end", inner: str = "") -> str:
    return f'<bpmn:endEvent id="{element_id}">{inner}</bpmn:endEvent>'


def service(element_id: str, job_type: str, extensions: str = "", retries: str = "3") -> str:
    return (
        f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}" retries="{retries}"/>{extensions}'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    body = ""
    if condition is not None:
        body = (
            '<bpmn:conditionExpression xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        )
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"{body}</bpmn:sequenceFlow>"
    )


def chain(*ids: str) -> str:
    """Sequence flows between consecutive element ids."""
    return "".join(flow(f"f_{a}_{b}", a, b) for a, b in pairwise(ids))


def io(inputs: dict[str, str] | None = None, outputs: dict[str, str] | None = None) -> str:
    parts = [f'<zeebe:input source="{s}" target="{t}"/>' for t, s in (inputs or {}).items()]
    parts += [f'<zeebe:output source="{s}" target="{t}"/>' for t, s in (outputs or {}).items()]
    return "<zeebe:ioMapping>" + "".join(parts) + "</zeebe:ioMapping>"


def message(message_id: str, name: str, correlation_key: str | None = None) -> str:
    if correlation_key is None:
        return f'<bpmn:message id="{message_id}" name="{name}"/>'
    return (
        f'<bpmn:message id="{message_id}" name="{name}"><bpmn:extensionElements>'
        f'<zeebe:subscription correlationKey="{correlation_key}"/>'
        "</bpmn:extensionElements></bpmn:message>"
    )


ONE_TASK = model("one-task", start(), service("work", "work"), end(), chain("start", "work", "end"))
