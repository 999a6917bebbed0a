"""RESOURCE_DELETION DELETE: removes a process definition, a DRG (with its decisions) or a form.

Deleting the latest version of a process closes its start events (message and signal
subscriptions, start timers); the previous version is the latest again and its start events
open anew. Versions of deleted resources are never reused.
"""

from __future__ import annotations

from zeebind.engine.behaviors import start_events
from zeebind.engine.context import Context, Processor
from zeebind.engine.state import (
    DecisionRequirementsDefinition,
    FormDefinition,
    ProcessDefinition,
)
from zeebind.protocol.intent import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    ProcessIntent,
    ResourceDeletionIntent,
)
from zeebind.protocol.record import Record, RejectionType, ValueType

_DELETION = ValueType.RESOURCE_DELETION
_MSS = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION


def delete(ctx: Context, command: Record) -> None:
    key = command.key if command.key > 0 else int(command.value.get("resourceKey", -1))
    state = ctx.state
    process = state.processes.get(key)
    drg = state.drgs.get(key)
    form = state.forms.get(key)
    if process is None and drg is None and form is None:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to delete resource but no resource found with key `{key}`",
        )
        return
    if process is not None and _has_running_instances(ctx, key):
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to delete resource with key `{key}` but there are still running instances",
        )
        return
    resource = process or drg or form
    assert resource is not None
    tenant_id = resource.tenant_id
    value = {"resourceKey": key, "tenantId": tenant_id}
    deletion_key = ctx.key()
    ctx.result.append_event(_DELETION, ResourceDeletionIntent.DELETING, deletion_key, value)
    if process is not None:
        _delete_process(ctx, process)
    elif drg is not None:
        _delete_drg(ctx, drg)
    elif form is not None:
        _delete_form(ctx, form)
    event = ctx.result.append_event(_DELETION, ResourceDeletionIntent.DELETED, deletion_key, value)
    ctx.result.respond(event)


def _has_running_instances(ctx: Context, process_definition_key: int) -> bool:
    return any(
        instance.process_definition_key == process_definition_key
        for instance in ctx.state.element_instances.values()
    )


def _delete_process(ctx: Context, process: ProcessDefinition) -> None:
    # Like Zeebe, the resource text is left out of the deletion records.
    value = {
        "bpmnProcessId": process.bpmn_process_id,
        "version": process.version,
        "processDefinitionKey": process.key,
        "resourceName": process.resource_name,
        "checksum": process.checksum,
        "resource": "",
        "tenantId": process.tenant_id,
        "deploymentKey": process.deployment_key,
        "versionTag": process.version_tag or "",
    }
    ctx.result.append_event(ValueType.PROCESS, ProcessIntent.DELETING, ctx.key(), value)
    latest = ctx.state.latest_process(process.bpmn_process_id, process.tenant_id)
    if latest is not None and latest.key == process.key:
        start_events.close(ctx, process.key)
        previous = _previous_version(ctx, process)
        if previous is not None:
            start_events.open_(ctx, previous)
    ctx.result.append_event(ValueType.PROCESS, ProcessIntent.DELETED, ctx.key(), value)


def _previous_version(ctx: Context, process: ProcessDefinition) -> ProcessDefinition | None:
    versions = ctx.state.process_versions.get((process.bpmn_process_id, process.tenant_id), [])
    earlier = [key for key in versions if key != process.key]
    return ctx.state.processes[earlier[-1]] if earlier else None


def _delete_drg(ctx: Context, drg: DecisionRequirementsDefinition) -> None:
    for decision in list(ctx.state.decisions.values()):
        if decision.decision_requirements_key != drg.key:
            continue
        ctx.result.append_event(
            ValueType.DECISION,
            DecisionIntent.DELETED,
            ctx.key(),
            {
                "decisionId": decision.decision_id,
                "decisionName": decision.name,
                "version": decision.version,
                "decisionKey": decision.key,
                "decisionRequirementsId": decision.decision_requirements_id,
                "decisionRequirementsKey": decision.decision_requirements_key,
                "tenantId": decision.tenant_id,
            },
        )
    ctx.result.append_event(
        ValueType.DECISION_REQUIREMENTS,
        DecisionRequirementsIntent.DELETED,
        ctx.key(),
        {
            "decisionRequirementsId": drg.decision_requirements_id,
            "decisionRequirementsName": drg.name,
            "decisionRequirementsVersion": drg.version,
            "decisionRequirementsKey": drg.key,
            "resourceName": drg.resource_name,
            "checksum": drg.checksum,
            "resource": drg.resource,
            "tenantId": drg.tenant_id,
        },
    )


def _delete_form(ctx: Context, form: FormDefinition) -> None:
    ctx.result.append_event(
        ValueType.FORM,
        FormIntent.DELETED,
        ctx.key(),
        {
            "formId": form.form_id,
            "version": form.version,
            "formKey": form.key,
            "resourceName": form.resource_name,
            "checksum": form.checksum,
            "resource": form.resource,
            "tenantId": form.tenant_id,
        },
    )


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (_DELETION, ResourceDeletionIntent.DELETE): delete
}
