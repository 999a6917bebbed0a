"""Boundary events (message, error), error end events, subprocesses, cancellation."""

from __future__ import annotations

import pytest
from engine_models import chain, end, flow, io, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import IncidentIntent, JobIntent, ProcessInstanceIntent
from zeebind.protocol.record import RejectionType, ValueType
from zeebind.testing import EngineHarness

MSG = (
    '<bpmn:message id="m" name="cancel-order"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>'
)


def boundary(element_id: str, attached: str, definition: str, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    return (
        f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="{attached}" '
        f'cancelActivity="{cancel}">{definition}</bpmn:boundaryEvent>'
    )


def with_boundary(interrupting: bool) -> str:
    return model(
        "guarded",
        start(),
        service("work", "work"),
        end(),
        boundary(
            "on-cancel", "work", '<bpmn:messageEventDefinition messageRef="m"/>', interrupting
        ),
        service("compensate", "compensate"),
        end("cancelled"),
        chain("start", "work", "end"),
        chain("on-cancel", "compensate", "cancelled"),
        extra=MSG,
    )


ERRORS = model(
    "errors",
    start(),
    service("work", "work"),
    end(),
    boundary("on-error", "work", '<bpmn:errorEventDefinition errorRef="err"/>'),
    service("handle", "handle"),
    end("handled"),
    chain("start", "work", "end"),
    chain("on-error", "handle", "handled"),
    extra='<bpmn:error id="err" errorCode="NOT_PAID"/>',
)

SUBPROCESS = model(
    "outer",
    start(),
    '<bpmn:subProcess id="sub"><bpmn:extensionElements>'
    + io(inputs={"inner": "=x + 1"}, outputs={"result": "=inner"})
    + "</bpmn:extensionElements>"
    + start("sub-start")
    + service("inside", "inside")
    + '<bpmn:endEvent id="sub-fail"><bpmn:errorEventDefinition errorRef="e2"/></bpmn:endEvent>'
    + '<bpmn:exclusiveGateway id="ok" default="to-end"/>'
    + end("sub-end")
    + chain("sub-start", "inside", "ok")
    + flow("to-end", "ok", "sub-end")
    + flow("to-fail", "ok", "sub-fail", "=fail = true")
    + "</bpmn:subProcess>",
    boundary("sub-error", "sub", '<bpmn:errorEventDefinition errorRef="e2"/>'),
    end("after-error"),
    end(),
    chain("start", "sub", "end"),
    chain("sub-error", "after-error"),
    extra='<bpmn:error id="e2" errorCode="INNER"/>',
)


async def test_interrupting_message_boundary_terminates_the_task() -> None:
    async with EngineHarness() as h:
        await h.deploy(("guarded.bpmn", with_boundary(True)))
        instance = await h.create_instance("guarded", {"orderId": "o"})
        [(job_key, _)] = await h.activate_jobs("work")
        await h.publish("cancel-order", "o", {"why": "late"})
        assert h.process_instance_intents("work")[-2:] == [
            "ELEMENT_TERMINATING",
            "ELEMENT_TERMINATED",
        ]
        assert len(h.records().of(ValueType.JOB, JobIntent.CANCELED)) == 1
        [(compensate, job)] = await h.activate_jobs("compensate")
        assert job["variables"]["why"] == "late"
        with pytest.raises(CommandRejected) as err:
            await h.complete_job(job_key)
        assert err.value.rejection_type is RejectionType.NOT_FOUND
        await h.complete_job(compensate)
        assert h.is_completed(instance)


async def test_non_interrupting_boundary_runs_beside_the_task() -> None:
    async with EngineHarness() as h:
        await h.deploy(("guarded.bpmn", with_boundary(False)))
        instance = await h.create_instance("guarded", {"orderId": "o"})
        await h.publish("cancel-order", "o")
        await h.publish("cancel-order", "o", message_id="second")
        assert len(await h.activate_jobs("compensate")) == 2
        [(work, _)] = await h.activate_jobs("work")
        await h.complete_job(work)
        for job in list(h.b.engine.state.jobs):
            await h.complete_job(job)
        assert h.is_completed(instance)


async def test_thrown_error_is_caught_by_the_matching_boundary() -> None:
    async with EngineHarness() as h:
        await h.deploy(("errors.bpmn", ERRORS))
        instance = await h.create_instance("errors")
        [(job_key, _)] = await h.activate_jobs("work")
        await h.b.command(
            ValueType.JOB,
            JobIntent.THROW_ERROR,
            {"errorCode": "NOT_PAID", "errorMessage": "", "variables": {"reason": "card"}},
            key=job_key,
        )
        [(handle, job)] = await h.activate_jobs("handle")
        assert job["variables"] == {"reason": "card"}
        await h.complete_job(handle)
        assert h.is_completed(instance)


async def test_uncaught_error_is_an_incident_and_resolving_reactivates_the_job() -> None:
    async with EngineHarness() as h:
        await h.deploy(("errors.bpmn", ERRORS))
        await h.create_instance("errors")
        [(job_key, _)] = await h.activate_jobs("work")
        await h.b.command(
            ValueType.JOB,
            JobIntent.THROW_ERROR,
            {"errorCode": "OTHER", "errorMessage": "nope"},
            key=job_key,
        )
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "UNHANDLED_ERROR_EVENT"
        assert incident.value["errorMessage"] == (
            "Expected to throw an error event with the code 'OTHER' with message 'nope', but it "
            "was not caught. Available error events are [NOT_PAID]"
        )
        await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident.key)
        assert [k for k, _ in await h.activate_jobs("work")] == [job_key]


async def test_subprocess_mappings_and_error_end_event_caught_outside() -> None:
    async with EngineHarness() as h:
        await h.deploy(("outer.bpmn", SUBPROCESS))
        ok = await h.create_instance("outer", {"x": 1})
        [(job_key, job)] = await h.activate_jobs("inside")
        assert job["variables"] == {"x": 1, "inner": 2}
        await h.complete_job(job_key, {"fail": False})
        assert h.is_completed(ok)
        assert h.variables(ok) == {}  # the root scope is gone with the instance
        result = h.records().of(ValueType.VARIABLE, scopeKey=ok, name="result").only()
        assert result.value["value"] == "2"

        failing = await h.create_instance("outer", {"x": 1})
        [(job_key, _)] = await h.activate_jobs("inside")
        await h.complete_job(job_key, {"fail": True})
        assert h.is_completed(failing)
        after = h.records().of(ValueType.PROCESS_INSTANCE, elementId="after-error")
        assert after.intents()[-1] == "ELEMENT_COMPLETED"


async def test_cancel_terminates_everything_and_resolves_incidents() -> None:
    async with EngineHarness() as h:
        await h.deploy(("outer.bpmn", SUBPROCESS))
        instance = await h.create_instance("outer", {"x": "text"})  # x + 1 is null, no failure
        await h.b.command(
            ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=instance
        )
        intents = h.process_instance_intents("outer")
        assert intents[-2:] == ["ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
        assert h.b.engine.state.element_instances == {}
        assert h.b.engine.state.jobs == {}
        with pytest.raises(CommandRejected) as err:
            await h.b.command(
                ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=instance
            )
        assert err.value.rejection_type is RejectionType.NOT_FOUND


async def test_output_mapping_failure_is_an_io_mapping_incident() -> None:
    broken = model(
        "outputs",
        start(),
        service("work", "work", io(outputs={"y": "=assert(x, x != null)"})),
        end(),
        chain("start", "work", "end"),
    )
    async with EngineHarness() as h:
        await h.deploy(("outputs.bpmn", broken))
        await h.create_instance("outputs")
        [(job_key, _)] = await h.activate_jobs("work")
        await h.complete_job(job_key)
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "IO_MAPPING_ERROR"
        assert h.process_instance_intents("work")[-1] == "ELEMENT_COMPLETING"
