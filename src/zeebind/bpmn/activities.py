"""Builders of tasks, call activities and message throw jobs, and the multi-instance marker."""

from __future__ import annotations

from zeebind.bpmn.build import Build, Builder, bpmn_children, is_true
from zeebind.bpmn.document import XmlElement, local_name
from zeebind.bpmn.findings import NOT_PRESENT, Findings
from zeebind.bpmn.model import (
    BpmnElementType,
    BpmnEventType,
    CallActivity,
    Expression,
    ExpressionOrStatic,
    FlowNode,
    JobDefinition,
    JobTask,
    LoopCharacteristics,
    ReceiveTask,
    ScriptTask,
    Static,
)
from zeebind.bpmn.zeebe_extensions import (
    check_target,
    extension_path,
    message_definition,
    task_definition,
    user_task_job,
    zeebe_extensions,
)

BINDING_TYPES = ("latest", "deployment", "versionTag")


def _either(alternative: str) -> str:
    return (
        f"Must have either one 'zeebe:{alternative}' or one 'zeebe:taskDefinition' "
        "extension element"
    )


def job_task(element_type: BpmnElementType, alternative: str | None) -> Builder:
    """Service, send, script and business-rule tasks as jobs; `alternative` is the non-job form."""
    if alternative is None:
        missing = "Must have exactly one 'zeebe:taskDefinition' extension element"
    else:
        missing = _either(alternative)

    def build_job_task(
        build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
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


def message_throw_job(element_type: BpmnElementType) -> Builder:
    """A message intermediate throw or end event, implemented as a job like a send task."""
    missing = _either("publishMessage")

    def build_message_throw(
        build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
    ) -> FlowNode:
        job: JobDefinition | None = None
        publish = zeebe_extensions(definition, "publishMessage") if definition is not None else []
        if publish:
            if zeebe_extensions(xml, "taskDefinition"):
                build.findings.add(node_id, missing)
            else:
                build.findings.add(
                    node_id,
                    f"Elements of type '{local_name(xml)}' with 'zeebe:publishMessage' "
                    "are not supported yet",
                )
        else:
            job = task_definition(xml, node_id, build.findings, missing)
        return JobTask(
            node_id,
            element_type,
            scope_id,
            event_type=BpmnEventType.MESSAGE,
            job=job or JobDefinition(Static("")),
        )

    return build_message_throw


def script_task(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    """`zeebe:script` (a FEEL expression, no job) or `zeebe:taskDefinition` (a job): one of them."""
    findings = build.findings
    scripts = zeebe_extensions(xml, "script")
    if not scripts:
        return job_task(BpmnElementType.SCRIPT_TASK, "script")(
            build, xml, definition, node_id, scope_id
        )
    task = ScriptTask(node_id, BpmnElementType.SCRIPT_TASK, scope_id)
    if len(scripts) > 1 or zeebe_extensions(xml, "taskDefinition"):
        findings.add(node_id, _either("script"))
        return task
    path = extension_path(node_id, "script")
    expression_text = scripts[0].get("expression") or ""
    if not expression_text.strip():
        findings.add(path, NOT_PRESENT.format("expression"))
    else:
        task.expression = findings.expression(path, expression_text) or Expression("null")
    task.result_variable = scripts[0].get("resultVariable") or ""
    if not task.result_variable.strip():
        findings.add(path, NOT_PRESENT.format("resultVariable"))
    return task


def call_activity(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    """zeebe:calledElement: the process id (static or expression), propagation and binding."""
    findings = build.findings
    activity = CallActivity(node_id, BpmnElementType.CALL_ACTIVITY, scope_id)
    called = zeebe_extensions(xml, "calledElement")
    if len(called) != 1:
        findings.add(node_id, "Must have exactly one 'zeebe:calledElement' extension element")
        return activity
    element = called[0]
    path = extension_path(node_id, "calledElement")
    process_text = element.get("processId") or ""
    if not process_text.strip():
        findings.add(path, NOT_PRESENT.format("processId"))
    else:
        activity.process_id = findings.value(path, process_text)
    activity.propagate_all_child_variables = is_true(
        element.get("propagateAllChildVariables"), default=True
    )
    activity.propagate_all_parent_variables = is_true(
        element.get("propagateAllParentVariables"), default=True
    )
    activity.binding_type, activity.version_tag = binding(element, path, findings)
    return activity


def binding(element: XmlElement, path: str, findings: Findings) -> tuple[str, str | None]:
    """`bindingType` (latest, deployment, versionTag) and the `versionTag` it may need."""
    binding_type = element.get("bindingType")
    version_tag = element.get("versionTag")
    if binding_type is None:
        return "latest", version_tag
    if binding_type not in BINDING_TYPES:
        findings.add(path, f"Attribute 'bindingType' must be one of: {', '.join(BINDING_TYPES)}")
        return "latest", version_tag
    if binding_type == "versionTag" and not (version_tag or "").strip():
        findings.add(path, NOT_PRESENT.format("versionTag"))
    return binding_type, version_tag


def user_task(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    # Camunda user tasks (zeebe:userTask) run as job-based user tasks here (see user_task_job).
    native = bool(zeebe_extensions(xml, "userTask"))
    job = user_task_job(xml, node_id, build.findings, native=native)
    return JobTask(node_id, BpmnElementType.USER_TASK, scope_id, job=job)


def receive_task(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    task = ReceiveTask(node_id, BpmnElementType.RECEIVE_TASK, scope_id)
    ref = xml.get("messageRef") or ""
    message_xml = build.messages.get(ref)
    if not ref:
        build.findings.add(node_id, "Must reference a message")
    elif message_xml is None:
        build.findings.add(node_id, f"Referenced message '{ref}' does not exist")
    else:
        task.message = message_definition(message_xml, build.findings, needs_subscription=True)
    return task


def loop_characteristics(
    xml: XmlElement, node_id: str, findings: Findings
) -> LoopCharacteristics | None:
    """bpmn:multiInstanceLoopCharacteristics with its zeebe:loopCharacteristics, if present."""
    markers = bpmn_children(xml, "multiInstanceLoopCharacteristics")
    if not markers:
        return None
    marker = markers[0]
    marker_path = f"{node_id} > multiInstanceLoopCharacteristics"
    extensions = zeebe_extensions(marker, "loopCharacteristics")
    if len(extensions) != 1:
        findings.add(
            marker_path, "Must have exactly one 'zeebe:loopCharacteristics' extension element"
        )
        return None
    element = extensions[0]
    path = f"{marker_path} > extensionElements > loopCharacteristics"
    input_text = element.get("inputCollection") or ""
    input_collection: Expression | None = None
    if not input_text:
        findings.add(path, NOT_PRESENT.format("inputCollection"))
    else:
        input_collection = findings.expression(path, input_text)
    input_element = element.get("inputElement") or None
    if input_element is not None:
        check_target(path, input_element, findings)
    output_collection = element.get("outputCollection") or None
    output_text = element.get("outputElement") or ""
    output_element: ExpressionOrStatic | None = None
    if output_collection is not None and not output_text:
        findings.add(
            path,
            "Attribute 'outputElement' must be present if the attribute 'outputCollection' is set",
        )
    elif output_text and output_collection is None:
        findings.add(
            path,
            "Attribute 'outputCollection' must be present if the attribute 'outputElement' is set",
        )
    if output_collection is not None:
        check_target(path, output_collection, findings)
    if output_text:
        output_element = findings.expression(path, output_text)
    completion: Expression | None = None
    for condition in bpmn_children(marker, "completionCondition"):
        text = (condition.text or "").strip()
        if text:
            completion = findings.expression(f"{marker_path} > completionCondition", text)
    if input_collection is None:
        return None
    return LoopCharacteristics(
        is_sequential=is_true(marker.get("isSequential"), default=False),
        input_collection=input_collection,
        input_element=input_element,
        output_collection=output_collection,
        output_element=output_element if isinstance(output_element, Expression) else None,
        completion_condition=completion,
    )
