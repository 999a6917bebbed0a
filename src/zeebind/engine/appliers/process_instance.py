"""Appliers for PROCESS_INSTANCE, PROCESS_INSTANCE_CREATION and PROCESS_EVENT events."""

from __future__ import annotations

from zeebind.bpmn.model import BpmnElementType, InclusiveGateway, ParallelGateway
from zeebind.engine.model_cache import process_model
from zeebind.engine.result import Applier
from zeebind.engine.state import ElementInstance, EventTrigger, State
from zeebind.protocol.intent import (
    ProcessEventIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
)
from zeebind.protocol.record import Record, ValueType

_NOT_REACHED_BY_FLOW = {
    BpmnElementType.PROCESS,
    BpmnElementType.START_EVENT,
    BpmnElementType.BOUNDARY_EVENT,
}


def sequence_flow_taken(state: State, record: Record) -> None:
    v = record.value
    scope = state.element_instances.get(v["flowScopeKey"])
    if scope is None:
        return
    scope.active_flows += 1
    model = process_model(state, v["processDefinitionKey"])
    target = model.element(model.flow(v["elementId"]).target_id)
    if isinstance(target, ParallelGateway | InclusiveGateway) and len(target.incoming) > 1:
        tokens = scope.join_tokens.setdefault(target.id, {})
        tokens[v["elementId"]] = tokens.get(v["elementId"], 0) + 1


def element_activating(state: State, record: Record) -> None:
    v = record.value
    instance = ElementInstance(key=record.key, value=v, state=str(record.intent))
    state.element_instances[record.key] = instance
    if v["parentElementInstanceKey"] > 0 and v["bpmnElementType"] == BpmnElementType.PROCESS:
        caller = state.element_instances.get(v["parentElementInstanceKey"])
        if caller is not None:
            caller.called_instance_key = record.key
    scope = state.element_instances.get(v["flowScopeKey"])
    if scope is None:
        return
    scope.children[record.key] = None
    if record.key in state.activations_without_flow:
        del state.activations_without_flow[record.key]
        return  # activated by process instance modification: no token to consume
    element_type = BpmnElementType(v["bpmnElementType"])
    if element_type in _NOT_REACHED_BY_FLOW:
        return
    if scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY:
        return  # inner instances are created by their body, not reached by a flow
    model = process_model(state, v["processDefinitionKey"])
    element = model.element(v["elementId"])
    if isinstance(element, ParallelGateway) and len(element.incoming) > 1:
        tokens = scope.join_tokens.get(element.id, {})
        for flow_id in element.incoming:
            left = tokens.get(flow_id, 0) - 1
            if left > 0:
                tokens[flow_id] = left
            else:
                tokens.pop(flow_id, None)
        if not tokens:
            scope.join_tokens.pop(element.id, None)
        scope.active_flows -= len(element.incoming)
    elif isinstance(element, InclusiveGateway) and len(element.incoming) > 1:
        # An inclusive join consumes one token of each incoming flow that has one.
        tokens = scope.join_tokens.get(element.id, {})
        for flow_id in [f for f in element.incoming if tokens.get(f, 0) > 0]:
            scope.active_flows -= 1
            if tokens[flow_id] > 1:
                tokens[flow_id] -= 1
            else:
                del tokens[flow_id]
        if not tokens:
            scope.join_tokens.pop(element.id, None)
    elif element.incoming:
        scope.active_flows -= 1


def element_state(state: State, record: Record) -> None:
    instance = state.element_instances.get(record.key)
    if instance is not None:
        instance.state = record.intent


def element_left(state: State, record: Record) -> None:
    """ELEMENT_COMPLETED / ELEMENT_TERMINATED: the instance and its local variables are gone."""
    instance = state.element_instances.pop(record.key, None)
    state.variables.pop(record.key, None)
    state.event_triggers.pop(record.key, None)
    if instance is None:
        return
    scope = state.element_instances.get(instance.flow_scope_key)
    if scope is not None:
        scope.children.pop(record.key, None)
        if record.intent == ProcessInstanceIntent.ELEMENT_COMPLETED:
            scope.completed_children += 1
            if record.value.get("bpmnEventType") == "TERMINATE":
                scope.interrupted = True
        else:
            scope.terminated_children += 1
    if instance.element_type is BpmnElementType.PROCESS:
        caller = state.element_instances.get(instance.value["parentElementInstanceKey"])
        if caller is not None and caller.called_instance_key == record.key:
            caller.called_instance_key = -1
        state.awaiting_results.pop(record.key, None)
        lock = state.message_started_by_instance.pop(record.key, None)
        if lock is not None:
            state.message_started.pop(lock, None)


def creation_created(state: State, record: Record) -> None:
    v = record.value
    if v.get("awaitingResult"):
        state.awaiting_results[v["processInstanceKey"]] = list(v.get("fetchVariables", []))
    for start in v.get("startInstructions", []):
        # Started by an instruction (and the flow scopes opened for it), not reached by a flow:
        # no token to consume.
        state.activations_without_flow[start["elementInstanceKey"]] = None
        for scope in start.get("flowScopes", []):
            state.activations_without_flow[scope["elementInstanceKey"]] = None


def event_triggering(state: State, record: Record) -> None:
    v = record.value
    state.event_triggers[v["scopeKey"]] = EventTrigger(
        key=record.key, target_element_id=v["targetElementId"], variables=v["variables"]
    )


def event_triggered(state: State, record: Record) -> None:
    state.event_triggers.pop(record.value["scopeKey"], None)


_PI = ValueType.PROCESS_INSTANCE
APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (_PI, ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN): sequence_flow_taken,
    (_PI, ProcessInstanceIntent.ELEMENT_ACTIVATING): element_activating,
    (_PI, ProcessInstanceIntent.ELEMENT_ACTIVATED): element_state,
    (_PI, ProcessInstanceIntent.ELEMENT_COMPLETING): element_state,
    (_PI, ProcessInstanceIntent.ELEMENT_TERMINATING): element_state,
    (_PI, ProcessInstanceIntent.ELEMENT_COMPLETED): element_left,
    (_PI, ProcessInstanceIntent.ELEMENT_TERMINATED): element_left,
    (ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATED): creation_created,
    (ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERING): event_triggering,
    (ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERED): event_triggered,
}
