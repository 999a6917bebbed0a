"""PROCESS_INSTANCE_CREATION CREATE (and CREATE_WITH_AWAITING_RESULT)."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import BpmnElementType, Process
from zeebind.engine.behaviors.instances import create_instance
from zeebind.engine.context import Context, Processor
from zeebind.engine.state import ProcessDefinition
from zeebind.protocol.intent import ProcessInstanceCreationIntent
from zeebind.protocol.record import Record, RejectionType, ValueType

_CREATION = ValueType.PROCESS_INSTANCE_CREATION


def _find_definition(ctx: Context, command: Record) -> ProcessDefinition | str:
    v = command.value
    tenant_id = v.get("tenantId") or "<default>"
    key = v.get("processDefinitionKey", -1)
    bpmn_process_id = v.get("bpmnProcessId", "")
    version = v.get("version", -1)
    if bpmn_process_id:
        if version is None or version < 0:
            found = ctx.state.latest_process(bpmn_process_id, tenant_id)
            if found is None:
                return (
                    f"Expected to find process definition with process ID '{bpmn_process_id}', "
                    "but none found"
                )
            return found
        found = ctx.state.process_by_version(bpmn_process_id, version, tenant_id)
        if found is None:
            return (
                f"Expected to find process definition with process ID '{bpmn_process_id}' and "
                f"version '{version}', but none found"
            )
        return found
    definition = ctx.state.processes.get(key) if key and key > 0 else None
    if definition is None or definition.tenant_id != tenant_id:
        return f"Expected to find process definition with key '{key}', but none found"
    return definition


def _start_instructions(
    ctx: Context, model: Process, instructions: list[dict[str, Any]]
) -> list[dict[str, Any]] | str:
    """Start instructions (start before these elements instead of the none start event), each
    with the key its element instance will have; or why they cannot be followed."""
    starts: list[dict[str, Any]] = []
    problems: list[str] = []
    for instruction in instructions:
        element_id = str(instruction.get("elementId", ""))
        element = model.elements.get(element_id)
        if element is None:
            problems.append(f"element '{element_id}' does not exist")
        elif element.element_type is BpmnElementType.BOUNDARY_EVENT:
            problems.append(f"element '{element_id}' is a boundary event")
        elif element.flow_scope_id != model.bpmn_process_id:
            problems.append(
                f"element '{element_id}' is inside a subprocess (starting there is not "
                "supported yet)"
            )
        elif any(
            model.element(model.flow(f).source_id).element_type
            is BpmnElementType.EVENT_BASED_GATEWAY
            for f in element.incoming
        ):
            problems.append(f"element '{element_id}' belongs to an event-based gateway")
        else:
            starts.append({"elementId": element_id, "elementInstanceKey": ctx.key()})
    if problems:
        return "Expected to create instance of process with start instructions but " + "; ".join(
            problems
        )
    return starts


def create(ctx: Context, command: Record) -> None:
    found = _find_definition(ctx, command)
    if isinstance(found, str):
        ctx.result.reject(command, RejectionType.NOT_FOUND, found)
        return
    model = ctx.model(found.key)
    if model.none_start_event_id is None:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            "Expected to create instance of process with none start event, but there is no such "
            "event",
        )
        return
    variables = command.value.get("variables") or {}
    if not isinstance(variables, dict):
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected variables to be a JSON object, but it was not",
        )
        return
    starts = _start_instructions(ctx, model, command.value.get("startInstructions") or [])
    if isinstance(starts, str):
        ctx.result.reject(command, RejectionType.INVALID_ARGUMENT, starts)
        return
    key = create_instance(ctx, found, variables, start_instructions=starts)
    awaiting = command.intent == ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
    value = {
        "bpmnProcessId": found.bpmn_process_id,
        "version": found.version,
        "processDefinitionKey": found.key,
        "processInstanceKey": key,
        "variables": variables,
        "startInstructions": starts,
        "fetchVariables": list(command.value.get("fetchVariables") or []),
        "awaitingResult": awaiting,
        "tenantId": found.tenant_id,
    }
    event = ctx.result.append_event(_CREATION, ProcessInstanceCreationIntent.CREATED, key, value)
    if awaiting:
        ctx.result.awaiting_result_key = key
    else:
        ctx.result.respond(event)


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (_CREATION, ProcessInstanceCreationIntent.CREATE): create,
    (_CREATION, ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT): create,
}
