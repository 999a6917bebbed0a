"""PROCESS_INSTANCE_CREATION CREATE (and CREATE_WITH_AWAITING_RESULT)."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import NOT_STARTABLE_TYPES, STARTABLE_TYPE_NAMES, BpmnElementType, Process
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


_EXPECTED = "Expected to create instance of process with start instructions but "


def _start_instructions(
    ctx: Context, model: Process, instructions: list[dict[str, Any]]
) -> list[dict[str, Any]] | str:
    """Start instructions (start before these elements instead of the none start event), each
    with the key its element instance will have and the flow scopes to open for it (outer first;
    instructions into the same subprocess share its instance); or why they cannot be followed.
    Zeebe's checks, in its order: each one over all instructions, the first failure answers."""
    ids = [str(instruction.get("elementId", "")) for instruction in instructions]
    for element_id in ids:
        if element_id not in model.elements and element_id not in model.sequence_flows:
            return f"{_EXPECTED}no element found with id '{element_id}'."
    for element_id in ids:
        element = model.elements.get(element_id)
        if element is not None and any(
            model.element(scope_id).loop is not None
            for scope_id in model.flow_scope_ids(element)[:-1]
        ):
            return (
                f"{_EXPECTED}the element with id '{element_id}' is inside a multi-instance "
                "subprocess. The creation of elements inside a multi-instance subprocess is not "
                "supported."
            )
    for element_id in ids:
        element_type = model.type_of(element_id)
        if element_type in NOT_STARTABLE_TYPES:
            return (
                f"{_EXPECTED}the element with id '{element_id}' targets unsupported element type "
                f"'{element_type}'. Supported element types are: {STARTABLE_TYPE_NAMES}"
            )
    for element_id in ids:
        if any(
            model.element(model.flow(f).source_id).element_type
            is BpmnElementType.EVENT_BASED_GATEWAY
            for f in model.element(element_id).incoming
        ):
            return (
                f"{_EXPECTED}the element with id '{element_id}' belongs to an event-based "
                "gateway. The creation of elements belonging to an event-based gateway is not "
                "supported."
            )
    opened: dict[str, int] = {}  # flow scope id -> the key of its instance
    starts: list[dict[str, Any]] = []
    for element_id in ids:
        scopes = []
        for scope_id in reversed(model.flow_scope_ids(model.element(element_id))[:-1]):
            if scope_id not in opened:
                opened[scope_id] = ctx.key()
            scopes.append({"elementId": scope_id, "elementInstanceKey": opened[scope_id]})
        start: dict[str, Any] = {"elementId": element_id, "elementInstanceKey": ctx.key()}
        if scopes:
            start["flowScopes"] = scopes
        starts.append(start)
    return starts


def create(ctx: Context, command: Record) -> None:
    found = _find_definition(ctx, command)
    if isinstance(found, str):
        ctx.result.reject(command, RejectionType.NOT_FOUND, found)
        return
    model = ctx.model(found.key)
    if model.none_start_event_id is None and not command.value.get("startInstructions"):
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
