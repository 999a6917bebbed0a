"""Message subscriptions: opening, closing and correlating (one partition, both sides collapsed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    FlowNode,
    MessageDefinition,
    Process,
    StartEvent,
)
from zeebind.engine.behaviors.expressions import (
    Failure,
    ScopeVariables,
    evaluate_correlation_key,
    evaluate_string,
)
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance, Message, MessageSubscription
from zeebind.protocol.intent import (
    MessageSubscriptionIntent,
    ProcessEventIntent,
    ProcessInstanceIntent,
    ProcessMessageSubscriptionIntent,
)
from zeebind.protocol.record import ValueType

_MS = ValueType.MESSAGE_SUBSCRIPTION
_PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
_PI = ValueType.PROCESS_INSTANCE


@dataclass(frozen=True, slots=True)
class PlannedSubscription:
    element_id: str
    message_name: str
    correlation_key: str
    interrupting: bool


def plan(
    ctx: Context, instance: ElementInstance, element: FlowNode, own: MessageDefinition | None
) -> list[PlannedSubscription] | Failure:
    """Evaluates message names and correlation keys of the element and its message boundaries.

    Evaluation comes first, so that a failure leaves nothing half-opened (the step is re-run
    when the incident is resolved).
    """
    model = ctx.model(instance.process_definition_key)
    variables = ScopeVariables(ctx.state, instance.key)
    targets: list[tuple[str, MessageDefinition, bool]] = []
    if own is not None:
        targets.append((element.id, own, True))
    for boundary_id in boundary_ids(instance, element):
        boundary = model.element(boundary_id)
        if isinstance(boundary, BoundaryEvent) and boundary.message is not None:
            targets.append((boundary.id, boundary.message, boundary.cancel_activity))
    planned = []
    for element_id, message, interrupting in targets:
        name = evaluate_string(message.name, variables)
        if isinstance(name, Failure):
            return name
        if message.correlation_key is None:
            return Failure(
                "EXTRACT_VALUE_ERROR",
                f"Expected a correlation key for message '{name}' of element '{element_id}'",
            )
        correlation_key = evaluate_correlation_key(message.correlation_key, variables)
        if isinstance(correlation_key, Failure):
            return correlation_key
        planned.append(PlannedSubscription(element_id, name, correlation_key, interrupting))
    return planned


def boundary_ids(instance: ElementInstance, element: FlowNode) -> list[str]:
    """The boundary events of this instance: those of a multi-instance activity sit on its body."""
    if (
        element.loop is not None
        and instance.element_type is not BpmnElementType.MULTI_INSTANCE_BODY
    ):
        return []
    return element.boundary_event_ids


def open_planned(
    ctx: Context, instance: ElementInstance, planned: list[PlannedSubscription]
) -> None:
    v = instance.value
    for item in planned:
        value = {
            "processInstanceKey": v["processInstanceKey"],
            "processDefinitionKey": v["processDefinitionKey"],
            "elementInstanceKey": instance.key,
            "elementId": item.element_id,
            "bpmnProcessId": v["bpmnProcessId"],
            "messageName": item.message_name,
            "correlationKey": item.correlation_key,
            "messageKey": -1,
            "interrupting": item.interrupting,
            "variables": {},
            "tenantId": v["tenantId"],
        }
        key = ctx.key()
        ctx.result.append_event(_PMS, ProcessMessageSubscriptionIntent.CREATED, key, value)
        ctx.result.append_event(_MS, MessageSubscriptionIntent.CREATED, key, value)


def correlate_buffered(ctx: Context, instance: ElementInstance) -> None:
    """An opening subscription takes the oldest live buffered message its process has not used."""
    for sub_key in list(ctx.state.subscriptions_by_element.get(instance.key, {})):
        subscription = ctx.state.subscriptions.get(sub_key)
        if subscription is None or subscription.is_closed:
            continue
        v = subscription.value
        index = (v["messageName"], v["correlationKey"], v["tenantId"])
        for message_key in ctx.state.messages_by_name.get(index, {}):
            message = ctx.state.messages[message_key]
            if message.value["deadline"] <= ctx.now:
                continue  # expired (its EXPIRE command may not have run yet)
            if v["bpmnProcessId"] in message.correlated_processes:
                continue
            correlate(ctx, subscription, message)
            break
        if subscription.is_closed and subscription.value["elementId"] == instance.element_id:
            return  # the element's own message arrived: it completes, boundaries are moot


def correlate(ctx: Context, subscription: MessageSubscription, message: Message) -> None:
    """Hands `message` to `subscription` and triggers the element that waits for it."""
    value = dict(subscription.value)
    value["messageKey"] = message.key
    value["variables"] = message.value["variables"]
    ctx.result.append_event(
        _PMS, ProcessMessageSubscriptionIntent.CORRELATED, subscription.key, value
    )
    ctx.result.append_event(_MS, MessageSubscriptionIntent.CORRELATED, subscription.key, value)
    trigger_event(
        ctx,
        value["elementInstanceKey"],
        value["elementId"],
        message.value["variables"],
    )


def process_event_value(
    scope_key: int, owner: dict[str, Any], target_element_id: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The PROCESS_EVENT value of an event waiting to be applied at `scope_key`."""
    return {
        "scopeKey": scope_key,
        "targetElementId": target_element_id,
        "variables": variables,
        "processDefinitionKey": owner["processDefinitionKey"],
        "processInstanceKey": owner["processInstanceKey"],
        "tenantId": owner["tenantId"],
    }


def trigger_event(
    ctx: Context, instance_key: int, element_id: str, variables: dict[str, Any]
) -> None:
    """An event (message, error...) arrived for `element_id` waiting at `instance_key`.

    The element itself (catch event, receive task) completes with the event's variables; a
    boundary event interrupts its activity or runs beside it.
    """
    from zeebind.engine.behaviors.flow import activate  # a cycle only at call time

    instance = ctx.state.element_instances[instance_key]
    if element_id == instance.element_id:
        value = dict(instance.value)
        value["variables"] = variables
        ctx.result.follow_up(_PI, ProcessInstanceIntent.COMPLETE_ELEMENT, instance_key, value)
        return
    if instance.element_type is BpmnElementType.EVENT_BASED_GATEWAY:
        value = dict(instance.value)
        value["variables"] = variables
        value["triggeredElementId"] = element_id
        ctx.result.follow_up(_PI, ProcessInstanceIntent.COMPLETE_ELEMENT, instance_key, value)
        return
    model = ctx.model(instance.process_definition_key)
    boundary = model.element(element_id)
    if isinstance(boundary, StartEvent):
        _trigger_event_subprocess(ctx, instance, boundary, variables)
        return
    assert isinstance(boundary, BoundaryEvent)
    if boundary.cancel_activity:
        v = instance.value
        ctx.result.append_event(
            ValueType.PROCESS_EVENT,
            ProcessEventIntent.TRIGGERING,
            ctx.key(),
            process_event_value(instance_key, v, element_id, variables),
        )
        ctx.result.follow_up(_PI, ProcessInstanceIntent.TERMINATE_ELEMENT, instance_key, v)
    else:
        scope = ctx.state.element_instances[instance.flow_scope_key]
        activate(ctx, scope, boundary, variables)


def _trigger_event_subprocess(
    ctx: Context, scope: ElementInstance, start: StartEvent, variables: dict[str, Any]
) -> None:
    """An event subprocess start fired in `scope`. An interrupting one first terminates
    everything else in the scope (it runs once); a non-interrupting one runs beside it."""
    from zeebind.engine.behaviors import signals, timers  # a cycle only at call time

    if not start.is_interrupting:
        activate_event_subprocess(ctx, scope, start, variables)
        return
    v = scope.value
    ctx.result.append_event(
        ValueType.PROCESS_EVENT,
        ProcessEventIntent.TRIGGERING,
        ctx.key(),
        process_event_value(scope.key, v, start.id, variables),
    )
    model = ctx.model(scope.process_definition_key)
    starts = event_subprocess_start_ids(model, scope)
    close_subscriptions(ctx, scope, only=starts)
    timers.cancel(ctx, scope, only=starts)
    signals.close(ctx, scope, only=starts)
    if not scope.children:
        start_triggered_event_subprocess(ctx, scope)
        return
    for child_key in list(scope.children):
        child = ctx.state.element_instances[child_key]
        ctx.result.follow_up(_PI, ProcessInstanceIntent.TERMINATE_ELEMENT, child_key, child.value)


def event_subprocess_start_ids(model: Process, scope: ElementInstance) -> set[str]:
    container = (
        model if scope.element_type is BpmnElementType.PROCESS else model.element(scope.element_id)
    )
    ids: set[str] = set()
    for esp_id in getattr(container, "event_sub_process_ids", []):
        esp = model.element(esp_id)
        ids.update(getattr(esp, "start_event_ids", []))
    return ids


def activate_event_subprocess(
    ctx: Context, scope: ElementInstance, start: StartEvent, variables: dict[str, Any]
) -> None:
    from zeebind.engine.behaviors.flow import element_value  # a cycle only at call time

    model = ctx.model(scope.process_definition_key)
    esp = model.element(start.flow_scope_id)
    value = element_value(scope, esp)
    value["startElementId"] = start.id
    if variables:
        value["variables"] = variables
    ctx.result.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, ctx.key(), value)


def start_triggered_event_subprocess(ctx: Context, scope: ElementInstance) -> bool:
    """The scope's other work is gone: the interrupting event subprocess that waited starts."""
    trigger = ctx.state.event_triggers.get(scope.key)
    if trigger is None:
        return False
    start = ctx.model(scope.process_definition_key).element(trigger.target_element_id)
    if not isinstance(start, StartEvent):
        return False
    v = scope.value
    ctx.result.append_event(
        ValueType.PROCESS_EVENT,
        ProcessEventIntent.TRIGGERED,
        trigger.key,
        process_event_value(scope.key, v, trigger.target_element_id, trigger.variables),
    )
    activate_event_subprocess(ctx, scope, start, trigger.variables)
    return True


def close_subscriptions(
    ctx: Context, instance: ElementInstance, only: set[str] | None = None
) -> None:
    """Closes the message subscriptions the instance owns (`only`: those of these elements)."""
    for sub_key in list(ctx.state.subscriptions_by_element.get(instance.key, {})):
        subscription = ctx.state.subscriptions[sub_key]
        if only is not None and subscription.value["elementId"] not in only:
            continue
        ctx.result.append_event(_MS, MessageSubscriptionIntent.DELETED, sub_key, subscription.value)
        ctx.result.append_event(
            _PMS, ProcessMessageSubscriptionIntent.DELETED, sub_key, subscription.value
        )
