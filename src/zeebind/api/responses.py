"""What the Python API's calls return: frozen dataclasses with pyzeebe 4's names and fields."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

Variables = dict[str, Any]


@dataclass(frozen=True)
class CreateProcessInstanceResponse:
    process_definition_key: int
    bpmn_process_id: str
    version: int
    process_instance_key: int
    tenant_id: str | None


@dataclass(frozen=True)
class CreateProcessInstanceWithResultResponse:
    process_definition_key: int
    bpmn_process_id: str
    version: int
    process_instance_key: int
    variables: Variables
    tenant_id: str | None


@dataclass(frozen=True)
class CancelProcessInstanceResponse:
    pass


@dataclass(frozen=True)
class ProcessMetadata:
    bpmn_process_id: str
    version: int
    process_definition_key: int
    resource_name: str
    tenant_id: str | None


@dataclass(frozen=True)
class DecisionMetadata:
    dmn_decision_id: str
    dmn_decision_name: str
    version: int
    decision_key: int
    dmn_decision_requirements_id: str
    decision_requirements_key: int
    tenant_id: str | None


@dataclass(frozen=True)
class DecisionRequirementsMetadata:
    dmn_decision_requirements_id: str
    dmn_decision_requirements_name: str
    version: int
    decision_requirements_key: int
    resource_name: str
    tenant_id: str | None


@dataclass(frozen=True)
class FormMetadata:
    form_id: str
    version: int
    form_key: int
    resource_name: str
    tenant_id: str | None


Metadata = ProcessMetadata | DecisionMetadata | DecisionRequirementsMetadata | FormMetadata


@dataclass(frozen=True)
class DeployResourceResponse:
    key: int
    deployments: list[Metadata]
    tenant_id: str | None

    @property
    def processes(self) -> list[ProcessMetadata]:
        return [d for d in self.deployments if isinstance(d, ProcessMetadata)]


# pyzeebe spells the entries as nested classes: DeployResourceResponse.ProcessMetadata …
for _entry in (ProcessMetadata, DecisionMetadata, DecisionRequirementsMetadata, FormMetadata):
    setattr(DeployResourceResponse, _entry.__name__, _entry)


@dataclass(frozen=True)
class PublishMessageResponse:
    key: int
    tenant_id: str | None


@dataclass(frozen=True)
class BroadcastSignalResponse:
    key: int
    tenant_id: str | None


@dataclass(frozen=True)
class EvaluatedDecisionOutput:
    output_id: str
    output_name: str
    output_value: Any


@dataclass(frozen=True)
class MatchedDecisionRule:
    rule_id: str
    rule_index: int
    evaluated_outputs: list[EvaluatedDecisionOutput]


@dataclass(frozen=True)
class EvaluatedDecisionInput:
    input_id: str
    input_name: str
    input_value: Any


@dataclass(frozen=True)
class EvaluatedDecision:
    decision_key: int
    decision_id: str
    decision_name: str
    decision_version: int
    decision_type: str
    decision_output: Any
    matched_rules: list[MatchedDecisionRule]
    evaluated_inputs: list[EvaluatedDecisionInput]
    tenant_id: str | None


@dataclass(frozen=True)
class EvaluateDecisionResponse:
    decision_key: int
    decision_id: str
    decision_name: str
    decision_version: int
    decision_requirements_id: str
    decision_requirements_key: int
    decision_output: Any
    evaluated_decisions: list[EvaluatedDecision]
    failed_decision_id: str
    failure_message: str
    tenant_id: str | None
    decision_instance_key: int


@dataclass(frozen=True)
class Partition:
    partition_id: int
    role: int  # 0 leader, 1 follower, 2 inactive
    health: int  # 0 healthy, 1 unhealthy, 2 dead


@dataclass(frozen=True)
class BrokerInfo:
    node_id: int
    host: str
    port: int
    partitions: list[Partition]
    version: str


@dataclass(frozen=True)
class TopologyResponse:
    brokers: list[BrokerInfo]
    cluster_size: int
    partitions_count: int
    replication_factor: int
    gateway_version: str


@dataclass(frozen=True)
class Job:
    """An activated job, as a handler sees it."""

    key: int
    type: str
    process_instance_key: int
    bpmn_process_id: str
    process_definition_version: int
    process_definition_key: int
    element_id: str
    element_instance_key: int
    custom_headers: Mapping[str, Any]
    worker: str
    retries: int
    deadline: int
    variables: Mapping[str, Any]
    tenant_id: str | None = None


# --- from gateway messages ----------------------------------------------------------------------


def _json(text: str) -> Any:
    return json.loads(text) if text else None


def _object(text: str) -> Variables:
    value = _json(text)
    return value if isinstance(value, dict) else {}


def create_process_instance(m: Any) -> CreateProcessInstanceResponse:
    return CreateProcessInstanceResponse(
        process_definition_key=m.processDefinitionKey,
        bpmn_process_id=m.bpmnProcessId,
        version=m.version,
        process_instance_key=m.processInstanceKey,
        tenant_id=m.tenantId,
    )


def create_process_instance_with_result(m: Any) -> CreateProcessInstanceWithResultResponse:
    return CreateProcessInstanceWithResultResponse(
        process_definition_key=m.processDefinitionKey,
        bpmn_process_id=m.bpmnProcessId,
        version=m.version,
        process_instance_key=m.processInstanceKey,
        variables=_object(m.variables),
        tenant_id=m.tenantId,
    )


def deploy_resource(m: Any) -> DeployResourceResponse:
    deployments: list[Metadata] = []
    for d in m.deployments:
        kind = d.WhichOneof("Metadata")
        if kind == "process":
            p = d.process
            deployments.append(
                ProcessMetadata(
                    p.bpmnProcessId, p.version, p.processDefinitionKey, p.resourceName, p.tenantId
                )
            )
        elif kind == "decision":
            x = d.decision
            deployments.append(
                DecisionMetadata(
                    x.dmnDecisionId,
                    x.dmnDecisionName,
                    x.version,
                    x.decisionKey,
                    x.dmnDecisionRequirementsId,
                    x.decisionRequirementsKey,
                    x.tenantId,
                )
            )
        elif kind == "decisionRequirements":
            r = d.decisionRequirements
            deployments.append(
                DecisionRequirementsMetadata(
                    r.dmnDecisionRequirementsId,
                    r.dmnDecisionRequirementsName,
                    r.version,
                    r.decisionRequirementsKey,
                    r.resourceName,
                    r.tenantId,
                )
            )
        elif kind == "form":
            f = d.form
            deployments.append(
                FormMetadata(f.formId, f.version, f.formKey, f.resourceName, f.tenantId)
            )
    return DeployResourceResponse(key=m.key, deployments=deployments, tenant_id=m.tenantId)


def evaluate_decision(m: Any) -> EvaluateDecisionResponse:
    return EvaluateDecisionResponse(
        decision_key=m.decisionKey,
        decision_id=m.decisionId,
        decision_name=m.decisionName,
        decision_version=m.decisionVersion,
        decision_requirements_id=m.decisionRequirementsId,
        decision_requirements_key=m.decisionRequirementsKey,
        decision_output=_json(m.decisionOutput),
        evaluated_decisions=[_evaluated(d) for d in m.evaluatedDecisions],
        failed_decision_id=m.failedDecisionId,
        failure_message=m.failureMessage,
        tenant_id=m.tenantId,
        decision_instance_key=m.decisionInstanceKey,
    )


def _evaluated(d: Any) -> EvaluatedDecision:
    return EvaluatedDecision(
        decision_key=d.decisionKey,
        decision_id=d.decisionId,
        decision_name=d.decisionName,
        decision_version=d.decisionVersion,
        decision_type=d.decisionType,
        decision_output=_json(d.decisionOutput),
        matched_rules=[
            MatchedDecisionRule(
                r.ruleId,
                r.ruleIndex,
                [
                    EvaluatedDecisionOutput(o.outputId, o.outputName, _json(o.outputValue))
                    for o in r.evaluatedOutputs
                ],
            )
            for r in d.matchedRules
        ],
        evaluated_inputs=[
            EvaluatedDecisionInput(i.inputId, i.inputName, _json(i.inputValue))
            for i in d.evaluatedInputs
        ],
        tenant_id=d.tenantId,
    )


def topology(m: Any) -> TopologyResponse:
    return TopologyResponse(
        brokers=[
            BrokerInfo(
                b.nodeId,
                b.host,
                b.port,
                [Partition(p.partitionId, p.role, p.health) for p in b.partitions],
                b.version,
            )
            for b in m.brokers
        ],
        cluster_size=m.clusterSize,
        partitions_count=m.partitionsCount,
        replication_factor=m.replicationFactor,
        gateway_version=m.gatewayVersion,
    )


def job(m: Any) -> Job:
    return Job(
        key=m.key,
        type=m.type,
        process_instance_key=m.processInstanceKey,
        bpmn_process_id=m.bpmnProcessId,
        process_definition_version=m.processDefinitionVersion,
        process_definition_key=m.processDefinitionKey,
        element_id=m.elementId,
        element_instance_key=m.elementInstanceKey,
        custom_headers=MappingProxyType(_object(m.customHeaders)),
        worker=m.worker,
        retries=m.retries,
        deadline=m.deadline,
        variables=MappingProxyType(_object(m.variables)),
        tenant_id=m.tenantId,
    )
