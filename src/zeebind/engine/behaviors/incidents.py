"""Raising and resolving incidents."""

from __future__ import annotations

from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance
from zeebind.protocol.intent import IncidentIntent
from zeebind.protocol.record import ValueType


def raise_incident(
    ctx: Context, instance: ElementInstance, error_type: str, message: str, job_key: int = -1
) -> None:
    v = instance.value
    ctx.result.append_event(
        ValueType.INCIDENT,
        IncidentIntent.CREATED,
        ctx.key(),
        {
            "errorType": error_type,
            "errorMessage": message,
            "bpmnProcessId": v["bpmnProcessId"],
            "processDefinitionKey": v["processDefinitionKey"],
            "processInstanceKey": v["processInstanceKey"],
            "elementId": v["elementId"],
            "elementInstanceKey": instance.key,
            "jobKey": job_key,
            "variableScopeKey": instance.key,
            "tenantId": v["tenantId"],
        },
    )


def resolve_job_incident(ctx: Context, job_key: int) -> None:
    """A job that is canceled takes its open incident with it."""
    key = ctx.state.job_incidents.get(job_key)
    if key is not None:
        incident = ctx.state.incidents[key]
        ctx.result.append_event(ValueType.INCIDENT, IncidentIntent.RESOLVED, key, incident.value)


def resolve_incidents_of(ctx: Context, instance: ElementInstance) -> None:
    """An element that is left (terminated) takes its open incidents with it."""
    keys = []
    element_incident = ctx.state.element_incidents.get(instance.key)
    if element_incident is not None:
        keys.append(element_incident)
    if instance.job_key > 0:
        job_incident = ctx.state.job_incidents.get(instance.job_key)
        if job_incident is not None:
            keys.append(job_incident)
    for key in keys:
        incident = ctx.state.incidents[key]
        ctx.result.append_event(ValueType.INCIDENT, IncidentIntent.RESOLVED, key, incident.value)
