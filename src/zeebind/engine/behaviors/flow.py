"""Tokens: activating elements, taking sequence flows, completing scopes that ran out of work."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import BpmnElementType, FlowNode, InclusiveGateway, ParallelGateway, Process
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import ProcessInstanceIntent
from zeebind.protocol.record import Record, RecordType, ValueType

_PI = ValueType.PROCESS_INSTANCE
# The fields of a PROCESS_INSTANCE record value; command-only extras are stripped from events.
ELEMENT_FIELDS = (
    "bpmnProcessId",
    "version",
    "processDefinitionKey",
    "processInstanceKey",
    "elementId",
    "flowScopeKey",
    "bpmnElementType",
    "bpmnEventType",
    "parentProcessInstanceKey",
    "parentElementInstanceKey",
    "tenantId",
)


def element_value(scope: ElementInstance, element: FlowNode) -> dict[str, Any]:
    """The record value of `element` activated in `scope` (a multi-instance activity is first
    activated as its body; its inner instances are activated in the body)."""
    v = scope.value
    element_type = element.element_type
    if element.loop is not None and scope.element_type is not BpmnElementType.MULTI_INSTANCE_BODY:
        element_type = BpmnElementType.MULTI_INSTANCE_BODY
    return {
        "bpmnProcessId": v["bpmnProcessId"],
        "version": v["version"],
        "processDefinitionKey": v["processDefinitionKey"],
        "processInstanceKey": v["processInstanceKey"],
        "elementId": element.id,
        "flowScopeKey": scope.key,
        "bpmnElementType": str(element_type),
        "bpmnEventType": str(element.event_type),
        "parentProcessInstanceKey": v["parentProcessInstanceKey"],
        "parentElementInstanceKey": v["parentElementInstanceKey"],
        "tenantId": v["tenantId"],
    }


def activate(
    ctx: Context,
    scope: ElementInstance,
    element: FlowNode,
    variables: dict[str, Any] | None = None,
    *,
    now: bool = False,
) -> None:
    """Asks for `element` to be activated in `scope`. Its key is chosen when the activation
    runs: an activation dropped because its scope ended meanwhile uses no key (every key is in
    some event, so a replay resumes the key counter exactly where it was)."""
    value = element_value(scope, element)
    if variables:
        value["variables"] = variables
    if now:
        ctx.process_now(
            Record(RecordType.COMMAND, _PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, value, key=-1)
        )
    else:
        ctx.result.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, -1, value)


def take_flows(
    ctx: Context,
    instance: ElementInstance,
    flow_ids: list[str],
    event_variables: dict[str, Any] | None = None,
) -> None:
    """Takes the given outgoing flows of a completed element, activating their targets.

    `event_variables` (from the event that decided an event-based gateway) go to the targets,
    which then complete at once.
    """
    scope = ctx.state.element_instances[instance.flow_scope_key]
    model = ctx.model(instance.process_definition_key)
    for flow_id in flow_ids:
        flow = model.flow(flow_id)
        value = dict(instance.value)
        value["elementId"] = flow_id
        value["bpmnElementType"] = "SEQUENCE_FLOW"
        value["bpmnEventType"] = "UNSPECIFIED"
        ctx.result.append_event(_PI, ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN, ctx.key(), value)
        target = model.element(flow.target_id)
        if isinstance(target, ParallelGateway) and len(target.incoming) > 1:
            tokens = scope.join_tokens.get(target.id, {})
            if all(tokens.get(incoming, 0) > 0 for incoming in target.incoming):
                # Activated at once, so that the tokens it consumes are gone before the next flow.
                activate(ctx, scope, target, now=True)
        elif isinstance(target, InclusiveGateway) and len(target.incoming) > 1:
            check_inclusive_join(ctx, scope, target)
        elif event_variables is not None:
            value = element_value(scope, target)
            value["variables"] = event_variables
            value["eventTriggered"] = True
            ctx.result.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, -1, value)
        else:
            activate(ctx, scope, target)


def check_inclusive_join(ctx: Context, scope: ElementInstance, gateway: FlowNode) -> None:
    """Asks for an inclusive join to be checked once the work queued before it has run."""
    value = element_value(scope, gateway)
    value["joinCheck"] = True
    ctx.result.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, -1, value)


def recheck_inclusive_joins(ctx: Context, scope: ElementInstance) -> None:
    """Something left the scope: a waiting inclusive join may be ready now."""
    if not scope.join_tokens:
        return
    model = ctx.model(scope.process_definition_key)
    for gateway_id in list(scope.join_tokens):
        gateway = model.element(gateway_id)
        if isinstance(gateway, InclusiveGateway):
            check_inclusive_join(ctx, scope, gateway)


def complete_scope_if_done(ctx: Context, scope_key: int) -> None:
    """A flow scope with no active children and no tokens in flight completes."""
    scope = ctx.state.element_instances.get(scope_key)
    if scope is None or scope.state != ProcessInstanceIntent.ELEMENT_ACTIVATED:
        return
    # Ended by a terminate end event: the tokens still in flight do not count (they are dropped).
    if not scope.interrupted:
        recheck_inclusive_joins(ctx, scope)
    if scope.active_children == 0 and (scope.active_flows == 0 or scope.interrupted):
        ctx.result.follow_up(_PI, ProcessInstanceIntent.COMPLETE_ELEMENT, scope_key, scope.value)


def element_of(ctx: Context, instance: ElementInstance) -> FlowNode | Process:
    model = ctx.model(instance.process_definition_key)
    if instance.element_id == model.bpmn_process_id and instance.flow_scope_key < 0:
        return model
    return model.element(instance.element_id)
