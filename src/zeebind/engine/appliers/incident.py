"""Appliers for INCIDENT events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import Incident, JobState, State
from zeebind.protocol.intent import IncidentIntent
from zeebind.protocol.record import Record, ValueType


def created(state: State, record: Record) -> None:
    v = record.value
    state.incidents[record.key] = Incident(key=record.key, value=v)
    if v["jobKey"] > 0:
        state.job_incidents[v["jobKey"]] = record.key
    else:
        state.element_incidents[v["elementInstanceKey"]] = record.key


def resolved(state: State, record: Record) -> None:
    incident = state.incidents.pop(record.key, None)
    if incident is None:
        return
    job_key = incident.value["jobKey"]
    if job_key > 0:
        state.job_incidents.pop(job_key, None)
        job = state.jobs.get(job_key)
        if job is not None and job.state in (JobState.FAILED, JobState.ERROR_THROWN):
            job.state = JobState.ACTIVATABLE
            job.value["deadline"] = -1
            state.activatable.setdefault(job.value["type"], {})[job.key] = None
    else:
        element_key = incident.value["elementInstanceKey"]
        if state.element_incidents.get(element_key) == record.key:
            del state.element_incidents[element_key]


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.INCIDENT, IncidentIntent.CREATED): created,
    (ValueType.INCIDENT, IncidentIntent.RESOLVED): resolved,
}
