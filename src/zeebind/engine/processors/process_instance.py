"""PROCESS_INSTANCE commands: the element lifecycle (activate, complete, terminate) and CANCEL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EndEvent,
    ExclusiveGateway,
    FlowNode,
    IntermediateCatchEvent,
    JobTask,
    Process,
    ReceiveTask,
    StartEvent,
    SubProcess,
)
from zeebind.engine.behaviors import decisions, errors, flow, messages, variables
from zeebind.engine.behaviors.expressions import (
    Failure,
    ScopeVariables,
    evaluate_boolean,
    evaluate_int,
    evaluate_string,
)
from zeebind.engine.behaviors.incidents import raise_incident, resolve_incidents_of
from zeebind.engine.behaviors.jobs import cancel_job, create_job
from zeebind.engine.context import Context, Processor
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import (
    ProcessEventIntent,
    ProcessInstanceIntent,
    ProcessInstanceResultIntent,
)
from zeebind.protocol.record import Record, RejectionType, ValueType

_PI = ValueType.PROCESS_INSTANCE
Intent = ProcessInstanceIntent


def _event(ctx: Context, instance: ElementInstance, intent: ProcessInstanceIntent) -> Record:
    return ctx.result.append_event(_PI, intent, instance.key, instance.value)


def _fail(ctx: Context, instance: ElementInstance, failure: Failure) -> None:
    raise_incident(ctx, instance, failure.error_type, failure.message)


# --- activation -------------------------------------------------------------------------------


def activate_element(ctx: Context, command: Record) -> None:
    instance = ctx.state.element_instances.get(command.key)
    if instance is None:
        value = {name: command.value[name] for name in flow.ELEMENT_FIELDS}
        ctx.result.append_event(_PI, Intent.ELEMENT_ACTIVATING, command.key, value)
        instance = ctx.state.element_instances[command.key]
    elif instance.state != Intent.ELEMENT_ACTIVATING:
        return  # already past activation: nothing to re-run
    element = flow.element_of(ctx, instance)
    behavior = _ACTIVATE.get(instance.element_type, _activate_pass_through)
    behavior(ctx, instance, element, command.value)


def _activate_process(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, Process)
    _event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    start_id = command.get("startElementId") or element.none_start_event_id
    assert start_id is not None
    flow.activate(ctx, instance, element.element(start_id), command.get("variables"))


def _activate_pass_through(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    """Start/end events, undefined and manual tasks, none throw events, boundary events."""
    failure = variables.apply_inputs(ctx, instance.key, element.inputs)
    if failure is not None:
        _fail(ctx, instance, failure)
        return
    _event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    _complete(ctx, instance, element, command.get("variables"))


def _activate_end_event(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, EndEvent)
    if element.event_type is not BpmnEventType.ERROR or element.error_code is None:
        _activate_pass_through(ctx, instance, element, command)
        return
    failure = variables.apply_inputs(ctx, instance.key, element.inputs)
    if failure is not None:
        _fail(ctx, instance, failure)
        return
    code = evaluate_string(element.error_code, ScopeVariables(ctx.state, instance.key))
    if isinstance(code, Failure):
        _fail(ctx, instance, code)
        return
    found = errors.find_catcher(ctx, instance.flow_scope_key, code)
    if isinstance(found, list):
        raise_incident(
            ctx, instance, "UNHANDLED_ERROR_EVENT", errors.unhandled_message(code, "", found)
        )
        return
    _event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    errors.throw(ctx, instance.flow_scope_key, code, {})


def _activate_job_task(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, JobTask)
    failure = variables.apply_inputs(ctx, instance.key, element.inputs)
    if failure is not None:
        _fail(ctx, instance, failure)
        return
    scope = ScopeVariables(ctx.state, instance.key)
    job_type = evaluate_string(element.job.type, scope)
    if isinstance(job_type, Failure):
        _fail(ctx, instance, job_type)
        return
    retries = evaluate_int(element.job.retries, scope)
    if isinstance(retries, Failure):
        _fail(ctx, instance, retries)
        return
    planned = messages.plan(ctx, instance, element, None)
    if isinstance(planned, Failure):
        _fail(ctx, instance, planned)
        return
    messages.open_planned(ctx, instance, planned)
    create_job(ctx, instance, job_type, retries, dict(element.job.headers))
    _event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    messages.correlate_buffered(ctx, instance)


def _activate_message_wait(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    """Receive tasks and intermediate message catch events."""
    assert isinstance(element, ReceiveTask | IntermediateCatchEvent)
    failure = variables.apply_inputs(ctx, instance.key, element.inputs)
    if failure is not None:
        _fail(ctx, instance, failure)
        return
    planned = messages.plan(ctx, instance, element, element.message)
    if isinstance(planned, Failure):
        _fail(ctx, instance, planned)
        return
    messages.open_planned(ctx, instance, planned)
    _event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    messages.correlate_buffered(ctx, instance)


def _activate_exclusive_gateway(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, ExclusiveGateway)
    model = ctx.model(instance.process_definition_key)
    chosen: str | None = None
    if len(element.outgoing) == 1 and model.flow(element.outgoing[0]).condition is None:
        chosen = element.outgoing[0]
    else:
        scope = ScopeVariables(ctx.state, instance.key)
        for flow_id in element.outgoing:
            if flow_id == element.default_flow_id:
                continue
            condition = model.flow(flow_id).condition
            if condition is None:
                continue
            outcome = evaluate_boolean(condition.source, scope)
            if isinstance(outcome, Failure):
                _fail(ctx, instance, outcome)
                return
            if outcome:
                chosen = flow_id
                break
        if chosen is None and element.default_flow_id is not None:
            chosen = element.default_flow_id
        if chosen is None and element.outgoing:
            raise_incident(
                ctx,
                instance,
                "CONDITION_ERROR",
                "Expected at least one condition to evaluate to true, or to have a default flow",
            )
            return
    _event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    _complete(ctx, instance, element, None, flows=[chosen] if chosen else [])


def _activate_sub_process(
    ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
) -> None:
    assert isinstance(element, SubProcess)
    failure = variables.apply_inputs(ctx, instance.key, element.inputs)
    if failure is not None:
        _fail(ctx, instance, failure)
        return
    planned = messages.plan(ctx, instance, element, None)
    if isinstance(planned, Failure):
        _fail(ctx, instance, planned)
        return
    messages.open_planned(ctx, instance, planned)
    _event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    model = ctx.model(instance.process_definition_key)
    flow.activate(ctx, instance, model.element(element.start_event_id))
    messages.correlate_buffered(ctx, instance)


Behavior = Callable[[Context, ElementInstance, Any, dict[str, Any]], None]
_ACTIVATE: dict[BpmnElementType, Behavior] = {
    BpmnElementType.PROCESS: _activate_process,
    BpmnElementType.END_EVENT: _activate_end_event,
    BpmnElementType.SERVICE_TASK: _activate_job_task,
    BpmnElementType.SEND_TASK: _activate_job_task,
    BpmnElementType.SCRIPT_TASK: _activate_job_task,
    BpmnElementType.BUSINESS_RULE_TASK: decisions.business_rule_task(_activate_job_task),
    BpmnElementType.USER_TASK: _activate_job_task,
    BpmnElementType.INTERMEDIATE_THROW_EVENT: _activate_pass_through,
    BpmnElementType.RECEIVE_TASK: _activate_message_wait,
    BpmnElementType.INTERMEDIATE_CATCH_EVENT: _activate_message_wait,
    BpmnElementType.EXCLUSIVE_GATEWAY: _activate_exclusive_gateway,
    BpmnElementType.SUB_PROCESS: _activate_sub_process,
}


# --- completion -------------------------------------------------------------------------------


def complete_element(ctx: Context, command: Record) -> None:
    instance = ctx.state.element_instances.get(command.key)
    if instance is None or instance.state not in (
        Intent.ELEMENT_ACTIVATED,
        Intent.ELEMENT_COMPLETING,
    ):
        return
    if instance.element_type in (BpmnElementType.PROCESS, BpmnElementType.SUB_PROCESS) and (
        instance.active_children or instance.active_flows
    ):
        return  # work arrived in the scope meanwhile
    element = flow.element_of(ctx, instance)
    _complete(ctx, instance, element, command.value.get("variables"))


def _complete(
    ctx: Context,
    instance: ElementInstance,
    element: FlowNode | Process,
    result: dict[str, Any] | None,
    *,
    flows: list[str] | None = None,
) -> None:
    """COMPLETING → result variables and output mappings → COMPLETED → outgoing flows."""
    if instance.state != Intent.ELEMENT_COMPLETING:
        _event(ctx, instance, Intent.ELEMENT_COMPLETING)
        messages.close_subscriptions(ctx, instance)
    if isinstance(element, Process):
        _complete_process(ctx, instance)
        return
    failure = variables.complete_with_result(ctx, instance.key, element.outputs, result)
    if failure is not None:
        _fail(ctx, instance, failure)
        return
    _event(ctx, instance, Intent.ELEMENT_COMPLETED)
    outgoing = element.outgoing if flows is None else flows
    if outgoing:
        flow.take_flows(ctx, instance, outgoing)
    else:
        flow.complete_scope_if_done(ctx, instance.flow_scope_key)


def _complete_process(ctx: Context, instance: ElementInstance) -> None:
    fetch = ctx.state.awaiting_results.get(instance.key)
    if fetch is not None:
        v = instance.value
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
    _event(ctx, instance, Intent.ELEMENT_COMPLETED)


# --- termination ------------------------------------------------------------------------------


def terminate_element(ctx: Context, command: Record) -> None:
    instance = ctx.state.element_instances.get(command.key)
    if instance is None or instance.state == Intent.ELEMENT_TERMINATING:
        return
    _terminate(ctx, instance)


def _terminate(ctx: Context, instance: ElementInstance) -> Record:
    terminating = _event(ctx, instance, Intent.ELEMENT_TERMINATING)
    cancel_job(ctx, instance)
    messages.close_subscriptions(ctx, instance)
    resolve_incidents_of(ctx, instance)
    if instance.children:
        for child_key in list(instance.children):
            child = ctx.state.element_instances[child_key]
            ctx.result.follow_up(_PI, Intent.TERMINATE_ELEMENT, child_key, child.value)
    else:
        _terminated(ctx, instance)
    return terminating


def _terminated(ctx: Context, instance: ElementInstance) -> None:
    """TERMINATED, then whatever waited for it: an interrupting event, or a terminating scope."""
    trigger = ctx.state.event_triggers.get(instance.key)
    _event(ctx, instance, Intent.ELEMENT_TERMINATED)
    if trigger is not None:
        v = instance.value
        ctx.result.append_event(
            ValueType.PROCESS_EVENT,
            ProcessEventIntent.TRIGGERED,
            trigger.key,
            {
                "scopeKey": instance.key,
                "targetElementId": trigger.target_element_id,
                "variables": trigger.variables,
                "processDefinitionKey": v["processDefinitionKey"],
                "processInstanceKey": v["processInstanceKey"],
                "tenantId": v["tenantId"],
            },
        )
        scope = ctx.state.element_instances[instance.flow_scope_key]
        boundary = ctx.model(instance.process_definition_key).element(trigger.target_element_id)
        assert isinstance(boundary, BoundaryEvent)
        flow.activate(ctx, scope, boundary, trigger.variables)
        return
    outer = ctx.state.element_instances.get(instance.flow_scope_key)
    if outer is not None and outer.state == Intent.ELEMENT_TERMINATING and not outer.children:
        _terminated(ctx, outer)


def cancel(ctx: Context, command: Record) -> None:
    instance = ctx.state.element_instances.get(command.key)
    if instance is None or instance.element_type is not BpmnElementType.PROCESS:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to cancel a process instance with key '{command.key}', "
            "but no such process was found",
        )
        return
    if instance.value["parentProcessInstanceKey"] > 0:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to cancel a process instance with key '{command.key}', but it is created "
            "by a parent process instance. Cancel the root process instance "
            f"'{instance.value['parentProcessInstanceKey']}' instead.",
        )
        return
    if instance.state == Intent.ELEMENT_TERMINATING:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to cancel a process instance with key '{command.key}', "
            "but it is already being terminated",
        )
        return
    ctx.result.respond(_terminate(ctx, instance))


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (_PI, Intent.ACTIVATE_ELEMENT): activate_element,
    (_PI, Intent.COMPLETE_ELEMENT): complete_element,
    (_PI, Intent.TERMINATE_ELEMENT): terminate_element,
    (_PI, Intent.CANCEL): cancel,
}

_ = StartEvent  # start events use the pass-through behaviour (their variables come from events)
