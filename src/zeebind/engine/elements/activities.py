"""Activities: the process itself, subprocesses, call activities, tasks (jobs, scripts, waits)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from zeebind.bpmn.model import (
    BpmnEventType,
    CallActivity,
    FlowNode,
    IntermediateCatchEvent,
    JobTask,
    MessageDefinition,
    Process,
    ReceiveTask,
    ScriptTask,
    StartEvent,
    SubProcess,
)
from zeebind.engine.behaviors import flow, messages, signals, timers
from zeebind.engine.behaviors.expressions import (
    Failure,
    ScopeVariables,
    evaluate_any,
    evaluate_int,
    evaluate_string,
)
from zeebind.engine.behaviors.incidents import raise_incident
from zeebind.engine.behaviors.instances import create_instance
from zeebind.engine.behaviors.jobs import create_job
from zeebind.engine.behaviors.variables import set_local
from zeebind.engine.context import Context
from zeebind.engine.elements.lifecycle import Intent, complete, event, fail, inputs_applied
from zeebind.engine.state import ElementInstance, ProcessDefinition
from zeebind.feel import to_json
from zeebind.protocol.record import ValueType


def open_events(
    ctx: Context,
    instance: ElementInstance,
    element: FlowNode | None,
    own_message: MessageDefinition | None = None,
    *,
    own_timer: bool = False,
    own_signal: bool = False,
    container: FlowNode | Process | None = None,
) -> bool:
    """Opens the message, timer and signal subscriptions of the element, of its boundary events
    and of the event subprocess starts of `container` (a process or subprocess being activated).

    Everything is evaluated before anything is opened: a failure raises an incident, opens
    nothing, and the activation is re-run when the incident is resolved.
    """
    model = ctx.model(instance.process_definition_key)
    planned = messages.plan(ctx, instance, element, own_message) if element is not None else []
    if isinstance(planned, Failure):
        fail(ctx, instance, planned)
        return False
    boundaries = (
        [model.element(b) for b in messages.boundary_ids(instance, element)] if element else []
    )
    targets = [element, *boundaries] if element and (own_timer or own_signal) else boundaries
    # The start events of the scope's event subprocesses wait from the scope's activation on.
    starts = [
        start
        for esp_id in getattr(container, "event_sub_process_ids", [])
        for start_id in getattr(model.element(esp_id), "start_event_ids", [])
        if isinstance(start := model.element(start_id), StartEvent)
    ]
    for start in starts:
        if start.message is not None:
            found = messages.plan(ctx, instance, start, start.message)
            if isinstance(found, Failure):
                fail(ctx, instance, found)
                return False
            planned += [replace(p, interrupting=start.is_interrupting) for p in found]
    targets += starts
    planned_timers = timers.plan(ctx, instance, targets)
    if isinstance(planned_timers, Failure):
        fail(ctx, instance, planned_timers)
        return False
    planned_signals = signals.plan(ctx, instance, targets)
    if isinstance(planned_signals, Failure):
        fail(ctx, instance, planned_signals)
        return False
    messages.open_planned(ctx, instance, planned)
    timers.open_planned(ctx, instance, planned_timers)
    signals.open_planned(ctx, instance, planned_signals)
    return True


def open_flow_scope(
    ctx: Context,
    outer: ElementInstance,
    element: FlowNode,
    key: int,
    document: dict[str, Any] | None = None,
) -> ElementInstance:
    """A subprocess instance opened for an element inside it (start instructions, modification):
    no start event, no input mappings, but the given local variables, then the subscriptions of
    its boundary events and event subprocess starts (buffered messages are not correlated to
    them here: that could interrupt the scope before its element is in it)."""
    value = flow.element_value(outer, element)
    ctx.result.append_event(ValueType.PROCESS_INSTANCE, Intent.ELEMENT_ACTIVATING, key, value)
    scope = ctx.state.element_instances[key]
    if document:
        set_local(ctx, key, document)
    if open_events(ctx, scope, element, container=element):
        ctx.result.append_event(
            ValueType.PROCESS_INSTANCE, Intent.ELEMENT_ACTIVATED, key, scope.value
        )
    return scope


def process(ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]) -> None:
    assert isinstance(element, Process)
    if not open_events(ctx, instance, None, container=element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    instructions = command.get("startInstructions")
    if instructions:
        for start in instructions:
            # The flow scopes the element is in are opened first (outer first; instructions
            # into the same subprocess share its instance, their keys chosen at creation).
            scope = instance
            for opened in start.get("flowScopes", []):
                existing = ctx.state.element_instances.get(opened["elementInstanceKey"])
                scope = existing or open_flow_scope(
                    ctx, scope, element.element(opened["elementId"]), opened["elementInstanceKey"]
                )
            value = flow.element_value(scope, element.element(start["elementId"]))
            ctx.result.follow_up(
                ValueType.PROCESS_INSTANCE,
                Intent.ACTIVATE_ELEMENT,
                start["elementInstanceKey"],
                value,
            )
        return
    start_id = command.get("startElementId") or element.none_start_event_id
    assert start_id is not None
    flow.activate(ctx, instance, element.element(start_id), command.get("variables"))


def pass_through(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    """Elements that complete at once (undefined and manual tasks, none events, boundaries)."""
    if not inputs_applied(ctx, instance, element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    complete(ctx, instance, element, command.get("variables"))


def job_task(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, JobTask)
    if not inputs_applied(ctx, instance, element):
        return
    scope = ScopeVariables(ctx.state, instance.key)
    job_type = evaluate_string(element.job.type, scope)
    if isinstance(job_type, Failure):
        fail(ctx, instance, job_type)
        return
    retries = evaluate_int(element.job.retries, scope)
    if isinstance(retries, Failure):
        fail(ctx, instance, retries)
        return
    if not open_events(ctx, instance, element):
        return
    create_job(ctx, instance, job_type, retries, dict(element.job.headers))
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    messages.correlate_buffered(ctx, instance)


def script_task(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    """zeebe:script: the expression's value is the result variable; job-based scripts are jobs."""
    if not isinstance(element, ScriptTask):
        job_task(ctx, instance, element, command)
        return
    if not inputs_applied(ctx, instance, element):
        return
    value = evaluate_any(element.expression.source, ScopeVariables(ctx.state, instance.key))
    if isinstance(value, Failure):
        fail(ctx, instance, value)
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    complete(ctx, instance, element, {element.result_variable: to_json(value)})


def message_wait(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    """Receive tasks and intermediate message, timer and signal catch events."""
    assert isinstance(element, ReceiveTask | IntermediateCatchEvent)
    if not inputs_applied(ctx, instance, element):
        return
    own_timer = element.event_type is BpmnEventType.TIMER
    own_signal = element.event_type is BpmnEventType.SIGNAL
    message = None if own_timer or own_signal else element.message
    if not open_events(ctx, instance, element, message, own_timer=own_timer, own_signal=own_signal):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    messages.correlate_buffered(ctx, instance)


def sub_process(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, SubProcess)
    if not inputs_applied(ctx, instance, element):
        return
    if not open_events(ctx, instance, element, container=element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    model = ctx.model(instance.process_definition_key)
    # An event subprocess starts at the start event that fired, with the event's variables.
    start_id = command.get("startElementId") or element.start_event_id
    flow.activate(ctx, instance, model.element(start_id), command.get("variables"))
    messages.correlate_buffered(ctx, instance)


def _called_definition(
    ctx: Context, instance: ElementInstance, activity: CallActivity, process_id: str
) -> ProcessDefinition | None:
    tenant = instance.value["tenantId"]
    if activity.binding_type == "deployment":
        caller = ctx.state.processes[instance.process_definition_key]
        for key in reversed(ctx.state.process_versions.get((process_id, tenant), [])):
            if ctx.state.processes[key].deployment_key == caller.deployment_key:
                return ctx.state.processes[key]
        return None
    if activity.binding_type == "versionTag":
        for key in reversed(ctx.state.process_versions.get((process_id, tenant), [])):
            if ctx.state.processes[key].version_tag == activity.version_tag:
                return ctx.state.processes[key]
        return None
    return ctx.state.latest_process(process_id, tenant)


def call_activity(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, CallActivity)
    if not inputs_applied(ctx, instance, element):
        return
    process_id = evaluate_string(element.process_id, ScopeVariables(ctx.state, instance.key))
    if isinstance(process_id, Failure):
        fail(ctx, instance, process_id)
        return
    definition = _called_definition(ctx, instance, element, process_id)
    if definition is None:
        raise_incident(
            ctx,
            instance,
            "CALLED_ELEMENT_ERROR",
            f"Expected process with BPMN process id '{process_id}' to be deployed, but not found.",
        )
        return
    if ctx.model(definition.key).none_start_event_id is None:
        raise_incident(
            ctx,
            instance,
            "CALLED_ELEMENT_ERROR",
            f"Expected process with BPMN process id '{process_id}' to have a none start event, "
            "but not found.",
        )
        return
    if not open_events(ctx, instance, element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    if element.propagate_all_parent_variables:
        handed_over = ctx.state.visible_variables(instance.key)
    else:
        handed_over = {n: v.value for n, v in ctx.state.variables.get(instance.key, {}).items()}
    create_instance(
        ctx, definition, handed_over, parent=(instance.process_instance_key, instance.key)
    )
    messages.correlate_buffered(ctx, instance)
