"""INCIDENT RESOLVE: job incidents make the job activatable; other incidents re-run their step."""

from __future__ import annotations

from zeebind.engine.context import Context, Processor
from zeebind.protocol.intent import IncidentIntent, ProcessInstanceIntent
from zeebind.protocol.record import Record, RejectionType, ValueType


def resolve(ctx: Context, command: Record) -> None:
    incident = ctx.state.incidents.get(command.key)
    if incident is None:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to resolve incident with key '{command.key}', but no such incident was "
            "found",
        )
        return
    job_key = incident.value["jobKey"]
    if job_key > 0:
        job = ctx.state.jobs.get(job_key)
        if job is not None and job.value["retries"] <= 0:
            ctx.result.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to resolve incident with key '{command.key}', but job with key "
                f"'{job_key}' has no retries left. Please update the job retries and retry "
                "resolving the incident",
            )
            return
    event = ctx.result.append_event(
        ValueType.INCIDENT, IncidentIntent.RESOLVED, command.key, incident.value
    )
    ctx.result.respond(event)
    if job_key > 0:
        return
    instance = ctx.state.element_instances.get(incident.value["elementInstanceKey"])
    if instance is None:
        return
    if instance.state == ProcessInstanceIntent.ELEMENT_ACTIVATING:
        intent = ProcessInstanceIntent.ACTIVATE_ELEMENT
    elif instance.state == ProcessInstanceIntent.ELEMENT_COMPLETING:
        intent = ProcessInstanceIntent.COMPLETE_ELEMENT
    else:
        return
    ctx.result.follow_up(ValueType.PROCESS_INSTANCE, intent, instance.key, instance.value)


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.INCIDENT, IncidentIntent.RESOLVE): resolve
}
