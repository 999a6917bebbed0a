"""Signals: subscriptions of catch events, boundaries and start events, and broadcasting (§4.8)."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import FlowNode, Process, SignalDefinition
from zeebind.engine.behaviors.expressions import Failure, ScopeVariables, evaluate_string
from zeebind.engine.behaviors.instances import create_instance
from zeebind.engine.behaviors.messages import trigger_event
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance, ProcessDefinition
from zeebind.protocol.intent import SignalSubscriptionIntent
from zeebind.protocol.record import ValueType

_SUB = ValueType.SIGNAL_SUBSCRIPTION


def signal_of(element: FlowNode) -> SignalDefinition | None:
    events = getattr(element, "events", None)
    return events.signal if events is not None else None


def plan(
    ctx: Context, instance: ElementInstance, targets: list[FlowNode]
) -> list[tuple[str, str]] | Failure:
    """(element id, signal name) for the targets that catch a signal, names evaluated now."""
    variables = ScopeVariables(ctx.state, instance.key)
    planned = []
    for target in targets:
        signal = signal_of(target)
        if signal is None:
            continue
        name = evaluate_string(signal.name, variables)
        if isinstance(name, Failure):
            return name
        planned.append((target.id, name))
    return planned


def _subscribe(
    ctx: Context,
    name: str,
    catch_event_id: str,
    catch_event_instance_key: int,
    process_definition_key: int,
    bpmn_process_id: str,
    tenant_id: str,
) -> None:
    ctx.result.append_event(
        _SUB,
        SignalSubscriptionIntent.CREATED,
        ctx.key(),
        {
            "signalName": name,
            "processDefinitionKey": process_definition_key,
            "bpmnProcessId": bpmn_process_id,
            "catchEventId": catch_event_id,
            "catchEventInstanceKey": catch_event_instance_key,
            "tenantId": tenant_id,
        },
    )


def open_planned(ctx: Context, instance: ElementInstance, planned: list[tuple[str, str]]) -> None:
    v = instance.value
    for element_id, name in planned:
        _subscribe(
            ctx,
            name,
            element_id,
            instance.key,
            v["processDefinitionKey"],
            v["bpmnProcessId"],
            v["tenantId"],
        )


def close(ctx: Context, instance: ElementInstance, only: set[str] | None = None) -> None:
    """Closes the signal subscriptions the instance owns (`only`: those of these elements)."""
    for key in list(ctx.state.signal_subscriptions_by_element.get(instance.key, {})):
        subscription = ctx.state.signal_subscriptions[key]
        if only is not None and subscription.value["catchEventId"] not in only:
            continue
        ctx.result.append_event(_SUB, SignalSubscriptionIntent.DELETED, key, subscription.value)


def close_start_subscriptions(ctx: Context, process_definition_key: int) -> None:
    for subscription in list(ctx.state.signal_subscriptions.values()):
        v = subscription.value
        if v["processDefinitionKey"] == process_definition_key and v["catchEventInstanceKey"] < 0:
            ctx.result.append_event(_SUB, SignalSubscriptionIntent.DELETED, subscription.key, v)


def open_start_subscriptions(ctx: Context, definition: ProcessDefinition, process: Process) -> None:
    for start_id in process.signal_start_event_ids:
        signal = signal_of(process.element(start_id))
        if signal is None:  # pragma: no cover - the parser sets it on signal start events
            continue
        name = evaluate_string(signal.name, {})
        if isinstance(name, Failure):
            continue  # a start signal name cannot depend on instance variables
        _subscribe(
            ctx,
            name,
            start_id,
            -1,
            definition.key,
            definition.bpmn_process_id,
            definition.tenant_id,
        )


def broadcast(ctx: Context, name: str, variables: dict[str, Any], tenant_id: str) -> None:
    """Triggers every subscription to `name`: catch events, boundaries, start events."""
    for key in list(ctx.state.signal_subscriptions_by_name.get((name, tenant_id), {})):
        subscription = ctx.state.signal_subscriptions.get(key)
        if subscription is None:
            continue  # closed by an earlier trigger of this broadcast
        v = subscription.value
        if v["catchEventInstanceKey"] < 0:
            definition = ctx.state.processes[v["processDefinitionKey"]]
            create_instance(
                ctx,
                definition,
                {},
                start_element_id=v["catchEventId"],
                start_variables=variables,
            )
        elif v["catchEventInstanceKey"] in ctx.state.element_instances:
            trigger_event(ctx, v["catchEventInstanceKey"], v["catchEventId"], variables)
