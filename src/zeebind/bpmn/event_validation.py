"""Deploy-time rules between events: event subprocesses, links, event-based gateways, duplicate
catch definitions in one scope, and compensation handlers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from zeebind.bpmn.build import Association
from zeebind.bpmn.findings import Findings
from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EndEvent,
    EventBasedGateway,
    EventDefinitions,
    FlowNode,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    MessageDefinition,
    Process,
    SignalDefinition,
    StartEvent,
    Static,
    SubProcess,
)

_EVENT_SUB_PROCESS_STARTS = frozenset(
    {
        BpmnEventType.MESSAGE,
        BpmnEventType.TIMER,
        BpmnEventType.ERROR,
        BpmnEventType.SIGNAL,
        BpmnEventType.ESCALATION,
    }
)
_NOT_SUPPORTED = frozenset({BpmnEventType.CONDITIONAL, BpmnEventType.UNSPECIFIED})
_EVENT_GATEWAY_TARGETS = frozenset(
    {BpmnEventType.MESSAGE, BpmnEventType.TIMER, BpmnEventType.SIGNAL}
)
# Tasks that may be compensation handlers; embedded subprocesses and call activities may be too.
_COMPENSATION_HANDLERS = frozenset(
    {
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.CALL_ACTIVITY,
        BpmnElementType.SERVICE_TASK,
        BpmnElementType.USER_TASK,
        BpmnElementType.SEND_TASK,
        BpmnElementType.SCRIPT_TASK,
        BpmnElementType.MANUAL_TASK,
        BpmnElementType.TASK,
    }
)


def static_name(message: MessageDefinition | SignalDefinition | None) -> str | None:
    """Only static names can be compared at deploy time."""
    if message is None:
        return None
    return message.name.value if isinstance(message.name, Static) else None


def events_of(node: FlowNode) -> EventDefinitions:
    definitions = getattr(node, "events", None)
    return definitions if isinstance(definitions, EventDefinitions) else EventDefinitions()


def scope_children(process: Process, scope_id: str) -> list[FlowNode]:
    if scope_id == process.bpmn_process_id:
        return [process.elements[i] for i in process.child_ids]
    scope = process.elements[scope_id]
    assert isinstance(scope, SubProcess)
    return [process.elements[i] for i in scope.child_ids]


# --- duplicates among the catch events of one activity or scope ----------------------------------


def check_duplicate_catches(
    element_id: str, catches: Iterable[FlowNode], findings: Findings, *, extra_messages: int = 0
) -> None:
    """Message and signal names, error and escalation codes caught together must be unique."""
    catch_list = list(catches)
    message_names = Counter(
        name
        for node in catch_list
        if (name := static_name(getattr(node, "message", None))) is not None
    )
    for name, count in message_names.items():
        if count > 1:
            findings.add(
                element_id,
                f"Multiple message event definitions with the same name '{name}' are not allowed.",
            )
    signal_names = Counter(
        name for node in catch_list if (name := static_name(events_of(node).signal)) is not None
    )
    for name, count in signal_names.items():
        if count > 1:
            findings.add(
                element_id,
                f"Multiple signal event definitions with the same name '{name}' are not allowed.",
            )
    errors = [_error_code(node) for node in catch_list if node.event_type is BpmnEventType.ERROR]
    _check_codes(element_id, errors, "error", findings)
    escalations = [
        escalation.code.value if isinstance(escalation.code, Static) else None
        for node in catch_list
        if node.event_type is BpmnEventType.ESCALATION
        and (escalation := events_of(node).escalation) is not None
    ]
    _check_codes(element_id, escalations, "escalation", findings)


def _error_code(node: FlowNode) -> str | None:
    return node.error_code if isinstance(node, StartEvent | BoundaryEvent) else None


def _check_codes(element_id: str, codes: list[str | None], kind: str, findings: Findings) -> None:
    for code, count in Counter(codes).items():
        if count < 2:
            continue
        if code is None:
            findings.add(
                element_id,
                f"The same scope can not contain more than one {kind} catch event without {kind} "
                f"code. An {kind} catch event without {kind} code catches all {kind}s.",
            )
        else:
            findings.add(
                element_id,
                f"Multiple {kind} catch events with the same {kind} code '{code}' are not "
                "supported on the same scope.",
            )


# --- scopes: event subprocesses and links --------------------------------------------------------


def check_scope(process: Process, scope_id: str, findings: Findings) -> None:
    """The event subprocesses and link events directly inside a process or subprocess."""
    children = scope_children(process, scope_id)
    event_starts = [
        process.elements[start_id]
        for child in children
        if isinstance(child, SubProcess) and child.triggered_by_event
        for start_id in child.start_event_ids
    ]
    check_duplicate_catches(scope_id, event_starts, findings)
    catch_names = Counter(
        node.events.link_name
        for node in _nested_link_catches(process, scope_id)
        if node.events.link_name
    )
    for name, count in catch_names.items():
        if count > 1:
            findings.add(
                scope_id,
                "Multiple intermediate catch link event definitions with the same name "
                f"'{name}' are not allowed.",
            )
    local_catches = {
        child.events.link_name
        for child in children
        if isinstance(child, IntermediateCatchEvent) and child.event_type is BpmnEventType.LINK
    }
    for child in children:
        if (
            isinstance(child, IntermediateThrowEvent)
            and child.event_type is BpmnEventType.LINK
            and child.events.link_name
            and child.events.link_name not in local_catches
        ):
            findings.add(
                scope_id,
                "Can't find an catch link event for the throw link event with the name "
                f"'{child.events.link_name}'.",
            )


def _nested_link_catches(process: Process, scope_id: str) -> list[IntermediateCatchEvent]:
    """Link catch events of the scope and of every subprocess inside it (as Zeebe counts them)."""
    found: list[IntermediateCatchEvent] = []
    for child in scope_children(process, scope_id):
        if isinstance(child, IntermediateCatchEvent) and child.event_type is BpmnEventType.LINK:
            found.append(child)
        elif isinstance(child, SubProcess):
            found.extend(_nested_link_catches(process, child.id))
    return found


def check_event_sub_process(process: Process, sub_process: SubProcess, findings: Findings) -> None:
    starts = [n for i in sub_process.child_ids if isinstance(n := process.elements[i], StartEvent)]
    if len(starts) != 1:
        findings.add(sub_process.id, "Must have exactly one start event")
    for start in starts[:1]:
        # Conditional (and unknown) starts were already rejected as not supported.
        if start.event_type not in _EVENT_SUB_PROCESS_STARTS | _NOT_SUPPORTED:
            findings.add(
                sub_process.id,
                "Start events in event subprocesses must be one of: message, timer, error, "
                "signal or escalation",
            )
    if sub_process.incoming:
        findings.add(sub_process.id, "Event subprocesses must not have incoming sequence flows")
    if sub_process.outgoing:
        findings.add(sub_process.id, "Event subprocesses must not have outgoing sequence flows")


def check_process_level_start(start: StartEvent, findings: Findings) -> None:
    if start.event_type in (BpmnEventType.ERROR, BpmnEventType.ESCALATION):
        kind = start.event_type.value.lower()
        findings.add(
            start.id, f"Start events of type {kind} are only allowed in event subprocesses"
        )


# --- event-based gateways ------------------------------------------------------------------------


def check_event_based_gateway(
    process: Process, gateway: EventBasedGateway, findings: Findings
) -> None:
    if len(gateway.outgoing) < 2:
        findings.add(
            gateway.id, "Event-based gateway must have at least 2 outgoing sequence flows."
        )
    targets = [
        process.elements[flow.target_id]
        for flow_id in gateway.outgoing
        if (flow := process.sequence_flows[flow_id]).target_id in process.elements
    ]
    if not all(
        isinstance(t, IntermediateCatchEvent) and t.event_type in _EVENT_GATEWAY_TARGETS
        for t in targets
    ):
        findings.add(
            gateway.id,
            "Event-based gateway must not have an outgoing sequence flow to other elements than "
            "message/timer/signal/conditional intermediate catch events.",
        )
    check_duplicate_catches(
        gateway.id, [t for t in targets if isinstance(t, IntermediateCatchEvent)], findings
    )
    for target in targets:
        if any(process.sequence_flows[f].source_id != gateway.id for f in target.incoming):
            findings.add(
                gateway.id,
                "Target elements of an event gateway must not have any additional incoming "
                "sequence flows other than that from the event gateway.",
            )
            break


# --- compensation --------------------------------------------------------------------------------


def check_compensation(
    process: Process, associations: list[Association], findings: Findings
) -> None:
    """Link compensation boundary events to their handlers; check handlers and throw events."""
    handlers_of = {a.source_id: a.target_id for a in associations}
    for node in process.elements.values():
        if isinstance(node, BoundaryEvent) and node.event_type is BpmnEventType.COMPENSATION:
            _link_handler(process, node, handlers_of.get(node.id), findings)
        if node.is_for_compensation:
            _check_handler(process, node, findings)
        if (
            isinstance(node, IntermediateThrowEvent | EndEvent)
            and node.event_type is BpmnEventType.COMPENSATION
        ):
            _check_compensation_throw(process, node, node.events, findings)


def _link_handler(
    process: Process, boundary: BoundaryEvent, handler_id: str | None, findings: Findings
) -> None:
    handler = process.elements.get(handler_id or "")
    if boundary.outgoing or handler_id is None:
        findings.add(
            boundary.id,
            "Compensation boundary events must have a compensation association and no outgoing "
            "sequence flows",
        )
        return
    if handler is None:
        findings.add(boundary.id, f"The compensation handler '{handler_id}' does not exist")
        return
    if not handler.is_for_compensation:
        findings.add(
            handler.id,
            'A compensation handler must be marked as such (isForCompensation="true")',
        )
        return
    scope_id = process.elements[boundary.id].flow_scope_id
    handlers = (
        process.compensation_handlers
        if scope_id == process.bpmn_process_id
        else _sub_process(process, scope_id).compensation_handlers
    )
    if boundary.attached_to_id:
        handlers[boundary.attached_to_id] = handler.id


def _sub_process(process: Process, scope_id: str) -> SubProcess:
    scope = process.elements[scope_id]
    assert isinstance(scope, SubProcess)
    return scope


def _check_handler(process: Process, handler: FlowNode, findings: Findings) -> None:
    if handler.element_type not in _COMPENSATION_HANDLERS:
        findings.add(
            handler.id,
            "Compensation task must be one of: service task, user task, send task, script task, "
            "manual task, or undefined task.",
        )
    if handler.incoming:
        findings.add(handler.id, "A compensation handler should have no incoming sequence flows")
    if handler.outgoing:
        findings.add(handler.id, "A compensation handler should have no outgoing sequence flows")
    if handler.boundary_event_ids:
        findings.add(handler.id, "A compensation handler should have no boundary events")


def _check_compensation_throw(
    process: Process, throw: FlowNode, definitions: EventDefinitions, findings: Findings
) -> None:
    activity_id = definitions.compensate_activity_id
    if activity_id is None:
        return
    activity = process.elements.get(activity_id)
    if activity is None:
        findings.add(
            throw.id, f"The referenced compensation activity '{activity_id}' doesn't exist"
        )
        return
    has_boundary = any(
        process.elements[b].event_type is BpmnEventType.COMPENSATION
        for b in activity.boundary_event_ids
    )
    if not has_boundary and activity.element_type is not BpmnElementType.SUB_PROCESS:
        findings.add(
            throw.id,
            f"The referenced compensation activity '{activity_id}' must have either a "
            "compensation boundary event or be a subprocess",
        )
    scopes = {throw.flow_scope_id}
    scope = process.elements.get(throw.flow_scope_id)
    if scope is not None and scope.element_type is BpmnElementType.EVENT_SUB_PROCESS:
        scopes.add(scope.flow_scope_id)  # an event subprocess compensates its outer scope too
    if activity.flow_scope_id not in scopes:
        findings.add(
            throw.id,
            f"The referenced compensation activity '{activity_id}' must be in the same scope as "
            "the compensation throw event",
        )
