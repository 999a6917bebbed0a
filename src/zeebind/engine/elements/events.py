"""Events: start, end (none, error, terminate), intermediate catch and throw, boundary."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import BpmnEventType, EndEvent, IntermediateCatchEvent
from zeebind.engine.behaviors import compensation, errors, flow
from zeebind.engine.behaviors.expressions import Failure, ScopeVariables, evaluate_string
from zeebind.engine.behaviors.incidents import raise_incident
from zeebind.engine.behaviors.messages import trigger_event
from zeebind.engine.context import Context
from zeebind.engine.elements import activities
from zeebind.engine.elements.lifecycle import Intent, complete, event, fail, inputs_applied
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import EscalationIntent, ProcessInstanceIntent, SignalIntent
from zeebind.protocol.record import ValueType

start_event = activities.pass_through
boundary_event = activities.pass_through


def end_event(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, EndEvent)
    if element.event_type is BpmnEventType.ERROR and element.error_code is not None:
        _error_end_event(ctx, instance, element)
    elif element.event_type is BpmnEventType.TERMINATE:
        _terminate_end_event(ctx, instance, element)
    elif element.event_type is BpmnEventType.SIGNAL:
        _signal_throw(ctx, instance, element)
    elif element.event_type is BpmnEventType.ESCALATION:
        _escalation_throw(ctx, instance, element)
    elif element.event_type is BpmnEventType.COMPENSATION:
        _compensation_throw(ctx, instance, element)
    else:
        activities.pass_through(ctx, instance, element, command)


def _error_end_event(ctx: Context, instance: ElementInstance, element: EndEvent) -> None:
    assert element.error_code is not None
    if not inputs_applied(ctx, instance, element):
        return
    code = evaluate_string(element.error_code, ScopeVariables(ctx.state, instance.key))
    if isinstance(code, Failure):
        fail(ctx, instance, code)
        return
    found = errors.find_catcher(ctx, instance.flow_scope_key, code)
    if isinstance(found, list):
        raise_incident(
            ctx, instance, "UNHANDLED_ERROR_EVENT", errors.unhandled_message(code, "", found)
        )
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    errors.throw(ctx, instance.flow_scope_key, code, {})


def _terminate_end_event(ctx: Context, instance: ElementInstance, element: EndEvent) -> None:
    """Terminates everything else in its flow scope; the scope then completes."""
    if not inputs_applied(ctx, instance, element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    scope = ctx.state.element_instances[instance.flow_scope_key]
    for child_key in [key for key in scope.children if key != instance.key]:
        child = ctx.state.element_instances[child_key]
        ctx.result.follow_up(
            ValueType.PROCESS_INSTANCE,
            ProcessInstanceIntent.TERMINATE_ELEMENT,
            child_key,
            child.value,
        )
    # With the others terminating, completing leaves the scope to complete after them.
    complete(ctx, instance, element, None)


def catch_event(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, IntermediateCatchEvent)
    if command.get("eventTriggered") or element.event_type in (
        BpmnEventType.LINK,
        BpmnEventType.NONE,
    ):
        # Decided by an event-based gateway (its event already arrived), or reached by a link.
        activities.pass_through(ctx, instance, element, command)
        return
    activities.message_wait(ctx, instance, element, command)


def throw_event(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    if element.event_type is BpmnEventType.MESSAGE:
        activities.job_task(ctx, instance, element, command)  # zeebe:taskDefinition
        return
    if element.event_type is BpmnEventType.LINK:
        _link(ctx, instance, element)
        return
    if element.event_type is BpmnEventType.SIGNAL:
        _signal_throw(ctx, instance, element)
        return
    if element.event_type is BpmnEventType.ESCALATION:
        _escalation_throw(ctx, instance, element)
        return
    if element.event_type is BpmnEventType.COMPENSATION:
        _compensation_throw(ctx, instance, element)
        return
    activities.pass_through(ctx, instance, element, command)


def _compensation_throw(ctx: Context, instance: ElementInstance, element: Any) -> None:
    """Runs the compensation handlers of the completed activities; goes on when they are done
    (the last handler to complete completes this event)."""
    if not inputs_applied(ctx, instance, element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    if not compensation.throw(ctx, instance, element):
        complete(ctx, instance, element, None)


def _signal_throw(ctx: Context, instance: ElementInstance, element: Any) -> None:
    """Broadcasts the signal with the throwing element's local variables, then continues."""
    if not inputs_applied(ctx, instance, element):
        return
    signal = element.events.signal
    assert signal is not None
    name = evaluate_string(signal.name, ScopeVariables(ctx.state, instance.key))
    if isinstance(name, Failure):
        fail(ctx, instance, name)
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    local = {n: v.value for n, v in ctx.state.variables.get(instance.key, {}).items()}
    ctx.result.follow_up(
        ValueType.SIGNAL,
        SignalIntent.BROADCAST,
        -1,
        {"signalName": name, "variables": local, "tenantId": instance.value["tenantId"]},
    )
    complete(ctx, instance, element, None)


def _escalation_throw(ctx: Context, instance: ElementInstance, element: Any) -> None:
    """Escalates to the nearest catcher; uncaught, or caught without interrupting, it goes on."""
    if not inputs_applied(ctx, instance, element):
        return
    escalation = element.events.escalation
    assert escalation is not None
    code = ""
    if escalation.code is not None:
        found_code = evaluate_string(escalation.code, ScopeVariables(ctx.state, instance.key))
        if isinstance(found_code, Failure):
            fail(ctx, instance, found_code)
            return
        code = found_code
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    catcher = errors.find(ctx, instance.flow_scope_key, BpmnEventType.ESCALATION, code)
    value = {
        "processInstanceKey": instance.process_instance_key,
        "escalationCode": code,
        "throwElementId": element.id,
        "catchElementId": catcher.event.id if isinstance(catcher, errors.Catcher) else "",
        "tenantId": instance.value["tenantId"],
    }
    if not isinstance(catcher, errors.Catcher):
        ctx.result.append_event(
            ValueType.ESCALATION, EscalationIntent.NOT_ESCALATED, ctx.key(), value
        )
        complete(ctx, instance, element, None)
        return
    ctx.result.append_event(ValueType.ESCALATION, EscalationIntent.ESCALATED, ctx.key(), value)
    trigger_event(ctx, catcher.instance.key, catcher.event.id, {})
    if not catcher.is_interrupting:
        complete(ctx, instance, element, None)


def _link(ctx: Context, instance: ElementInstance, element: Any) -> None:
    """A link throw event continues at the link catch event of the same name in its scope."""
    if not inputs_applied(ctx, instance, element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    model = ctx.model(instance.process_definition_key)
    name = element.events.link_name
    scope = ctx.state.element_instances[instance.flow_scope_key]
    for candidate in model.elements.values():
        if (
            isinstance(candidate, IntermediateCatchEvent)
            and candidate.event_type is BpmnEventType.LINK
            and candidate.flow_scope_id == element.flow_scope_id
            and candidate.events.link_name == name
        ):
            # Asked for first, so that the scope does not look finished in between.
            flow.activate(ctx, scope, candidate)
            break
    complete(ctx, instance, element, None, flows=[])
