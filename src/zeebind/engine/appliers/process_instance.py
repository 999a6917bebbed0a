"""Appliers for PROCESS_INSTANCE, PROCESS_INSTANCE_CREATION and PROCESS_EVENT events."""

from __future__ import annotations

from zeebind.bpmn.model import BpmnElementType, ParallelGateway
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
    if isinstance(target, ParallelGateway) and len(target.incoming) > 1:
        tokens = scope.join_tokens.setdefault(target.id, {})
        tokens[v["elementId"]] = tokens.get(v["elementId"], 0) + 1


def element_activating(state: State, record: Record) -> None:
    v = record.value
    instance = ElementInstance(key=record.key, value=v, state=str(record.intent))
    state.element_instances[record.key] = instance
    scope = state.element_instances.get(v["flowScopeKey"])
    if scope is None:
        return
    scope.children[record.key] = None
    element_type = BpmnElementType(v["bpmnElementType"])
    if element_type in _NOT_REACHED_BY_FLOW:
        return
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
    if instance.element_type is BpmnElementType.PROCESS:
        state.awaiting_results.pop(record.key, None)
        lock = state.message_started_by_instance.pop(record.key, None)
        if lock is not None:
            state.message_started.pop(lock, None)


def creation_created(state: State, record: Record) -> None:
    v = record.value
    if v.get("awaitingResult"):
        state.awaiting_results[v["processInstanceKey"]] = list(v.get("fetchVariables", []))


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
