"""Compensation as Zeebe 8.5+ runs it (`BpmnCompensationSubscriptionBehaviour`).

A completed activity with a compensation boundary event gets a COMPENSATION_SUBSCRIPTION
(CREATED); so does a completed embedded subprocess or multi-instance body that has
subscriptions inside it, without a handler of its own, so that compensating it reaches them.
The subscriptions form a tree by instance keys: `compensableActivityScopeKey` is the flow scope
instance the activity completed in, `compensableActivityInstanceKey` the activity's instance.

A compensation throw or end event triggers the subscriptions of its flow scope (and, inside an
event subprocess, of the event subprocess's flow scope), with `activityRef` only those of that
activity, and then everything below them: each handler is activated in the throw event's scope
after its compensation boundary event passes, and the subscription is TRIGGERED. A handler
completing COMPLETES its subscription, then the subprocess subscriptions above it whose
subscriptions are all done; the throw event completes when none of its subscriptions is left.
Subscriptions go (DELETED) with their subprocess when it is terminated and with the process
instance when it ends.
"""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import BpmnElementType, BpmnEventType, FlowNode, Process
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import CompensationSubscriptionIntent, ProcessInstanceIntent
from zeebind.protocol.record import ValueType

_CS = ValueType.COMPENSATION_SUBSCRIPTION
_PI = ValueType.PROCESS_INSTANCE
_Intent = ProcessInstanceIntent
# Completed scopes that keep the subscriptions of their children (Zeebe: sub process and
# multi-instance body; an event subprocess does not).
_FLOW_SCOPES = (BpmnElementType.SUB_PROCESS, BpmnElementType.MULTI_INSTANCE_BODY)


def _scope_key(value: dict[str, Any]) -> int:
    # Logs written before the field was the scope's instance key have no scope key: such
    # subscriptions are never triggered, only deleted with their process instance.
    return int(value.get("compensableActivityScopeKey", -1))


def _triggered(value: dict[str, Any]) -> bool:
    return bool(value["throwEventId"])


def subscriptions(ctx: Context, process_instance_key: int) -> list[tuple[int, dict[str, Any]]]:
    """The process instance's subscriptions, in the order they were created."""
    owned = ctx.state.compensation_by_instance.get(process_instance_key, {})
    return [(key, ctx.state.compensation_subscriptions[key]) for key in owned]


def handlers(model: Process, scope_id: str) -> dict[str, str]:
    """The compensation handlers of a scope: activity id -> handler id."""
    if scope_id == model.bpmn_process_id:
        return model.compensation_handlers
    return getattr(model.element(scope_id), "compensation_handlers", {})


# --- an activity completes -----------------------------------------------------------------------


def activity_completed(ctx: Context, instance: ElementInstance, element: FlowNode) -> None:
    """Called while the activity completes (before ELEMENT_COMPLETED): it becomes compensable
    if it has a compensation handler, or if it is a scope with subscriptions inside."""
    model = ctx.model(instance.process_definition_key)
    scope = ctx.state.element_instances.get(instance.flow_scope_key)
    inner = scope is not None and scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY
    # The compensation boundary of a multi-instance activity belongs to its body.
    handler_id = "" if inner else handlers(model, element.flow_scope_id).get(element.id, "")
    if not handler_id and not (
        instance.element_type in _FLOW_SCOPES
        and any(
            _scope_key(v) == instance.key
            for _, v in subscriptions(ctx, instance.process_instance_key)
        )
    ):
        return
    v = instance.value
    ctx.result.append_event(
        _CS,
        CompensationSubscriptionIntent.CREATED,
        ctx.key(),
        {
            "tenantId": v["tenantId"],
            "processInstanceKey": v["processInstanceKey"],
            "processDefinitionKey": v["processDefinitionKey"],
            "compensableActivityId": element.id,
            "throwEventId": "",
            "throwEventInstanceKey": -1,
            "compensationHandlerId": handler_id,
            "compensationHandlerInstanceKey": -1,
            "compensableActivityScopeKey": instance.flow_scope_key,
            "compensableActivityInstanceKey": instance.key,
            "variables": {},
        },
    )


# --- a compensation throw or end event ---------------------------------------------------------


def throw(ctx: Context, instance: ElementInstance, element: Any) -> bool:
    """Triggers the compensation of the throw event's scope; False when nothing was triggered
    (the event then completes at once)."""
    scope = ctx.state.element_instances[instance.flow_scope_key]
    scope_keys = {scope.key}
    if scope.element_type is BpmnElementType.EVENT_SUB_PROCESS:
        scope_keys.add(scope.flow_scope_key)  # compensates the scope the event subprocess is in
    target = element.events.compensate_activity_id
    pending = [
        (key, value)
        for key, value in subscriptions(ctx, instance.process_instance_key)
        if not _triggered(value)
    ]
    roots = [
        (key, value)
        for key, value in pending
        if _scope_key(value) in scope_keys
        and (target is None or value["compensableActivityId"] == target)
    ]
    inside: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for key, value in pending:
        inside.setdefault(_scope_key(value), []).append((key, value))
    for key, value in roots:
        _trigger(ctx, instance, scope, key, value, inside)
    return bool(roots)


def _trigger(
    ctx: Context,
    thrower: ElementInstance,
    scope: ElementInstance,
    key: int,
    value: dict[str, Any],
    inside: dict[int, list[tuple[int, dict[str, Any]]]],
) -> None:
    """Runs the subscription's handler (if it has one), marks it TRIGGERED, then goes on with
    the subscriptions inside it (those of a completed subprocess)."""
    handler_key = -1
    if value["compensationHandlerId"]:
        handler_key = _activate_handler(ctx, thrower, scope, value)
    ctx.result.append_event(
        _CS,
        CompensationSubscriptionIntent.TRIGGERED,
        key,
        {
            **value,
            "throwEventId": thrower.element_id,
            "throwEventInstanceKey": thrower.key,
            "compensationHandlerInstanceKey": handler_key,
        },
    )
    for child_key, child in inside.get(value["compensableActivityInstanceKey"], []):
        _trigger(ctx, thrower, scope, child_key, child, inside)


def _activate_handler(
    ctx: Context, thrower: ElementInstance, scope: ElementInstance, value: dict[str, Any]
) -> int:
    """The compensation boundary event passes (ACTIVATING .. COMPLETED at once), then the
    handler is activated in the throw event's scope; returns the handler's instance key."""
    from zeebind.engine.behaviors.flow import element_value  # a cycle only at call time

    model = ctx.model(thrower.process_definition_key)
    activity = model.element(value["compensableActivityId"])
    boundary_id = next(
        b
        for b in activity.boundary_event_ids
        if model.element(b).event_type is BpmnEventType.COMPENSATION
    )
    boundary_key = ctx.key()
    boundary_value = {
        **thrower.value,
        "elementId": boundary_id,
        "bpmnElementType": str(BpmnElementType.BOUNDARY_EVENT),
        "bpmnEventType": str(BpmnEventType.COMPENSATION),
    }
    for intent in (
        _Intent.ELEMENT_ACTIVATING,
        _Intent.ELEMENT_ACTIVATED,
        _Intent.ELEMENT_COMPLETING,
        _Intent.ELEMENT_COMPLETED,
    ):
        ctx.result.append_event(_PI, intent, boundary_key, boundary_value)
    handler = model.element(value["compensationHandlerId"])
    handler_key = ctx.key()
    handler_value = element_value(scope, handler)
    handler_value["bpmnEventType"] = str(BpmnEventType.COMPENSATION)
    ctx.result.follow_up(_PI, _Intent.ACTIVATE_ELEMENT, handler_key, handler_value)
    return handler_key


# --- a handler completes -----------------------------------------------------------------------


def handler_completed(ctx: Context, instance: ElementInstance, element: FlowNode) -> None:
    """After a handler's ELEMENT_COMPLETED: its subscription is done, and so are the subprocess
    subscriptions above it with nothing left inside; the throw event goes on once none of its
    subscriptions is left."""
    if not element.is_for_compensation:
        return  # (the inner instances of a multi-instance handler find no subscription below)
    found = next(
        (
            (key, value)
            for key, value in subscriptions(ctx, instance.process_instance_key)
            if _triggered(value) and value["compensationHandlerInstanceKey"] == instance.key
        ),
        None,
    )
    if found is None:
        return
    key, value = found
    ctx.result.append_event(_CS, CompensationSubscriptionIntent.COMPLETED, key, value)
    _complete_scope_subscriptions(ctx, instance.process_instance_key, _scope_key(value))
    throw_key = value["throwEventInstanceKey"]
    if any(
        v["throwEventInstanceKey"] == throw_key
        for _, v in subscriptions(ctx, instance.process_instance_key)
    ):
        return
    thrower = ctx.state.element_instances.get(throw_key)
    if thrower is not None:
        ctx.result.follow_up(_PI, _Intent.COMPLETE_ELEMENT, throw_key, thrower.value)


def _complete_scope_subscriptions(ctx: Context, process_instance_key: int, scope_key: int) -> None:
    owned = subscriptions(ctx, process_instance_key)
    if any(_scope_key(v) == scope_key for _, v in owned):
        return  # something inside is still being compensated
    for key, value in owned:
        if (
            value["compensableActivityInstanceKey"] == scope_key
            and not value["compensationHandlerId"]
        ):
            ctx.result.append_event(_CS, CompensationSubscriptionIntent.COMPLETED, key, value)
            _complete_scope_subscriptions(ctx, process_instance_key, _scope_key(value))
            return


# --- scopes end --------------------------------------------------------------------------------


def scope_terminating(ctx: Context, instance: ElementInstance) -> None:
    """A process instance or subprocess is being terminated: its subscriptions go with it (a
    subprocess's: those inside it, recursively)."""
    if instance.element_type is BpmnElementType.PROCESS:
        process_left(ctx, instance)
    elif instance.element_type in (BpmnElementType.SUB_PROCESS, BpmnElementType.EVENT_SUB_PROCESS):
        _delete_inside(ctx, subscriptions(ctx, instance.process_instance_key), instance.key)


def _delete_inside(ctx: Context, owned: list[tuple[int, dict[str, Any]]], scope_key: int) -> None:
    for key, value in owned:
        if _scope_key(value) == scope_key:
            ctx.result.append_event(_CS, CompensationSubscriptionIntent.DELETED, key, value)
            _delete_inside(ctx, owned, value["compensableActivityInstanceKey"])


def process_left(ctx: Context, instance: ElementInstance) -> None:
    """The process instance completes or is terminated: nothing of it can be compensated any
    more."""
    for key, value in subscriptions(ctx, instance.key):
        ctx.result.append_event(_CS, CompensationSubscriptionIntent.DELETED, key, value)
