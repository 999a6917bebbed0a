"""BPMN XML to the executable model, through one tag-to-builder table; all problems are collected.

Which elements are supported is decided by `BUILDERS` alone: a flow node whose (tag, event
definition) pair is not in the table is rejected as "not supported yet". Adding an element is one
builder function plus one table row (and, for a new kind of rule, a check in `validation`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zeebind.bpmn.document import XmlElement, local_name, namespace, parse_document
from zeebind.bpmn.findings import NOT_PRESENT, Findings
from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    CalledDecisionTask,
    EndEvent,
    ExclusiveGateway,
    ExpressionOrStatic,
    FlowNode,
    IntermediateCatchEvent,
    JobDefinition,
    JobTask,
    MessageDefinition,
    ParallelGateway,
    PassThroughNode,
    Process,
    ReceiveTask,
    SequenceFlow,
    StartEvent,
    Static,
    SubProcess,
)
from zeebind.bpmn.validation import check_expressions, check_process
from zeebind.bpmn.zeebe_extensions import (
    BPMN_NS,
    extension_path,
    io_mappings,
    message_definition,
    task_definition,
    user_task_job,
    zeebe_extensions,
)


@dataclass(slots=True)
class _Build:
    """State of one process being built: the definitions' messages and errors, and the output."""

    findings: Findings
    messages: dict[str, XmlElement]
    errors: dict[str, XmlElement]
    elements: dict[str, FlowNode] = field(default_factory=dict)
    flows: dict[str, SequenceFlow] = field(default_factory=dict)
    flow_scopes: dict[str, str] = field(default_factory=dict)


# A builder gets the XML element, its event definition (None for non-events and none events), its
# id and the id of its flow scope. It always returns a node, even an incomplete one, so that later
# checks (sequence flow references, boundary attachment) do not report follow-up problems.
Builder = Callable[[_Build, XmlElement, XmlElement | None, str, str], FlowNode]

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
_LOOP_MARKERS = ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics")
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
    messages, errors = _definitions_index(root)
    processes: list[Process] = []
    for process_xml in _children(root, "process"):
        if process_xml.get("isExecutable") != "true":
            continue
        process = _build_process(process_xml, findings, messages, errors)
        if any(p.bpmn_process_id == process.bpmn_process_id for p in processes):
            findings.add(process.bpmn_process_id, "Duplicated process id in the same resource")
        processes.append(process)
    if not processes and not findings.problems:
        findings.add(root.get("id") or "", "Must contain at least one executable process")
    check_expressions(findings)
    findings.raise_if_any(resource_name)
    return processes


def _definitions_index(root: XmlElement) -> tuple[dict[str, XmlElement], dict[str, XmlElement]]:
    messages = {m.get("id"): m for m in _children(root, "message") if m.get("id")}
    errors = {e.get("id"): e for e in _children(root, "error") if e.get("id")}
    return messages, errors


def _children(element: XmlElement, tag: str) -> list[XmlElement]:
    return [c for c in element if namespace(c) == BPMN_NS and local_name(c) == tag]


def _build_process(
    process_xml: XmlElement,
    findings: Findings,
    messages: dict[str, XmlElement],
    errors: dict[str, XmlElement],
) -> Process:
    process_id = process_xml.get("id") or ""
    if not process_id:
        findings.add("process", "Attribute 'id' must be present and not empty")
    build = _Build(findings, messages, errors)
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
    check_process(process, build.flow_scopes, findings)
    return process


def _build_scope(build: _Build, container: XmlElement, scope_id: str) -> list[str]:
    """Build the flow nodes and sequence flows directly inside a process or subprocess."""
    child_ids: list[str] = []
    flow_xmls: list[XmlElement] = []
    for child in container:
        if namespace(child) != BPMN_NS:
            continue
        tag = local_name(child)
        if tag == "sequenceFlow":
            flow_xmls.append(child)
        elif tag in _FLOW_NODE_TAGS:
            node = _build_flow_node(build, child, tag, scope_id)
            if node is not None:
                child_ids.append(node.id)
    for flow_xml in flow_xmls:
        _build_flow(build, flow_xml, scope_id)
    return child_ids


def _build_flow_node(build: _Build, xml: XmlElement, tag: str, scope_id: str) -> FlowNode | None:
    findings = build.findings
    node_id = xml.get("id") or ""
    if not node_id:
        findings.add(f"{scope_id} > {tag}", "Attribute 'id' must be present and not empty")
        return None
    if node_id in build.elements or node_id in build.flows:
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
    _check_markers(xml, node_id, findings)
    _check_extensions(xml, node_id, findings)
    build.elements[node_id] = node
    return node


def _unsupported_message(tag: str, kind: str | None) -> str:
    if kind is None:
        return f"Elements of type '{tag}' are not supported yet"
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


def _check_markers(xml: XmlElement, node_id: str, findings: Findings) -> None:
    for marker in _LOOP_MARKERS:
        if _children(xml, marker):
            findings.add(node_id, f"Elements of type '{marker}' are not supported yet")
    if xml.get("isForCompensation") == "true":
        findings.add(node_id, "Compensation handlers ('isForCompensation') are not supported yet")


def _check_extensions(xml: XmlElement, element_id: str, findings: Findings) -> None:
    for name in _UNSUPPORTED_EXTENSIONS:
        if zeebe_extensions(xml, name):
            findings.add(element_id, f"Extension element 'zeebe:{name}' is not supported yet")


def _build_flow(build: _Build, xml: XmlElement, scope_id: str) -> None:
    findings = build.findings
    flow_id = xml.get("id") or ""
    if not flow_id:
        findings.add(f"{scope_id} > sequenceFlow", "Attribute 'id' must be present and not empty")
        return
    if flow_id in build.flows or flow_id in build.elements:
        findings.add(flow_id, f"Duplicate element id '{flow_id}'")
        return
    condition = None
    condition_xmls = _children(xml, "conditionExpression")
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


# --- builders ------------------------------------------------------------------------------------


def _message(
    build: _Build, ref_holder: XmlElement, node_id: str, *, needs_subscription: bool
) -> MessageDefinition | None:
    ref = ref_holder.get("messageRef") or ""
    if not ref:
        build.findings.add(node_id, "Must reference a message")
        return None
    message_xml = build.messages.get(ref)
    if message_xml is None:
        build.findings.add(node_id, f"Referenced message '{ref}' does not exist")
        return None
    return message_definition(message_xml, build.findings, needs_subscription=needs_subscription)


def _none_start_event(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return StartEvent(node_id, BpmnElementType.START_EVENT, scope_id, event_type=BpmnEventType.NONE)


def _message_start_event(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    message = _message(build, definition, node_id, needs_subscription=False)
    return StartEvent(
        node_id,
        BpmnElementType.START_EVENT,
        scope_id,
        event_type=BpmnEventType.MESSAGE,
        message=message,
    )


def _none_end_event(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return EndEvent(node_id, BpmnElementType.END_EVENT, scope_id, event_type=BpmnEventType.NONE)


def _error_end_event(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    error_code: ExpressionOrStatic | None = None
    ref = definition.get("errorRef") if definition is not None else None
    error_xml = build.errors.get(ref) if ref else None
    if not ref:
        build.findings.add(node_id, "Must reference an error")
    elif error_xml is None:
        build.findings.add(node_id, f"Referenced error '{ref}' does not exist")
    else:
        code = error_xml.get("errorCode") or ""
        if not code.strip():
            build.findings.add(ref, "ErrorCode must be present and not empty")
        else:
            error_code = build.findings.value(ref, code)
    return EndEvent(
        node_id,
        BpmnElementType.END_EVENT,
        scope_id,
        event_type=BpmnEventType.ERROR,
        error_code=error_code,
    )


def _job_task(element_type: BpmnElementType, alternative: str | None) -> Builder:
    """Service, send, script and business-rule tasks as jobs; `alternative` is the non-job form."""
    if alternative is None:
        missing = "Must have exactly one 'zeebe:taskDefinition' extension element"
    else:
        missing = (
            f"Must have either one 'zeebe:{alternative}' or one 'zeebe:taskDefinition' "
            "extension element"
        )

    def build_job_task(
        build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
    ) -> FlowNode:
        job: JobDefinition | None = None
        if alternative is not None and zeebe_extensions(xml, alternative):
            if zeebe_extensions(xml, "taskDefinition"):
                build.findings.add(node_id, missing)
            else:
                build.findings.add(
                    node_id,
                    f"Elements of type '{local_name(xml)}' with 'zeebe:{alternative}' "
                    "are not supported yet",
                )
        else:
            job = task_definition(xml, node_id, build.findings, missing)
        return JobTask(node_id, element_type, scope_id, job=job or JobDefinition(Static("")))

    return build_job_task


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


def _user_task(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    if zeebe_extensions(xml, "userTask"):
        build.findings.add(
            node_id,
            "Elements of type 'userTask' with 'zeebe:userTask' (Camunda user tasks) "
            "are not supported yet",
        )
    job = user_task_job(xml, node_id, build.findings)
    return JobTask(node_id, BpmnElementType.USER_TASK, scope_id, job=job)


def _receive_task(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    message = _message(build, xml, node_id, needs_subscription=True)
    return ReceiveTask(node_id, BpmnElementType.RECEIVE_TASK, scope_id, message=message)


def _message_catch_event(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    message = _message(build, definition, node_id, needs_subscription=True)
    return IntermediateCatchEvent(
        node_id,
        BpmnElementType.INTERMEDIATE_CATCH_EVENT,
        scope_id,
        event_type=BpmnEventType.MESSAGE,
        message=message,
    )


def _message_boundary_event(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    message = _message(build, definition, node_id, needs_subscription=True)
    return BoundaryEvent(
        node_id,
        BpmnElementType.BOUNDARY_EVENT,
        scope_id,
        event_type=BpmnEventType.MESSAGE,
        attached_to_id=xml.get("attachedToRef") or "",
        cancel_activity=xml.get("cancelActivity") != "false",
        message=message,
    )


def _error_boundary_event(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    findings = build.findings
    cancel_activity = xml.get("cancelActivity") != "false"
    if not cancel_activity:
        findings.add(node_id, "Non-Interrupting event of this type is not allowed")
    error_code: str | None = None
    ref = definition.get("errorRef") if definition is not None else None
    if ref:
        error_xml = build.errors.get(ref)
        if error_xml is None:
            findings.add(node_id, f"Referenced error '{ref}' does not exist")
        else:
            code = error_xml.get("errorCode") or ""
            if code.startswith("="):
                findings.add(
                    ref, "The errorCode of the error catch event is not allowed to be an expression"
                )
            elif code.strip():
                error_code = code
    return BoundaryEvent(
        node_id,
        BpmnElementType.BOUNDARY_EVENT,
        scope_id,
        event_type=BpmnEventType.ERROR,
        attached_to_id=xml.get("attachedToRef") or "",
        cancel_activity=True,
        error_code=error_code,
    )


def _exclusive_gateway(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return ExclusiveGateway(
        node_id, BpmnElementType.EXCLUSIVE_GATEWAY, scope_id, default_flow_id=xml.get("default")
    )


def _parallel_gateway(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return ParallelGateway(node_id, BpmnElementType.PARALLEL_GATEWAY, scope_id)


def _pass_through(element_type: BpmnElementType, event_type: BpmnEventType) -> Builder:
    def build_pass_through(
        build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
    ) -> FlowNode:
        return PassThroughNode(node_id, element_type, scope_id, event_type=event_type)

    return build_pass_through


def _sub_process(
    build: _Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    if xml.get("triggeredByEvent") == "true":
        # Its content is not built: its start events would only add follow-up problems.
        build.findings.add(node_id, "Event subprocesses are not supported yet")
        return SubProcess(node_id, BpmnElementType.EVENT_SUB_PROCESS, scope_id)
    sub_process = SubProcess(node_id, BpmnElementType.SUB_PROCESS, scope_id)
    build.elements[node_id] = sub_process  # before its children, so `elements` is in document order
    sub_process.child_ids = _build_scope(build, xml, node_id)
    for child_id in sub_process.child_ids:
        if isinstance(build.elements[child_id], StartEvent):
            sub_process.start_event_id = child_id
            break
    return sub_process


_job_task_builders = {
    "businessRuleTask": _job_task(BpmnElementType.BUSINESS_RULE_TASK, "calledDecision"),
}

# The one table of supported elements: (BPMN tag, event definition tag or None) -> builder.
BUILDERS: dict[tuple[str, str | None], Builder] = {
    ("startEvent", None): _none_start_event,
    ("startEvent", "messageEventDefinition"): _message_start_event,
    ("endEvent", None): _none_end_event,
    ("endEvent", "errorEventDefinition"): _error_end_event,
    ("intermediateCatchEvent", "messageEventDefinition"): _message_catch_event,
    ("intermediateThrowEvent", None): _pass_through(
        BpmnElementType.INTERMEDIATE_THROW_EVENT, BpmnEventType.NONE
    ),
    ("boundaryEvent", "messageEventDefinition"): _message_boundary_event,
    ("boundaryEvent", "errorEventDefinition"): _error_boundary_event,
    ("serviceTask", None): _job_task(BpmnElementType.SERVICE_TASK, None),
    ("sendTask", None): _job_task(BpmnElementType.SEND_TASK, "publishMessage"),
    ("scriptTask", None): _job_task(BpmnElementType.SCRIPT_TASK, "script"),
    ("businessRuleTask", None): _business_rule_task,
    ("userTask", None): _user_task,
    ("receiveTask", None): _receive_task,
    ("task", None): _pass_through(BpmnElementType.TASK, BpmnEventType.UNSPECIFIED),
    ("manualTask", None): _pass_through(BpmnElementType.MANUAL_TASK, BpmnEventType.UNSPECIFIED),
    ("exclusiveGateway", None): _exclusive_gateway,
    ("parallelGateway", None): _parallel_gateway,
    ("subProcess", None): _sub_process,
}

__all__ = ["BUILDERS", "parse_bpmn"]
