"""Call activities, multi-instance, inclusive and event-based gateways, terminate, link, script."""

from __future__ import annotations

import pytest
from engine_models import chain, definitions, end, flow, io, model, process, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import IncidentIntent, JobIntent, ProcessInstanceIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness


def call(element_id: str, process_id: str, extensions: str = "", attrs: str = "") -> str:
    return (
        f'<bpmn:callActivity id="{element_id}"><bpmn:extensionElements>'
        f'<zeebe:calledElement processId="{process_id}" {attrs}/>{extensions}'
        "</bpmn:extensionElements></bpmn:callActivity>"
    )


CHILD = model(
    "child",
    start(),
    service("child-work", "child-work"),
    end(),
    chain("start", "child-work", "end"),
)
PARENT = model(
    "parent",
    start(),
    call("call", "child"),
    service("after", "after"),
    end(),
    '<bpmn:boundaryEvent id="child-failed" attachedToRef="call">'
    '<bpmn:errorEventDefinition errorRef="e"/></bpmn:boundaryEvent>',
    end("failed"),
    chain("start", "call", "after", "end"),
    chain("child-failed", "failed"),
    extra='<bpmn:error id="e" errorCode="CHILD_FAILED"/>',
)


def multi(element_id: str, job_type: str, sequential: bool, loop: str, extra: str = "") -> str:
    seq = "true" if sequential else "false"
    return (
        f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}"/></bpmn:extensionElements>'
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{seq}"><bpmn:extensionElements>'
        f"<zeebe:loopCharacteristics {loop}/></bpmn:extensionElements>{extra}"
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"
    )


async def test_call_activity_runs_the_child_and_returns_its_variables() -> None:
    async with EngineHarness() as h:
        await h.deploy(("child.bpmn", CHILD), ("parent.bpmn", PARENT))
        parent = await h.create_instance("parent", {"order": 7})
        [(job_key, job)] = await h.activate_jobs("child-work")
        assert job["variables"] == {"order": 7}
        assert job["bpmnProcessId"] == "child"
        child = job["processInstanceKey"]
        child_process = (
            h.records()
            .of(ValueType.PROCESS_INSTANCE, processInstanceKey=child, bpmnElementType="PROCESS")
            .first()
        )
        assert child_process.value["parentProcessInstanceKey"] == parent
        with pytest.raises(CommandRejected) as err:
            await h.b.command(
                ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=child
            )
        assert "created by a parent process instance" in err.value.reason
        await h.complete_job(job_key, {"shipped": True})
        [(after, job)] = await h.activate_jobs("after")
        assert job["variables"] == {"order": 7, "shipped": True}
        await h.complete_job(after)
        assert h.is_completed(parent)


async def test_error_in_the_child_is_caught_at_the_call_activity() -> None:
    async with EngineHarness() as h:
        await h.deploy(("child.bpmn", CHILD), ("parent.bpmn", PARENT))
        parent = await h.create_instance("parent")
        [(job_key, _)] = await h.activate_jobs("child-work")
        await h.b.command(
            ValueType.JOB, JobIntent.THROW_ERROR, {"errorCode": "CHILD_FAILED"}, key=job_key
        )
        assert h.is_completed(parent)
        child = h.records().of(
            ValueType.PROCESS_INSTANCE, bpmnElementType="PROCESS", bpmnProcessId="child"
        )
        assert child.intents()[-1] == "ELEMENT_TERMINATED"


async def test_cancelling_the_parent_terminates_the_child_and_missing_child_is_an_incident() -> (
    None
):
    async with EngineHarness() as h:
        await h.deploy(("child.bpmn", CHILD), ("parent.bpmn", PARENT))
        parent = await h.create_instance("parent")
        await h.b.command(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=parent)
        assert h.b.engine.state.element_instances == {}
        assert h.b.engine.state.jobs == {}
        orphan = model(
            "orphan", start(), call("call", "nowhere"), end(), chain("start", "call", "end")
        )
        await h.deploy(("orphan.bpmn", orphan))
        await h.create_instance("orphan")
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "CALLED_ELEMENT_ERROR"
        assert "'nowhere' to be deployed" in incident.value["errorMessage"]


async def test_parallel_multi_instance_collects_outputs_in_input_order() -> None:
    body = multi(
        "each",
        "item",
        False,
        'inputCollection="=items" inputElement="item" outputCollection="results" '
        'outputElement="=result"',
    )
    m = model(
        "mi",
        start(),
        body,
        service("after", "after"),
        end(),
        chain("start", "each", "after", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("mi.bpmn", m))
        await h.create_instance("mi", {"items": ["a", "b", "c"]})
        jobs = await h.activate_jobs("item")
        assert [j["variables"]["item"] for _, j in jobs] == ["a", "b", "c"]
        assert [j["variables"]["loopCounter"] for _, j in jobs] == [1, 2, 3]
        for key, job in reversed(jobs):  # completion order differs from input order
            await h.complete_job(key, {"result": job["variables"]["item"].upper()})
        [(_, after)] = await h.activate_jobs("after")
        assert after["variables"]["results"] == ["A", "B", "C"]
        body_intents = h.records().of(
            ValueType.PROCESS_INSTANCE, bpmnElementType="MULTI_INSTANCE_BODY"
        )
        assert body_intents.intents()[-1] == "ELEMENT_COMPLETED"


async def test_sequential_multi_instance_with_completion_condition() -> None:
    condition = (
        '<bpmn:completionCondition xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="bpmn:tFormalExpression">=numberOfCompletedInstances &gt;= 2'
        "</bpmn:completionCondition>"
    )
    body = multi(
        "each", "item", True, 'inputCollection="=[1, 2, 3, 4]" inputElement="n"', condition
    )
    m = model("seq", start(), body, end(), chain("start", "each", "end"))
    async with EngineHarness() as h:
        await h.deploy(("seq.bpmn", m))
        instance = await h.create_instance("seq")
        for expected in (1, 2):
            [(key, job)] = await h.activate_jobs("item")
            assert job["variables"]["n"] == expected
            await h.complete_job(key)
        assert h.is_completed(instance)
        assert await h.activate_jobs("item") == []


async def test_empty_input_collection_completes_at_once_and_non_list_is_an_incident() -> None:
    body = multi("each", "item", False, 'inputCollection="=items"')
    m = model("mi", start(), body, end(), chain("start", "each", "end"))
    async with EngineHarness() as h:
        await h.deploy(("mi.bpmn", m))
        instance = await h.create_instance("mi", {"items": []})
        assert h.is_completed(instance)
        await h.create_instance("mi", {"items": "nope"})
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert "to be 'ARRAY', but was 'STRING'" in incident.value["errorMessage"]


INCLUSIVE = model(
    "inclusive",
    start(),
    '<bpmn:inclusiveGateway id="fork" default="to-c"/>',
    service("a", "a"),
    service("b", "b"),
    service("c", "c"),
    '<bpmn:inclusiveGateway id="join"/>',
    service("after", "after"),
    end(),
    chain("start", "fork"),
    flow("to-a", "fork", "a", "=x &gt; 1"),
    flow("to-b", "fork", "b", "=x &gt; 2"),
    flow("to-c", "fork", "c"),
    flow("a-join", "a", "join"),
    flow("b-join", "b", "join"),
    flow("c-join", "c", "join"),
    chain("join", "after", "end"),
)


@pytest.mark.parametrize(("x", "branches"), [(5, ["a", "b"]), (2, ["a"]), (0, ["c"])])
async def test_inclusive_gateway_forks_by_conditions_and_joins_what_was_taken(
    x: int, branches: list[str]
) -> None:
    async with EngineHarness() as h:
        await h.deploy(("inclusive.bpmn", INCLUSIVE))
        instance = await h.create_instance("inclusive", {"x": x})
        keys = []
        for branch in ["a", "b", "c"]:
            jobs = await h.activate_jobs(branch)
            assert len(jobs) == (1 if branch in branches else 0)
            keys += [k for k, _ in jobs]
        for key in keys[:-1]:
            await h.complete_job(key)
            assert await h.activate_jobs("after") == []
        await h.complete_job(keys[-1])
        [(after, _)] = await h.activate_jobs("after")
        await h.complete_job(after)
        assert h.is_completed(instance)
        assert (
            len(h.records().of(ValueType.PROCESS_INSTANCE, "ELEMENT_ACTIVATED", elementId="join"))
            == 1
        )


EVENT_BASED = model(
    "race",
    start(),
    '<bpmn:eventBasedGateway id="fork"/>',  # not "race": an element may not take the process id
    '<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m"/>'
    "</bpmn:intermediateCatchEvent>",
    '<bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>'
    "</bpmn:intermediateCatchEvent>",
    end("paid-end"),
    end("timeout-end"),
    chain("start", "fork"),
    flow("r1", "fork", "paid"),
    flow("r2", "fork", "timeout"),
    chain("paid", "paid-end"),
    chain("timeout", "timeout-end"),
    extra='<bpmn:message id="m" name="paid"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=id"/></bpmn:extensionElements></bpmn:message>',
)


async def test_event_based_gateway_takes_the_first_event() -> None:
    async with EngineHarness() as h:
        await h.deploy(("race.bpmn", EVENT_BASED))
        by_message = await h.create_instance("race", {"id": "1"})
        by_timer = await h.create_instance("race", {"id": "2"})
        await h.publish("paid", "1", {"amount": 3})
        assert h.is_completed(by_message)
        await h.advance(3_600_000)
        assert h.is_completed(by_timer)
        assert h.process_instance_intents("paid-end").count("ELEMENT_COMPLETED") == 1
        assert h.process_instance_intents("timeout-end").count("ELEMENT_COMPLETED") == 1
        assert h.b.engine.state.timers == {}
        assert h.b.engine.state.subscriptions == {}
        paid = h.records().of(ValueType.VARIABLE, name="amount").only()
        assert paid.value["scopeKey"] == by_message


async def test_terminate_end_event_ends_the_other_branches() -> None:
    m = model(
        "terminate",
        start(),
        service("slow", "slow"),
        '<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>',
        end(),
        flow("s1", "start", "slow"),
        flow("s2", "start", "stop"),
        chain("slow", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("t.bpmn", m))
        instance = await h.create_instance("terminate")
        assert h.is_completed(instance)
        assert h.process_instance_intents("slow")[-1] == "ELEMENT_TERMINATED"
        assert h.b.engine.state.jobs == {}


async def test_terminate_end_event_drops_the_tokens_still_in_flight() -> None:
    # The fork takes both flows; the terminate end event runs before the task's activation,
    # which then must not start: the process completes, no job is left behind.
    m = model(
        "terminate-first",
        start(),
        '<bpmn:parallelGateway id="fork"/>',
        '<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>',
        service("slow", "slow"),
        end(),
        flow("s0", "start", "fork"),
        flow("s1", "fork", "stop"),
        flow("s2", "fork", "slow"),
        chain("slow", "end"),
    )
    sub = model(
        "terminate-inside",
        start(),
        '<bpmn:subProcess id="sub"><bpmn:startEvent id="sub-start"/>'
        '<bpmn:parallelGateway id="sub-fork"/>'
        '<bpmn:endEvent id="sub-stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
        '<bpmn:serviceTask id="inner"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="inner"/></bpmn:extensionElements></bpmn:serviceTask>'
        '<bpmn:endEvent id="sub-end"/>'
        + chain("sub-start", "sub-fork", "sub-stop")
        + flow("t2", "sub-fork", "inner")
        + chain("inner", "sub-end")
        + "</bpmn:subProcess>",
        service("after", "after"),
        end(),
        chain("start", "sub", "after", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("t.bpmn", m), ("s.bpmn", sub))
        instance = await h.create_instance("terminate-first")
        assert h.is_completed(instance)
        assert h.process_instance_intents("slow") == []
        assert h.b.engine.state.jobs == {}
        # In a subprocess: only the subprocess ends; the process goes on after it.
        nested = await h.create_instance("terminate-inside")
        assert h.process_instance_intents("inner") == []
        assert h.process_instance_intents("sub")[-1] == "ELEMENT_COMPLETED"
        [(key, _)] = await h.activate_jobs("after")
        await h.complete_job(key)
        assert h.is_completed(nested)


async def test_link_events_and_script_task() -> None:
    script = (
        '<bpmn:scriptTask id="calc"><bpmn:extensionElements>'
        '<zeebe:script expression="=a * 2" resultVariable="doubled"/>'
        "</bpmn:extensionElements></bpmn:scriptTask>"
    )
    m = model(
        "linked",
        start(),
        '<bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition name="L"/>'
        "</bpmn:intermediateThrowEvent>",
        '<bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="L"/>'
        "</bpmn:intermediateCatchEvent>",
        script,
        service("after", "after"),
        end(),
        chain("start", "jump"),
        chain("land", "calc", "after", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("linked.bpmn", m))
        await h.create_instance("linked", {"a": 21})
        [(_, job)] = await h.activate_jobs("after")
        assert job["variables"]["doubled"] == 42


_ = (definitions, process, io)
