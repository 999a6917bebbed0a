"""Readers of the zeebe: extension elements (taskDefinition, ioMapping, subscription, ...)."""

from __future__ import annotations

import json
import re
from datetime import datetime

from zeebind.bpmn.document import XmlElement, local_name, namespace
from zeebind.bpmn.findings import NOT_PRESENT, Findings
from zeebind.bpmn.model import JobDefinition, Mapping, MessageDefinition, Static

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"

RESERVED_HEADER_PREFIX = "io.camunda.zeebe:"
USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"

_PATH = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*")
# Zeebe's list, in its order: targets that FEEL could not read back as a variable.
FEEL_RESERVED_WORDS = (
    "null", "true", "false", "function", "if", "then", "else", "for", "between", "instance", "of",
)  # fmt: skip


def extension_path(element_id: str, *names: str) -> str:
    return " > ".join((element_id, "extensionElements", *names))


def zeebe_extensions(element: XmlElement, name: str | None = None) -> list[XmlElement]:
    """The zeebe: children of the element's bpmn:extensionElements (all, or those named `name`)."""
    found: list[XmlElement] = []
    for container in element:
        if namespace(container) != BPMN_NS or local_name(container) != "extensionElements":
            continue
        for child in container:
            if namespace(child) != ZEEBE_NS:
                continue
            if name is None or local_name(child) == name:
                found.append(child)
    return found


def _zeebe_children(element: XmlElement, name: str) -> list[XmlElement]:
    return [c for c in element if namespace(c) == ZEEBE_NS and local_name(c) == name]


def check_target(path: str, target: str, findings: Findings) -> None:
    """A mapping (or result) target must be a variable path that FEEL can read back."""
    if not target:
        findings.add(path, "Expected path expression but not found.")
    elif not _PATH.fullmatch(target):
        findings.add(
            path,
            f"Expected path expression '{target}' but doesn't match the pattern '{_PATH.pattern}'.",
        )
    elif target in FEEL_RESERVED_WORDS:
        reserved = ", ".join(FEEL_RESERVED_WORDS)
        findings.add(
            path,
            f"Expected path expression '{target}' but is one of the reserved words ({reserved}).",
        )


def io_mappings(
    element: XmlElement, element_id: str, findings: Findings
) -> tuple[list[Mapping], list[Mapping]]:
    """zeebe:ioMapping: inputs (a missing source means null) and outputs (expression only)."""
    inputs: list[Mapping] = []
    outputs: list[Mapping] = []
    mappings = zeebe_extensions(element, "ioMapping")
    if len(mappings) > 1:
        findings.add(element_id, "Must have at most one 'zeebe:ioMapping' extension element")
    for io_mapping in mappings:
        for kind, target_list in (("input", inputs), ("output", outputs)):
            path = extension_path(element_id, "ioMapping", kind)
            for entry in _zeebe_children(io_mapping, kind):
                target = entry.get("target") or ""
                check_target(path, target, findings)
                source_text = entry.get("source")
                if kind == "input":
                    source = None if source_text is None else findings.value(path, source_text)
                    target_list.append(Mapping(source, target))
                elif not source_text:
                    findings.add(path, NOT_PRESENT.format("source"))
                else:
                    output_source = findings.expression(path, source_text)
                    if output_source is not None:
                        target_list.append(Mapping(output_source, target))
    return inputs, outputs


def task_headers(element: XmlElement, element_id: str, findings: Findings) -> dict[str, str]:
    """zeebe:taskHeaders: static key/value pairs, keys unique and outside the reserved prefix."""
    headers: dict[str, str] = {}
    path = extension_path(element_id, "taskHeaders")
    for container in zeebe_extensions(element, "taskHeaders"):
        for header in _zeebe_children(container, "header"):
            key = header.get("key") or ""
            value = header.get("value")
            if not key:
                findings.add(path, NOT_PRESENT.format("key"))
                continue
            if value is None:
                findings.add(path, f"Attribute 'value' of header '{key}' must be present")
                continue
            if key in headers:
                findings.add(path, f"Headers contain duplicate entries for key '{key}'")
            if key.startswith(RESERVED_HEADER_PREFIX):
                findings.add(
                    path,
                    f"Header key '{key}' must not start with the reserved prefix "
                    f"'{RESERVED_HEADER_PREFIX}'",
                )
            headers[key] = value
    return headers


def task_definition(
    element: XmlElement, element_id: str, findings: Findings, missing: str
) -> JobDefinition | None:
    """zeebe:taskDefinition (exactly one; `missing` is the problem text when there is none)."""
    definitions = zeebe_extensions(element, "taskDefinition")
    if len(definitions) != 1:
        findings.add(element_id, missing)
        return None
    definition = definitions[0]
    path = extension_path(element_id, "taskDefinition")
    type_text = definition.get("type") or ""
    if not type_text.strip():
        findings.add(path, NOT_PRESENT.format("type"))
        return None
    retries_text = definition.get("retries")
    if retries_text is None:
        retries_text = "3"
    elif not retries_text.strip():
        findings.add(path, NOT_PRESENT.format("retries"))
        return None
    headers = task_headers(element, element_id, findings)
    return JobDefinition(
        type=findings.value(path, type_text),
        retries=findings.value(path, retries_text),
        headers=headers,
    )


def message_definition(
    message: XmlElement, findings: Findings, *, needs_subscription: bool
) -> MessageDefinition | None:
    """A bpmn:message; events other than start events need its zeebe:subscription correlationKey."""
    message_id = message.get("id") or ""
    name_text = message.get("name") or ""
    if not name_text.strip():
        findings.add(message_id, "Name must be present and not empty")
        return None
    name = findings.value(message_id, name_text)
    if not needs_subscription:
        return MessageDefinition(message_id, name)
    subscriptions = zeebe_extensions(message, "subscription")
    if len(subscriptions) != 1:
        findings.add(message_id, "Must have exactly one 'zeebe:subscription' extension element")
        return None
    path = extension_path(message_id, "subscription")
    key_text = subscriptions[0].get("correlationKey") or ""
    if not key_text.strip():
        findings.add(path, NOT_PRESENT.format("correlationKey"))
        return None
    correlation_key = findings.expression(path, key_text)
    if correlation_key is None:
        return None
    return MessageDefinition(message_id, name, correlation_key)


def user_task_job(
    element: XmlElement, element_id: str, findings: Findings, *, native: bool = False
) -> JobDefinition:
    """A job-based user task: a fixed job type; the task's settings become reserved headers.

    zeebind runs Camunda user tasks (`zeebe:userTask`, `native`) the same way: there is no
    user-task REST API to complete them, so they are completed as jobs; their `formId` and
    `externalReference` become the headers `io.camunda.zeebe:formId` / `io.camunda.zeebe:formKey`.
    """
    headers = task_headers(element, element_id, findings)
    for form in zeebe_extensions(element, "formDefinition"):
        path = extension_path(element_id, "formDefinition")
        if native:
            for attribute, header in (("formId", "formId"), ("externalReference", "formKey")):
                text = form.get(attribute)
                if text is not None:
                    _static_header(path, header, text, headers, findings)
        else:
            for attribute in ("formId", "externalReference"):
                if form.get(attribute) is not None:
                    findings.add(
                        path,
                        f"Attribute '{attribute}' of 'zeebe:formDefinition' is not supported yet",
                    )
        form_key = form.get("formKey")
        if form_key is not None:
            _static_header(path, "formKey", form_key, headers, findings)
    for assignment in zeebe_extensions(element, "assignmentDefinition"):
        path = extension_path(element_id, "assignmentDefinition")
        assignee = assignment.get("assignee")
        if assignee is not None:
            _static_header(path, "assignee", assignee, headers, findings)
        for attribute in ("candidateGroups", "candidateUsers"):
            text = assignment.get(attribute)
            if text is not None and _is_static(path, attribute, text, findings):
                names = [name.strip() for name in text.split(",") if name.strip()]
                headers[RESERVED_HEADER_PREFIX + attribute] = json.dumps(
                    names, separators=(",", ":")
                )
    for schedule in zeebe_extensions(element, "taskSchedule"):
        path = extension_path(element_id, "taskSchedule")
        for attribute in ("dueDate", "followUpDate"):
            text = schedule.get(attribute)
            if text is None or not _is_static(path, attribute, text, findings):
                continue
            try:
                datetime.fromisoformat(text)
            except ValueError:
                findings.add(
                    path,
                    f"Expected a valid ISO 8601 date-time for attribute '{attribute}' "
                    f"but found '{text}'",
                )
            else:
                headers[RESERVED_HEADER_PREFIX + attribute] = text
    return JobDefinition(Static(USER_TASK_JOB_TYPE), Static("3"), headers)


def _is_static(path: str, attribute: str, text: str, findings: Findings) -> bool:
    if text.startswith("="):
        findings.add(path, f"Expressions in attribute '{attribute}' are not supported yet")
        return False
    return True


def _static_header(
    path: str, attribute: str, text: str, headers: dict[str, str], findings: Findings
) -> None:
    if _is_static(path, attribute, text, findings) and text.strip():
        headers[RESERVED_HEADER_PREFIX + attribute] = text
