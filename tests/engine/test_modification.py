"""PROCESS_INSTANCE_MODIFICATION MODIFY: activate elements, terminate instances (all or nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from engine_models import chain, end, io, message, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import ProcessInstanceModificationIntent
from zeebind.protocol.record import Record, RecordType, RejectionType, ValueType
from zeebind.testing import EngineHarness

_PI = ValueType.PROCESS_INSTANCE
_MOD = ValueType.PROCESS_INSTANCE_MODIFICATION

# start -> A -> catch B (message) -> C -> end
STUCK = model(
    "stuck",
    start(),
    service("A", "a"),
    '<bpmn:intermediateCatchEvent id="B"><bpmn:messageEventDefinition messageRef="m"/>'
    "</bpmn:intermediateCatchEvent>",
    service("C", "c", io(inputs={"local": "=amount * 2"})),
    end(),
    chain("start", "A", "B", "C", "end"),
    extra=message("m", "paid", "=orderId"),
)

# start -> sub(sub-start -> inner -> sub-end) -> end; a message boundary on the subprocess
NESTED = model(
    "nested",
    start(),
    service("before", "before"),
    '<bpmn:subProcess id="sub">'
    + start("sub-start")
    + service("inner", "inner")
    + service("other", "other")
    + end("sub-end")
    + chain("sub-start", "inner", "other", "sub-end")
    + "</bpmn:subProcess>",
    '<bpmn:boundaryEvent id="cancel" attachedToRef="sub">'
    '<bpmn:messageEventDefinition messageRef="m"/></bpmn:boundaryEvent>',
    end(),
    end("cancelled"),
    chain("start", "before", "sub", "end"),
    chain("cancel", "cancelled"),
    extra=message("m", "cancel", "=orderId"),
)


async def _modify(
    h: EngineHarness,
    instance: int,
    activate: list[dict[str, Any]] | None = None,
    terminate: list[int] | None = None,
) -> Record:
    return await h.b.command(
        _MOD,
        ProcessInstanceModificationIntent.MODIFY,
        {
            "activateInstructions": activate or [],
            "terminateInstructions": [{"elementInstanceKey": k} for k in terminate or []],
        },
        key=instance,
    )


def _activate(
    element_id: str, ancestor: int = -1, variables: list[tuple[str, dict[str, Any]]] = ()
) -> dict[str, Any]:
    return {
        "elementId": element_id,
        "ancestorScopeKey": ancestor,
        "variableInstructions": [{"variables": v, "elementId": s} for s, v in variables],
    }


def _live(h: EngineHarness, element_id: str) -> list[int]:
    return [
        i.key for i in h.b.engine.state.element_instances.values() if i.element_id == element_id
    ]


async def _rejection(h: EngineHarness, instance: int, **instructions: Any) -> CommandRejected:
    before = len(h.records().records)
    with pytest.raises(CommandRejected) as err:
        await _modify(h, instance, **instructions)
    written = h.records().records[before:]
    assert [r.record_type for r in written] == [RecordType.COMMAND, RecordType.COMMAND_REJECTION]
    return err.value


async def _waiting_at_b(h: EngineHarness) -> int:
    await h.deploy(("stuck.bpmn", STUCK))
    instance = await h.create_instance("stuck", {"orderId": "o-1"})
    [(job, _)] = await h.activate_jobs("a")
    await h.complete_job(job)
    return instance


async def test_moving_the_token_terminates_one_element_and_activates_another() -> None:
    async with EngineHarness() as h:
        instance = await _waiting_at_b(h)
        [b] = _live(h, "B")
        response = await _modify(
            h, instance, [_activate("C", variables=[("", {"amount": 21})])], [b]
        )
        assert response.intent == ProcessInstanceModificationIntent.MODIFIED
        assert response.key == instance
        terminate = response.value["terminateInstructions"]
        assert terminate == [{"elementInstanceKey": b}]
        [activate] = response.value["activateInstructions"]
        assert activate["elementId"] == "C"
        assert activate["ancestorScopeKeys"] == [instance]
        assert h.process_instance_intents("B")[-2:] == ["ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
        assert h.records().of(ValueType.MESSAGE_SUBSCRIPTION).intents() == ["CREATED", "DELETED"]
        assert h.process_instance_intents("C") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
        [(job, value)] = await h.activate_jobs("c")
        assert value["variables"] == {"orderId": "o-1", "amount": 21, "local": 42}
        assert value["elementInstanceKey"] == activate["elementInstanceKey"]
        await h.complete_job(job)
        # No token was consumed for C: the process completes as after a normal flow.
        assert h.is_completed(instance)


async def test_variables_go_to_the_root_or_to_the_activated_element() -> None:
    async with EngineHarness() as h:
        instance = await _waiting_at_b(h)
        await _modify(h, instance, [_activate("C", variables=[("C", {"amount": 5})])])
        [c] = _live(h, "C")
        assert h.variables(c) == {"amount": 5, "local": 10}
        assert "amount" not in h.variables(instance)
        # B still waits: the modification added a token, it did not move one.
        assert len(_live(h, "B")) == 1


async def test_a_nested_element_gets_a_new_subprocess_without_its_start_event() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested", {"orderId": "o"})
        [before] = _live(h, "before")
        response = await _modify(
            h, instance, [_activate("other", variables=[("sub", {"s": 1})])], [before]
        )
        [sub] = _live(h, "sub")
        [activate] = response.value["activateInstructions"]
        assert activate["ancestorScopeKeys"] == [sub, instance]
        assert h.process_instance_intents("sub") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
        assert h.process_instance_intents("sub-start") == []
        assert h.variables(sub) == {"s": 1}
        subscriptions = h.records().of(ValueType.MESSAGE_SUBSCRIPTION, "CREATED")
        assert subscriptions.only().value["elementInstanceKey"] == sub
        [(job, value)] = await h.activate_jobs("other")
        assert value["variables"] == {"orderId": "o", "s": 1}
        await h.complete_job(job)
        assert h.process_instance_intents("sub")[-1] == "ELEMENT_COMPLETED"
        assert h.is_completed(instance)


async def test_an_element_is_activated_in_the_existing_subprocess_instance() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested", {"orderId": "o"})
        [(job, _)] = await h.activate_jobs("before")
        await h.complete_job(job)
        [sub] = _live(h, "sub")
        await _modify(h, instance, [_activate("other")])
        [other] = _live(h, "other")
        assert h.b.engine.state.element_instances[other].flow_scope_key == sub
        assert _live(h, "sub") == [sub]
        # An explicit ancestor creates another instance of the subprocess.
        await _modify(h, instance, [_activate("other", ancestor=instance)])
        assert len(_live(h, "sub")) == 2
        err = await _rejection(h, instance, activate=[_activate("inner")])
        assert err.rejection_type is RejectionType.INVALID_ARGUMENT
        assert err.reason == (
            "Expected to modify instance of process 'nested' but it contains one or more activate "
            "instructions for an element that has a flow scope with more than one active "
            "instance: 'sub'. Can't decide in which instance of the flow scope the element should "
            "be activated. Please specify an ancestor element instance key for this activate "
            "instruction."
        )
        await _modify(h, instance, [_activate("inner", ancestor=sub)])
        assert len(_live(h, "inner")) == 2


async def test_terminating_the_last_instances_terminates_their_scopes() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested", {"orderId": "o"})
        [(job, _)] = await h.activate_jobs("before")
        await h.complete_job(job)
        [inner] = _live(h, "inner")
        await _modify(h, instance, terminate=[inner])
        assert h.process_instance_intents("sub")[-1] == "ELEMENT_TERMINATED"
        assert h.process_instance_intents("nested")[-1] == "ELEMENT_TERMINATED"
        assert h.process_instance_intents("end") == []
        assert h.b.engine.state.element_instances == {}
        assert h.b.engine.state.subscriptions == {}


async def test_activations_come_before_terminations() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested", {"orderId": "o"})
        [(job, _)] = await h.activate_jobs("before")
        await h.complete_job(job)
        [sub] = _live(h, "sub")
        [inner] = _live(h, "inner")
        await _modify(h, instance, [_activate("other")], [inner])
        assert _live(h, "sub") == [sub]
        [(job, _)] = await h.activate_jobs("other")
        await h.complete_job(job)
        assert h.is_completed(instance)


async def test_rejections_name_every_problem_and_change_nothing() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested", {"orderId": "o"})
        with pytest.raises(CommandRejected) as missing:
            await _modify(h, 123, [_activate("inner")])
        assert missing.value.rejection_type is RejectionType.NOT_FOUND
        assert missing.value.reason == (
            "Expected to modify process instance but no process instance found with key '123'"
        )
        prefix = "Expected to modify instance of process 'nested' but it contains one or more "
        err = await _rejection(h, instance, activate=[_activate("x"), _activate("y")])
        assert err.reason == (
            prefix + "activate instructions with an element that could not be found: 'x', 'y'"
        )
        err = await _rejection(h, instance, activate=[_activate("sub-start")])
        assert err.reason.startswith(
            prefix + "activate instructions for elements that are unsupported: 'sub-start'. "
            "The activation of elements with type 'START_EVENT' is not supported. "
            "Supported element types are: ["
        )
        err = await _rejection(h, instance, activate=[_activate("cancel")])
        assert "with type 'BOUNDARY_EVENT' is not supported" in err.reason
        err = await _rejection(h, instance, activate=[_activate("f_start_before")])
        assert "with type 'SEQUENCE_FLOW' is not supported" in err.reason
        err = await _rejection(h, instance, terminate=[42, 43])
        assert err.reason == (
            prefix + "terminate instructions with an element instance that could not be found: "
            "'42', '43'"
        )
        err = await _rejection(
            h, instance, activate=[_activate("inner", variables=[("nope", {"a": 1})])]
        )
        assert err.reason == (
            prefix + "variable instructions with a scope element id that could not be found: 'nope'"
        )
        err = await _rejection(
            h, instance, activate=[_activate("inner", variables=[("before", {"a": 1})])]
        )
        assert "with a scope element that doesn't belong to the activating element's" in err.reason
        err = await _rejection(h, instance, activate=[_activate("inner", ancestor=999)])
        assert err.reason == (
            prefix + "activate instructions with an ancestor scope key that does not exist, or "
            "is not in an active state: '999'"
        )
        [before] = _live(h, "before")
        err = await _rejection(h, instance, activate=[_activate("inner", ancestor=before)])
        assert err.reason == (
            prefix + "activate instructions with an ancestor scope key that is not an ancestor "
            f"of the element to activate:\n- instance '{before}' of element 'before' is not an "
            "ancestor of element 'inner'"
        )
        assert err.rejection_type is RejectionType.INVALID_ARGUMENT
        assert _live(h, "inner") == []


async def test_activating_inside_a_multi_instance_subprocess_needs_an_instance() -> None:
    parallel = (
        '<bpmn:subProcess id="each"><bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" '
        'inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>'
        + start("each-start")
        + service("step", "step")
        + end("each-end")
        + chain("each-start", "step", "each-end")
        + "</bpmn:subProcess>"
    )
    xml = model(
        "mi",
        start(),
        service("first", "first"),
        parallel,
        end(),
        chain("start", "first", "each", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("mi.bpmn", xml))
        instance = await h.create_instance("mi", {"items": [1, 2]})
        err = await _rejection(h, instance, activate=[_activate("step")])
        assert err.reason == (
            "Expected to modify instance of process 'mi' but it contains one or more activate "
            "instructions that would result in the activation of multi-instance element 'each', "
            "which is currently unsupported."
        )
        # The multi-instance activity itself can be activated: its body starts the instances.
        await _modify(h, instance, [_activate("each")])
        assert len(await h.activate_jobs("step")) == 2


async def test_a_created_subprocess_opens_its_boundary_timers() -> None:
    timed = model(
        "timed",
        start(),
        service("before", "before"),
        '<bpmn:subProcess id="sub">'
        + start("sub-start")
        + service("inner", "inner")
        + end("sub-end")
        + chain("sub-start", "inner", "sub-end")
        + "</bpmn:subProcess>",
        '<bpmn:boundaryEvent id="late" attachedToRef="sub"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:boundaryEvent>",
        end(),
        end("too-late"),
        chain("start", "before", "sub", "end"),
        chain("late", "too-late"),
    )
    async with EngineHarness() as h:
        await h.deploy(("timed.bpmn", timed))
        instance = await h.create_instance("timed")
        [before] = _live(h, "before")
        await _modify(h, instance, [_activate("inner")], [before])
        [sub] = _live(h, "sub")
        timer = h.records().of(ValueType.TIMER, "CREATED").only()
        assert (timer.value["elementInstanceKey"], timer.value["targetElementId"]) == (sub, "late")
        await h.advance(3_600_000)
        assert h.process_instance_intents("sub")[-1] == "ELEMENT_TERMINATED"
        assert h.process_instance_intents("too-late")[-1] == "ELEMENT_COMPLETED"
        assert h.is_completed(instance)


async def test_the_last_instances_of_a_called_process_cannot_be_terminated() -> None:
    parent = model(
        "parent",
        start(),
        '<bpmn:callActivity id="call"><bpmn:extensionElements>'
        '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>',
        end(),
        chain("start", "call", "end"),
    )
    child = model("child", start(), service("work", "work"), end(), chain("start", "work", "end"))
    async with EngineHarness() as h:
        await h.deploy(("parent.bpmn", parent), ("child.bpmn", child))
        await h.create_instance("parent")
        [(_, job)] = await h.activate_jobs("work")
        child_instance = job["processInstanceKey"]
        for terminate in ([job["elementInstanceKey"]], [child_instance]):
            err = await _rejection(h, child_instance, terminate=terminate)
            assert err.reason == (
                "Expected to modify instance of process 'child' but the given instructions would "
                "terminate the instance. The instance was created by a call activity in the "
                "parent process. To terminate this instance please modify the parent process "
                "instead."
            )
        # Replacing the last element is fine: the activation keeps the instance alive.
        await _modify(h, child_instance, [_activate("work")], [job["elementInstanceKey"]])
        [(job_key, _)] = await h.activate_jobs("work")
        await h.complete_job(job_key)
        assert h.process_instance_intents("parent")[-1] == "ELEMENT_COMPLETED"


async def test_an_activation_cannot_use_a_scope_that_is_terminated() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested", {"orderId": "o"})
        [(job, _)] = await h.activate_jobs("before")
        await h.complete_job(job)
        [sub] = _live(h, "sub")
        err = await _rejection(h, instance, activate=[_activate("other")], terminate=[sub])
        assert err.reason == (
            "Expected to modify instance of process 'nested' but it contains one or more activate "
            "instructions for elements whose required flow scope instance is also being "
            f"terminated: element 'other' requires flow scope instance '{sub}' which is being "
            "terminated. Please provide a valid ancestor scope key for the activation or avoid "
            "terminating the required flow scope."
        )
        # Variables may name the process as their scope.
        await _modify(h, instance, [_activate("other", variables=[("nested", {"p": 1})])])
        assert h.variables(instance)["p"] == 1


async def test_an_activation_leaves_the_tokens_waiting_at_a_join_alone() -> None:
    parallel = model(
        "par",
        start(),
        '<bpmn:parallelGateway id="fork"/>',
        service("A", "a"),
        service("B", "b"),
        '<bpmn:parallelGateway id="join"/>',
        service("C", "c"),
        end(),
        chain("start", "fork"),
        chain("fork", "A", "join"),
        chain("fork", "B", "join"),
        chain("join", "C", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("par.bpmn", parallel))
        instance = await h.create_instance("par")
        [(a, _)] = await h.activate_jobs("a")
        await h.complete_job(a)  # its token waits at the join
        process = h.b.engine.state.element_instances[instance]
        assert process.active_flows == 1
        await _modify(h, instance, [_activate("C")])
        assert process.active_flows == 1  # the activated C consumed no token
        [(c, _)] = await h.activate_jobs("c")
        await h.complete_job(c)
        assert not h.is_completed(instance)
        [(b, _)] = await h.activate_jobs("b")
        await h.complete_job(b)
        [(c, _)] = await h.activate_jobs("c")
        await h.complete_job(c)
        assert h.is_completed(instance)


async def test_two_activations_share_the_subprocess_they_create() -> None:
    async with EngineHarness() as h:
        await h.deploy(("nested.bpmn", NESTED))
        instance = await h.create_instance("nested", {"orderId": "o"})
        await _modify(h, instance, [_activate("inner"), _activate("other")])
        [sub] = _live(h, "sub")
        for element_id in ("inner", "other"):
            [key] = _live(h, element_id)
            assert h.b.engine.state.element_instances[key].flow_scope_key == sub
        # With the process instance as chosen ancestor, each activation gets its own.
        await _modify(h, instance, [_activate("inner", instance), _activate("other", instance)])
        assert len(_live(h, "sub")) == 3
        assert h.b.engine.state.activations_without_flow == {}
