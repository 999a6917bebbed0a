"""Creating process instances: by the creation command, a message start event, a call activity."""

from __future__ import annotations

from zeebind.engine.behaviors.variables import set_local
from zeebind.engine.context import Context
from zeebind.engine.state import ProcessDefinition
from zeebind.protocol.intent import ProcessInstanceIntent
from zeebind.protocol.record import ValueType


def create_instance(
    ctx: Context,
    definition: ProcessDefinition,
    variables: dict[str, object],
    *,
    start_element_id: str | None = None,
    start_variables: dict[str, object] | None = None,
    process_instance_key: int | None = None,
    parent: tuple[int, int] | None = None,
    start_instructions: list[dict[str, object]] | None = None,
) -> int:
    """Creates a process instance: root variables first, then the process is activated.

    `parent` is (process instance key, call activity instance key) for a child instance.
    """
    key = process_instance_key if process_instance_key is not None else ctx.key()
    if variables:
        # Root variables belong to the instance before its process element exists.
        owner = {
            "processInstanceKey": key,
            "processDefinitionKey": definition.key,
            "bpmnProcessId": definition.bpmn_process_id,
            "tenantId": definition.tenant_id,
        }
        set_local(ctx, key, dict(variables), owner)
    value: dict[str, object] = {
        "bpmnProcessId": definition.bpmn_process_id,
        "version": definition.version,
        "processDefinitionKey": definition.key,
        "processInstanceKey": key,
        "elementId": definition.bpmn_process_id,
        "flowScopeKey": -1,
        "bpmnElementType": "PROCESS",
        "bpmnEventType": "UNSPECIFIED",
        "parentProcessInstanceKey": parent[0] if parent else -1,
        "parentElementInstanceKey": parent[1] if parent else -1,
        "tenantId": definition.tenant_id,
    }
    if start_element_id is not None:
        value["startElementId"] = start_element_id
    if start_variables:
        value["variables"] = start_variables
    if start_instructions:
        value["startInstructions"] = start_instructions
    ctx.result.follow_up(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ACTIVATE_ELEMENT, key, value
    )
    return key
