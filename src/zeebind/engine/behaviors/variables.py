"""Variable scopes: set_local, propagate, and input/output mappings (Zeebe's rules, §4.1)."""

from __future__ import annotations

import copy
from typing import Any

from zeebind.bpmn.model import Mapping
from zeebind.engine.behaviors.expressions import Failure, ScopeVariables, evaluate_mapping_source
from zeebind.engine.context import Context
from zeebind.engine.state import canonical_json
from zeebind.protocol.intent import VariableIntent
from zeebind.protocol.record import ValueType


def _write(
    ctx: Context, scope_key: int, name: str, value: Any, owner: dict[str, Any] | None = None
) -> None:
    state = ctx.state
    text = canonical_json(value)
    existing = state.variables.get(scope_key, {}).get(name)
    if existing is not None and existing.text == text:
        return  # Zeebe writes nothing when a variable keeps its value
    if owner is None:
        owner = state.element_instances[scope_key].value
    record_value = {
        "name": name,
        "value": text,
        "scopeKey": scope_key,
        "processInstanceKey": owner["processInstanceKey"],
        "processDefinitionKey": owner["processDefinitionKey"],
        "bpmnProcessId": owner["bpmnProcessId"],
        "tenantId": owner["tenantId"],
    }
    if existing is None:
        ctx.result.append_event(ValueType.VARIABLE, VariableIntent.CREATED, ctx.key(), record_value)
    else:
        ctx.result.append_event(
            ValueType.VARIABLE, VariableIntent.UPDATED, existing.key, record_value
        )


def set_local(
    ctx: Context, scope_key: int, document: dict[str, Any], owner: dict[str, Any] | None = None
) -> None:
    """Creates or updates each variable in `scope_key` itself. `owner` describes a scope whose
    element instance does not exist yet (the root scope while its instance is being created)."""
    for name, value in document.items():
        _write(ctx, scope_key, name, value, owner)


def propagate(ctx: Context, scope_key: int, document: dict[str, Any]) -> None:
    """Each variable goes to the nearest scope that has it, else to the process instance."""
    chain = list(ctx.state.scope_chain(scope_key))
    root = chain[-1]
    for name, value in document.items():
        target = root
        for key in chain:
            if name in ctx.state.variables.get(key, {}):
                target = key
                break
        _write(ctx, target, name, value)


def _assign_path(document: dict[str, Any], target: str, value: Any, base: Any) -> None:
    """Put `value` at the dotted `target` path; nested paths extend `base` (an existing object)."""
    parts = target.split(".")
    if len(parts) == 1:
        document[target] = value
        return
    head = parts[0]
    if head not in document:
        document[head] = copy.deepcopy(base) if isinstance(base, dict) else {}
    node = document[head]
    for part in parts[1:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def apply_inputs(ctx: Context, scope_key: int, inputs: list[Mapping]) -> Failure | None:
    """Evaluates input mappings in order (later ones see earlier targets); sets them local."""
    if not inputs:
        return None
    local: dict[str, Any] = {}
    variables = ScopeVariables(ctx.state, scope_key, local)
    for mapping in inputs:
        value = evaluate_mapping_source(mapping.source, variables)
        if isinstance(value, Failure):
            return value
        _assign_path(local, mapping.target, value, None)
    set_local(ctx, scope_key, local)
    return None


def evaluate_outputs(
    ctx: Context, scope_key: int, outputs: list[Mapping]
) -> dict[str, Any] | Failure:
    """The output mappings evaluated in the element's scope, as a document for its flow scope."""
    document: dict[str, Any] = {}
    variables = ScopeVariables(ctx.state, scope_key)
    instance = ctx.state.element_instances[scope_key]
    outer = ScopeVariables(ctx.state, instance.flow_scope_key)
    for mapping in outputs:
        value = evaluate_mapping_source(mapping.source, variables)
        if isinstance(value, Failure):
            return value
        head = mapping.target.split(".")[0]
        _assign_path(document, mapping.target, value, outer.get(head))
    return document


def complete_with_result(
    ctx: Context, scope_key: int, outputs: list[Mapping], result: dict[str, Any] | None
) -> Failure | None:
    """Result variables of a completing element (job, message, event): Zeebe's §4.1 rules."""
    if not outputs:
        if result:
            propagate(ctx, scope_key, result)
        return None
    if result:
        set_local(ctx, scope_key, result)
    document = evaluate_outputs(ctx, scope_key, outputs)
    if isinstance(document, Failure):
        return document
    instance = ctx.state.element_instances[scope_key]
    propagate(ctx, instance.flow_scope_key, document)
    return None
