"""Deploy-time structural rules over a built Process, and the FEEL syntax check of expressions."""

from __future__ import annotations

from collections import Counter

from zeebind.bpmn.findings import Findings
from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EndEvent,
    ExclusiveGateway,
    FlowNode,
    MessageDefinition,
    Process,
    ReceiveTask,
    StartEvent,
    Static,
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


def check_process(process: Process, flow_scopes: dict[str, str], findings: Findings) -> None:
    """Every structural rule; `flow_scopes` maps each sequence flow id to its defining scope."""
    _check_sequence_flows(process, flow_scopes, findings)
    _check_process_start_events(process, findings)
    for node in process.elements.values():
        if isinstance(node, SubProcess) and node.element_type is BpmnElementType.SUB_PROCESS:
            _check_sub_process_start_events(process, node, findings)
        elif isinstance(node, BoundaryEvent):
            _attach_boundary_event(process, node, findings)
        elif isinstance(node, ExclusiveGateway):
            _check_exclusive_gateway(process, node, findings)
        if isinstance(node, StartEvent | BoundaryEvent) and node.incoming:
            findings.add(node.id, "Must not have incoming sequence flows")
        if isinstance(node, EndEvent) and node.outgoing:
            findings.add(
                node.id, "End events must not have outgoing sequence flows to other elements"
            )
    for node in process.elements.values():
        if node.boundary_event_ids:
            _check_boundary_events(process, node, findings)


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
    message_starts = [s for s in starts if s.message is not None]
    names = Counter(_static_name(s.message) for s in message_starts if s.message is not None)
    refs = Counter(s.message.id for s in message_starts if s.message is not None)
    for start in message_starts:
        assert start.message is not None
        name = _static_name(start.message)
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
    if not boundary.outgoing:
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


def _check_exclusive_gateway(
    process: Process, gateway: ExclusiveGateway, findings: Findings
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
    """Message names and error codes caught on one activity must be unique."""
    boundaries = [process.elements[i] for i in activity.boundary_event_ids]
    messages: list[MessageDefinition] = [
        b.message for b in boundaries if isinstance(b, BoundaryEvent) and b.message is not None
    ]
    if isinstance(activity, ReceiveTask) and activity.message is not None:
        messages.append(activity.message)
    names = Counter(name for m in messages if (name := _static_name(m)) is not None)
    for name, count in names.items():
        if count > 1:
            findings.add(
                activity.id,
                f"Multiple message event definitions with the same name '{name}' are not allowed.",
            )
    error_codes = Counter(
        b.error_code
        for b in boundaries
        if isinstance(b, BoundaryEvent) and b.event_type is BpmnEventType.ERROR
    )
    for code, count in error_codes.items():
        if count < 2:
            continue
        if code is None:
            findings.add(
                activity.id,
                "The same scope can not contain more than one error catch event without error "
                "code. An error catch event without error code catches all errors.",
            )
        else:
            findings.add(
                activity.id,
                f"Multiple error catch events with the same error code '{code}' are not supported "
                "on the same scope.",
            )


def _static_name(message: MessageDefinition) -> str | None:
    """Only static names can be compared at deploy time."""
    return message.name.value if isinstance(message.name, Static) else None
