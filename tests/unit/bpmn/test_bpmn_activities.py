"""Call activities, multi-instance markers, FEEL script tasks and message throw jobs."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems

from zeebind.bpmn.model import (
    BpmnElementType,
    BpmnEventType,
    CallActivity,
    Expression,
    JobTask,
    LoopCharacteristics,
    ScriptTask,
    Static,
)

START = '<bpmn:startEvent id="start"/>'
JOB = '<zeebe:taskDefinition type="work"/>'


def call(extensions: str) -> str:
    return (
        f'<bpmn:callActivity id="c"><bpmn:extensionElements>{extensions}'
        "</bpmn:extensionElements></bpmn:callActivity>"
    )


# --- call activities -----------------------------------------------------------------------------


def test_call_activity_defaults(parse: Parse) -> None:
    node = parse(START + call('<zeebe:calledElement processId="child"/>')).element("c")
    assert isinstance(node, CallActivity)
    assert node.element_type is BpmnElementType.CALL_ACTIVITY
    assert node.process_id == Static("child")
    assert node.propagate_all_child_variables is True
    assert node.propagate_all_parent_variables is True
    assert (node.binding_type, node.version_tag) == ("latest", None)


def test_call_activity_reads_every_attribute(parse: Parse) -> None:
    node = parse(
        START
        + call(
            '<zeebe:calledElement processId="= childId" propagateAllChildVariables="false" '
            'propagateAllParentVariables="false" bindingType="versionTag" versionTag="v1"/>'
            '<zeebe:ioMapping><zeebe:input source="= a" target="b"/></zeebe:ioMapping>'
        )
    ).element("c")
    assert isinstance(node, CallActivity)
    assert node.process_id == Expression("childId")
    assert node.propagate_all_child_variables is False
    assert node.propagate_all_parent_variables is False
    assert (node.binding_type, node.version_tag) == ("versionTag", "v1")
    assert [m.target for m in node.inputs] == ["b"]


@pytest.mark.parametrize("binding", ["latest", "deployment"])
def test_call_activity_binding_types(parse: Parse, binding: str) -> None:
    node = parse(
        START + call(f'<zeebe:calledElement processId="x" bindingType="{binding}"/>')
    ).element("c")
    assert isinstance(node, CallActivity)
    assert node.binding_type == binding


@pytest.mark.parametrize(
    ("extensions", "path", "message"),
    [
        ("", "c", "Must have exactly one 'zeebe:calledElement' extension element"),
        (
            '<zeebe:calledElement processId="a"/><zeebe:calledElement processId="b"/>',
            "c",
            "Must have exactly one 'zeebe:calledElement' extension element",
        ),
        (
            '<zeebe:calledElement processId=""/>',
            "c > extensionElements > calledElement",
            "Attribute 'processId' must be present and not empty",
        ),
        (
            '<zeebe:calledElement processId="x" bindingType="newest"/>',
            "c > extensionElements > calledElement",
            "Attribute 'bindingType' must be one of: latest, deployment, versionTag",
        ),
        (
            '<zeebe:calledElement processId="x" bindingType="versionTag"/>',
            "c > extensionElements > calledElement",
            "Attribute 'versionTag' must be present and not empty",
        ),
    ],
)
def test_invalid_call_activity(
    problems: Problems, extensions: str, path: str, message: str
) -> None:
    assert problems(START + call(extensions)) == [(path, message)]


# --- multi-instance ------------------------------------------------------------------------------


def multi_instance(loop: str, *, sequential: bool = False, completion: str = "") -> str:
    flag = ' isSequential="true"' if sequential else ""
    condition = (
        f'<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">{completion}'
        "</bpmn:completionCondition>"
        if completion
        else ""
    )
    return (
        f'<bpmn:serviceTask id="t"><bpmn:extensionElements>{JOB}</bpmn:extensionElements>'
        f"<bpmn:multiInstanceLoopCharacteristics{flag}><bpmn:extensionElements>{loop}"
        f"</bpmn:extensionElements>{condition}</bpmn:multiInstanceLoopCharacteristics>"
        "</bpmn:serviceTask>"
    )


def test_parallel_multi_instance_with_every_attribute(parse: Parse) -> None:
    task = parse(
        START
        + multi_instance(
            '<zeebe:loopCharacteristics inputCollection="= items" inputElement="item" '
            'outputCollection="results" outputElement="= result"/>',
            completion="= numberOfCompletedInstances &gt;= 2",
        )
    ).element("t")
    assert isinstance(task, JobTask)
    assert task.loop == LoopCharacteristics(
        is_sequential=False,
        input_collection=Expression("items"),
        input_element="item",
        output_collection="results",
        output_element=Expression("result"),
        completion_condition=Expression("numberOfCompletedInstances >= 2"),
    )


def test_sequential_multi_instance_needs_only_the_collection(parse: Parse) -> None:
    task = parse(
        START
        + multi_instance('<zeebe:loopCharacteristics inputCollection="= [1,2]"/>', sequential=True)
    ).element("t")
    assert task.loop == LoopCharacteristics(
        is_sequential=True, input_collection=Expression("[1,2]")
    )


def test_plain_activity_has_no_loop(parse: Parse) -> None:
    task = parse(
        START + f'<bpmn:serviceTask id="t"><bpmn:extensionElements>{JOB}'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    ).element("t")
    assert task.loop is None


@pytest.mark.parametrize(
    "activity",
    [
        '<bpmn:subProcess id="a"><bpmn:startEvent id="s"/>{loop}</bpmn:subProcess>',
        '<bpmn:callActivity id="a"><bpmn:extensionElements><zeebe:calledElement processId="x"/>'
        "</bpmn:extensionElements>{loop}</bpmn:callActivity>",
        '<bpmn:task id="a">{loop}</bpmn:task>',
        '<bpmn:manualTask id="a">{loop}</bpmn:manualTask>',
        '<bpmn:receiveTask id="a" messageRef="m">{loop}</bpmn:receiveTask>',
        '<bpmn:scriptTask id="a"><bpmn:extensionElements><zeebe:script expression="= 1" '
        'resultVariable="r"/></bpmn:extensionElements>{loop}</bpmn:scriptTask>',
    ],
)
def test_any_activity_can_be_multi_instance(parse: Parse, activity: str) -> None:
    loop = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        '<zeebe:loopCharacteristics inputCollection="= xs"/></bpmn:extensionElements>'
        "</bpmn:multiInstanceLoopCharacteristics>"
    )
    message = (
        '<bpmn:message id="m" name="n"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="= k"/></bpmn:extensionElements></bpmn:message>'
    )
    node = parse(START + activity.format(loop=loop), definitions=message).element("a")
    assert node.loop == LoopCharacteristics(is_sequential=False, input_collection=Expression("xs"))


PATH = "t > multiInstanceLoopCharacteristics > extensionElements > loopCharacteristics"


@pytest.mark.parametrize(
    ("loop", "path", "message"),
    [
        (
            "",
            "t > multiInstanceLoopCharacteristics",
            "Must have exactly one 'zeebe:loopCharacteristics' extension element",
        ),
        (
            "<zeebe:loopCharacteristics/>",
            PATH,
            "Attribute 'inputCollection' must be present and not empty",
        ),
        (
            '<zeebe:loopCharacteristics inputCollection="items"/>',
            PATH,
            "Expected expression but found static value 'items'. An expression must start with "
            "'=' (e.g. '=items').",
        ),
        (
            '<zeebe:loopCharacteristics inputCollection="= xs" outputCollection="ys"/>',
            PATH,
            "Attribute 'outputElement' must be present if the attribute 'outputCollection' is set",
        ),
        (
            '<zeebe:loopCharacteristics inputCollection="= xs" outputElement="= y"/>',
            PATH,
            "Attribute 'outputCollection' must be present if the attribute 'outputElement' is set",
        ),
        (
            '<zeebe:loopCharacteristics inputCollection="= xs" outputCollection="ys" '
            'outputElement="y"/>',
            PATH,
            "Expected expression but found static value 'y'. An expression must start with '=' "
            "(e.g. '=y').",
        ),
        (
            '<zeebe:loopCharacteristics inputCollection="= xs" inputElement="1x"/>',
            PATH,
            "Expected path expression '1x' but doesn't match the pattern "
            "'[a-zA-Z_][a-zA-Z0-9_]*(\\.[a-zA-Z_][a-zA-Z0-9_]*)*'.",
        ),
    ],
)
def test_invalid_multi_instance(problems: Problems, loop: str, path: str, message: str) -> None:
    assert problems(START + multi_instance(loop)) == [(path, message)]


def test_completion_condition_must_be_an_expression(problems: Problems) -> None:
    loop = '<zeebe:loopCharacteristics inputCollection="= xs"/>'
    assert problems(START + multi_instance(loop, completion="done")) == [
        (
            "t > multiInstanceLoopCharacteristics > completionCondition",
            "Expected expression but found static value 'done'. An expression must start with "
            "'=' (e.g. '=done').",
        )
    ]


def test_multi_instance_on_an_event_is_rejected(problems: Problems) -> None:
    body = (
        START + '<bpmn:intermediateThrowEvent id="x"><bpmn:multiInstanceLoopCharacteristics/>'
        "</bpmn:intermediateThrowEvent>"
    )
    assert problems(body) == [("x", "Multi-instance is only supported on activities")]


# --- script tasks --------------------------------------------------------------------------------


def script(extensions: str) -> str:
    return (
        f'<bpmn:scriptTask id="s"><bpmn:extensionElements>{extensions}'
        "</bpmn:extensionElements></bpmn:scriptTask>"
    )


def test_feel_script_task(parse: Parse) -> None:
    node = parse(
        START + script('<zeebe:script expression="= a + 1" resultVariable="sum"/>')
    ).element("s")
    assert isinstance(node, ScriptTask)
    assert node.element_type is BpmnElementType.SCRIPT_TASK
    assert (node.expression, node.result_variable) == (Expression("a + 1"), "sum")


def test_job_script_task_stays_a_job(parse: Parse) -> None:
    node = parse(START + script(JOB)).element("s")
    assert isinstance(node, JobTask)
    assert node.element_type is BpmnElementType.SCRIPT_TASK
    assert node.job.type == Static("work")


@pytest.mark.parametrize(
    ("extensions", "path", "message"),
    [
        (
            "",
            "s",
            "Must have either one 'zeebe:script' or one 'zeebe:taskDefinition' extension element",
        ),
        (
            '<zeebe:script expression="= 1" resultVariable="r"/>' + JOB,
            "s",
            "Must have either one 'zeebe:script' or one 'zeebe:taskDefinition' extension element",
        ),
        (
            '<zeebe:script resultVariable="r"/>',
            "s > extensionElements > script",
            "Attribute 'expression' must be present and not empty",
        ),
        (
            '<zeebe:script expression="= 1"/>',
            "s > extensionElements > script",
            "Attribute 'resultVariable' must be present and not empty",
        ),
        (
            '<zeebe:script expression="1" resultVariable="r"/>',
            "s > extensionElements > script",
            "Expected expression but found static value '1'. An expression must start with '=' "
            "(e.g. '=1').",
        ),
    ],
)
def test_invalid_script_task(problems: Problems, extensions: str, path: str, message: str) -> None:
    assert problems(START + script(extensions)) == [(path, message)]


# --- message throw and end events as jobs --------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "element_type"),
    [
        ("intermediateThrowEvent", BpmnElementType.INTERMEDIATE_THROW_EVENT),
        ("endEvent", BpmnElementType.END_EVENT),
    ],
)
def test_message_throw_events_are_jobs(
    parse: Parse, tag: str, element_type: BpmnElementType
) -> None:
    node = parse(
        START + f'<bpmn:{tag} id="x"><bpmn:extensionElements><zeebe:taskDefinition type="send" '
        'retries="5"/><zeebe:taskHeaders><zeebe:header key="k" value="v"/></zeebe:taskHeaders>'
        f"</bpmn:extensionElements><bpmn:messageEventDefinition/></bpmn:{tag}>"
    ).element("x")
    assert isinstance(node, JobTask)
    assert (node.element_type, node.event_type) == (element_type, BpmnEventType.MESSAGE)
    assert (node.job.type, node.job.retries, node.job.headers) == (
        Static("send"),
        Static("5"),
        {"k": "v"},
    )


def test_message_throw_event_needs_a_task_definition(problems: Problems) -> None:
    body = START + '<bpmn:endEvent id="x"><bpmn:messageEventDefinition/></bpmn:endEvent>'
    assert problems(body) == [
        (
            "x",
            "Must have either one 'zeebe:publishMessage' or one 'zeebe:taskDefinition' "
            "extension element",
        )
    ]
