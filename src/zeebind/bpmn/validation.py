"""Deploy-time structural rules over a built Process, and the FEEL syntax check of expressions."""

from __future__ import annotations

from collections import Counter

from zeebind.bpmn.build import Association
from zeebind.bpmn.event_validation import (
    check_compensation,
    check_duplicate_catches,
    check_event_based_gateway,
    check_event_sub_process,
    check_process_level_start,
    check_scope,
    static_name,
)
from zeebind.bpmn.findings import Findings
from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EndEvent,
    EventBasedGateway,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    Process,
    ReceiveTask,
    StartEvent,
    SubProcess,
)

ACTIVITY_TYPES = frozenset(
    {
        BpmnElementType.TASK,
        BpmnElementType.SERVICE_TASK,
        BpmnElementType.SEND_TASK,
        BpmnElementType.RECEIVE_TASK,
        BpmnElementType.USER_TASK,
        BpmnElementType.MANUAL_TASK,
        BpmnElementType.BUSINESS_RULE_TASK,
        BpmnElementType.SCRIPT_TASK,
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.CALL_ACTIVITY,
    }
)
_GATEWAYS_WITH_CONDITIONS = frozenset(
    {BpmnElementType.EXCLUSIVE_GATEWAY, BpmnElementType.INCLUSIVE_GATEWAY}
)


def check_process(
    process: Process,
    flow_scopes: dict[str, str],
    associations: list[Association],
    findings: Findings,
) -> None:
    """Every structural rule; `flow_scopes` maps each sequence flow id to its defining scope."""
    _check_sequence_flows(process, flow_scopes, findings)
    _check_process_start_events(process, findings)
    check_scope(process, process.bpmn_process_id, findings)
    for node in process.elements.values():
        if isinstance(node, SubProcess):
            if node.triggered_by_event:
                check_event_sub_process(process, node, findings)
            else:
                _check_sub_process_start_events(process, node, findings)
            check_scope(process, node.id, findings)
        elif isinstance(node, BoundaryEvent):
            _attach_boundary_event(process, node, findings)
        elif isinstance(node, ExclusiveGateway | InclusiveGateway):
            _check_conditional_gateway(process, node, findings)
        elif isinstance(node, EventBasedGateway):
            check_event_based_gateway(process, node, findings)
        if isinstance(node, StartEvent | BoundaryEvent) and node.incoming:
            findings.add(node.id, "Must not have incoming sequence flows")
        if isinstance(node, EndEvent) and node.outgoing:
            findings.add(
                node.id, "End events must not have outgoing sequence flows to other elements"
            )
    for node in process.elements.values():
        if node.boundary_event_ids:
            _check_boundary_events(process, node, findings)
    check_compensation(process, associations, findings)


def check_expressions(findings: Findings) -> None:
    """FEEL syntax of every expression met while parsing (skipped while zeebind.feel has none)."""
    present = []
    for path, expression in findings.expressions:
        if expression.source.strip():
            present.append((path, expression))
        else:
            findings.add(path, "Expected an expression after '=' but found none")
    try:
        from zeebind.feel import (  # type: ignore[attr-defined]
            FeelSyntaxError,
            compile_expression,
        )
    except ImportError:
        return
    for path, expression in present:
        try:
            compile_expression(expression.source)
        except FeelSyntaxError as err:
            findings.add(path, f"Failed to parse expression '{expression.source}': {err}")


def _check_sequence_flows(
    process: Process, flow_scopes: dict[str, str], findings: Findings
) -> None:
    for flow in process.sequence_flows.values():
        scope_id = flow_scopes[flow.id]
        for role, ref in (("source", flow.source_id), ("target", flow.target_id)):
            node = process.elements.get(ref)
            if node is None:
                findings.add(flow.id, f"Attribute '{role}Ref' must reference a valid flow node")
            elif node.flow_scope_id != scope_id:
                findings.add(
                    flow.id,
                    f"Referenced {role} element '{ref}' is not in the flow scope '{scope_id}' "
                    "of the sequence flow",
                )
        source = process.elements.get(flow.source_id)
        if (
            flow.condition is not None
            and source is not None
            and source.element_type not in _GATEWAYS_WITH_CONDITIONS
        ):
            findings.add(
                flow.id,
                "Conditional sequence flows are only supported at exclusive or inclusive gateway",
            )


def _start_events(process: Process, child_ids: list[str]) -> list[StartEvent]:
    return [n for i in child_ids if isinstance(n := process.elements[i], StartEvent)]


def _check_process_start_events(process: Process, findings: Findings) -> None:
    starts = _start_events(process, process.child_ids)
    if not starts:
        findings.add(process.bpmn_process_id, "Must have at least one start event")
    if sum(1 for s in starts if s.event_type is BpmnEventType.NONE) > 1:
        findings.add(process.bpmn_process_id, "Multiple none start events are not allowed")
    for start in starts:
        check_process_level_start(start, findings)
    signal_starts = [s for s in starts if s.event_type is BpmnEventType.SIGNAL]
    check_duplicate_catches(process.bpmn_process_id, signal_starts, findings)
    message_starts = [s for s in starts if s.message is not None]
    names = Counter(static_name(s.message) for s in message_starts if s.message is not None)
    refs = Counter(s.message.id for s in message_starts if s.message is not None)
    for start in message_starts:
        assert start.message is not None
        name = static_name(start.message)
        if name is not None and names[name] > 1:
            findings.add(
                start.id,
                f"Multiple message event definitions with the same name '{name}' are not allowed.",
            )
        if refs[start.message.id] > 1:
            findings.add(
                start.id,
                f"A message can be referenced by only one start event, but '{start.message.id}' "
                "is referenced by several",
            )


def _check_sub_process_start_events(
    process: Process, sub_process: SubProcess, findings: Findings
) -> None:
    starts = _start_events(process, sub_process.child_ids)
    if len(starts) != 1:
        findings.add(sub_process.id, "Must have exactly one start event")
    for start in starts:
        if start.event_type is not BpmnEventType.NONE:
            findings.add(start.id, "Start events in subprocesses must be of type none")


def _attach_boundary_event(process: Process, boundary: BoundaryEvent, findings: Findings) -> None:
    compensation = boundary.event_type is BpmnEventType.COMPENSATION
    if not boundary.outgoing and not compensation:
        findings.add(boundary.id, "Must have at least one outgoing sequence flow")
    if not boundary.attached_to_id:
        findings.add(boundary.id, "Attribute 'attachedToRef' must be present and not empty")
        return
    activity = process.elements.get(boundary.attached_to_id)
    if activity is None or activity.element_type not in ACTIVITY_TYPES:
        findings.add(
            boundary.id,
            f"Must be attached to an activity, but '{boundary.attached_to_id}' is not one",
        )
    elif activity.flow_scope_id != boundary.flow_scope_id:
        findings.add(
            boundary.id, "Must be in the same flow scope as the activity it is attached to"
        )
    else:
        activity.boundary_event_ids.append(boundary.id)
        if boundary.event_type is BpmnEventType.ESCALATION and activity.element_type not in (
            BpmnElementType.SUB_PROCESS,
            BpmnElementType.CALL_ACTIVITY,
        ):
            findings.add(
                boundary.id,
                "An escalation boundary event should only be attached to a subprocess, or a "
                "call activity.",
            )


def _check_conditional_gateway(
    process: Process, gateway: ExclusiveGateway | InclusiveGateway, findings: Findings
) -> None:
    if gateway.default_flow_id is not None and gateway.default_flow_id not in gateway.outgoing:
        findings.add(gateway.id, "Default flow must start at gateway")
    if len(gateway.outgoing) < 2:
        return
    for flow_id in gateway.outgoing:
        flow = process.sequence_flows[flow_id]
        if flow.condition is None and flow_id != gateway.default_flow_id:
            findings.add(flow_id, "Must have a condition or be default flow")


def _check_boundary_events(process: Process, activity: FlowNode, findings: Findings) -> None:
    """Message and signal names, error and escalation codes caught on one activity are unique."""
    boundaries: list[FlowNode] = [process.elements[i] for i in activity.boundary_event_ids]
    if isinstance(activity, ReceiveTask) and activity.message is not None:
        boundaries.append(activity)
    check_duplicate_catches(activity.id, boundaries, findings)
