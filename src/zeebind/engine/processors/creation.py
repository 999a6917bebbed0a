"""PROCESS_INSTANCE_CREATION CREATE (and CREATE_WITH_AWAITING_RESULT)."""

from __future__ import annotations

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
    if command.value.get("startInstructions"):
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected to create an instance with start instructions, but start instructions "
            "are not supported yet",
        )
        return
    key = create_instance(ctx, found, variables)
    awaiting = command.intent == ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
    value = {
        "bpmnProcessId": found.bpmn_process_id,
        "version": found.version,
        "processDefinitionKey": found.key,
        "processInstanceKey": key,
        "variables": variables,
        "startInstructions": [],
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
