"""Gateways: exclusive, parallel, inclusive (fork and join), event-based."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import (
    BpmnEventType,
    EventBasedGateway,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    IntermediateCatchEvent,
)
from zeebind.engine.behaviors import messages, signals, timers
from zeebind.engine.behaviors.expressions import Failure, ScopeVariables, evaluate_boolean
from zeebind.engine.behaviors.incidents import raise_incident
from zeebind.engine.context import Context
from zeebind.engine.elements.lifecycle import Intent, complete, event, fail
from zeebind.engine.state import ElementInstance

NO_FLOW = "Expected at least one condition to evaluate to true, or to have a default flow"


def _conditions(
    ctx: Context, instance: ElementInstance, element: FlowNode, default: str | None, *, first: bool
) -> list[str] | Failure:
    """The outgoing flows whose conditions are true, in XML order (the first one only if asked)."""
    model = ctx.model(instance.process_definition_key)
    if len(element.outgoing) == 1 and model.flow(element.outgoing[0]).condition is None:
        return list(element.outgoing)
    scope = ScopeVariables(ctx.state, instance.key)
    chosen: list[str] = []
    for flow_id in element.outgoing:
        condition = model.flow(flow_id).condition
        if flow_id == default or condition is None:
            continue
        outcome = evaluate_boolean(condition.source, scope)
        if isinstance(outcome, Failure):
            return outcome
        if outcome:
            chosen.append(flow_id)
            if first:
                break
    if not chosen and default is not None:
        chosen = [default]
    return chosen


def _fork(ctx: Context, instance: ElementInstance, element: Any, *, first: bool) -> None:
    """Takes the flows whose conditions hold (the first only, for an exclusive gateway)."""
    chosen = _conditions(ctx, instance, element, element.default_flow_id, first=first)
    if isinstance(chosen, Failure):
        fail(ctx, instance, chosen)
        return
    if not chosen and element.outgoing:
        raise_incident(ctx, instance, "CONDITION_ERROR", NO_FLOW)
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    complete(ctx, instance, element, None, flows=chosen)


def exclusive(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, ExclusiveGateway)
    _fork(ctx, instance, element, first=True)


def parallel(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    complete(ctx, instance, element, None)


def inclusive(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, InclusiveGateway)
    _fork(ctx, instance, element, first=False)


def inclusive_join_ready(ctx: Context, scope: ElementInstance, gateway: InclusiveGateway) -> bool:
    """Every incoming flow has a token, or no active element can still bring one (8.6+ rule)."""
    tokens = scope.join_tokens.get(gateway.id, {})
    if not tokens:
        return False
    if all(tokens.get(incoming, 0) > 0 for incoming in gateway.incoming):
        return True
    model = ctx.model(scope.process_definition_key)
    reachable = _reaching(model.elements, model.sequence_flows, gateway.id)
    for child_key in scope.children:
        child = ctx.state.element_instances[child_key]
        if child.element_id != gateway.id and child.element_id in reachable:
            return False
    return True


def _reaching(elements: dict[str, FlowNode], flows: dict[str, Any], target_id: str) -> set[str]:
    """Ids of the elements from which `target_id` can be reached along sequence flows."""
    incoming: dict[str, list[str]] = {}
    for sequence_flow in flows.values():
        incoming.setdefault(sequence_flow.target_id, []).append(sequence_flow.source_id)
    seen: set[str] = set()
    todo = list(incoming.get(target_id, []))
    while todo:
        element_id = todo.pop()
        if element_id in seen:
            continue
        seen.add(element_id)
        todo.extend(incoming.get(element_id, []))
        element = elements.get(element_id)
        if element is not None:
            # An activity reaching the join also reaches it through its boundary events.
            for boundary_id in element.boundary_event_ids:
                seen.add(boundary_id)
    for element in elements.values():
        if getattr(element, "attached_to_id", "") in seen:
            seen.add(element.id)
    return seen


def event_based(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    """Opens the subscriptions of every event after it; the first event to arrive decides."""
    assert isinstance(element, EventBasedGateway)
    model = ctx.model(instance.process_definition_key)
    planned: list[messages.PlannedSubscription] = []
    targets = [model.element(model.flow(f).target_id) for f in element.outgoing]
    for target in targets:
        if (
            isinstance(target, IntermediateCatchEvent)
            and target.event_type is BpmnEventType.MESSAGE
        ):
            found = messages.plan(ctx, instance, target, target.message)
            if isinstance(found, Failure):
                fail(ctx, instance, found)
                return
            planned.extend(p for p in found if p.element_id == target.id)
    planned_timers = timers.plan(ctx, instance, targets)
    if isinstance(planned_timers, Failure):
        fail(ctx, instance, planned_timers)
        return
    planned_signals = signals.plan(ctx, instance, targets)
    if isinstance(planned_signals, Failure):
        fail(ctx, instance, planned_signals)
        return
    messages.open_planned(ctx, instance, planned)
    timers.open_planned(ctx, instance, planned_timers)
    signals.open_planned(ctx, instance, planned_signals)
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    messages.correlate_buffered(ctx, instance)


def complete_event_based(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    """The event of `triggeredElementId` arrived: take its flow, handing over the variables."""
    model = ctx.model(instance.process_definition_key)
    target_id = command["triggeredElementId"]
    flows = [f for f in element.outgoing if model.flow(f).target_id == target_id]
    complete(
        ctx,
        instance,
        element,
        None,
        flows=flows,
        flow_variables=command.get("variables") or {},
    )
