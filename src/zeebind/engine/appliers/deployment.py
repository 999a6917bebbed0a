"""Appliers for PROCESS, DECISION, DECISION_REQUIREMENTS and FORM events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import (
    DecisionDefinition,
    DecisionRequirementsDefinition,
    FormDefinition,
    ProcessDefinition,
    State,
)
from zeebind.protocol.intent import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    ProcessIntent,
)
from zeebind.protocol.record import Record, ValueType


def process_created(state: State, record: Record) -> None:
    v = record.value
    definition = ProcessDefinition(
        key=record.key,
        bpmn_process_id=v["bpmnProcessId"],
        version=v["version"],
        resource_name=v["resourceName"],
        checksum=v["checksum"],
        resource=v["resource"],
        tenant_id=v["tenantId"],
        deployment_key=v["deploymentKey"],
        version_tag=v.get("versionTag") or None,
    )
    state.processes[record.key] = definition
    state.process_versions.setdefault(
        (definition.bpmn_process_id, definition.tenant_id), []
    ).append(record.key)


def drg_created(state: State, record: Record) -> None:
    v = record.value
    drg = DecisionRequirementsDefinition(
        key=record.key,
        decision_requirements_id=v["decisionRequirementsId"],
        name=v["decisionRequirementsName"],
        version=v["decisionRequirementsVersion"],
        resource_name=v["resourceName"],
        checksum=v["checksum"],
        resource=v["resource"],
        tenant_id=v["tenantId"],
    )
    state.drgs[record.key] = drg
    state.drg_versions.setdefault((drg.decision_requirements_id, drg.tenant_id), []).append(
        record.key
    )


def decision_created(state: State, record: Record) -> None:
    v = record.value
    decision = DecisionDefinition(
        key=record.key,
        decision_id=v["decisionId"],
        name=v["decisionName"],
        version=v["version"],
        decision_requirements_key=v["decisionRequirementsKey"],
        decision_requirements_id=v["decisionRequirementsId"],
        tenant_id=v["tenantId"],
    )
    state.decisions[record.key] = decision
    state.decision_versions.setdefault((decision.decision_id, decision.tenant_id), []).append(
        record.key
    )


def form_created(state: State, record: Record) -> None:
    v = record.value
    form = FormDefinition(
        key=record.key,
        form_id=v["formId"],
        version=v["version"],
        resource_name=v["resourceName"],
        checksum=v["checksum"],
        resource=v["resource"],
        tenant_id=v["tenantId"],
    )
    state.forms[record.key] = form
    state.form_versions.setdefault((form.form_id, form.tenant_id), []).append(record.key)


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.PROCESS, ProcessIntent.CREATED): process_created,
    (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.CREATED): drg_created,
    (ValueType.DECISION, DecisionIntent.CREATED): decision_created,
    (ValueType.FORM, FormIntent.CREATED): form_created,
}
