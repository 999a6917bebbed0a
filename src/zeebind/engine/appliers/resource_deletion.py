"""Appliers for the DELETED events of PROCESS, DECISION, DECISION_REQUIREMENTS and FORM.

A deleted definition leaves the state; its version is remembered, so that it is never reused.
"""

from __future__ import annotations

from typing import Any

from zeebind.engine.result import Applier
from zeebind.engine.state import State
from zeebind.protocol.intent import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    ProcessIntent,
)
from zeebind.protocol.record import Record, ValueType


def _forget(
    state: State,
    versions: dict[tuple[str, str], list[int]],
    kind: str,
    resource_id: str,
    tenant_id: str,
    key: int,
    version: int,
) -> None:
    index = (resource_id, tenant_id)
    keys = versions.get(index)
    if keys is not None and key in keys:
        keys.remove(key)
        if not keys:
            del versions[index]
    deleted = (kind, resource_id, tenant_id)
    state.deleted_versions[deleted] = max(state.deleted_versions.get(deleted, 0), version)


def process_deleted(state: State, record: Record) -> None:
    v: dict[str, Any] = record.value
    key = v["processDefinitionKey"]
    state.processes.pop(key, None)
    _forget(
        state,
        state.process_versions,
        "process",
        v["bpmnProcessId"],
        v["tenantId"],
        key,
        v["version"],
    )


def decision_deleted(state: State, record: Record) -> None:
    v = record.value
    key = v["decisionKey"]
    state.decisions.pop(key, None)
    _forget(
        state,
        state.decision_versions,
        "decision",
        v["decisionId"],
        v["tenantId"],
        key,
        v["version"],
    )


def drg_deleted(state: State, record: Record) -> None:
    v = record.value
    key = v["decisionRequirementsKey"]
    state.drgs.pop(key, None)
    _forget(
        state,
        state.drg_versions,
        "drg",
        v["decisionRequirementsId"],
        v["tenantId"],
        key,
        v["decisionRequirementsVersion"],
    )


def form_deleted(state: State, record: Record) -> None:
    v = record.value
    key = v["formKey"]
    state.forms.pop(key, None)
    _forget(state, state.form_versions, "form", v["formId"], v["tenantId"], key, v["version"])


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.PROCESS, ProcessIntent.DELETED): process_deleted,
    (ValueType.DECISION, DecisionIntent.DELETED): decision_deleted,
    (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.DELETED): drg_deleted,
    (ValueType.FORM, FormIntent.DELETED): form_deleted,
}
