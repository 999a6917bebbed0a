"""Each supported element is built into the model with every field filled."""

from __future__ import annotations

import json

import pytest
from bpmn_documents import NAMESPACES, Parse, Problems

from zeebind.bpmn import parse_bpmn
from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EndEvent,
    ExclusiveGateway,
    Expression,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    JobTask,
    Mapping,
    MessageDefinition,
    ParallelGateway,
    PassThroughNode,
    ReceiveTask,
    StartEvent,
    Static,
    SubProcess,
)

START = '<bpmn:startEvent id="start"/>'
END = '<bpmn:endEvent id="end"/>'
MESSAGE = (
    '<bpmn:message id="m" name="paid"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message>'
)


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def service_task(task_id: str, extensions: str = '<zeebe:taskDefinition type="work"/>') -> str:
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>{extensions}'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def test_straight_through_process_links_flows_scopes_and_names(parse: Parse) -> None:
    process = parse(
        '<bpmn:startEvent id="start" name="Go"/><bpmn:endEvent id="end" name="Done"/>'
        + flow("f", "start", "end")
    )
    start, end = process.element("start"), process.element("end")
    assert isinstance(start, StartEvent)
    assert isinstance(end, EndEvent)
    assert (start.name, start.event_type, start.outgoing) == ("Go", BpmnEventType.NONE, ["f"])
    assert (end.name, end.event_type, end.incoming) == ("Done", BpmnEventType.NONE, ["f"])
    assert start.flow_scope_id == end.flow_scope_id == "p"
    assert process.child_ids == ["start", "end"]
    assert process.none_start_event_id == "start"
    assert process.message_start_event_ids == []
    assert process.flow("f").source_id == "start"
    assert process.flow("f").target_id == "end"


def test_process_name_and_version_tag_are_read() -> None:
    content = (
        f'<bpmn:definitions {NAMESPACES}><bpmn:process id="order" name="Order" '
        'isExecutable="true"><bpmn:extensionElements><zeebe:versionTag value="v2.1"/>'
        f"</bpmn:extensionElements>{START}</bpmn:process></bpmn:definitions>"
    ).encode()
    [process] = parse_bpmn("order.bpmn", content)
    assert (process.bpmn_process_id, process.name, process.version_tag) == (
        "order",
        "Order",
        "v2.1",
    )


def test_version_tag_is_none_when_absent(parse: Parse) -> None:
    assert parse(START).version_tag is None


def test_message_start_event_has_message_without_correlation_key(parse: Parse) -> None:
    process = parse(
        '<bpmn:startEvent id="s1"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>'
        '<bpmn:startEvent id="s2"><bpmn:messageEventDefinition messageRef="m2"/></bpmn:startEvent>',
        definitions=MESSAGE + '<bpmn:message id="m2" name="= &quot;by-&quot; + string(1)"/>',
    )
    s1, s2 = process.element("s1"), process.element("s2")
    assert isinstance(s1, StartEvent)
    assert isinstance(s2, StartEvent)
    assert s1.event_type is BpmnEventType.MESSAGE
    assert s1.message == MessageDefinition("m", Static("paid"), None)
    assert s2.message == MessageDefinition("m2", Expression('"by-" + string(1)'), None)
    assert process.message_start_event_ids == ["s1", "s2"]
    assert process.none_start_event_id is None


def test_none_and_message_start_events_can_coexist(parse: Parse) -> None:
    process = parse(
        START + '<bpmn:startEvent id="ms"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:startEvent>",
        definitions=MESSAGE,
    )
    assert process.none_start_event_id == "start"
    assert process.message_start_event_ids == ["ms"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("NOT_FOUND", Static("NOT_FOUND")), ("= code", Expression("code"))],
)
def test_error_end_event_throws_static_or_expression_code(
    parse: Parse, code: str, expected: object
) -> None:
    process = parse(
        START
        + '<bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="e"/></bpmn:endEvent>',
        definitions=f'<bpmn:error id="e" errorCode="{code}"/>',
    )
    end = process.element("fail")
    assert isinstance(end, EndEvent)
    assert (end.event_type, end.error_code) == (BpmnEventType.ERROR, expected)


def test_service_task_job_defaults_to_three_retries(parse: Parse) -> None:
    task = parse(START + service_task("t")).element("t")
    assert isinstance(task, JobTask)
    assert task.element_type is BpmnElementType.SERVICE_TASK
    assert task.job.type == Static("work")
    assert task.job.retries == Static("3")
    assert task.job.headers == {}


def test_service_task_job_reads_expressions_retries_and_headers(parse: Parse) -> None:
    task = parse(
        START
        + service_task(
            "t",
            '<zeebe:taskDefinition type="= &quot;work-&quot; + region" retries="=tries"/>'
            '<zeebe:taskHeaders><zeebe:header key="b" value="2"/><zeebe:header key="a" value=""/>'
            "</zeebe:taskHeaders>",
        )
    ).element("t")
    assert isinstance(task, JobTask)
    assert task.job.type == Expression('"work-" + region')
    assert task.job.retries == Expression("tries")
    assert list(task.job.headers.items()) == [("b", "2"), ("a", "")]


@pytest.mark.parametrize(
    ("tag", "element_type"),
    [
        ("sendTask", BpmnElementType.SEND_TASK),
        ("businessRuleTask", BpmnElementType.BUSINESS_RULE_TASK),
        ("scriptTask", BpmnElementType.SCRIPT_TASK),
    ],
)
def test_job_based_tasks_become_job_tasks(
    parse: Parse, tag: str, element_type: BpmnElementType
) -> None:
    task = parse(
        START + f'<bpmn:{tag} id="t"><bpmn:extensionElements><zeebe:taskDefinition type="x" '
        f'retries="7"/></bpmn:extensionElements></bpmn:{tag}>'
    ).element("t")
    assert isinstance(task, JobTask)
    assert task.element_type is element_type
    assert (task.job.type, task.job.retries) == (Static("x"), Static("7"))


def test_user_task_is_a_job_with_reserved_headers(parse: Parse) -> None:
    task = parse(
        START + '<bpmn:userTask id="u" name="Review"><bpmn:extensionElements>'
        '<zeebe:formDefinition formKey="camunda-forms:bpmn:form1"/>'
        '<zeebe:assignmentDefinition assignee="demo" candidateGroups="sales, ops" '
        'candidateUsers="anna"/>'
        '<zeebe:taskSchedule dueDate="2026-12-24T12:00:00Z" '
        'followUpDate="2026-12-20T08:00:00+01:00"/>'
        '<zeebe:taskHeaders><zeebe:header key="priority" value="high"/></zeebe:taskHeaders>'
        "</bpmn:extensionElements></bpmn:userTask>"
    ).element("u")
    assert isinstance(task, JobTask)
    assert task.element_type is BpmnElementType.USER_TASK
    assert task.job.type == Static("io.camunda.zeebe:userTask")
    assert task.job.retries == Static("3")
    assert task.job.headers == {
        "priority": "high",
        "io.camunda.zeebe:formKey": "camunda-forms:bpmn:form1",
        "io.camunda.zeebe:assignee": "demo",
        "io.camunda.zeebe:candidateGroups": '["sales","ops"]',
        "io.camunda.zeebe:candidateUsers": '["anna"]',
        "io.camunda.zeebe:dueDate": "2026-12-24T12:00:00Z",
        "io.camunda.zeebe:followUpDate": "2026-12-20T08:00:00+01:00",
    }
    assert json.loads(task.job.headers["io.camunda.zeebe:candidateGroups"]) == ["sales", "ops"]


def test_user_task_without_extensions_has_no_headers(parse: Parse) -> None:
    task = parse(START + '<bpmn:userTask id="u"/>').element("u")
    assert isinstance(task, JobTask)
    assert task.job.headers == {}


def test_user_task_assignment_expressions_are_rejected_for_now(problems: Problems) -> None:
    assert problems(
        START + '<bpmn:userTask id="u"><bpmn:extensionElements>'
        '<zeebe:assignmentDefinition assignee="= owner"/></bpmn:extensionElements></bpmn:userTask>'
    ) == [
        (
            "u > extensionElements > assignmentDefinition",
            "Expressions in attribute 'assignee' are not supported yet",
        )
    ]


def test_user_task_due_date_must_be_iso_8601(problems: Problems) -> None:
    [(path, message)] = problems(
        START + '<bpmn:userTask id="u"><bpmn:extensionElements>'
        '<zeebe:taskSchedule dueDate="tomorrow"/></bpmn:extensionElements></bpmn:userTask>'
    )
    assert path == "u > extensionElements > taskSchedule"
    assert "ISO 8601" in message
    assert "'tomorrow'" in message


def test_receive_task_waits_for_a_correlated_message(parse: Parse) -> None:
    task = parse(START + '<bpmn:receiveTask id="r" messageRef="m"/>', definitions=MESSAGE).element(
        "r"
    )
    assert isinstance(task, ReceiveTask)
    assert task.element_type is BpmnElementType.RECEIVE_TASK
    assert task.message == MessageDefinition("m", Static("paid"), Expression("orderId"))


def test_intermediate_message_catch_event(parse: Parse) -> None:
    event = parse(
        START + '<bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:intermediateCatchEvent>",
        definitions=MESSAGE,
    ).element("c")
    assert isinstance(event, IntermediateCatchEvent)
    assert event.element_type is BpmnElementType.INTERMEDIATE_CATCH_EVENT
    assert event.event_type is BpmnEventType.MESSAGE
    assert event.message == MessageDefinition("m", Static("paid"), Expression("orderId"))


def test_exclusive_gateway_keeps_default_and_conditions_in_document_order(parse: Parse) -> None:
    process = parse(
        START
        + '<bpmn:exclusiveGateway id="g" default="f_default"/>'
        + '<bpmn:endEvent id="a"/><bpmn:endEvent id="b"/><bpmn:endEvent id="c"/>'
        + flow("f_in", "start", "g")
        + flow("f_b", "g", "b", "= x &gt; 10")
        + flow("f_default", "g", "c")
        + flow("f_a", "g", "a", "=x &lt; 0")
    )
    gateway = process.element("g")
    assert isinstance(gateway, ExclusiveGateway)
    assert gateway.default_flow_id == "f_default"
    assert gateway.outgoing == ["f_b", "f_default", "f_a"]
    assert gateway.incoming == ["f_in"]
    assert process.flow("f_b").condition == Expression("x > 10")
    assert process.flow("f_a").condition == Expression("x < 0")
    assert process.flow("f_default").condition is None


def test_exclusive_gateway_without_default(parse: Parse) -> None:
    gateway = parse(START + '<bpmn:exclusiveGateway id="g"/>' + flow("f", "start", "g")).element(
        "g"
    )
    assert isinstance(gateway, ExclusiveGateway)
    assert gateway.default_flow_id is None


def test_parallel_gateway_fork_and_join(parse: Parse) -> None:
    process = parse(
        START
        + '<bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>'
        + service_task("a")
        + service_task("b")
        + flow("f0", "start", "fork")
        + flow("f1", "fork", "a")
        + flow("f2", "fork", "b")
        + flow("f3", "a", "join")
        + flow("f4", "b", "join")
    )
    fork, join = process.element("fork"), process.element("join")
    assert isinstance(fork, ParallelGateway)
    assert isinstance(join, ParallelGateway)
    assert fork.outgoing == ["f1", "f2"]
    assert join.incoming == ["f3", "f4"]


def test_message_boundary_events_interrupting_and_not(parse: Parse) -> None:
    process = parse(
        START + service_task("t") + '<bpmn:boundaryEvent id="b1" attachedToRef="t">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:boundaryEvent>'
        '<bpmn:boundaryEvent id="b2" attachedToRef="t" cancelActivity="false">'
        '<bpmn:messageEventDefinition messageRef="m2"/></bpmn:boundaryEvent>'
        + END
        + flow("f1", "b1", "end")
        + flow("f2", "b2", "end"),
        definitions=MESSAGE + '<bpmn:message id="m2" name="ping"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=id"/></bpmn:extensionElements></bpmn:message>',
    )
    b1, b2 = process.element("b1"), process.element("b2")
    assert isinstance(b1, BoundaryEvent)
    assert isinstance(b2, BoundaryEvent)
    assert (b1.attached_to_id, b1.cancel_activity, b1.event_type) == (
        "t",
        True,
        BpmnEventType.MESSAGE,
    )
    assert b2.cancel_activity is False
    assert b2.message == MessageDefinition("m2", Static("ping"), Expression("id"))
    assert process.element("t").boundary_event_ids == ["b1", "b2"]
    assert b1.flow_scope_id == "p"


def test_error_boundary_events_with_code_and_catch_all(parse: Parse) -> None:
    process = parse(
        START
        + service_task("t")
        + service_task("u")
        + '<bpmn:boundaryEvent id="coded" attachedToRef="t">'
        '<bpmn:errorEventDefinition errorRef="e"/></bpmn:boundaryEvent>'
        '<bpmn:boundaryEvent id="all" attachedToRef="t"><bpmn:errorEventDefinition/>'
        "</bpmn:boundaryEvent>"
        '<bpmn:boundaryEvent id="codeless" attachedToRef="u">'
        '<bpmn:errorEventDefinition errorRef="e_none"/></bpmn:boundaryEvent>'
        + END
        + flow("f1", "coded", "end")
        + flow("f2", "all", "end")
        + flow("f3", "codeless", "end"),
        definitions='<bpmn:error id="e" errorCode="BAD"/><bpmn:error id="e_none"/>',
    )
    coded, catch_all, codeless = (process.element(i) for i in ("coded", "all", "codeless"))
    assert isinstance(coded, BoundaryEvent)
    assert isinstance(catch_all, BoundaryEvent)
    assert isinstance(codeless, BoundaryEvent)
    assert (coded.event_type, coded.error_code) == (BpmnEventType.ERROR, "BAD")
    assert catch_all.error_code is None
    assert codeless.error_code is None
    assert process.element("t").boundary_event_ids == ["coded", "all"]


def test_embedded_subprocess_is_a_scope_of_its_own(parse: Parse) -> None:
    process = parse(
        START + '<bpmn:subProcess id="sub" name="Sub">'
        '<bpmn:startEvent id="sub_start"/><bpmn:subProcess id="inner">'
        '<bpmn:startEvent id="inner_start"/></bpmn:subProcess><bpmn:endEvent id="sub_end"/>'
        + flow("s1", "sub_start", "inner")
        + flow("s2", "inner", "sub_end")
        + "</bpmn:subProcess>"
        + END
        + flow("f1", "start", "sub")
        + flow("f2", "sub", "end")
    )
    sub, inner = process.element("sub"), process.element("inner")
    assert isinstance(sub, SubProcess)
    assert isinstance(inner, SubProcess)
    assert sub.element_type is BpmnElementType.SUB_PROCESS
    assert (sub.name, sub.start_event_id, sub.child_ids) == (
        "Sub",
        "sub_start",
        ["sub_start", "inner", "sub_end"],
    )
    assert inner.start_event_id == "inner_start"
    assert process.child_ids == ["start", "sub", "end"]
    assert list(process.elements) == [
        "start",
        "sub",
        "sub_start",
        "inner",
        "inner_start",
        "sub_end",
        "end",
    ]
    assert process.element("sub_start").flow_scope_id == "sub"
    assert process.element("inner_start").flow_scope_id == "inner"
    assert inner.flow_scope_id == "sub"
    assert set(process.sequence_flows) == {"s1", "s2", "f1", "f2"}
    assert process.element("sub_start").outgoing == ["s1"]
    assert (sub.incoming, sub.outgoing) == (["f1"], ["f2"])
    assert process.none_start_event_id == "start"


@pytest.mark.parametrize(
    ("xml", "node_class", "element_type", "event_type"),
    [
        (
            '<bpmn:task id="x"/>',
            PassThroughNode,
            BpmnElementType.TASK,
            BpmnEventType.UNSPECIFIED,
        ),
        (
            '<bpmn:manualTask id="x"/>',
            PassThroughNode,
            BpmnElementType.MANUAL_TASK,
            BpmnEventType.UNSPECIFIED,
        ),
        (
            '<bpmn:intermediateThrowEvent id="x"/>',
            IntermediateThrowEvent,
            BpmnElementType.INTERMEDIATE_THROW_EVENT,
            BpmnEventType.NONE,
        ),
    ],
)
def test_pass_through_elements(
    parse: Parse,
    xml: str,
    node_class: type,
    element_type: BpmnElementType,
    event_type: BpmnEventType,
) -> None:
    node = parse(START + xml).element("x")
    assert type(node) is node_class
    assert (node.element_type, node.event_type) == (element_type, event_type)


def test_io_mappings_inputs_and_outputs(parse: Parse) -> None:
    task = parse(
        START
        + service_task(
            "t",
            '<zeebe:taskDefinition type="w"/><zeebe:ioMapping>'
            '<zeebe:input source="= order.id" target="orderId"/>'
            '<zeebe:input source="fixed" target="mode"/>'
            '<zeebe:input target="nothing"/>'
            '<zeebe:output source="=result" target="order.result"/>'
            "</zeebe:ioMapping>",
        )
    ).element("t")
    assert task.inputs == [
        Mapping(Expression("order.id"), "orderId"),
        Mapping(Static("fixed"), "mode"),
        Mapping(None, "nothing"),
    ]
    assert task.outputs == [Mapping(Expression("result"), "order.result")]


def test_output_mapping_on_a_start_event(parse: Parse) -> None:
    start = parse(
        '<bpmn:startEvent id="s"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:output source="= 0" target="count"/></zeebe:ioMapping></bpmn:extensionElements>'
        "</bpmn:startEvent>"
    ).element("s")
    assert start.outputs == [Mapping(Expression("0"), "count")]


def test_several_processes_and_non_executable_ones_skipped() -> None:
    content = (
        f'<bpmn:definitions {NAMESPACES} id="d">'
        '<bpmn:collaboration id="c"><bpmn:participant id="pa" processRef="one"/>'
        '<bpmn:participant id="pb" processRef="two"/>'
        '<bpmn:participant id="pc" processRef="three"/></bpmn:collaboration>'
        f'<bpmn:process id="one" isExecutable="true">{START}</bpmn:process>'
        f'<bpmn:process id="two" isExecutable="true"><bpmn:laneSet id="ls"/>{START}</bpmn:process>'
        f'<bpmn:process id="three" isExecutable="false">{START}</bpmn:process>'
        f'<bpmn:process id="four">{START}</bpmn:process>'
        "</bpmn:definitions>"
    ).encode()
    processes = parse_bpmn("pools.bpmn", content)
    assert [p.bpmn_process_id for p in processes] == ["one", "two"]


def test_modelling_only_content_is_ignored(parse: Parse) -> None:
    process = parse(
        "<bpmn:documentation>doc</bpmn:documentation>"
        + START
        + '<bpmn:textAnnotation id="ta"><bpmn:text>note</bpmn:text></bpmn:textAnnotation>'
        '<bpmn:association id="as" sourceRef="start" targetRef="ta"/>'
        '<bpmn:dataObject id="do"/><!-- a comment --><?pi data?>'
        '<bpmn:extensionElements><zeebe:properties><zeebe:property name="a" value="b"/>'
        "</zeebe:properties></bpmn:extensionElements>"
    )
    assert process.child_ids == ["start"]
    assert process.sequence_flows == {}


def test_camunda_user_task_runs_as_a_job_based_user_task() -> None:
    from zeebind.bpmn.model import JobTask, Static
    from zeebind.bpmn.parser import parse_bpmn

    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/>'
        '<zeebe:formDefinition formId="review-form"/>'
        '<zeebe:assignmentDefinition assignee="anna"/></bpmn:extensionElements></bpmn:userTask>'
        '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="review"/></bpmn:process>'
        "</bpmn:definitions>"
    )
    [process] = parse_bpmn("p.bpmn", xml.encode())
    task = process.element("review")
    assert isinstance(task, JobTask)
    assert task.job.type == Static("io.camunda.zeebe:userTask")
    assert task.job.headers["io.camunda.zeebe:formId"] == "review-form"
    assert task.job.headers["io.camunda.zeebe:assignee"] == "anna"
