"""The element lifecycle shared by every element: completing, terminating, leaving a scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zeebind.bpmn.model import BoundaryEvent, BpmnElementType, CallActivity, FlowNode, Process
from zeebind.engine.behaviors import compensation, flow, messages, signals, timers, variables
from zeebind.engine.behaviors.expressions import Failure
from zeebind.engine.behaviors.incidents import raise_incident, resolve_incidents_of
from zeebind.engine.behaviors.jobs import cancel_job
from zeebind.engine.behaviors.messages import process_event_value
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import (
    ProcessEventIntent,
    ProcessInstanceIntent,
    ProcessInstanceResultIntent,
)
from zeebind.protocol.record import Record, ValueType

_PI = ValueType.PROCESS_INSTANCE
Intent = ProcessInstanceIntent
# An activation behaviour: (ctx, instance, model element, the ACTIVATE_ELEMENT command value).
Behavior = Callable[[Context, ElementInstance, Any, dict[str, Any]], None]


def event(ctx: Context, instance: ElementInstance, intent: ProcessInstanceIntent) -> Record:
    return ctx.result.append_event(_PI, intent, instance.key, instance.value)


def fail(ctx: Context, instance: ElementInstance, failure: Failure) -> None:
    raise_incident(ctx, instance, failure.error_type, failure.message)


def inputs_applied(ctx: Context, instance: ElementInstance, element: FlowNode) -> bool:
    """Applies the element's input mappings; a failure raises an incident (False)."""
    failure = variables.apply_inputs(ctx, instance.key, element.inputs)
    if failure is not None:
        fail(ctx, instance, failure)
        return False
    return True


def complete(
    ctx: Context,
    instance: ElementInstance,
    element: FlowNode | Process,
    result: dict[str, Any] | None,
    *,
    flows: list[str] | None = None,
    flow_variables: dict[str, Any] | None = None,
) -> None:
    """COMPLETING → result variables and output mappings → COMPLETED → outgoing flows.

    `flows` replaces the element's outgoing flows (gateways choose); `flow_variables` are handed
    to the targets (the event that decided an event-based gateway).
    """
    if instance.state != Intent.ELEMENT_COMPLETING:
        event(ctx, instance, Intent.ELEMENT_COMPLETING)
        messages.close_subscriptions(ctx, instance)
        timers.cancel(ctx, instance)
        signals.close(ctx, instance)
    if isinstance(element, Process):
        _complete_process(ctx, instance)
        return
    if instance.element_type is BpmnElementType.MULTI_INSTANCE_BODY:
        _multi_instance().complete_body(ctx, instance, element)
        return
    scope = ctx.state.element_instances[instance.flow_scope_key]
    if scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY:
        _multi_instance().complete_inner(ctx, scope, instance, element, result)
        return
    failure = variables.complete_with_result(ctx, instance.key, element.outputs, result)
    if failure is not None:
        fail(ctx, instance, failure)
        return
    compensation.activity_completed(ctx, instance, element)
    event(ctx, instance, Intent.ELEMENT_COMPLETED)
    compensation.handler_completed(ctx, instance, element)
    outgoing = element.outgoing if flows is None else flows
    if outgoing:
        flow.take_flows(ctx, instance, outgoing, flow_variables)
    else:
        flow.complete_scope_if_done(ctx, instance.flow_scope_key)


def _multi_instance() -> Any:
    """elements.multi_instance imports this module: imported when first needed."""
    from zeebind.engine.elements import multi_instance

    return multi_instance


def _complete_process(ctx: Context, instance: ElementInstance) -> None:
    compensation.process_left(ctx, instance)
    v = instance.value
    fetch = ctx.state.awaiting_results.get(instance.key)
    if fetch is not None:
        ctx.result.append_event(
            ValueType.PROCESS_INSTANCE_RESULT,
            ProcessInstanceResultIntent.COMPLETED,
            instance.key,
            {
                "bpmnProcessId": v["bpmnProcessId"],
                "processDefinitionKey": v["processDefinitionKey"],
                "processInstanceKey": instance.key,
                "version": v["version"],
                "variables": ctx.state.visible_variables(instance.key, fetch or None),
                "tenantId": v["tenantId"],
            },
        )
    caller = ctx.state.element_instances.get(v["parentElementInstanceKey"])
    if caller is not None:
        _return_to_caller(ctx, instance, caller)
    event(ctx, instance, Intent.ELEMENT_COMPLETED)


def _return_to_caller(ctx: Context, child: ElementInstance, caller: ElementInstance) -> None:
    """A child process instance completed: its call activity completes with its variables."""
    activity = ctx.model(caller.process_definition_key).element(caller.element_id)
    assert isinstance(activity, CallActivity)
    value = dict(caller.value)
    if activity.outputs or activity.propagate_all_child_variables:
        value["variables"] = ctx.state.visible_variables(child.key)
    ctx.result.follow_up(_PI, Intent.COMPLETE_ELEMENT, caller.key, value)


def terminate(ctx: Context, instance: ElementInstance) -> Record:
    """TERMINATING; children (and a called process instance) first, then TERMINATED."""
    terminating = event(ctx, instance, Intent.ELEMENT_TERMINATING)
    cancel_job(ctx, instance)
    messages.close_subscriptions(ctx, instance)
    timers.cancel(ctx, instance)
    signals.close(ctx, instance)
    resolve_incidents_of(ctx, instance)
    compensation.scope_terminating(ctx, instance)
    waits = False
    for child_key in list(instance.children):
        child = ctx.state.element_instances[child_key]
        ctx.result.follow_up(_PI, Intent.TERMINATE_ELEMENT, child_key, child.value)
        waits = True
    called = ctx.state.element_instances.get(instance.called_instance_key)
    if called is not None:
        ctx.result.follow_up(_PI, Intent.TERMINATE_ELEMENT, called.key, called.value)
        waits = True
    if not waits:
        terminated(ctx, instance)
    return terminating


def terminated(ctx: Context, instance: ElementInstance) -> None:
    """TERMINATED, then whatever waited for it: an interrupting event, or a terminating scope."""
    trigger = ctx.state.event_triggers.get(instance.key)
    if trigger is not None:
        target = ctx.model(instance.process_definition_key).element(trigger.target_element_id)
        if not isinstance(target, BoundaryEvent):
            trigger = None  # an event subprocess of this scope that will not run now
    event(ctx, instance, Intent.ELEMENT_TERMINATED)
    v = instance.value
    if trigger is not None:
        ctx.result.append_event(
            ValueType.PROCESS_EVENT,
            ProcessEventIntent.TRIGGERED,
            trigger.key,
            process_event_value(instance.key, v, trigger.target_element_id, trigger.variables),
        )
        scope = ctx.state.element_instances[instance.flow_scope_key]
        boundary = ctx.model(instance.process_definition_key).element(trigger.target_element_id)
        assert isinstance(boundary, BoundaryEvent)
        flow.activate(ctx, scope, boundary, trigger.variables)
        return
    if instance.element_type is BpmnElementType.PROCESS:
        caller = ctx.state.element_instances.get(v["parentElementInstanceKey"])
        if (
            caller is not None
            and caller.state == Intent.ELEMENT_TERMINATING
            and not caller.children
        ):
            terminated(ctx, caller)
        return
    outer = ctx.state.element_instances.get(instance.flow_scope_key)
    if outer is None:
        return
    if outer.state == Intent.ELEMENT_TERMINATING:
        if not outer.children and outer.called_instance_key < 0:
            terminated(ctx, outer)
    elif not outer.children and messages.start_triggered_event_subprocess(ctx, outer):
        pass  # an interrupting event subprocess waited for the others to be terminated
    else:
        # e.g. a terminate end event or a completion condition ended the others: the scope
        # completes once nothing is left in it.
        flow.complete_scope_if_done(ctx, outer.key)
