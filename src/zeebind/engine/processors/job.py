"""JOB commands (complete, fail, throw error, retries, timeouts) and JOB_BATCH ACTIVATE."""

from __future__ import annotations

import heapq
from typing import Any

from zeebind.engine.behaviors import errors
from zeebind.engine.behaviors.incidents import raise_incident
from zeebind.engine.behaviors.variables import set_local
from zeebind.engine.context import Context, Processor
from zeebind.engine.state import Job, JobState
from zeebind.protocol.intent import JobBatchIntent, JobIntent, ProcessInstanceIntent
from zeebind.protocol.json import dumps
from zeebind.protocol.record import Record, RejectionType, ValueType

MAX_MESSAGE_SIZE = 4 * 1024 * 1024
MAX_ERROR_MESSAGE_LENGTH = 10_000
_ACTIVE = (JobState.ACTIVATABLE, JobState.ACTIVATED)


def _job_for(ctx: Context, command: Record, action: str) -> Job | None:
    """The job the command is for, if it may act on it; else the command is rejected."""
    job = ctx.state.jobs.get(command.key)
    if job is None:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to {action} job with key '{command.key}', but no such job was found",
        )
        return None
    if job.state not in _ACTIVE:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to {action} job with key '{command.key}', but it is in state '{job.state}'",
        )
        return None
    return job


def complete(ctx: Context, command: Record) -> None:
    job = _job_for(ctx, command, "complete")
    if job is None:
        return
    variables = command.value.get("variables") or {}
    event = ctx.result.append_event(
        ValueType.JOB, JobIntent.COMPLETED, job.key, {**job.value, "variables": variables}
    )
    ctx.result.respond(event)
    element_key = job.value["elementInstanceKey"]
    instance = ctx.state.element_instances.get(element_key)
    if instance is not None:
        value = {**instance.value, "variables": variables}
        ctx.result.follow_up(
            ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.COMPLETE_ELEMENT, element_key, value
        )


def fail(ctx: Context, command: Record) -> None:
    job = _job_for(ctx, command, "fail")
    if job is None:
        return
    v = command.value
    retries = int(v.get("retries", 0))
    backoff = int(v.get("retryBackoff", 0))
    message = str(v.get("errorMessage", ""))[:MAX_ERROR_MESSAGE_LENGTH]
    variables = v.get("variables") or {}
    instance = ctx.state.element_instances.get(job.value["elementInstanceKey"])
    if variables and instance is not None:
        set_local(ctx, instance.key, variables)
    value = {
        **job.value,
        "retries": retries,
        "errorMessage": message,
        "retryBackoff": backoff,
        "recurringTime": ctx.now + backoff if retries > 0 and backoff > 0 else -1,
        "variables": variables,
    }
    event = ctx.result.append_event(ValueType.JOB, JobIntent.FAILED, job.key, value)
    ctx.result.respond(event)
    if retries <= 0 and instance is not None:
        raise_incident(
            ctx, instance, "JOB_NO_RETRIES", message or "No more retries left.", job_key=job.key
        )


def throw_error(ctx: Context, command: Record) -> None:
    job = _job_for(ctx, command, "throw an error for")
    if job is None:
        return
    v = command.value
    code = str(v.get("errorCode", ""))
    message = str(v.get("errorMessage", ""))[:MAX_ERROR_MESSAGE_LENGTH]
    variables = v.get("variables") or {}
    value = {**job.value, "errorCode": code, "errorMessage": message, "variables": variables}
    event = ctx.result.append_event(ValueType.JOB, JobIntent.ERROR_THROWN, job.key, value)
    ctx.result.respond(event)
    instance = ctx.state.element_instances.get(job.value["elementInstanceKey"])
    if instance is None:
        return
    found = errors.throw(ctx, instance.key, code, variables)
    if isinstance(found, list):
        raise_incident(
            ctx,
            instance,
            "UNHANDLED_ERROR_EVENT",
            errors.unhandled_message(code, message, found),
            job_key=job.key,
        )


def update_retries(ctx: Context, command: Record) -> None:
    job = ctx.state.jobs.get(command.key)
    if job is None:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to update retries for job with key '{command.key}', but no such job was "
            "found",
        )
        return
    retries = int(command.value.get("retries", 0))
    if retries < 1:
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            f"Expected to update retries for job with key '{command.key}' with a positive amount "
            f"of retries, but the amount given was '{retries}'",
        )
        return
    event = ctx.result.append_event(
        ValueType.JOB, JobIntent.RETRIES_UPDATED, job.key, {**job.value, "retries": retries}
    )
    ctx.result.respond(event)


def update_timeout(ctx: Context, command: Record) -> None:
    job = ctx.state.jobs.get(command.key)
    if job is None:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to update the timeout of job with key '{command.key}', but no such job "
            "was found",
        )
        return
    if job.state != JobState.ACTIVATED:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to update the timeout of job with key '{command.key}', but it is not active",
        )
        return
    timeout = int(command.value.get("timeout", 0))
    value = {**job.value, "timeout": timeout, "deadline": ctx.now + timeout}
    event = ctx.result.append_event(ValueType.JOB, JobIntent.TIMEOUT_UPDATED, job.key, value)
    ctx.result.respond(event)


def time_out(ctx: Context, command: Record) -> None:
    job = ctx.state.jobs.get(command.key)
    if job is None or job.state != JobState.ACTIVATED or job.value["deadline"] > ctx.now:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to time out activated job with key '{command.key}', but it is not due",
        )
        return
    ctx.result.append_event(ValueType.JOB, JobIntent.TIMED_OUT, job.key, dict(job.value))


def recur_after_backoff(ctx: Context, command: Record) -> None:
    job = ctx.state.jobs.get(command.key)
    if (
        job is None
        or job.state != JobState.FAILED
        or job.value["retries"] <= 0
        or job.value["recurringTime"] > ctx.now
    ):
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to recur failed job with key '{command.key}', but it is not due",
        )
        return
    ctx.result.append_event(
        ValueType.JOB, JobIntent.RECURRED_AFTER_BACKOFF, job.key, dict(job.value)
    )


def yield_job(ctx: Context, command: Record) -> None:
    job = ctx.state.jobs.get(command.key)
    if job is None or job.state != JobState.ACTIVATED:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to yield activated job with key '{command.key}', but it is not activated",
        )
        return
    ctx.result.append_event(ValueType.JOB, JobIntent.YIELDED, job.key, dict(job.value))


def _batch_problem(v: dict[str, Any]) -> str | None:
    if not str(v.get("type", "")).strip():
        return "Expected to activate job batch with type to be present, but it was blank"
    if not str(v.get("worker", "")).strip():
        return "Expected to activate job batch with worker to be present, but it was blank"
    if int(v.get("timeout", 0)) < 1:
        return (
            "Expected to activate job batch with timeout to be greater than zero, but it was "
            f"'{v.get('timeout', 0)}'"
        )
    if int(v.get("maxJobsToActivate", 0)) < 1:
        return (
            "Expected to activate job batch with max jobs to activate to be greater than zero, "
            f"but it was '{v.get('maxJobsToActivate', 0)}'"
        )
    return None


def activate_batch(ctx: Context, command: Record) -> None:
    v = command.value
    problem = _batch_problem(v)
    if problem is not None:
        ctx.result.reject(command, RejectionType.INVALID_ARGUMENT, problem)
        return
    job_type = str(v["type"])
    timeout = int(v["timeout"])
    tenant_ids = set(v.get("tenantIds") or ["<default>"])
    fetch = list(v.get("variables") or [])
    candidates = ctx.state.activatable.get(job_type, {})
    keys: list[int] = []
    jobs: list[dict[str, Any]] = []
    size = 0
    truncated = False
    for job_key in heapq.nsmallest(int(v["maxJobsToActivate"]), candidates):
        job = ctx.state.jobs[job_key]
        if job.value["tenantId"] not in tenant_ids:
            continue
        variables = ctx.state.visible_variables(job.value["elementInstanceKey"], fetch or None)
        job_value = {
            **job.value,
            "worker": v["worker"],
            "timeout": timeout,
            "deadline": ctx.now + timeout,
            "variables": variables,
        }
        job_size = len(dumps(job_value))
        if size + job_size > MAX_MESSAGE_SIZE:
            truncated = True
            break
        size += job_size
        keys.append(job_key)
        jobs.append(job_value)
    value = {
        "type": job_type,
        "worker": v["worker"],
        "timeout": timeout,
        "maxJobsToActivate": v["maxJobsToActivate"],
        "jobKeys": keys,
        "jobs": jobs,
        "variables": fetch,
        "truncated": truncated,
        "tenantIds": sorted(tenant_ids),
    }
    event = ctx.result.append_event(ValueType.JOB_BATCH, JobBatchIntent.ACTIVATED, ctx.key(), value)
    ctx.result.respond(event)


_JOB = ValueType.JOB
PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (_JOB, JobIntent.COMPLETE): complete,
    (_JOB, JobIntent.FAIL): fail,
    (_JOB, JobIntent.THROW_ERROR): throw_error,
    (_JOB, JobIntent.UPDATE_RETRIES): update_retries,
    (_JOB, JobIntent.UPDATE_TIMEOUT): update_timeout,
    (_JOB, JobIntent.TIME_OUT): time_out,
    (_JOB, JobIntent.RECUR_AFTER_BACKOFF): recur_after_backoff,
    (_JOB, JobIntent.YIELD): yield_job,
    (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE): activate_batch,
}
