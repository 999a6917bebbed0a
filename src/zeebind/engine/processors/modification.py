"""PROCESS_INSTANCE_MODIFICATION MODIFY: activate elements, terminate element instances.

Everything is validated first; a command that cannot be applied as a whole is rejected and
changes nothing. Then, in this order:

1. MODIFIED is written (the response). It names the element instances the activations create,
   so that their activation consumes no token of their flow scope (no sequence flow reached
   them; see `activations_without_flow` in the state).
2. Missing flow scopes of an activated element are created: activated without their start
   event and without input mappings, with the subscriptions of their boundary events.
3. Variable instructions are applied; the terminations, then the activations, run as follow-up
   commands. A flow scope left without active instances by the terminations is terminated too
   (unless an activation needs it, so the order of the two changes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from zeebind.bpmn.model import (
    NOT_STARTABLE_TYPES,
    STARTABLE_TYPE_NAMES,
    BpmnElementType,
    EventBasedGateway,
    FlowNode,
    IntermediateCatchEvent,
    Process,
)
from zeebind.engine.behaviors import flow, variables
from zeebind.engine.context import Context, Processor
from zeebind.engine.elements import activities
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import ProcessInstanceIntent, ProcessInstanceModificationIntent
from zeebind.protocol.record import Record, RejectionType, ValueType

_PI = ValueType.PROCESS_INSTANCE
_MODIFICATION = ValueType.PROCESS_INSTANCE_MODIFICATION
_LIVE = (ProcessInstanceIntent.ELEMENT_ACTIVATING, ProcessInstanceIntent.ELEMENT_ACTIVATED)
T = TypeVar("T")


class Rejected(Exception):
    def __init__(self, rejection_type: RejectionType, reason: str) -> None:
        super().__init__(reason)
        self.rejection_type = rejection_type
        self.reason = reason


@dataclass(slots=True)
class _Activation:
    element: FlowNode
    ancestor_key: int
    # scope element id ("" = the root scope) -> variables
    variables: list[tuple[str, dict[str, Any]]]
    base_key: int = -1  # the existing flow scope instance the activation starts from
    create: list[FlowNode] = field(default_factory=list)  # flow scopes to create, outer first
    scope_keys: list[int] = field(default_factory=list)  # keys of the created scopes
    element_key: int = -1


def modify(ctx: Context, command: Record) -> None:
    v = command.value
    key = command.key if command.key > 0 else int(v.get("processInstanceKey", -1))
    instance = ctx.state.element_instances.get(key)
    if instance is None or instance.element_type is not BpmnElementType.PROCESS:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to modify process instance but no process instance found with key '{key}'",
        )
        return
    try:
        activations = _validate_activations(ctx, instance, v.get("activateInstructions") or [])
        terminations = _validate_terminations(ctx, instance, v.get("terminateInstructions") or [])
        _resolve_flow_scopes(ctx, instance, activations, terminations)
        to_terminate = _terminations_with_emptied_scopes(ctx, instance, activations, terminations)
    except Rejected as rejected:
        ctx.result.reject(command, rejected.rejection_type, rejected.reason)
        return
    _assign_keys(ctx, activations)
    event = ctx.result.append_event(
        _MODIFICATION,
        ProcessInstanceModificationIntent.MODIFIED,
        key,
        {
            "processInstanceKey": key,
            "tenantId": instance.value["tenantId"],
            "activateInstructions": [_instruction_value(ctx, a) for a in activations],
            "terminateInstructions": [{"elementInstanceKey": k} for k in terminations],
        },
    )
    ctx.result.respond(event)
    for element_key in to_terminate:
        target = ctx.state.element_instances[element_key]
        ctx.result.follow_up(
            _PI, ProcessInstanceIntent.TERMINATE_ELEMENT, element_key, target.value
        )
    for activation in activations:
        _activate(ctx, instance, activation)


# --- validation -------------------------------------------------------------------------------


def _validate_activations(
    ctx: Context, instance: ElementInstance, instructions: list[dict[str, Any]]
) -> list[_Activation]:
    model = ctx.model(instance.process_definition_key)
    process_id = model.bpmn_process_id
    ids = [str(i.get("elementId", "")) for i in instructions]
    unknown = _distinct(i for i in ids if i not in model.elements and i not in model.sequence_flows)
    if unknown:
        raise _invalid(
            f"Expected to modify instance of process '{process_id}' but it contains one or more "
            f"activate instructions with an element that could not be found: '{_join(unknown)}'"
        )
    after_gateway = _distinct(i for i in ids if _after_event_based_gateway(model, i))
    if after_gateway:
        raise _unsupported(
            process_id,
            after_gateway,
            "The activation of events belonging to an event-based gateway is not supported",
        )
    unsupported = _distinct(i for i in ids if model.type_of(i) in NOT_STARTABLE_TYPES)
    if unsupported:
        types = _join(_distinct(str(model.type_of(i)) for i in unsupported))
        raise _unsupported(
            process_id,
            unsupported,
            f"The activation of elements with type '{types}' is not supported. "
            f"Supported element types are: {STARTABLE_TYPE_NAMES}",
        )
    activations = []
    for instruction in instructions:
        element = model.element(str(instruction["elementId"]))
        pairs = []
        for variable_instruction in instruction.get("variableInstructions") or []:
            scope_id = variable_instruction.get("elementId", variable_instruction.get("scopeId"))
            pairs.append((str(scope_id or ""), dict(variable_instruction.get("variables") or {})))
        ancestor = instruction.get(
            "ancestorScopeKey", instruction.get("ancestorElementInstanceKey")
        )
        activations.append(_Activation(element, int(ancestor or -1), pairs))
    _validate_variable_scopes(model, activations)
    _validate_ancestors(ctx, instance, model, activations)
    return activations


def _validate_variable_scopes(model: Process, activations: list[_Activation]) -> None:
    process_id = model.bpmn_process_id
    scope_ids = [s for a in activations for s, _ in a.variables if s]
    unknown = _distinct(s for s in scope_ids if s not in model.elements and s != process_id)
    if unknown:
        raise _invalid(
            f"Expected to modify instance of process '{process_id}' but it contains one or more "
            "variable instructions with a scope element id that could not be found: "
            f"'{_join(unknown)}'"
        )
    for activation in activations:
        allowed = {activation.element.id, *model.flow_scope_ids(activation.element)}
        if any(s and s not in allowed for s, _ in activation.variables):
            raise _invalid(
                f"Expected to modify instance of process '{process_id}' but it contains one or "
                "more variable instructions with a scope element that doesn't belong to the "
                "activating element's flow scope. These variables should be set before or after "
                "the modification."
            )


def _validate_ancestors(
    ctx: Context, instance: ElementInstance, model: Process, activations: list[_Activation]
) -> None:
    process_id = model.bpmn_process_id
    given = _distinct(str(a.ancestor_key) for a in activations if a.ancestor_key > 0)
    missing = [
        k
        for k in given
        if (ancestor := ctx.state.element_instances.get(int(k))) is None
        or ancestor.state not in _LIVE
    ]
    if missing:
        raise _invalid(
            f"Expected to modify instance of process '{process_id}' but it contains one or more "
            "activate instructions with an ancestor scope key that does not exist, or is not in "
            f"an active state: '{_join(missing)}'"
        )
    foreign = [
        k for k in given if ctx.state.element_instances[int(k)].process_instance_key != instance.key
    ]
    if foreign:
        raise _invalid(
            f"Expected to modify instance of process '{process_id}' but it contains one or more "
            "activate instructions with an ancestor scope key that does not belong to the "
            f"modified process instance: '{_join(foreign)}'"
        )
    problems = ""
    for activation in activations:
        if activation.ancestor_key <= 0:
            continue
        ancestor_id = ctx.state.element_instances[activation.ancestor_key].element_id
        if ancestor_id not in model.flow_scope_ids(activation.element):
            problems += (
                f"\n- instance '{activation.ancestor_key}' of element '{ancestor_id}' is not an "
                f"ancestor of element '{activation.element.id}'"
            )
    if problems:
        raise _invalid(
            f"Expected to modify instance of process '{process_id}' but it contains one or more "
            f"activate instructions with an ancestor scope key that is not an ancestor of the "
            f"element to activate:{problems}"
        )


def _validate_terminations(
    ctx: Context, instance: ElementInstance, instructions: list[dict[str, Any]]
) -> list[int]:
    keys = _distinct(int(i.get("elementInstanceKey", -1)) for i in instructions)
    unknown = [
        k
        for k in keys
        if (target := ctx.state.element_instances.get(k)) is None
        or target.process_instance_key != instance.key
        or target.state == ProcessInstanceIntent.ELEMENT_TERMINATING
    ]
    if unknown:
        raise _invalid(
            f"Expected to modify instance of process '{instance.value['bpmnProcessId']}' but it "
            "contains one or more terminate instructions with an element instance that could "
            f"not be found: '{_join(str(k) for k in unknown)}'"
        )
    return keys


def _resolve_flow_scopes(
    ctx: Context, instance: ElementInstance, activations: list[_Activation], terminations: list[int]
) -> None:
    """Finds the flow scope instance each activation starts from, and the scopes to create."""
    model = ctx.model(instance.process_definition_key)
    process_id = model.bpmn_process_id
    conflicts = []
    for activation in activations:
        chain = model.flow_scope_ids(activation.element)  # innermost first
        if activation.ancestor_key > 0:
            ancestor_id = ctx.state.element_instances[activation.ancestor_key].element_id
            activation.base_key = activation.ancestor_key
            missing = chain[: chain.index(ancestor_id)]
        else:
            activation.base_key, missing = _find_base(ctx, instance, process_id, chain)
        activation.create = [model.element(scope_id) for scope_id in reversed(missing)]
        for scope in activation.create:
            if scope.loop is not None:
                raise _invalid(
                    f"Expected to modify instance of process '{process_id}' but it contains one "
                    "or more activate instructions that would result in the activation of "
                    f"multi-instance element '{scope.id}', which is currently unsupported."
                )
        terminated = [k for k in ctx.state.scope_chain(activation.base_key) if k in terminations]
        if terminated:
            conflicts.append(
                f"element '{activation.element.id}' requires flow scope instance "
                f"'{terminated[0]}' which is being terminated"
            )
    if conflicts:
        raise _invalid(
            f"Expected to modify instance of process '{process_id}' but it contains one or more "
            "activate instructions for elements whose required flow scope instance is also being "
            f"terminated: {', '.join(conflicts)}. Please provide a valid ancestor scope key for "
            "the activation or avoid terminating the required flow scope."
        )


def _find_base(
    ctx: Context, instance: ElementInstance, process_id: str, chain: list[str]
) -> tuple[int, list[str]]:
    missing: list[str] = []
    for scope_id in chain:
        if scope_id == process_id:
            return instance.key, missing
        found = [
            candidate.key
            for candidate in ctx.state.element_instances.values()
            if candidate.process_instance_key == instance.key
            and candidate.element_id == scope_id
            and candidate.element_type is not BpmnElementType.MULTI_INSTANCE_BODY
            and candidate.state in _LIVE
        ]
        if len(found) > 1:
            raise _invalid(
                f"Expected to modify instance of process '{process_id}' but it contains one or "
                "more activate instructions for an element that has a flow scope with more than "
                f"one active instance: '{scope_id}'. Can't decide in which instance of the flow "
                "scope the element should be activated. Please specify an ancestor element "
                "instance key for this activate instruction."
            )
        if found:
            return found[0], missing
        missing.append(scope_id)
    return instance.key, missing  # pragma: no cover - the chain ends at the process


def _terminations_with_emptied_scopes(
    ctx: Context, instance: ElementInstance, activations: list[_Activation], terminations: list[int]
) -> list[int]:
    """The instances to terminate: the instructions' and the flow scopes they leave empty."""
    state = ctx.state
    required = {a.base_key for a in activations}
    gone: set[int] = set()

    def subtree(key: int) -> None:
        gone.add(key)
        for child in state.element_instances[key].children:
            subtree(child)

    result = []
    for key in terminations:
        if key in gone:
            continue  # terminated with an enclosing instance already
        if key == instance.key:
            _check_not_a_child(instance)
        result.append(key)
        subtree(key)
        scope_key = state.element_instances[key].flow_scope_key
        while scope_key > 0 and scope_key not in required and scope_key not in gone:
            scope = state.element_instances[scope_key]
            if any(child not in gone for child in scope.children):
                break
            if scope.key == instance.key:
                _check_not_a_child(instance)
            result.append(scope_key)
            subtree(scope_key)
            scope_key = scope.flow_scope_key
    return result


def _check_not_a_child(instance: ElementInstance) -> None:
    if instance.value["parentProcessInstanceKey"] > 0:
        raise _invalid(
            f"Expected to modify instance of process '{instance.value['bpmnProcessId']}' but the "
            "given instructions would terminate the instance. The instance was created by a call "
            "activity in the parent process. To terminate this instance please modify the parent "
            "process instead."
        )


# --- application ------------------------------------------------------------------------------


def _assign_keys(ctx: Context, activations: list[_Activation]) -> None:
    """Keys for the instances the activations create. Activations without a chosen ancestor
    share the flow scopes they create (like Zeebe, which finds the scope an earlier instruction
    of the same command created)."""
    created: dict[tuple[int, str], int] = {}
    for activation in activations:
        parent = activation.base_key
        for scope in activation.create:
            shared = created.get((parent, scope.id)) if activation.ancestor_key <= 0 else None
            key = shared if shared is not None else ctx.key()
            created.setdefault((parent, scope.id), key)
            activation.scope_keys.append(key)
            parent = key
        activation.element_key = ctx.key()


def _instruction_value(ctx: Context, activation: _Activation) -> dict[str, Any]:
    existing = list(ctx.state.scope_chain(activation.base_key))
    return {
        "elementId": activation.element.id,
        "ancestorScopeKey": activation.ancestor_key,
        "variableInstructions": [
            {"elementId": scope_id, "variables": document}
            for scope_id, document in activation.variables
        ],
        "ancestorScopeKeys": [*reversed(activation.scope_keys), *existing],
        # zeebind: the key of the element instance this instruction activates.
        "elementInstanceKey": activation.element_key,
    }


def _activate(ctx: Context, instance: ElementInstance, activation: _Activation) -> None:
    documents: dict[str, dict[str, Any]] = {}
    for scope_id, document in activation.variables:
        documents.setdefault(scope_id, {}).update(document)
    if documents.get(""):
        variables.set_local(ctx, instance.key, documents[""])
    for scope_key in ctx.state.scope_chain(activation.base_key):
        scope_id = ctx.state.element_instances[scope_key].element_id
        if scope_id in documents:
            variables.set_local(ctx, scope_key, documents[scope_id])
    scope = ctx.state.element_instances[activation.base_key]
    for scope_element, scope_key in zip(activation.create, activation.scope_keys, strict=True):
        existing = ctx.state.element_instances.get(scope_key)
        if existing is not None:  # created by an earlier instruction of this command
            scope = existing
            if documents.get(scope_element.id):
                variables.set_local(ctx, scope_key, documents[scope_element.id])
            continue
        scope = activities.open_flow_scope(
            ctx, scope, scope_element, scope_key, documents.get(scope_element.id)
        )
    value = flow.element_value(scope, activation.element)
    own = documents.get(activation.element.id)
    if own:
        variables.set_local(ctx, activation.element_key, own, value)
    ctx.result.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, activation.element_key, value)


# --- helpers ----------------------------------------------------------------------------------


def _after_event_based_gateway(model: Process, element_id: str) -> bool:
    element = model.elements.get(element_id)
    if not isinstance(element, IntermediateCatchEvent):
        return False
    return any(
        isinstance(model.elements.get(model.flow(f).source_id), EventBasedGateway)
        for f in element.incoming
    )


def _distinct(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def _join(items: Any) -> str:
    return "', '".join(str(i) for i in items)


def _invalid(reason: str) -> Rejected:
    return Rejected(RejectionType.INVALID_ARGUMENT, reason)


def _unsupported(process_id: str, element_ids: list[str], why: str) -> Rejected:
    return _invalid(
        f"Expected to modify instance of process '{process_id}' but it contains one or more "
        f"activate instructions for elements that are unsupported: '{_join(element_ids)}'. "
        f"{why}."
    )


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (_MODIFICATION, ProcessInstanceModificationIntent.MODIFY): modify
}
