"""Creating the job of a job-based element, and cancelling it when the element is left."""

from __future__ import annotations

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
