"""Creating the job of a job-based element, and cancelling it when the element is left."""

from __future__ import annotations

from zeebind.engine.behaviors.incidents import resolve_job_incident
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import JobIntent
from zeebind.protocol.record import ValueType


def create_job(
    ctx: Context, instance: ElementInstance, job_type: str, retries: int, headers: dict[str, str]
) -> None:
    v = instance.value
    ctx.result.append_event(
        ValueType.JOB,
        JobIntent.CREATED,
        ctx.key(),
        {
            "type": job_type,
            "worker": "",
            "retries": retries,
            "deadline": -1,
            "timeout": -1,
            "customHeaders": headers,
            "variables": {},
            "errorMessage": "",
            "errorCode": "",
            "retryBackoff": 0,
            "recurringTime": -1,
            "elementId": v["elementId"],
            "elementInstanceKey": instance.key,
            "processInstanceKey": v["processInstanceKey"],
            "bpmnProcessId": v["bpmnProcessId"],
            "processDefinitionVersion": v["version"],
            "processDefinitionKey": v["processDefinitionKey"],
            "jobKind": "BPMN_ELEMENT",
            "tenantId": v["tenantId"],
        },
    )


def cancel_job(ctx: Context, instance: ElementInstance) -> None:
    job = ctx.state.jobs.get(instance.job_key)
    if job is not None:
        ctx.result.append_event(ValueType.JOB, JobIntent.CANCELED, job.key, dict(job.value))
        # As Zeebe: the canceled job's incident is resolved right after it (the applier of
        # CANCELED unlinks the job from the element, so resolve_incidents_of cannot find it).
        resolve_job_incident(ctx, job.key)
