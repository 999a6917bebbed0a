"""VARIABLE_DOCUMENT UPDATE (the SetVariables RPC)."""

from __future__ import annotations

from zeebind.engine.behaviors.variables import propagate, set_local
from zeebind.engine.context import Context, Processor
from zeebind.protocol.intent import VariableDocumentIntent
from zeebind.protocol.record import Record, RejectionType, ValueType


def update(ctx: Context, command: Record) -> None:
    v = command.value
    scope_key = int(v.get("scopeKey", -1))
    instance = ctx.state.element_instances.get(scope_key)
    if instance is None or instance.state in ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED"):
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to update variables for element with key '{scope_key}', but no such "
            "element was found",
        )
        return
    variables = v.get("variables")
    if not isinstance(variables, dict):
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected document to be a root level object, but was not",
        )
        return
    semantics = v.get("updateSemantics", "PROPAGATE")
    if semantics == "LOCAL":
        set_local(ctx, scope_key, variables)
    else:
        propagate(ctx, scope_key, variables)
    value = {
        "scopeKey": scope_key,
        "updateSemantics": semantics,
        "variables": variables,
        "processInstanceKey": instance.process_instance_key,
        "tenantId": instance.value["tenantId"],
    }
    event = ctx.result.append_event(
        ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATED, ctx.key(), value
    )
    ctx.result.respond(event)


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATE): update
}
