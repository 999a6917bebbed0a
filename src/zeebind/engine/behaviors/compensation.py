"""Compensation as Zeebe 8.5+ runs it: completed activities with a compensation boundary event
can be undone by their handler when a compensation throw (or end) event in their scope fires."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import FlowNode, Process
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import CompensationSubscriptionIntent, ProcessInstanceIntent
from zeebind.protocol.record import ValueType

_CS = ValueType.COMPENSATION_SUBSCRIPTION


def _handlers(model: Process, scope_id: str) -> dict[str, str]:
    if scope_id == model.bpmn_process_id:
        return model.compensation_handlers
    return getattr(model.element(scope_id), "compensation_handlers", {})


def activity_completed(ctx: Context, instance: ElementInstance, element: FlowNode) -> None:
    """A completed activity with a compensation handler can be compensated from now on."""
    model = ctx.model(instance.process_definition_key)
    handler_id = _handlers(model, element.flow_scope_id).get(element.id)
    if handler_id is None:
        return
    v = instance.value
    ctx.result.append_event(
        _CS,
        CompensationSubscriptionIntent.CREATED,
        ctx.key(),
        {
            "processInstanceKey": v["processInstanceKey"],
            "processDefinitionKey": v["processDefinitionKey"],
            "compensableActivityId": element.id,
            "compensableActivityScopeId": element.flow_scope_id,
            "compensableActivityInstanceKey": instance.key,
            "compensationHandlerId": handler_id,
            "compensationHandlerInstanceKey": -1,
            "throwEventId": "",
            "throwEventInstanceKey": -1,
            "tenantId": v["tenantId"],
        },
    )


def _inside(model: Process, scope_id: str, container_id: str) -> bool:
    """Whether scope `scope_id` is `container_id` or nested in it (by the model)."""
    while True:
        if scope_id == container_id:
            return True
        if scope_id == model.bpmn_process_id or scope_id not in model.elements:
            return False
        scope_id = model.element(scope_id).flow_scope_id


def throw(ctx: Context, instance: ElementInstance, element: Any) -> bool:
    """Starts the handlers the throw event compensates; False when there is nothing to wait for.

    Without `activityRef` every completed activity of the throw's scope (nested subprocesses
    included) is compensated; with it, only that activity.
    """
    from zeebind.engine.behaviors.flow import element_value  # a cycle only at call time

    model = ctx.model(instance.process_definition_key)
    target = element.events.compensate_activity_id
    scope = ctx.state.element_instances[instance.flow_scope_key]
    started = False
    owned = ctx.state.compensation_by_instance.get(instance.process_instance_key, {})
    for key in list(owned):
        value = ctx.state.compensation_subscriptions[key]
        if value["throwEventInstanceKey"] > 0:
            continue  # already compensated
        if target is not None and value["compensableActivityId"] != target:
            continue
        if not _inside(model, value["compensableActivityScopeId"], element.flow_scope_id):
            continue
        handler = model.element(value["compensationHandlerId"])
        handler_key = ctx.key()
        ctx.result.append_event(
            _CS,
            CompensationSubscriptionIntent.TRIGGERED,
            key,
            {
                **value,
                "throwEventId": element.id,
                "throwEventInstanceKey": instance.key,
                "compensationHandlerInstanceKey": handler_key,
            },
        )
        ctx.result.follow_up(
            ValueType.PROCESS_INSTANCE,
            ProcessInstanceIntent.ACTIVATE_ELEMENT,
            handler_key,
            element_value(scope, handler),
        )
        started = True
    return started


def handler_completed(ctx: Context, instance: ElementInstance) -> None:
    """A handler finished: the throw event that started it goes on once all its handlers did."""
    throw_key = None
    owned = ctx.state.compensation_by_instance.get(instance.process_instance_key, {})
    for key in list(owned):
        value = ctx.state.compensation_subscriptions[key]
        if value["compensationHandlerInstanceKey"] == instance.key:
            throw_key = value["throwEventInstanceKey"]
            ctx.result.append_event(_CS, CompensationSubscriptionIntent.COMPLETED, key, value)
    if throw_key is None:
        return
    waiting = any(
        v["throwEventInstanceKey"] == throw_key
        for v in ctx.state.compensation_subscriptions.values()
    )
    thrower = ctx.state.element_instances.get(throw_key)
    if not waiting and thrower is not None:
        ctx.result.follow_up(
            ValueType.PROCESS_INSTANCE,
            ProcessInstanceIntent.COMPLETE_ELEMENT,
            throw_key,
            thrower.value,
        )


def process_left(ctx: Context, instance: ElementInstance) -> None:
    """The process instance is over: nothing of it can be compensated any more."""
    for key in list(ctx.state.compensation_by_instance.get(instance.key, {})):
        value = ctx.state.compensation_subscriptions[key]
        ctx.result.append_event(_CS, CompensationSubscriptionIntent.DELETED, key, value)
