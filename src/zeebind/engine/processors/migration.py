"""PROCESS_INSTANCE_MIGRATION MIGRATE: move a running instance onto another process definition.

Every active element instance needs a mapping to an element of the same type in the same flow
scope. Nothing is re-created: element instances, jobs, incidents, variables, timers and message
and signal subscriptions keep their keys and values (a timer its due date) and get the target's
process definition key, process id, version and element id (the MIGRATED events). Catch events
follow the mapping (boundary events of activities, event subprocess start events of scopes, the
events after an event-based gateway): a mapped catch event keeps its subscription or timer, an
unmapped source one's is closed, an unmapped target one opens a new one. Compensation
subscriptions follow the mapping of their activity's compensation boundary event (MIGRATED);
those whose boundary is not mapped are deleted. All is validated first (all or nothing),
breadth-first from the process instance, as Zeebe does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EventBasedGateway,
    FlowNode,
    Process,
    StartEvent,
)
from zeebind.engine.behaviors import compensation, messages, signals, timers
from zeebind.engine.behaviors.expressions import Failure
from zeebind.engine.context import Context, Processor
from zeebind.engine.state import ElementInstance, ProcessDefinition
from zeebind.protocol.intent import (
    CompensationSubscriptionIntent,
    IncidentIntent,
    JobIntent,
    MessageSubscriptionIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
    VariableIntent,
)
from zeebind.protocol.record import Record, RejectionType, ValueType

_MIGRATION = ValueType.PROCESS_INSTANCE_MIGRATION
_CS = ValueType.COMPENSATION_SUBSCRIPTION
_MS = ValueType.MESSAGE_SUBSCRIPTION
_PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
_SUPPORTED = frozenset(
    {
        BpmnElementType.PROCESS,
        BpmnElementType.SERVICE_TASK,
        BpmnElementType.USER_TASK,
        BpmnElementType.SEND_TASK,
        BpmnElementType.SCRIPT_TASK,
        BpmnElementType.BUSINESS_RULE_TASK,
        BpmnElementType.RECEIVE_TASK,
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.EVENT_SUB_PROCESS,
        BpmnElementType.CALL_ACTIVITY,
        BpmnElementType.INTERMEDIATE_CATCH_EVENT,
        BpmnElementType.EVENT_BASED_GATEWAY,
        BpmnElementType.MULTI_INSTANCE_BODY,
    }
)


class Rejected(Exception):
    def __init__(self, rejection_type: RejectionType, reason: str) -> None:
        super().__init__(reason)
        self.rejection_type = rejection_type
        self.reason = reason


@dataclass(slots=True)
class _Step:
    """The migration of one element instance and of the catch events it waits for."""

    instance: ElementInstance
    target_id: str
    # subscription / timer key -> the target catch event it moves to, None: it is closed
    message_moves: dict[int, str | None] = field(default_factory=dict)
    timer_moves: dict[int, str | None] = field(default_factory=dict)
    signal_moves: dict[int, str | None] = field(default_factory=dict)
    # catch events of the target element that no mapping leads to: opened anew
    new_messages: list[messages.PlannedSubscription] = field(default_factory=list)
    new_timers: list[timers.PlannedTimer] = field(default_factory=list)
    new_signals: list[tuple[str, str]] = field(default_factory=list)


def migrate(ctx: Context, command: Record) -> None:
    v = command.value
    key = command.key if command.key > 0 else int(v.get("processInstanceKey", -1))
    plan = v.get("migrationPlan") or v
    target_key = int(plan.get("targetProcessDefinitionKey", -1))
    mappings = [
        (str(m.get("sourceElementId", "")), str(m.get("targetElementId", "")))
        for m in plan.get("mappingInstructions") or []
    ]
    try:
        instance, target = _find(ctx, key, target_key)
        steps = _plan(ctx, instance, target, mappings)
        compensations = _plan_compensations(ctx, instance, target, dict(mappings))
    except Rejected as rejected:
        ctx.result.reject(command, rejected.rejection_type, rejected.reason)
        return
    _apply_compensations(ctx, instance, target, compensations)
    for step in steps:
        _apply(ctx, step, target)
    event = ctx.result.append_event(
        _MIGRATION,
        ProcessInstanceMigrationIntent.MIGRATED,
        key,
        {
            "processInstanceKey": key,
            "targetProcessDefinitionKey": target.key,
            "mappingInstructions": [
                {"sourceElementId": s, "targetElementId": t} for s, t in mappings
            ],
            "tenantId": instance.value["tenantId"],
        },
    )
    ctx.result.respond(event)


# --- validation -------------------------------------------------------------------------------


def _find(ctx: Context, key: int, target_key: int) -> tuple[ElementInstance, ProcessDefinition]:
    instance = ctx.state.element_instances.get(key)
    if instance is None or instance.element_type is not BpmnElementType.PROCESS:
        raise Rejected(
            RejectionType.NOT_FOUND,
            f"Expected to migrate process instance but no process instance found with key '{key}'",
        )
    target = ctx.state.processes.get(target_key)
    if target is None or target.tenant_id != instance.value["tenantId"]:
        raise Rejected(
            RejectionType.NOT_FOUND,
            "Expected to migrate process instance to process definition but no process "
            f"definition found with key '{target_key}'",
        )
    return instance, target


def _plan(
    ctx: Context,
    instance: ElementInstance,
    target: ProcessDefinition,
    mappings: list[tuple[str, str]],
) -> list[_Step]:
    key = instance.key
    source_model = ctx.model(instance.process_definition_key)
    target_model = ctx.model(target.key)
    counts: dict[str, int] = {}
    for source_id, _ in mappings:
        counts[source_id] = counts.get(source_id, 0) + 1
    duplicates = [s for s, n in counts.items() if n > 1]
    if duplicates:
        raise _invalid(
            f"Expected to migrate process instance '{key}' but the mapping instructions contain "
            f"duplicate source element ids '[{', '.join(duplicates)}]'."
        )
    for source_id, target_id in mappings:
        if source_id not in source_model.elements:
            raise _invalid(
                f"Expected to migrate process instance '{key}' but mapping instructions contain a "
                f"non-existing source element id '{source_id}'. Elements provided in mapping "
                "instructions must exist in the source process definition."
            )
        if target_id not in target_model.elements:
            raise _invalid(
                f"Expected to migrate process instance '{key}' but mapping instructions contain a "
                f"non-existing target element id '{target_id}'. Elements provided in mapping "
                "instructions must exist in the target process definition."
            )
    mapping = dict(mappings)
    targets: dict[int, str] = {key: target_model.bpmn_process_id}
    steps = [_Step(instance, target_model.bpmn_process_id)]
    queue = list(instance.children)
    while queue:
        child = ctx.state.element_instances[queue.pop(0)]
        queue.extend(child.children)
        target_id = _check_element(ctx, child, source_model, target_model, mapping, targets, key)
        targets[child.key] = target_id
        steps.append(_Step(child, target_id))
    # Every element has its place in the target; now the catch events they wait for.
    for step in steps:
        _plan_catch_events(ctx, step, source_model, target_model, target, mapping, key)
    for step in steps:
        # Tokens in flight (waiting at a join) or a pending event trigger: not a wait state.
        busy = step.instance.active_flows or step.instance.join_tokens
        if busy or step.instance.key in ctx.state.event_triggers:
            raise _state(
                f"Expected to migrate process instance '{key}' but a concurrent command was "
                "executed on the process instance. Please retry the migration."
            )
    return steps


def _check_element(
    ctx: Context,
    child: ElementInstance,
    source_model: Process,
    target_model: Process,
    mapping: dict[str, str],
    targets: dict[int, str],
    key: int,
) -> str:
    element_id = child.element_id
    element_type = child.element_type
    if element_type not in _SUPPORTED:
        raise _state(
            f"Expected to migrate process instance '{key}' but active element with id "
            f"'{element_id}' has an unsupported type. The migration of a {element_type} is not "
            "supported."
        )
    target_id = mapping.get(element_id)
    if target_id is None:
        raise _state(
            f"Expected to migrate process instance '{key}' but no mapping instruction defined "
            f"for active element with id '{element_id}'. Elements cannot be migrated without a "
            "mapping."
        )
    target_element = target_model.element(target_id)
    target_type = _instance_type(target_element, child)
    if target_type is not element_type:
        raise _state(
            f"Expected to migrate process instance '{key}' but active element with id "
            f"'{element_id}' and type '{element_type}' is mapped to an element with id "
            f"'{target_id}' and different type '{target_type}'. Elements must be mapped to "
            "elements of the same type."
        )
    source_loop = source_model.element(element_id).loop
    if element_type is BpmnElementType.MULTI_INSTANCE_BODY and target_element.loop is not None:
        assert source_loop is not None
        if source_loop.is_sequential != target_element.loop.is_sequential:
            kinds = {True: "sequential", False: "parallel"}
            raise _state(
                f"Expected to migrate process instance '{key}' but active multi-instance element "
                f"with id '{element_id}' is {kinds[source_loop.is_sequential]} and mapped to the "
                f"{kinds[target_element.loop.is_sequential]} multi-instance element with id "
                f"'{target_id}'. The multi-instance type cannot be changed during migration."
            )
    scope = ctx.state.element_instances[child.flow_scope_key]
    if scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY:
        expected = target_id  # an inner instance stays in the body of its own element
        actual = target_id
    else:
        expected = targets[scope.key]
        actual = target_element.flow_scope_id
    if expected != actual:
        raise _state(
            f"Expected to migrate process instance '{key}' but the flow scope of active element "
            f"with id '{element_id}' is changed. The flow scope of the active element is "
            f"expected to be '{expected}' but was '{actual}'. The flow scope of an element "
            "cannot be changed during migration yet."
        )
    source_element = source_model.element(element_id)
    if source_element.event_type is not target_element.event_type and (
        element_type is BpmnElementType.INTERMEDIATE_CATCH_EVENT
    ):
        raise _state(
            f"Expected to migrate process instance '{key}' but active element with id "
            f"'{element_id}' and event type '{source_element.event_type}' is mapped to an element "
            f"with id '{target_id}' and different event type '{target_element.event_type}'. "
            "Catch events must be mapped to catch events of the same type."
        )
    return target_id


def _instance_type(target_element: FlowNode, child: ElementInstance) -> BpmnElementType:
    """The element type an instance of `target_element` would have in the child's place."""
    if (
        target_element.loop is not None
        and child.element_type is BpmnElementType.MULTI_INSTANCE_BODY
    ):
        return BpmnElementType.MULTI_INSTANCE_BODY
    return target_element.element_type


def _catch_events(
    model: Process, element: FlowNode | Process, instance: ElementInstance
) -> dict[str, FlowNode]:
    """The catch events an instance of `element` waits for besides its own: the boundary
    events of an activity, the event subprocess start events of a scope, the events after an
    event-based gateway."""
    events: dict[str, FlowNode] = {}
    if isinstance(element, EventBasedGateway):
        for flow_id in element.outgoing:
            target = model.element(model.flow(flow_id).target_id)
            events[target.id] = target
    if isinstance(element, FlowNode):
        for boundary_id in messages.boundary_ids(instance, element):
            events[boundary_id] = model.element(boundary_id)
    if instance.element_type is not BpmnElementType.MULTI_INSTANCE_BODY:
        for esp_id in getattr(element, "event_sub_process_ids", []):
            for start_id in getattr(model.element(esp_id), "start_event_ids", []):
                events[start_id] = model.element(start_id)
    return events


def _plan_catch_events(
    ctx: Context,
    step: _Step,
    source_model: Process,
    target_model: Process,
    target: ProcessDefinition,
    mapping: dict[str, str],
    key: int,
) -> None:
    state = ctx.state
    child = step.instance
    is_process = child.element_type is BpmnElementType.PROCESS
    target_element = target_model if is_process else target_model.element(step.target_id)
    attached = _catch_events(target_model, target_element, child)
    kept: set[str] = set()

    def follow(event_id: str) -> str | None:
        """Where the catch event `event_id` of the child goes (None: it is closed)."""
        if event_id == child.element_id:
            return step.target_id  # the element's own event (catch event, receive task)
        mapped = mapping.get(event_id)
        if mapped is None:
            return None
        if mapped not in attached:
            raise _state(
                f"Expected to migrate process instance '{key}' but active element with id "
                f"'{child.element_id}' is mapped to an element with id '{step.target_id}' and has "
                f"a catch event with id '{event_id}' that is mapped to an element with id "
                f"'{mapped}'. These mappings detach the catch event from the element in the "
                "target process. Catch events must stay attached to the same element instance."
            )
        source_type = source_model.element(event_id).event_type
        target_type = target_model.element(mapped).event_type
        if source_type is not target_type:
            raise _state(
                f"Expected to migrate process instance '{key}' but active element with id "
                f"'{child.element_id}' has a catch event with id '{event_id}' of type "
                f"'{source_type}' that is mapped to a catch event with id '{mapped}' of a "
                f"different type '{target_type}'. Catch events must be mapped to catch events of "
                "the same type."
            )
        kept.add(mapped)
        return mapped

    for sub_key in state.subscriptions_by_element.get(child.key, {}):
        step.message_moves[sub_key] = follow(state.subscriptions[sub_key].value["elementId"])
    for timer_key in state.timers_by_element.get(child.key, {}):
        step.timer_moves[timer_key] = follow(state.timers[timer_key].value["targetElementId"])
    for signal_key in state.signal_subscriptions_by_element.get(child.key, {}):
        event_id = state.signal_subscriptions[signal_key].value["catchEventId"]
        step.signal_moves[signal_key] = follow(event_id)
    # The target's catch events that no mapping leads to open anew (evaluated now, in the
    # child's scope, as if the child were already an instance of the target element).
    probe = ElementInstance(
        key=child.key,
        value={**child.value, "processDefinitionKey": target.key, "elementId": step.target_id},
        state=child.state,
    )
    fresh = [event for event_id, event in attached.items() if event_id not in kept]
    planned_messages: list[messages.PlannedSubscription] = []
    for event in fresh:
        message = getattr(event, "message", None)
        if message is None or isinstance(event, BoundaryEvent):
            continue  # boundaries are planned with their activity, below
        found = messages.plan(ctx, probe, event, message)
        if isinstance(found, Failure):
            raise _subscription_failed(key, step.target_id, found)
        planned_messages += [p for p in found if p.element_id == event.id]
    if isinstance(target_element, FlowNode):
        boundaries = messages.plan(ctx, probe, target_element, None)
        if isinstance(boundaries, Failure):
            raise _subscription_failed(key, step.target_id, boundaries)
        planned_messages += [p for p in boundaries if p.element_id not in kept]
    planned_timers = timers.plan(ctx, probe, fresh)
    if isinstance(planned_timers, Failure):
        raise _subscription_failed(key, step.target_id, planned_timers)
    planned_signals = signals.plan(ctx, probe, fresh)
    if isinstance(planned_signals, Failure):
        raise _subscription_failed(key, step.target_id, planned_signals)
    subscribed = {
        state.subscriptions[k].value["messageName"]: k
        for k in state.subscriptions_by_element.get(child.key, {})
    }
    for planned in planned_messages:
        if planned.message_name in subscribed:
            raise _state(
                f"Expected to migrate process instance '{key}' but active element with id "
                f"'{child.element_id}' attempts to subscribe to a message it is already "
                f"subscribed to with name '{planned.message_name}'. Migrating active elements "
                "that subscribe to a message they are already subscribed to is not possible yet. "
                "Please provide a mapping instruction to message catch event with id "
                f"'{planned.element_id}' to migrate the respective message subscription."
            )
    step.new_messages = planned_messages
    step.new_timers = planned_timers
    step.new_signals = planned_signals


def _subscription_failed(key: int, element_id: str, failure: Failure) -> Rejected:
    return _state(
        f"Expected to migrate process instance '{key}' but a catch event of element "
        f"'{element_id}' could not be subscribed to: {failure.message}"
    )


def _plan_compensations(
    ctx: Context, instance: ElementInstance, target: ProcessDefinition, mapping: dict[str, str]
) -> dict[str, str]:
    """Compensation subscriptions follow the mapping of their activity's compensation boundary
    event (Zeebe 8.8): source activity id -> target activity id, for the activity and the flow
    scopes above it, which must pair up level by level. The others are deleted."""
    source_model = ctx.model(instance.process_definition_key)
    target_model = ctx.model(target.key)
    moves: dict[str, str] = {}
    for _, value in compensation.subscriptions(ctx, instance.key):
        activity = source_model.elements.get(value["compensableActivityId"])
        if activity is None or (
            activity.element_type is BpmnElementType.SUB_PROCESS and activity.loop is None
        ):
            continue  # subprocesses follow the activities inside them
        source_boundary = next(
            (
                b
                for b in activity.boundary_event_ids
                if source_model.element(b).event_type is BpmnEventType.COMPENSATION and b in mapping
            ),
            None,
        )
        if source_boundary is None:
            continue
        target_boundary = target_model.element(mapping[source_boundary])
        if (
            not isinstance(target_boundary, BoundaryEvent)
            or target_boundary.event_type is not BpmnEventType.COMPENSATION
        ):
            raise Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to migrate process instance with id '{source_model.bpmn_process_id}' "
                f"but compensation boundary event '{source_boundary}' is mapped to a target "
                f"boundary event '{target_boundary.id}' that has event type "
                f"'{target_boundary.event_type}' different than compensation boundary event type.",
            )
        source_id, target_id = activity.id, target_boundary.attached_to_id
        while True:
            source_root = source_id == source_model.bpmn_process_id
            target_root = target_id == target_model.bpmn_process_id
            if source_root != target_root:
                raise _state(
                    "Expected to migrate process instance with id "
                    f"'{source_model.bpmn_process_id}' but the flow scope of compensation "
                    f"boundary event is changed. Flow scope '{source_id}' is not in the same "
                    f"level as '{target_id}'. The flow scope of a compensation boundary event "
                    "cannot be changed during migration yet."
                )
            moves[source_id] = target_id
            if source_root:
                break
            source_id = source_model.element(source_id).flow_scope_id
            target_id = target_model.element(target_id).flow_scope_id
    return moves


def _apply_compensations(
    ctx: Context, instance: ElementInstance, target: ProcessDefinition, moves: dict[str, str]
) -> None:
    target_model = ctx.model(target.key)
    for key, value in compensation.subscriptions(ctx, instance.key):
        target_id = moves.get(value["compensableActivityId"])
        if target_id is None:
            ctx.result.append_event(_CS, CompensationSubscriptionIntent.DELETED, key, value)
            continue
        migrated = {**value, "processDefinitionKey": target.key, "compensableActivityId": target_id}
        element = target_model.element(target_id)
        handler = compensation.handlers(target_model, element.flow_scope_id).get(target_id)
        if handler is not None:
            migrated["compensationHandlerId"] = handler
        ctx.result.append_event(_CS, CompensationSubscriptionIntent.MIGRATED, key, migrated)


# --- application ------------------------------------------------------------------------------


def _apply(ctx: Context, step: _Step, target: ProcessDefinition) -> None:
    instance = step.instance
    changes = {
        "bpmnProcessId": target.bpmn_process_id,
        "version": target.version,
        "processDefinitionKey": target.key,
        "elementId": step.target_id,
    }
    ctx.result.append_event(
        ValueType.PROCESS_INSTANCE,
        ProcessInstanceIntent.ELEMENT_MIGRATED,
        instance.key,
        {**instance.value, **changes},
    )
    job = ctx.state.jobs.get(instance.job_key)
    if job is not None:
        ctx.result.append_event(
            ValueType.JOB,
            JobIntent.MIGRATED,
            job.key,
            {
                **job.value,
                "bpmnProcessId": target.bpmn_process_id,
                "processDefinitionVersion": target.version,
                "processDefinitionKey": target.key,
                "elementId": step.target_id,
            },
        )
    for incident_key in _incidents_of(ctx, instance):
        incident = ctx.state.incidents[incident_key]
        ctx.result.append_event(
            ValueType.INCIDENT,
            IncidentIntent.MIGRATED,
            incident_key,
            {
                **incident.value,
                "bpmnProcessId": target.bpmn_process_id,
                "processDefinitionKey": target.key,
                "elementId": step.target_id,
            },
        )
    for name, variable in ctx.state.variables.get(instance.key, {}).items():
        ctx.result.append_event(
            ValueType.VARIABLE,
            VariableIntent.MIGRATED,
            variable.key,
            {
                "name": name,
                "value": variable.text,
                "scopeKey": instance.key,
                "processInstanceKey": instance.process_instance_key,
                "processDefinitionKey": target.key,
                "bpmnProcessId": target.bpmn_process_id,
                "tenantId": instance.value["tenantId"],
            },
        )
    target_model = ctx.model(target.key)
    moved = {"bpmnProcessId": target.bpmn_process_id, "processDefinitionKey": target.key}
    for sub_key, event_id in step.message_moves.items():
        subscription = ctx.state.subscriptions[sub_key]
        if event_id is None:
            ctx.result.append_event(
                _MS, MessageSubscriptionIntent.DELETED, sub_key, subscription.value
            )
            ctx.result.append_event(
                _PMS, ProcessMessageSubscriptionIntent.DELETED, sub_key, subscription.value
            )
            continue
        value = {**subscription.value, **moved, "elementId": event_id}
        event = target_model.element(event_id)
        if isinstance(event, BoundaryEvent):
            value["interrupting"] = event.cancel_activity
        elif isinstance(event, StartEvent):
            value["interrupting"] = event.is_interrupting
        ctx.result.append_event(_PMS, ProcessMessageSubscriptionIntent.MIGRATED, sub_key, value)
        ctx.result.append_event(_MS, MessageSubscriptionIntent.MIGRATED, sub_key, value)
    for timer_key, event_id in step.timer_moves.items():
        timer = ctx.state.timers[timer_key]
        if event_id is None:
            ctx.result.append_event(ValueType.TIMER, TimerIntent.CANCELED, timer_key, timer.value)
            continue
        value = {**timer.value, "processDefinitionKey": target.key, "targetElementId": event_id}
        ctx.result.append_event(ValueType.TIMER, TimerIntent.MIGRATED, timer_key, value)
    for signal_key, event_id in step.signal_moves.items():
        signal = ctx.state.signal_subscriptions[signal_key]
        intent = SignalSubscriptionIntent.DELETED
        value = signal.value
        if event_id is not None:
            intent = SignalSubscriptionIntent.MIGRATED
            value = {**signal.value, **moved, "catchEventId": event_id}
        ctx.result.append_event(ValueType.SIGNAL_SUBSCRIPTION, intent, signal_key, value)
    migrated = ctx.state.element_instances[instance.key]
    messages.open_planned(ctx, migrated, step.new_messages)
    timers.open_planned(ctx, migrated, step.new_timers)
    signals.open_planned(ctx, migrated, step.new_signals)


def _incidents_of(ctx: Context, instance: ElementInstance) -> list[int]:
    keys = []
    element_incident = ctx.state.element_incidents.get(instance.key)
    if element_incident is not None:
        keys.append(element_incident)
    job_incident = ctx.state.job_incidents.get(instance.job_key)
    if job_incident is not None:
        keys.append(job_incident)
    return keys


def _distinct(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


def _invalid(reason: str) -> Rejected:
    return Rejected(RejectionType.INVALID_ARGUMENT, reason)


def _state(reason: str) -> Rejected:
    return Rejected(RejectionType.INVALID_STATE, reason)


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (_MIGRATION, ProcessInstanceMigrationIntent.MIGRATE): migrate
}
