"""Deploy-time rules: every problem is reported with its element path, all at once."""

from __future__ import annotations

import pytest
from bpmn_documents import NAMESPACES, Parse, Problems, document

from zeebind.bpmn import BpmnValidationError, Problem, parse_bpmn
from zeebind.errors import ZeebindError

START = '<bpmn:startEvent id="start"/>'
END = '<bpmn:endEvent id="end"/>'
TASK_DEFINITION = '<zeebe:taskDefinition type="work"/>'


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def service_task(task_id: str, extensions: str = TASK_DEFINITION) -> str:
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>{extensions}'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def message(message_id: str, name: str, subscription: str | None = "=key") -> str:
    extension = (
        ""
        if subscription is None
        else "<bpmn:extensionElements>"
        f'<zeebe:subscription correlationKey="{subscription}"/></bpmn:extensionElements>'
    )
    return f'<bpmn:message id="{message_id}" name="{name}">{extension}</bpmn:message>'


def boundary(boundary_id: str, attached_to: str, definition: str, **attributes: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return (
        f'<bpmn:boundaryEvent id="{boundary_id}" attachedToRef="{attached_to}"{extra}>'
        f"{definition}</bpmn:boundaryEvent>"
    )


# --- the error itself ----------------------------------------------------------------------------


def test_message_renders_in_zeebe_format_with_every_problem() -> None:
    content = document(
        START
        + '<bpmn:serviceTask id="ServiceTask_1"/><bpmn:exclusiveGateway id="g"/>'
        + END
        + '<bpmn:endEvent id="end2"/>'
        + flow("Flow_0", "start", "ServiceTask_1")
        + flow("Flow_1", "ServiceTask_1", "g")
        + flow("Flow_2", "g", "end")
        + flow("Flow_3", "g", "end2", "= true")
    )
    with pytest.raises(BpmnValidationError) as caught:
        parse_bpmn("order.bpmn", content)
    assert str(caught.value) == (
        "'order.bpmn': - Element: ServiceTask_1\n"
        "    - ERROR: Must have exactly one 'zeebe:taskDefinition' extension element\n"
        "- Element: Flow_2\n"
        "    - ERROR: Must have a condition or be default flow"
    )
    assert caught.value.resource_name == "order.bpmn"
    assert isinstance(caught.value, ZeebindError)


def test_problems_of_one_element_are_grouped_under_one_heading() -> None:
    error = BpmnValidationError(
        "x.bpmn", [Problem("a", "one"), Problem("b", "two"), Problem("a", "three")]
    )
    assert str(error) == (
        "'x.bpmn': - Element: a\n    - ERROR: one\n    - ERROR: three\n"
        "- Element: b\n    - ERROR: two"
    )


def test_resource_level_problem_renders_without_element() -> None:
    assert str(BpmnValidationError("x.bpmn", [Problem("", "broken")])) == "'x.bpmn': broken"


def test_no_executable_process_is_rejected() -> None:
    content = (
        f'<bpmn:definitions {NAMESPACES} id="defs">'
        f'<bpmn:process id="p" isExecutable="false">{START}</bpmn:process></bpmn:definitions>'
    ).encode()
    with pytest.raises(BpmnValidationError) as caught:
        parse_bpmn("x.bpmn", content)
    assert caught.value.problems == [
        Problem("defs", "Must contain at least one executable process")
    ]


def test_problems_of_several_processes_are_all_reported() -> None:
    content = (
        f'<bpmn:definitions {NAMESPACES} id="defs">'
        '<bpmn:process id="a" isExecutable="true"><bpmn:task id="ta"/></bpmn:process>'
        '<bpmn:process id="b" isExecutable="true"><bpmn:task id="tb"/></bpmn:process>'
        "</bpmn:definitions>"
    ).encode()
    with pytest.raises(BpmnValidationError) as caught:
        parse_bpmn("x.bpmn", content)
    assert [p.element_path for p in caught.value.problems] == ["a", "b"]


def test_duplicate_ids_are_rejected(problems: Problems) -> None:
    assert problems(START + '<bpmn:task id="start"/>' + flow("start", "start", "start")) == [
        ("start", "Duplicate element id 'start'")
    ]


def test_an_element_with_the_process_id_is_a_duplicate_not_a_recursion(
    problems: Problems,
) -> None:
    # The process is "p": a subprocess (with a link catch inside, which made the link checks
    # walk the process as its own child) and a sequence flow may not take that id.
    sub = (
        '<bpmn:subProcess id="p"><bpmn:startEvent id="inner"/>'
        '<bpmn:intermediateCatchEvent id="catch"><bpmn:linkEventDefinition name="l"/>'
        "</bpmn:intermediateCatchEvent></bpmn:subProcess>"
    )
    assert problems(START + sub) == [("p", "Duplicate element id 'p'")]
    assert problems(START + '<bpmn:endEvent id="end"/>' + flow("p", "start", "end")) == [
        ("p", "Duplicate element id 'p'")
    ]


def test_missing_element_id_is_reported_under_its_scope(problems: Problems) -> None:
    assert problems(START + "<bpmn:task/>") == [
        ("p > task", "Attribute 'id' must be present and not empty")
    ]


# --- start and end events ------------------------------------------------------------------------


def test_process_needs_a_start_event(problems: Problems) -> None:
    assert problems(END) == [("p", "Must have at least one start event")]


def test_process_may_have_only_one_none_start_event(problems: Problems) -> None:
    assert problems(START + '<bpmn:startEvent id="start2"/>') == [
        ("p", "Multiple none start events are not allowed")
    ]


def test_subprocess_needs_exactly_one_none_start_event(problems: Problems) -> None:
    assert problems(
        START
        + '<bpmn:subProcess id="empty"><bpmn:task id="t"/></bpmn:subProcess>'
        + '<bpmn:subProcess id="two"><bpmn:startEvent id="s1"/><bpmn:startEvent id="s2"/>'
        + "</bpmn:subProcess>"
        + '<bpmn:subProcess id="msg"><bpmn:startEvent id="ms">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent></bpmn:subProcess>',
        definitions=message("m", "go"),
    ) == [
        ("empty", "Must have exactly one start event"),
        ("two", "Must have exactly one start event"),
        ("ms", "Start events in subprocesses must be of type none"),
    ]


def test_start_event_with_two_definitions_is_rejected(problems: Problems) -> None:
    assert ("s", "Start event can't have more than one type") in problems(
        '<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m"/>'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>',
        definitions=message("m", "go"),
    )


def test_message_start_events_need_distinct_names_and_messages(problems: Problems) -> None:
    assert problems(
        '<bpmn:startEvent id="s1"><bpmn:messageEventDefinition messageRef="m1"/></bpmn:startEvent>'
        '<bpmn:startEvent id="s2"><bpmn:messageEventDefinition messageRef="m2"/></bpmn:startEvent>'
        '<bpmn:startEvent id="s3"><bpmn:messageEventDefinition messageRef="m2"/></bpmn:startEvent>',
        definitions=message("m1", "go", None) + message("m2", "go", None),
    ) == [
        ("s1", "Multiple message event definitions with the same name 'go' are not allowed."),
        ("s2", "Multiple message event definitions with the same name 'go' are not allowed."),
        (
            "s2",
            "A message can be referenced by only one start event, but 'm2' is referenced by "
            "several",
        ),
        ("s3", "Multiple message event definitions with the same name 'go' are not allowed."),
        (
            "s3",
            "A message can be referenced by only one start event, but 'm2' is referenced by "
            "several",
        ),
    ]


def test_start_event_cannot_have_incoming_flows(problems: Problems) -> None:
    assert problems(START + '<bpmn:task id="t"/>' + flow("f", "t", "start")) == [
        ("start", "Must not have incoming sequence flows")
    ]


def test_end_event_cannot_have_outgoing_flows(problems: Problems) -> None:
    assert problems(START + END + '<bpmn:task id="t"/>' + flow("f", "end", "t")) == [
        ("end", "End events must not have outgoing sequence flows to other elements")
    ]


def test_error_end_event_needs_an_error_with_a_code(problems: Problems) -> None:
    assert problems(
        START
        + '<bpmn:endEvent id="e1"><bpmn:errorEventDefinition/></bpmn:endEvent>'
        + '<bpmn:endEvent id="e2"><bpmn:errorEventDefinition errorRef="nope"/></bpmn:endEvent>'
        + '<bpmn:endEvent id="e3"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>',
        definitions='<bpmn:error id="err" errorCode=""/>',
    ) == [
        ("e1", "Must reference an error"),
        ("e2", "Referenced error 'nope' does not exist"),
        ("err", "ErrorCode must be present and not empty"),
    ]


# --- sequence flows and gateways -----------------------------------------------------------------


def test_sequence_flow_ends_must_exist(problems: Problems) -> None:
    assert problems(
        START + flow("f1", "start", "ghost") + '<bpmn:sequenceFlow id="f2" sourceRef="start"/>'
    ) == [
        ("f1", "Attribute 'targetRef' must reference a valid flow node"),
        ("f2", "Attribute 'targetRef' must reference a valid flow node"),
    ]


def test_sequence_flow_cannot_cross_scopes(problems: Problems) -> None:
    assert problems(
        START
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="inner"/></bpmn:subProcess>'
        + flow("f", "start", "inner")
    ) == [
        ("f", "Referenced target element 'inner' is not in the flow scope 'p' of the sequence flow")
    ]


def test_exclusive_gateway_flows_need_condition_or_default(problems: Problems) -> None:
    assert problems(
        START
        + '<bpmn:exclusiveGateway id="g" default="f2"/>'
        + END
        + '<bpmn:endEvent id="end2"/><bpmn:endEvent id="end3"/>'
        + flow("f0", "start", "g")
        + flow("f1", "g", "end", "= a")
        + flow("f2", "g", "end2")
        + flow("f3", "g", "end3")
    ) == [("f3", "Must have a condition or be default flow")]


def test_single_unconditional_flow_out_of_exclusive_gateway_is_fine(problems: Problems) -> None:
    content = document(START + '<bpmn:exclusiveGateway id="g"/>' + END + flow("f", "g", "end"))
    assert len(parse_bpmn("x.bpmn", content)) == 1


def test_default_flow_must_start_at_the_gateway(problems: Problems) -> None:
    assert problems(
        START + '<bpmn:exclusiveGateway id="g" default="f0"/>' + END + flow("f0", "start", "g")
    ) == [("g", "Default flow must start at gateway")]


def test_condition_must_be_an_expression(problems: Problems) -> None:
    assert problems(
        START
        + '<bpmn:exclusiveGateway id="g"/>'
        + END
        + '<bpmn:endEvent id="end2"/>'
        + flow("f1", "g", "end", "x &gt; 1")
        + flow("f2", "g", "end2", "= x &lt;= 1")
    ) == [
        (
            "f1",
            "Expected expression but found static value 'x > 1'. An expression must start with "
            "'=' (e.g. '=x > 1').",
        ),
        ("f1", "Must have a condition or be default flow"),
    ]


@pytest.mark.parametrize("source", ['<bpmn:task id="s"/>', '<bpmn:parallelGateway id="s"/>'])
def test_conditional_flows_only_leave_exclusive_gateways(problems: Problems, source: str) -> None:
    assert problems(START + source + END + flow("f", "s", "end", "= ok")) == [
        ("f", "Conditional sequence flows are only supported at exclusive or inclusive gateway")
    ]


# --- zeebe extensions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extensions", "expected"),
    [
        ("", ("t", "Must have exactly one 'zeebe:taskDefinition' extension element")),
        (
            TASK_DEFINITION * 2,
            ("t", "Must have exactly one 'zeebe:taskDefinition' extension element"),
        ),
        (
            '<zeebe:taskDefinition type=""/>',
            (
                "t > extensionElements > taskDefinition",
                "Attribute 'type' must be present and not empty",
            ),
        ),
        (
            "<zeebe:taskDefinition/>",
            (
                "t > extensionElements > taskDefinition",
                "Attribute 'type' must be present and not empty",
            ),
        ),
        (
            '<zeebe:taskDefinition type="w" retries=""/>',
            (
                "t > extensionElements > taskDefinition",
                "Attribute 'retries' must be present and not empty",
            ),
        ),
    ],
)
def test_task_definition_rules(
    problems: Problems, extensions: str, expected: tuple[str, str]
) -> None:
    assert problems(START + service_task("t", extensions)) == [expected]


@pytest.mark.parametrize(
    ("tag", "alternative"),
    [
        ("sendTask", "publishMessage"),
        ("scriptTask", "script"),
        ("businessRuleTask", "calledDecision"),
    ],
)
def test_job_task_alternatives_name_both_extensions(
    problems: Problems, tag: str, alternative: str
) -> None:
    assert problems(START + f'<bpmn:{tag} id="t"/>') == [
        (
            "t",
            f"Must have either one 'zeebe:{alternative}' or one 'zeebe:taskDefinition' "
            "extension element",
        )
    ]


def test_task_headers_must_be_unique_and_unreserved(problems: Problems) -> None:
    assert problems(
        START
        + service_task(
            "t",
            TASK_DEFINITION + "<zeebe:taskHeaders>"
            '<zeebe:header key="a" value="1"/><zeebe:header key="a" value="2"/>'
            '<zeebe:header key="io.camunda.zeebe:formKey" value="x"/>'
            '<zeebe:header value="no key"/><zeebe:header key="b"/>'
            "</zeebe:taskHeaders>",
        )
    ) == [
        ("t > extensionElements > taskHeaders", "Headers contain duplicate entries for key 'a'"),
        (
            "t > extensionElements > taskHeaders",
            "Header key 'io.camunda.zeebe:formKey' must not start with the reserved prefix "
            "'io.camunda.zeebe:'",
        ),
        ("t > extensionElements > taskHeaders", "Attribute 'key' must be present and not empty"),
        ("t > extensionElements > taskHeaders", "Attribute 'value' of header 'b' must be present"),
    ]


@pytest.mark.parametrize(
    "target", ["1abc", "a-b", "a..b", "a.", "", " a", "order[0]", "a.1"], ids=repr
)
def test_mapping_target_must_be_a_path(problems: Problems, target: str) -> None:
    [(path, text)] = problems(
        START
        + service_task(
            "t",
            TASK_DEFINITION
            + f'<zeebe:ioMapping><zeebe:input source="=1" target="{target}"/></zeebe:ioMapping>',
        )
    )
    assert path == "t > extensionElements > ioMapping > input"
    if target:
        assert text.startswith(f"Expected path expression '{target}' but doesn't match")
    else:
        assert text == "Expected path expression but not found."


@pytest.mark.parametrize("target", ["null", "true", "for", "instance", "of"])
def test_mapping_target_cannot_be_a_reserved_word(problems: Problems, target: str) -> None:
    [(_, text)] = problems(
        START
        + service_task(
            "t",
            TASK_DEFINITION
            + f'<zeebe:ioMapping><zeebe:output source="=1" target="{target}"/></zeebe:ioMapping>',
        )
    )
    assert text == (
        f"Expected path expression '{target}' but is one of the reserved words (null, true, "
        "false, function, if, then, else, for, between, instance, of)."
    )


def test_reserved_words_inside_a_path_are_fine(parse: Parse) -> None:
    task = parse(
        START
        + service_task(
            "t",
            TASK_DEFINITION
            + '<zeebe:ioMapping><zeebe:output source="=1" target="order.in"/></zeebe:ioMapping>',
        )
    ).element("t")
    assert task.outputs[0].target == "order.in"


def test_output_source_must_be_a_present_expression(problems: Problems) -> None:
    path = "t > extensionElements > ioMapping > output"
    assert problems(
        START
        + service_task(
            "t",
            TASK_DEFINITION + "<zeebe:ioMapping>"
            '<zeebe:output source="static" target="a"/><zeebe:output target="b"/>'
            "</zeebe:ioMapping>",
        )
    ) == [
        (
            path,
            "Expected expression but found static value 'static'. An expression must start with "
            "'=' (e.g. '=static').",
        ),
        (path, "Attribute 'source' must be present and not empty"),
    ]


def test_only_one_io_mapping_per_element(problems: Problems) -> None:
    assert problems(START + service_task("t", TASK_DEFINITION + "<zeebe:ioMapping/>" * 2)) == [
        ("t", "Must have at most one 'zeebe:ioMapping' extension element")
    ]


# --- messages ------------------------------------------------------------------------------------


def catch(event_id: str, message_ref: str | None) -> str:
    ref = "" if message_ref is None else f' messageRef="{message_ref}"'
    return (
        f'<bpmn:intermediateCatchEvent id="{event_id}"><bpmn:messageEventDefinition{ref}/>'
        "</bpmn:intermediateCatchEvent>"
    )


def test_message_references_must_resolve(problems: Problems) -> None:
    assert problems(
        START + catch("c1", None) + catch("c2", "ghost") + '<bpmn:receiveTask id="r"/>'
    ) == [
        ("c1", "Must reference a message"),
        ("c2", "Referenced message 'ghost' does not exist"),
        ("r", "Must reference a message"),
    ]


def test_catch_event_message_needs_an_expression_correlation_key(problems: Problems) -> None:
    assert (
        problems(
            START + catch("c1", "none") + catch("c2", "static") + catch("c3", "empty"),
            definitions=message("none", "a", None)
            + message("static", "b", "key")
            # the third message has a subscription without a correlation key
            + '<bpmn:message id="empty" name="c"><bpmn:extensionElements><zeebe:subscription/>'
            "</bpmn:extensionElements></bpmn:message>",
        )
        == [
            ("none", "Must have exactly one 'zeebe:subscription' extension element"),
            (
                "static > extensionElements > subscription",
                "Expected expression but found static value 'key'. An expression must start with "
                "'=' (e.g. '=key').",
            ),
            (
                "empty > extensionElements > subscription",
                "Attribute 'correlationKey' must be present and not empty",
            ),
        ]
    )


def test_message_needs_a_name(problems: Problems) -> None:
    assert problems(START + catch("c", "m"), definitions=message("m", "")) == [
        ("m", "Name must be present and not empty")
    ]


def test_receive_task_and_its_boundary_cannot_share_a_message_name(problems: Problems) -> None:
    assert problems(
        START
        + '<bpmn:receiveTask id="r" messageRef="m1"/>'
        + boundary("b", "r", '<bpmn:messageEventDefinition messageRef="m2"/>')
        + END
        + flow("f", "b", "end"),
        definitions=message("m1", "paid") + message("m2", "paid"),
    ) == [("r", "Multiple message event definitions with the same name 'paid' are not allowed.")]


def test_boundary_events_of_one_activity_need_distinct_message_names(problems: Problems) -> None:
    assert problems(
        START
        + service_task("t")
        + boundary("b1", "t", '<bpmn:messageEventDefinition messageRef="m"/>')
        + boundary("b2", "t", '<bpmn:messageEventDefinition messageRef="m"/>')
        + END
        + flow("f1", "b1", "end")
        + flow("f2", "b2", "end"),
        definitions=message("m", "cancel"),
    ) == [("t", "Multiple message event definitions with the same name 'cancel' are not allowed.")]


# --- boundary events -----------------------------------------------------------------------------


ERRORS = '<bpmn:error id="e" errorCode="E1"/><bpmn:error id="expr" errorCode="= code"/>'


def test_error_boundary_events_need_distinct_codes(problems: Problems) -> None:
    body = (
        START
        + service_task("t")
        + boundary("b1", "t", '<bpmn:errorEventDefinition errorRef="e"/>')
        + boundary("b2", "t", '<bpmn:errorEventDefinition errorRef="e"/>')
        + boundary("b3", "t", "<bpmn:errorEventDefinition/>")
        + boundary("b4", "t", "<bpmn:errorEventDefinition/>")
        + END
        + "".join(flow(f"f{i}", f"b{i}", "end") for i in range(1, 5))
    )
    assert problems(body, definitions=ERRORS) == [
        (
            "t",
            "Multiple error catch events with the same error code 'E1' are not supported on the "
            "same scope.",
        ),
        (
            "t",
            "The same scope can not contain more than one error catch event without error code. "
            "An error catch event without error code catches all errors.",
        ),
    ]


def test_error_boundary_must_be_interrupting_with_a_static_code(problems: Problems) -> None:
    assert problems(
        START
        + service_task("t")
        + boundary("b1", "t", '<bpmn:errorEventDefinition errorRef="e"/>', cancelActivity="false")
        + boundary("b2", "t", '<bpmn:errorEventDefinition errorRef="expr"/>')
        + END
        + flow("f1", "b1", "end")
        + flow("f2", "b2", "end"),
        definitions=ERRORS,
    ) == [
        ("b1", "Non-Interrupting event of this type is not allowed"),
        ("expr", "The errorCode of the error catch event is not allowed to be an expression"),
    ]


def test_boundary_event_must_be_attached_to_an_activity(problems: Problems) -> None:
    error = "<bpmn:errorEventDefinition/>"
    assert problems(
        START
        + '<bpmn:exclusiveGateway id="g"/>'
        + boundary("b1", "g", error)
        + boundary("b2", "ghost", error)
        + f'<bpmn:boundaryEvent id="b3">{error}</bpmn:boundaryEvent>'
        + END
        + "".join(flow(f"f{i}", f"b{i}", "end") for i in range(1, 4))
    ) == [
        ("b1", "Must be attached to an activity, but 'g' is not one"),
        ("b2", "Must be attached to an activity, but 'ghost' is not one"),
        ("b3", "Attribute 'attachedToRef' must be present and not empty"),
    ]


def test_boundary_event_needs_an_outgoing_flow_and_no_incoming(problems: Problems) -> None:
    assert problems(
        START
        + service_task("t")
        + boundary("b", "t", "<bpmn:errorEventDefinition/>")
        + flow("f", "start", "b")
    ) == [
        ("b", "Must have at least one outgoing sequence flow"),
        ("b", "Must not have incoming sequence flows"),
    ]


@pytest.mark.parametrize(
    "event",
    [
        '<bpmn:boundaryEvent id="x" attachedToRef="t"/>',
        '<bpmn:intermediateCatchEvent id="x"/>',
    ],
)
def test_catch_events_need_an_event_definition(problems: Problems, event: str) -> None:
    found = problems(
        START + service_task("t") + event + END + flow("f", "x", "end") + flow("g", "t", "x")
    )
    assert found[0] == ("x", "Must have exactly one event definition")


# --- FEEL syntax ---------------------------------------------------------------------------------


def _has_feel_compiler() -> bool:
    try:
        from zeebind.feel import compile_expression  # noqa: F401
    except ImportError:
        return False
    return True


needs_feel = pytest.mark.skipif(
    not _has_feel_compiler(), reason="zeebind.feel.compile_expression is not available yet"
)


@needs_feel
def test_invalid_feel_is_rejected_at_deploy_time(problems: Problems) -> None:
    [(path, text)] = problems(START + service_task("t", '<zeebe:taskDefinition type="= 1 +"/>'))
    assert path == "t > extensionElements > taskDefinition"
    assert text.startswith("Failed to parse expression '1 +'")


@needs_feel
def test_every_expression_is_syntax_checked(problems: Problems) -> None:
    found = problems(
        START
        + service_task(
            "t",
            '<zeebe:taskDefinition type="w" retries="= (("/>'
            '<zeebe:ioMapping><zeebe:input source="= [" target="a"/>'
            '<zeebe:output source="= }" target="b"/></zeebe:ioMapping>',
        )
        + '<bpmn:exclusiveGateway id="g"/>'
        + END
        + flow("f", "g", "end", "= 1 +")
        + catch("c", "m"),
        definitions=message("m", "=", "= )"),
    )
    assert sorted(path for path, _ in found) == sorted(
        [
            "t > extensionElements > taskDefinition",
            "t > extensionElements > ioMapping > input",
            "t > extensionElements > ioMapping > output",
            "f",
            "m",
            "m > extensionElements > subscription",
        ]
    )


def test_empty_expression_is_rejected(problems: Problems) -> None:
    assert problems(START + service_task("t", '<zeebe:taskDefinition type="=  "/>')) == [
        (
            "t > extensionElements > taskDefinition",
            "Expected an expression after '=' but found none",
        )
    ]


def test_valid_expressions_deploy(problems: Problems) -> None:
    content = document(
        START
        + service_task(
            "t",
            '<zeebe:taskDefinition type="= &quot;a&quot; + b" retries="= 2 * 2"/>'
            '<zeebe:ioMapping><zeebe:input source="= {x: 1}" target="a"/>'
            '<zeebe:output source="= [1, 2]" target="b"/></zeebe:ioMapping>',
        )
    )
    assert len(parse_bpmn("x.bpmn", content)) == 1
