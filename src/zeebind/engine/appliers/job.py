"""Appliers for JOB and JOB_BATCH events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import Job, JobState, State
from zeebind.protocol.intent import JobBatchIntent, JobIntent
from zeebind.protocol.record import Record, ValueType


def _make_activatable(state: State, job: Job) -> None:
    job.state = JobState.ACTIVATABLE
    job.value["deadline"] = -1
    state.activatable.setdefault(job.value["type"], {})[job.key] = None


def _drop_activatable(state: State, job: Job) -> None:
    keys = state.activatable.get(job.value["type"])
    if keys is not None:
        keys.pop(job.key, None)
        if not keys:
            del state.activatable[job.value["type"]]


def created(state: State, record: Record) -> None:
    job = Job(key=record.key, state=JobState.ACTIVATABLE, value=dict(record.value))
    state.jobs[record.key] = job
    _make_activatable(state, job)
    instance = state.element_instances.get(record.value["elementInstanceKey"])
    if instance is not None:
        instance.job_key = record.key


def batch_activated(state: State, record: Record) -> None:
    for job_key, job_value in zip(record.value["jobKeys"], record.value["jobs"], strict=True):
        job = state.jobs[job_key]
        _drop_activatable(state, job)
        job.state = JobState.ACTIVATED
        job.value["deadline"] = job_value["deadline"]
        job.value["worker"] = job_value["worker"]
        job.value["timeout"] = job_value["timeout"]
        state.push_job_deadline(job_value["deadline"], job_key)


def removed(state: State, record: Record) -> None:
    """COMPLETED / CANCELED: the job is gone."""
    job = state.jobs.pop(record.key, None)
    if job is None:
        return
    _drop_activatable(state, job)
    instance = state.element_instances.get(job.value["elementInstanceKey"])
    if instance is not None and instance.job_key == record.key:
        instance.job_key = -1


def failed(state: State, record: Record) -> None:
    job = state.jobs[record.key]
    v = record.value
    for name in ("retries", "errorMessage", "retryBackoff", "recurringTime"):
        job.value[name] = v[name]
    _drop_activatable(state, job)
    if v["retries"] > 0 and v["retryBackoff"] <= 0:
        _make_activatable(state, job)
    else:
        job.state = JobState.FAILED
        job.value["deadline"] = -1
        if v["retries"] > 0:
            state.push_job_backoff(v["recurringTime"], record.key)


def back_to_activatable(state: State, record: Record) -> None:
    """TIMED_OUT / RECURRED_AFTER_BACKOFF / YIELDED."""
    job = state.jobs[record.key]
    _make_activatable(state, job)


def retries_updated(state: State, record: Record) -> None:
    state.jobs[record.key].value["retries"] = record.value["retries"]


def timeout_updated(state: State, record: Record) -> None:
    job = state.jobs[record.key]
    job.value["deadline"] = record.value["deadline"]
    job.value["timeout"] = record.value["timeout"]
    state.push_job_deadline(record.value["deadline"], record.key)


def error_thrown(state: State, record: Record) -> None:
    job = state.jobs[record.key]
    _drop_activatable(state, job)
    job.state = JobState.ERROR_THROWN
    job.value["errorCode"] = record.value["errorCode"]
    job.value["errorMessage"] = record.value["errorMessage"]


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.JOB, JobIntent.CREATED): created,
    (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATED): batch_activated,
    (ValueType.JOB, JobIntent.COMPLETED): removed,
    (ValueType.JOB, JobIntent.CANCELED): removed,
    (ValueType.JOB, JobIntent.FAILED): failed,
    (ValueType.JOB, JobIntent.TIMED_OUT): back_to_activatable,
    (ValueType.JOB, JobIntent.RECURRED_AFTER_BACKOFF): back_to_activatable,
    (ValueType.JOB, JobIntent.YIELDED): back_to_activatable,
    (ValueType.JOB, JobIntent.RETRIES_UPDATED): retries_updated,
    (ValueType.JOB, JobIntent.TIMEOUT_UPDATED): timeout_updated,
    (ValueType.JOB, JobIntent.ERROR_THROWN): error_thrown,
}
