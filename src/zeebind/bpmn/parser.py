"""BPMN XML to the executable model, through one tag-to-builder table; all problems are collected.

Which elements are supported is decided by `BUILDERS` alone: a flow node whose (tag, event
definition) pair is not in the table is rejected as "not supported yet". Adding an element is one
builder function plus one table row (and, for a new kind of rule, a check in `validation`). The
builders live beside the kind of element they build: `events`, `activities`, and here (scopes,
gateways).
"""

from __future__ import annotations

from zeebind.bpmn import events
from zeebind.bpmn.activities import (
    call_activity,
    job_task,
    loop_characteristics,
    receive_task,
    script_task,
    user_task,
)
from zeebind.bpmn.build import Association, Build, Builder, bpmn_children
from zeebind.bpmn.document import XmlElement, local_name, namespace, parse_document
from zeebind.bpmn.findings import NOT_PRESENT, Findings
from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    CalledDecisionTask,
    EventBasedGateway,
    ExclusiveGateway,
    ExpressionOrStatic,
    FlowNode,
    InclusiveGateway,
    ParallelGateway,
    PassThroughNode,
    Process,
    SequenceFlow,
    StartEvent,
    Static,
    SubProcess,
)
from zeebind.bpmn.start_evaluation import check_start_expressions
from zeebind.bpmn.validation import ACTIVITY_TYPES, check_expressions, check_process
from zeebind.bpmn.zeebe_extensions import (
    BPMN_NS,
    extension_path,
    io_mappings,
    zeebe_extensions,
)

# The business rule task builder (below) keeps the names it had when every builder lived here.
_Build = Build
_job_task = job_task

_EVENT_TAGS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
# Every BPMN flow node tag; anything else inside a process (lanes, data objects, annotations) is
# modelling only and ignored.
_FLOW_NODE_TAGS = _EVENT_TAGS | {
    "implicitThrowEvent",
    "task",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "userTask",
    "manualTask",
    "businessRuleTask",
    "scriptTask",
    "callActivity",
    "subProcess",
    "adHocSubProcess",
    "transaction",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
    "callChoreography",
    "choreographyTask",
    "subChoreography",
}
_ELEMENT_TYPES = {
    "startEvent": BpmnElementType.START_EVENT,
    "endEvent": BpmnElementType.END_EVENT,
    "intermediateCatchEvent": BpmnElementType.INTERMEDIATE_CATCH_EVENT,
    "intermediateThrowEvent": BpmnElementType.INTERMEDIATE_THROW_EVENT,
    "boundaryEvent": BpmnElementType.BOUNDARY_EVENT,
    "callActivity": BpmnElementType.CALL_ACTIVITY,
    "subProcess": BpmnElementType.SUB_PROCESS,
    "adHocSubProcess": BpmnElementType.SUB_PROCESS,
    "transaction": BpmnElementType.SUB_PROCESS,
    "inclusiveGateway": BpmnElementType.INCLUSIVE_GATEWAY,
    "eventBasedGateway": BpmnElementType.EVENT_BASED_GATEWAY,
}
_EVENT_TYPES = {
    "messageEventDefinition": BpmnEventType.MESSAGE,
    "timerEventDefinition": BpmnEventType.TIMER,
    "errorEventDefinition": BpmnEventType.ERROR,
    "signalEventDefinition": BpmnEventType.SIGNAL,
    "escalationEventDefinition": BpmnEventType.ESCALATION,
    "linkEventDefinition": BpmnEventType.LINK,
    "terminateEventDefinition": BpmnEventType.TERMINATE,
    "compensateEventDefinition": BpmnEventType.COMPENSATION,
    "conditionalEventDefinition": BpmnEventType.CONDITIONAL,
}
# Events that are meaningless without an event definition (there is no "none" kind of them).
_NEEDS_DEFINITION = frozenset({"intermediateCatchEvent", "boundaryEvent"})
_UNSUPPORTED_EXTENSIONS = ("executionListeners", "taskListeners", "adHoc")


def parse_bpmn(resource_name: str, content: bytes) -> list[Process]:
    """Parse and validate a BPMN resource: one Process per executable bpmn:process.

    Raises BpmnValidationError carrying every problem found (XML syntax, unsupported elements,
    structural rules, FEEL syntax).
    """
    root = parse_document(resource_name, content)
    findings = Findings()
    if namespace(root) != BPMN_NS or local_name(root) != "definitions":
        findings.add("", "Expected a BPMN 2.0 'definitions' root element")
        findings.raise_if_any(resource_name)
    processes: list[Process] = []
    for process_xml in bpmn_children(root, "process"):
        if process_xml.get("isExecutable") != "true":
            continue
        process = _build_process(process_xml, _definitions_index(root, findings))
        if any(p.bpmn_process_id == process.bpmn_process_id for p in processes):
            findings.add(process.bpmn_process_id, "Duplicated process id in the same resource")
        processes.append(process)
    if not processes and not findings.problems:
        findings.add(root.get("id") or "", "Must contain at least one executable process")
    check_expressions(findings)
    for process in processes:
        check_start_expressions(process, findings)
    findings.raise_if_any(resource_name)
    return processes


def _definitions_index(root: XmlElement, findings: Findings) -> Build:
    """A fresh build state with the definitions' messages, errors, signals and escalations."""

    def by_id(tag: str) -> dict[str, XmlElement]:
        return {e.get("id"): e for e in bpmn_children(root, tag) if e.get("id")}

    return Build(
        findings,
        by_id("message"),
        by_id("error"),
        signals=by_id("signal"),
        escalations=by_id("escalation"),
    )


def _build_process(process_xml: XmlElement, build: Build) -> Process:
    findings = build.findings
    process_id = process_xml.get("id") or ""
    build.process_id = process_id
    if not process_id:
        findings.add("process", "Attribute 'id' must be present and not empty")
    _check_extensions(process_xml, process_id, findings)
    child_ids = _build_scope(build, process_xml, process_id)
    version_tags = zeebe_extensions(process_xml, "versionTag")
    process = Process(
        bpmn_process_id=process_id,
        name=process_xml.get("name") or "",
        elements=build.elements,
        sequence_flows=build.flows,
        child_ids=child_ids,
        version_tag=version_tags[0].get("value") if version_tags else None,
    )
    for child_id in child_ids:
        node = build.elements[child_id]
        if isinstance(node, StartEvent):
            if node.event_type is BpmnEventType.NONE and process.none_start_event_id is None:
                process.none_start_event_id = child_id
            elif node.event_type is BpmnEventType.MESSAGE:
                process.message_start_event_ids.append(child_id)
            elif node.event_type is BpmnEventType.TIMER:
                process.timer_start_event_ids.append(child_id)
            elif node.event_type is BpmnEventType.SIGNAL:
                process.signal_start_event_ids.append(child_id)
        elif isinstance(node, SubProcess) and node.triggered_by_event:
            process.event_sub_process_ids.append(child_id)
    check_process(process, build.flow_scopes, build.associations, findings)
    return process


def _build_scope(build: Build, container: XmlElement, scope_id: str) -> list[str]:
    """Build the flow nodes and sequence flows directly inside a process or subprocess."""
    child_ids: list[str] = []
    flow_xmls: list[XmlElement] = []
    for child in container:
        if namespace(child) != BPMN_NS:
            continue
        tag = local_name(child)
        if tag == "sequenceFlow":
            flow_xmls.append(child)
        elif tag == "association":
            build.associations.append(
                Association(
                    child.get("id") or "",
                    child.get("sourceRef") or "",
                    child.get("targetRef") or "",
                    scope_id,
                )
            )
        elif tag in _FLOW_NODE_TAGS:
            node = _build_flow_node(build, child, tag, scope_id)
            if node is not None:
                child_ids.append(node.id)
    for flow_xml in flow_xmls:
        _build_flow(build, flow_xml, scope_id)
    return child_ids


def _build_flow_node(build: Build, xml: XmlElement, tag: str, scope_id: str) -> FlowNode | None:
    findings = build.findings
    node_id = xml.get("id") or ""
    if not node_id:
        findings.add(f"{scope_id} > {tag}", "Attribute 'id' must be present and not empty")
        return None
    if node_id in build.elements or node_id in build.flows or node_id == build.process_id:
        findings.add(node_id, f"Duplicate element id '{node_id}'")
        return None
    definition: XmlElement | None = None
    kind: str | None = None
    if tag in _EVENT_TAGS:
        definitions = [
            c
            for c in xml
            if namespace(c) == BPMN_NS
            and (local_name(c).endswith("EventDefinition") or local_name(c) == "eventDefinitionRef")
        ]
        if len(definitions) > 1:
            findings.add(
                node_id,
                "Start event can't have more than one type"
                if tag == "startEvent"
                else "Event can't have more than one type",
            )
        if definitions:
            definition = definitions[0]
            kind = local_name(definition)
    builder = BUILDERS.get((tag, kind))
    if builder is None and kind is None and tag in _NEEDS_DEFINITION:
        findings.add(node_id, "Must have exactly one event definition")
        node: FlowNode = _placeholder(xml, tag, kind, node_id, scope_id)
    elif builder is None:
        findings.add(node_id, _unsupported_message(tag, kind))
        node = _placeholder(xml, tag, kind, node_id, scope_id)
    else:
        node = builder(build, xml, definition, node_id, scope_id)
    node.name = xml.get("name") or ""
    node.inputs, node.outputs = io_mappings(xml, node_id, findings)
    _read_markers(xml, node, findings)
    _check_extensions(xml, node_id, findings)
    build.elements[node_id] = node
    return node


# Zeebe's own texts for an event definition it executes elsewhere but never at this position.
_WRONG_POSITION = {
    "intermediateCatchEvent": "Event definition must be one of: message, timer, signal, link, or "
    "conditional",
    "boundaryEvent": "Boundary events must be one of: timer, message, error, signal, escalation",
    "endEvent": "End events must be one of: none, error, message, terminate, signal, escalation or "
    "compensation",
}
# Definitions Zeebe 8.8 does not execute anywhere: reported as not supported yet.
_NOWHERE = frozenset({"conditionalEventDefinition", "cancelEventDefinition"})


def _unsupported_message(tag: str, kind: str | None) -> str:
    if kind is None:
        return f"Elements of type '{tag}' are not supported yet"
    if tag in _WRONG_POSITION and kind in _EVENT_TYPES and kind not in _NOWHERE:
        return _WRONG_POSITION[tag]
    if any(definition == kind for _, definition in BUILDERS):
        return f"Elements of type '{tag}' with '{kind}' are not supported yet"
    return f"Elements of type '{kind}' are not supported yet"


def _placeholder(
    xml: XmlElement, tag: str, kind: str | None, node_id: str, scope_id: str
) -> FlowNode:
    """Stands in for an unsupported element, typed well enough to avoid follow-up problems."""
    element_type = _ELEMENT_TYPES.get(tag, BpmnElementType.TASK)
    event_type = _EVENT_TYPES.get(kind or "", BpmnEventType.UNSPECIFIED)
    if tag == "startEvent":
        return StartEvent(node_id, element_type, scope_id, event_type=event_type)
    if tag == "boundaryEvent":
        return BoundaryEvent(
            node_id,
            element_type,
            scope_id,
            event_type=event_type,
            attached_to_id=xml.get("attachedToRef") or "",
        )
    return PassThroughNode(node_id, element_type, scope_id, event_type=event_type)


def _read_markers(xml: XmlElement, node: FlowNode, findings: Findings) -> None:
    """Multi-instance (activities only) and the compensation handler marker."""
    if bpmn_children(xml, "standardLoopCharacteristics"):
        findings.add(
            node.id, "Elements of type 'standardLoopCharacteristics' are not supported yet"
        )
    if node.element_type in ACTIVITY_TYPES:
        node.loop = loop_characteristics(xml, node.id, findings)
    elif bpmn_children(xml, "multiInstanceLoopCharacteristics"):
        findings.add(node.id, "Multi-instance is only supported on activities")
    node.is_for_compensation = xml.get("isForCompensation") == "true"


def _check_extensions(xml: XmlElement, element_id: str, findings: Findings) -> None:
    for name in _UNSUPPORTED_EXTENSIONS:
        if zeebe_extensions(xml, name):
            findings.add(element_id, f"Extension element 'zeebe:{name}' is not supported yet")


def _build_flow(build: Build, xml: XmlElement, scope_id: str) -> None:
    findings = build.findings
    flow_id = xml.get("id") or ""
    if not flow_id:
        findings.add(f"{scope_id} > sequenceFlow", "Attribute 'id' must be present and not empty")
        return
    if flow_id in build.flows or flow_id in build.elements or flow_id == build.process_id:
        findings.add(flow_id, f"Duplicate element id '{flow_id}'")
        return
    condition = None
    condition_xmls = bpmn_children(xml, "conditionExpression")
    if condition_xmls:
        text = (condition_xmls[0].text or "").strip()
        if text:
            condition = findings.expression(flow_id, text)
    flow = SequenceFlow(
        id=flow_id,
        source_id=xml.get("sourceRef") or "",
        target_id=xml.get("targetRef") or "",
        condition=condition,
        name=xml.get("name") or "",
    )
    build.flows[flow_id] = flow
    build.flow_scopes[flow_id] = scope_id
    source = build.elements.get(flow.source_id)
    target = build.elements.get(flow.target_id)
    if source is not None and source.flow_scope_id == scope_id:
        source.outgoing.append(flow_id)
    if target is not None and target.flow_scope_id == scope_id:
        target.incoming.append(flow_id)


# --- builders of scopes and gateways ------------------------------------------------------------


def _gateway(element_type: BpmnElementType, node_class: type[FlowNode]) -> Builder:
    def build_gateway(
        build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
    ) -> FlowNode:
        node = node_class(node_id, element_type, scope_id)
        if isinstance(node, ExclusiveGateway | InclusiveGateway):
            node.default_flow_id = xml.get("default")
        return node

    return build_gateway


def _pass_through(element_type: BpmnElementType, event_type: BpmnEventType) -> Builder:
    def build_pass_through(
        build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
    ) -> FlowNode:
        return PassThroughNode(node_id, element_type, scope_id, event_type=event_type)

    return build_pass_through


def _sub_process(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    """An embedded subprocess, or an event subprocess (triggeredByEvent="true")."""
    triggered = xml.get("triggeredByEvent") == "true"
    sub_process = SubProcess(
        node_id,
        BpmnElementType.EVENT_SUB_PROCESS if triggered else BpmnElementType.SUB_PROCESS,
        scope_id,
        triggered_by_event=triggered,
    )
    build.elements[node_id] = sub_process  # before its children, so `elements` is in document order
    sub_process.child_ids = _build_scope(build, xml, node_id)
    for child_id in sub_process.child_ids:
        child = build.elements[child_id]
        if isinstance(child, StartEvent):
            sub_process.start_event_ids.append(child_id)
        elif isinstance(child, SubProcess) and child.triggered_by_event:
            sub_process.event_sub_process_ids.append(child_id)
    if sub_process.start_event_ids:
        sub_process.start_event_id = sub_process.start_event_ids[0]
    return sub_process


_BINDING_TYPES = ("latest", "deployment", "versionTag")


def _business_rule_task(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    """A business rule task: `zeebe:calledDecision` (evaluated by the engine) or a job."""
    called = zeebe_extensions(xml, "calledDecision")
    if not called or zeebe_extensions(xml, "taskDefinition"):
        return _job_task_builders["businessRuleTask"](build, xml, definition, node_id, scope_id)
    findings = build.findings
    if len(called) > 1:
        findings.add(
            node_id,
            "Must have either one 'zeebe:calledDecision' or one 'zeebe:taskDefinition' "
            "extension element",
        )
    path = extension_path(node_id, "calledDecision")
    element = called[0]
    decision_text = element.get("decisionId") or ""
    decision_id: ExpressionOrStatic = Static("")
    if not decision_text.strip():
        findings.add(path, NOT_PRESENT.format("decisionId"))
    else:
        decision_id = findings.value(path, decision_text)
    result_variable = element.get("resultVariable") or ""
    if not result_variable.strip():
        findings.add(path, NOT_PRESENT.format("resultVariable"))
    binding_type = element.get("bindingType") or "latest"
    version_tag = element.get("versionTag")
    if binding_type not in _BINDING_TYPES:
        findings.add(
            path,
            f"Attribute 'bindingType' must be one of {', '.join(_BINDING_TYPES)}, "
            f"but was '{binding_type}'",
        )
    elif binding_type == "versionTag" and not (version_tag or "").strip():
        findings.add(path, NOT_PRESENT.format("versionTag"))
    return CalledDecisionTask(
        node_id,
        BpmnElementType.BUSINESS_RULE_TASK,
        scope_id,
        decision_id=decision_id,
        result_variable=result_variable,
        binding_type=binding_type,
        version_tag=version_tag,
    )


_job_task_builders = {
    "businessRuleTask": _job_task(BpmnElementType.BUSINESS_RULE_TASK, "calledDecision"),
}

# The one table of supported elements: (BPMN tag, event definition tag or None) -> builder.
BUILDERS: dict[tuple[str, str | None], Builder] = {
    ("startEvent", None): events.none_start_event,
    ("startEvent", "messageEventDefinition"): events.message_start_event,
    ("startEvent", "timerEventDefinition"): events.timer_start_event,
    ("startEvent", "signalEventDefinition"): events.signal_start_event,
    ("startEvent", "errorEventDefinition"): events.error_start_event,
    ("startEvent", "escalationEventDefinition"): events.escalation_start_event,
    ("intermediateCatchEvent", "messageEventDefinition"): events.message_catch_event,
    ("intermediateCatchEvent", "timerEventDefinition"): events.timer_catch_event,
    ("intermediateCatchEvent", "signalEventDefinition"): events.signal_catch_event,
    ("intermediateCatchEvent", "linkEventDefinition"): events.link_catch_event,
    ("intermediateThrowEvent", None): events.none_throw_event,
    ("intermediateThrowEvent", "messageEventDefinition"): events.MESSAGE_THROW_EVENT,
    ("intermediateThrowEvent", "signalEventDefinition"): events.signal_throw_event,
    ("intermediateThrowEvent", "escalationEventDefinition"): events.escalation_throw_event,
    ("intermediateThrowEvent", "linkEventDefinition"): events.link_throw_event,
    ("intermediateThrowEvent", "compensateEventDefinition"): events.compensation_throw_event,
    ("boundaryEvent", "messageEventDefinition"): events.message_boundary_event,
    ("boundaryEvent", "errorEventDefinition"): events.error_boundary_event,
    ("boundaryEvent", "timerEventDefinition"): events.timer_boundary_event,
    ("boundaryEvent", "signalEventDefinition"): events.signal_boundary_event,
    ("boundaryEvent", "escalationEventDefinition"): events.escalation_boundary_event,
    ("boundaryEvent", "compensateEventDefinition"): events.compensation_boundary_event,
    ("endEvent", None): events.none_end_event,
    ("endEvent", "errorEventDefinition"): events.error_end_event,
    ("endEvent", "terminateEventDefinition"): events.terminate_end_event,
    ("endEvent", "messageEventDefinition"): events.MESSAGE_END_EVENT,
    ("endEvent", "signalEventDefinition"): events.signal_end_event,
    ("endEvent", "escalationEventDefinition"): events.escalation_end_event,
    ("endEvent", "compensateEventDefinition"): events.compensation_end_event,
    ("serviceTask", None): _job_task(BpmnElementType.SERVICE_TASK, None),
    ("sendTask", None): _job_task(BpmnElementType.SEND_TASK, "publishMessage"),
    ("scriptTask", None): script_task,
    ("businessRuleTask", None): _business_rule_task,
    ("userTask", None): user_task,
    ("receiveTask", None): receive_task,
    ("task", None): _pass_through(BpmnElementType.TASK, BpmnEventType.UNSPECIFIED),
    ("manualTask", None): _pass_through(BpmnElementType.MANUAL_TASK, BpmnEventType.UNSPECIFIED),
    ("callActivity", None): call_activity,
    ("exclusiveGateway", None): _gateway(BpmnElementType.EXCLUSIVE_GATEWAY, ExclusiveGateway),
    ("inclusiveGateway", None): _gateway(BpmnElementType.INCLUSIVE_GATEWAY, InclusiveGateway),
    ("parallelGateway", None): _gateway(BpmnElementType.PARALLEL_GATEWAY, ParallelGateway),
    ("eventBasedGateway", None): _gateway(BpmnElementType.EVENT_BASED_GATEWAY, EventBasedGateway),
    ("subProcess", None): _sub_process,
}

__all__ = ["BUILDERS", "parse_bpmn"]
