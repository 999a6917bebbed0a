"""DEPLOYMENT CREATE: parse and validate every resource, version it, record the new definitions."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from typing import Any

from zeebind.bpmn.errors import BpmnValidationError
from zeebind.bpmn.form import parse_form
from zeebind.bpmn.model import Process
from zeebind.bpmn.parser import parse_bpmn
from zeebind.dmn.metadata import DecisionRequirements, parse_dmn_metadata
from zeebind.engine.behaviors import start_events
from zeebind.engine.context import Context, Processor
from zeebind.protocol.intent import (
    DecisionIntent,
    DecisionRequirementsIntent,
    DeploymentIntent,
    FormIntent,
    ProcessIntent,
)
from zeebind.protocol.record import Record, RejectionType, ValueType


@dataclass(slots=True)
class _Parsed:
    name: str
    content: bytes
    text: str
    checksum: str
    processes: list[Process] = field(default_factory=list)
    drg: DecisionRequirements | None = None
    form_id: str | None = None


def _resource_kind(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith((".bpmn", ".xml")):
        return "bpmn"
    if lowered.endswith(".dmn"):
        return "dmn"
    if lowered.endswith(".form"):
        return "form"
    return None


def _parse(resources: list[dict[str, Any]]) -> list[_Parsed] | list[str]:
    parsed: list[_Parsed] = []
    errors: list[str] = []
    for resource in resources:
        name = str(resource.get("resourceName", ""))
        try:
            content = base64.b64decode(resource.get("resource", ""), validate=True)
        except (binascii.Error, ValueError):
            errors.append(f"'{name}': the resource content is not valid base64")
            continue
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(f"'{name}': the resource is not UTF-8 text")
            continue
        item = _Parsed(name, content, text, hashlib.md5(content).hexdigest())
        kind = _resource_kind(name)
        try:
            if kind == "bpmn":
                item.processes = parse_bpmn(name, content)
            elif kind == "dmn":
                item.drg = parse_dmn_metadata(name, content)
            elif kind == "form":
                item.form_id = parse_form(name, content)
            else:
                errors.append(f"'{name}': unknown resource type")
                continue
        except BpmnValidationError as err:
            errors.append(err.render())
            continue
        parsed.append(item)
    return errors if errors else parsed


def _duplicate_ids(parsed: list[_Parsed]) -> list[str]:
    errors: list[str] = []
    seen_processes: dict[str, str] = {}
    seen_drgs: dict[str, str] = {}
    seen_decisions: dict[str, str] = {}
    for item in parsed:
        for process in item.processes:
            other = seen_processes.setdefault(process.bpmn_process_id, item.name)
            if other != item.name:
                errors.append(f"Duplicated process id in resources '{other}' and '{item.name}'")
        if item.drg is not None:
            other = seen_drgs.setdefault(item.drg.id, item.name)
            if other != item.name:
                errors.append(
                    "Expected the decision requirements ids to be unique within a deployment but "
                    f"found a duplicated id '{item.drg.id}' in the resources '{other}' and "
                    f"'{item.name}'."
                )
            for decision in item.drg.decisions:
                other = seen_decisions.setdefault(decision.id, item.name)
                if other != item.name:
                    errors.append(
                        "Expected the decision ids to be unique within a deployment but found a "
                        f"duplicated id '{decision.id}' in the resources '{other}' and "
                        f"'{item.name}'."
                    )
    return errors


def create(ctx: Context, command: Record) -> None:
    resources = command.value.get("resources") or []
    tenant_id = command.value.get("tenantId") or "<default>"
    if not resources:
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected to deploy at least one resource, but none given",
        )
        return
    outcome = _parse(resources)
    if outcome and isinstance(outcome[0], str):
        reasons: list[str] = [str(reason) for reason in outcome]
    else:
        parsed = [item for item in outcome if isinstance(item, _Parsed)]
        reasons = _duplicate_ids(parsed)
    if reasons:
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected to deploy new resources, but encountered the following errors:\n"
            + "\n".join(reasons),
        )
        return
    deployment_key = ctx.key()
    metadata: dict[str, list[dict[str, Any]]] = {
        "processesMetadata": [],
        "decisionRequirementsMetadata": [],
        "decisionsMetadata": [],
        "formMetadata": [],
    }
    for item in parsed:
        for process in item.processes:
            metadata["processesMetadata"].append(
                _deploy_process(ctx, item, process, tenant_id, deployment_key)
            )
        if item.drg is not None:
            drg_meta, decisions_meta = _deploy_drg(ctx, item, item.drg, tenant_id)
            metadata["decisionRequirementsMetadata"].append(drg_meta)
            metadata["decisionsMetadata"].extend(decisions_meta)
        if item.form_id is not None:
            metadata["formMetadata"].append(_deploy_form(ctx, item, item.form_id, tenant_id))
    value = {"resources": [], "tenantId": tenant_id, **metadata}
    event = ctx.result.append_event(
        ValueType.DEPLOYMENT, DeploymentIntent.CREATED, deployment_key, value
    )
    ctx.result.respond(event)


def _deploy_process(
    ctx: Context, item: _Parsed, process: Process, tenant_id: str, deployment_key: int
) -> dict[str, Any]:
    state = ctx.state
    latest = state.latest_process(process.bpmn_process_id, tenant_id)
    if (
        latest is not None
        and latest.checksum == item.checksum
        and latest.resource_name == item.name
    ):
        return {
            "bpmnProcessId": latest.bpmn_process_id,
            "version": latest.version,
            "processDefinitionKey": latest.key,
            "resourceName": latest.resource_name,
            "checksum": latest.checksum,
            "isDuplicate": True,
            "tenantId": tenant_id,
            "deploymentKey": latest.deployment_key,
        }
    key = ctx.key()
    version = state.next_version(
        "process", process.bpmn_process_id, tenant_id, latest.version if latest else 0
    )
    value = {
        "bpmnProcessId": process.bpmn_process_id,
        "version": version,
        "processDefinitionKey": key,
        "resourceName": item.name,
        "checksum": item.checksum,
        "resource": item.text,
        "tenantId": tenant_id,
        "deploymentKey": deployment_key,
        "versionTag": process.version_tag or "",
    }
    ctx.result.append_event(ValueType.PROCESS, ProcessIntent.CREATED, key, value)
    state.processes[key].model = process
    if latest is not None:
        start_events.close(ctx, latest.key)
    start_events.open_(ctx, state.processes[key])
    meta = {name: value[name] for name in value if name not in ("resource", "versionTag")}
    meta["isDuplicate"] = False
    return meta


def _deploy_drg(
    ctx: Context, item: _Parsed, drg: DecisionRequirements, tenant_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    state = ctx.state
    versions = state.drg_versions.get((drg.id, tenant_id), [])
    latest = state.drgs[versions[-1]] if versions else None
    if (
        latest is not None
        and latest.checksum == item.checksum
        and latest.resource_name == item.name
    ):
        drg_meta = {
            "decisionRequirementsId": latest.decision_requirements_id,
            "decisionRequirementsName": latest.name,
            "decisionRequirementsVersion": latest.version,
            "decisionRequirementsKey": latest.key,
            "resourceName": latest.resource_name,
            "checksum": latest.checksum,
            "isDuplicate": True,
            "tenantId": tenant_id,
        }
        decisions = [
            {
                "decisionId": d.decision_id,
                "decisionName": d.name,
                "version": d.version,
                "decisionKey": d.key,
                "decisionRequirementsId": d.decision_requirements_id,
                "decisionRequirementsKey": d.decision_requirements_key,
                "isDuplicate": True,
                "tenantId": tenant_id,
            }
            for d in state.decisions.values()
            if d.decision_requirements_key == latest.key
        ]
        return drg_meta, decisions
    key = ctx.key()
    value = {
        "decisionRequirementsId": drg.id,
        "decisionRequirementsName": drg.name,
        "decisionRequirementsVersion": state.next_version(
            "drg", drg.id, tenant_id, latest.version if latest else 0
        ),
        "decisionRequirementsKey": key,
        "resourceName": item.name,
        "checksum": item.checksum,
        "resource": item.text,
        "tenantId": tenant_id,
    }
    ctx.result.append_event(
        ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.CREATED, key, value
    )
    drg_meta = {name: value[name] for name in value if name != "resource"}
    drg_meta["isDuplicate"] = False
    decisions = []
    for decision in drg.decisions:
        previous = state.decision_versions.get((decision.id, tenant_id), [])
        version = state.next_version(
            "decision",
            decision.id,
            tenant_id,
            state.decisions[previous[-1]].version if previous else 0,
        )
        decision_key = ctx.key()
        decision_value = {
            "decisionId": decision.id,
            "decisionName": decision.name,
            "version": version,
            "decisionKey": decision_key,
            "decisionRequirementsId": drg.id,
            "decisionRequirementsKey": key,
            "tenantId": tenant_id,
        }
        ctx.result.append_event(
            ValueType.DECISION, DecisionIntent.CREATED, decision_key, decision_value
        )
        decisions.append({**decision_value, "isDuplicate": False})
    return drg_meta, decisions


def _deploy_form(ctx: Context, item: _Parsed, form_id: str, tenant_id: str) -> dict[str, Any]:
    state = ctx.state
    versions = state.form_versions.get((form_id, tenant_id), [])
    latest = state.forms[versions[-1]] if versions else None
    if (
        latest is not None
        and latest.checksum == item.checksum
        and latest.resource_name == item.name
    ):
        return {
            "formId": latest.form_id,
            "version": latest.version,
            "formKey": latest.key,
            "resourceName": latest.resource_name,
            "checksum": latest.checksum,
            "isDuplicate": True,
            "tenantId": tenant_id,
        }
    key = ctx.key()
    value = {
        "formId": form_id,
        "version": state.next_version("form", form_id, tenant_id, latest.version if latest else 0),
        "formKey": key,
        "resourceName": item.name,
        "checksum": item.checksum,
        "resource": item.text,
        "tenantId": tenant_id,
    }
    ctx.result.append_event(ValueType.FORM, FormIntent.CREATED, key, value)
    meta = {name: value[name] for name in value if name != "resource"}
    meta["isDuplicate"] = False
    return meta


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.DEPLOYMENT, DeploymentIntent.CREATE): create
}
