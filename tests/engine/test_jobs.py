"""Jobs: fail with and without retries, back-off, time-out, retries, incidents, timeouts."""

from __future__ import annotations

import pytest
from engine_models import ONE_TASK

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import IncidentIntent, JobIntent
from zeebind.protocol.record import RejectionType, ValueType
from zeebind.testing import EngineHarness


async def _one_job(h: EngineHarness) -> tuple[int, int]:
    await h.deploy(("one-task.bpmn", ONE_TASK))
    instance = await h.create_instance("one-task", {"n": 1})
    [(job_key, _)] = await h.activate_jobs("work")
    return instance, job_key


async def fail(h: EngineHarness, job_key: int, retries: int, backoff: int = 0, **extra: object):
    value = {"retries": retries, "errorMessage": "boom", "retryBackoff": backoff, **extra}
    return await h.b.command(ValueType.JOB, JobIntent.FAIL, value, key=job_key)


async def test_failed_job_with_retries_is_activatable_again() -> None:
    async with EngineHarness() as h:
        _, job_key = await _one_job(h)
        await fail(h, job_key, retries=2)
        [(again, job)] = await h.activate_jobs("work")
        assert again == job_key
        assert job["retries"] == 2
        assert job["errorMessage"] == "boom"


async def test_back_off_delays_the_job_until_it_is_due() -> None:
    async with EngineHarness() as h:
        _, job_key = await _one_job(h)
        await fail(h, job_key, retries=2, backoff=10_000)
        assert await h.activate_jobs("work") == []
        await h.advance(9_999)
        assert await h.activate_jobs("work") == []
        await h.advance(1)
        [(again, _)] = await h.activate_jobs("work")
        assert again == job_key
        assert len(h.records().of(ValueType.JOB, JobIntent.RECURRED_AFTER_BACKOFF)) == 1


async def test_timed_out_job_returns_with_its_retries() -> None:
    async with EngineHarness() as h:
        _, job_key = await _one_job(h)
        await h.advance(59_999)
        assert await h.activate_jobs("work") == []
        await h.advance(1)
        [(again, job)] = await h.activate_jobs("work")
        assert again == job_key
        assert job["retries"] == 3
        assert len(h.records().of(ValueType.JOB, JobIntent.TIMED_OUT)) == 1


async def test_no_retries_left_raises_an_incident_resolved_after_retries_update() -> None:
    async with EngineHarness() as h:
        instance, job_key = await _one_job(h)
        await fail(h, job_key, retries=0, variables={"local": True})
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "JOB_NO_RETRIES"
        assert incident.value["errorMessage"] == "boom"
        assert incident.value["jobKey"] == job_key
        with pytest.raises(CommandRejected) as err:
            await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident.key)
        assert err.value.rejection_type is RejectionType.INVALID_STATE
        assert "has no retries left" in err.value.reason
        with pytest.raises(CommandRejected) as err:
            await h.b.command(ValueType.JOB, JobIntent.UPDATE_RETRIES, {"retries": 0}, key=job_key)
        assert err.value.rejection_type is RejectionType.INVALID_ARGUMENT
        await h.b.command(ValueType.JOB, JobIntent.UPDATE_RETRIES, {"retries": 1}, key=job_key)
        await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident.key)
        [(again, job)] = await h.activate_jobs("work")
        assert again == job_key
        assert job["retries"] == 1
        # fail variables are local to the task, never propagated
        assert job["variables"] == {"n": 1, "local": True}
        await h.complete_job(job_key)
        assert h.is_completed(instance)
        assert "local" not in h.records().of(ValueType.VARIABLE, scopeKey=instance).intents()


async def test_canceling_an_instance_resolves_its_job_incident_after_the_job() -> None:
    """As Zeebe: JOB CANCELED, then INCIDENT RESOLVED for the job's incident; nothing open."""
    from zeebind.protocol.intent import ProcessInstanceIntent

    async with EngineHarness() as h:
        instance, job_key = await _one_job(h)
        await fail(h, job_key, retries=0)
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        await h.b.command(
            ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=instance
        )
        events = [
            (r.value_type, r.intent, r.key)
            for r in h.records().records
            if r.value_type in (ValueType.JOB, ValueType.INCIDENT)
            and r.position > incident.position
        ]
        assert events == [
            (ValueType.JOB, JobIntent.CANCELED, job_key),
            (ValueType.INCIDENT, IncidentIntent.RESOLVED, incident.key),
        ]
        resolved = h.records().of(ValueType.INCIDENT, IncidentIntent.RESOLVED).only()
        assert resolved.value == incident.value
        assert h.b.engine.state.incidents == {}
        assert h.b.engine.state.job_incidents == {}


async def test_commands_on_unknown_or_failed_jobs_are_rejected() -> None:
    async with EngineHarness() as h:
        _, job_key = await _one_job(h)
        with pytest.raises(CommandRejected) as err:
            await h.complete_job(job_key + 1000)
        assert err.value.rejection_type is RejectionType.NOT_FOUND
        assert f"job with key '{job_key + 1000}'" in err.value.reason
        await fail(h, job_key, retries=0)
        with pytest.raises(CommandRejected) as err:
            await h.complete_job(job_key)
        assert err.value.rejection_type is RejectionType.INVALID_STATE
        assert "in state 'FAILED'" in err.value.reason


async def test_update_timeout_moves_the_deadline() -> None:
    async with EngineHarness() as h:
        _, job_key = await _one_job(h)
        await h.b.command(
            ValueType.JOB, JobIntent.UPDATE_TIMEOUT, {"timeout": 120_000}, key=job_key
        )
        await h.advance(60_000)
        assert await h.activate_jobs("work") == []
        await h.advance(60_000)
        assert [k for k, _ in await h.activate_jobs("work")] == [job_key]


async def test_activation_takes_jobs_in_key_order_and_respects_the_maximum() -> None:
    async with EngineHarness() as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        for n in range(5):
            await h.create_instance("one-task", {"n": n})
        first = await h.activate_jobs("work", max_jobs=3)
        rest = await h.activate_jobs("work", max_jobs=3)
        assert [job["variables"]["n"] for _, job in first] == [0, 1, 2]
        assert [job["variables"]["n"] for _, job in rest] == [3, 4]
        assert [k for k, _ in first] == sorted(k for k, _ in first)
