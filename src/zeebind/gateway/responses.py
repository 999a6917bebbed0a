"""Broker response records to gateway response messages."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf.message import Message

from zeebind.gateway.protocol import pb
from zeebind.protocol import Record
from zeebind.protocol.record import TENANT_DEFAULT


def json_text(value: Any) -> str:
    """A JSON document as the protocol carries it: compact UTF-8 text. Text is passed through."""
    if isinstance(value, str | bytes):
        return value.decode() if isinstance(value, bytes) else value
    return json.dumps({} if value is None else value, separators=(",", ":"), ensure_ascii=False)


def _tenant(value: Mapping[str, Any]) -> str:
    return str(value.get("tenantId") or TENANT_DEFAULT)


def _enum(enum: Any, name: Any, default: int) -> int:
    try:
        number: int = enum.Value(str(name))
    except ValueError:
        return default
    return number


def activated_job(key: int, job: Mapping[str, Any]) -> Message:
    """One job as ActivateJobs and StreamActivatedJobs hand it out."""
    message: Message = pb.ActivatedJob(
        key=key,
        type=job["type"],
        processInstanceKey=job["processInstanceKey"],
        bpmnProcessId=job["bpmnProcessId"],
        processDefinitionVersion=job["processDefinitionVersion"],
        processDefinitionKey=job["processDefinitionKey"],
        elementId=job["elementId"],
        elementInstanceKey=job["elementInstanceKey"],
        customHeaders=json_text(job.get("customHeaders") or {}),
        worker=job.get("worker", ""),
        retries=job["retries"],
        deadline=job["deadline"],
        variables=json_text(job.get("variables") or {}),
        tenantId=_tenant(job),
        kind=_enum(pb.ActivatedJob.JobKind, job.get("jobKind", "BPMN_ELEMENT"), 0),
        listenerEventType=_enum(
            pb.ActivatedJob.ListenerEventType,
            job.get("jobListenerEventType", "UNSPECIFIED"),
            pb.ActivatedJob.UNSPECIFIED,
        ),
        tags=list(job.get("tags") or []),
    )
    return message


def activate_jobs_batches(record: Record, max_bytes: int) -> list[Message]:
    """The batch as ActivateJobsResponse messages of at most `max_bytes` each; jobs never split."""
    batches: list[Message] = []
    jobs: list[Message] = []
    size = 0
    keys = record.value.get("jobKeys", [])
    for key, job in zip(keys, record.value.get("jobs", []), strict=True):
        message = activated_job(key, job)
        job_size = message.ByteSize() + 8  # field tag and length prefix
        if jobs and size + job_size > max_bytes:
            batches.append(pb.ActivateJobsResponse(jobs=jobs))
            jobs, size = [], 0
        jobs.append(message)
        size += job_size
    if jobs:
        batches.append(pb.ActivateJobsResponse(jobs=jobs))
    return batches


def _process_metadata(process: Mapping[str, Any]) -> Message:
    message: Message = pb.ProcessMetadata(
        bpmnProcessId=process["bpmnProcessId"],
        version=process["version"],
        processDefinitionKey=process["processDefinitionKey"],
        resourceName=process["resourceName"],
        tenantId=_tenant(process),
    )
    return message


def deploy_resource(record: Record) -> Message:
    value = record.value
    deployments: list[Message] = [
        pb.Deployment(process=_process_metadata(process))
        for process in value.get("processesMetadata", [])
    ]
    deployments += [
        pb.Deployment(
            decision=pb.DecisionMetadata(
                dmnDecisionId=decision["decisionId"],
                dmnDecisionName=decision.get("decisionName", ""),
                version=decision["version"],
                decisionKey=decision["decisionKey"],
                dmnDecisionRequirementsId=decision.get("decisionRequirementsId", ""),
                decisionRequirementsKey=decision.get("decisionRequirementsKey", 0),
                tenantId=_tenant(decision),
            )
        )
        for decision in value.get("decisionsMetadata", [])
    ]
    deployments += [
        pb.Deployment(
            decisionRequirements=pb.DecisionRequirementsMetadata(
                dmnDecisionRequirementsId=drg["decisionRequirementsId"],
                dmnDecisionRequirementsName=drg.get("decisionRequirementsName", ""),
                version=drg["decisionRequirementsVersion"],
                decisionRequirementsKey=drg["decisionRequirementsKey"],
                resourceName=drg.get("resourceName", ""),
                tenantId=_tenant(drg),
            )
        )
        for drg in value.get("decisionRequirementsMetadata", [])
    ]
    deployments += [
        pb.Deployment(
            form=pb.FormMetadata(
                formId=form["formId"],
                version=form["version"],
                formKey=form["formKey"],
                resourceName=form.get("resourceName", ""),
                tenantId=_tenant(form),
            )
        )
        for form in value.get("formMetadata", [])
    ]
    response: Message = pb.DeployResourceResponse(
        key=record.key, deployments=deployments, tenantId=_tenant(value)
    )
    return response


def deploy_process(record: Record) -> Message:
    response: Message = pb.DeployProcessResponse(
        key=record.key,
        processes=[
            _process_metadata(process) for process in record.value.get("processesMetadata", [])
        ],
    )
    return response


def create_process_instance(record: Record) -> Message:
    value = record.value
    response: Message = pb.CreateProcessInstanceResponse(
        processDefinitionKey=value["processDefinitionKey"],
        bpmnProcessId=value["bpmnProcessId"],
        version=value["version"],
        processInstanceKey=value["processInstanceKey"],
        tenantId=_tenant(value),
        tags=list(value.get("tags") or []),
    )
    return response


def create_process_instance_with_result(record: Record) -> Message:
    value = record.value
    response: Message = pb.CreateProcessInstanceWithResultResponse(
        processDefinitionKey=value["processDefinitionKey"],
        bpmnProcessId=value["bpmnProcessId"],
        version=value["version"],
        processInstanceKey=value["processInstanceKey"],
        variables=json_text(value.get("variables") or {}),
        tenantId=_tenant(value),
        tags=list(value.get("tags") or []),
    )
    return response


def publish_message(record: Record) -> Message:
    response: Message = pb.PublishMessageResponse(key=record.key, tenantId=_tenant(record.value))
    return response


def broadcast_signal(record: Record) -> Message:
    response: Message = pb.BroadcastSignalResponse(key=record.key, tenantId=_tenant(record.value))
    return response


def set_variables(record: Record) -> Message:
    response: Message = pb.SetVariablesResponse(key=record.key)
    return response


def _evaluated_decision(decision: Mapping[str, Any]) -> Message:
    message: Message = pb.EvaluatedDecision(
        decisionKey=decision.get("decisionKey", 0),
        decisionId=decision.get("decisionId", ""),
        decisionName=decision.get("decisionName", ""),
        decisionVersion=decision.get("decisionVersion", 0),
        decisionType=decision.get("decisionType", ""),
        decisionOutput=json_text(decision.get("decisionOutput")),
        matchedRules=[
            pb.MatchedDecisionRule(
                ruleId=rule.get("ruleId", ""),
                ruleIndex=rule.get("ruleIndex", 0),
                evaluatedOutputs=[
                    pb.EvaluatedDecisionOutput(
                        outputId=output.get("outputId", ""),
                        outputName=output.get("outputName", ""),
                        outputValue=json_text(output.get("outputValue")),
                    )
                    for output in rule.get("evaluatedOutputs", [])
                ],
            )
            for rule in decision.get("matchedRules", [])
        ],
        evaluatedInputs=[
            pb.EvaluatedDecisionInput(
                inputId=evaluated.get("inputId", ""),
                inputName=evaluated.get("inputName", ""),
                inputValue=json_text(evaluated.get("inputValue")),
            )
            for evaluated in decision.get("evaluatedInputs", [])
        ],
        tenantId=_tenant(decision),
    )
    return message


def evaluate_decision(record: Record) -> Message:
    value = record.value
    response: Message = pb.EvaluateDecisionResponse(
        decisionKey=value.get("decisionKey", 0),
        decisionId=value.get("decisionId", ""),
        decisionName=value.get("decisionName", ""),
        decisionVersion=value.get("decisionVersion", 0),
        decisionRequirementsId=value.get("decisionRequirementsId", ""),
        decisionRequirementsKey=value.get("decisionRequirementsKey", 0),
        decisionOutput=json_text(value.get("decisionOutput")),
        evaluatedDecisions=[_evaluated_decision(d) for d in value.get("evaluatedDecisions", [])],
        failedDecisionId=value.get("failedDecisionId", ""),
        failureMessage=value.get("evaluationFailureMessage", ""),
        tenantId=_tenant(value),
        decisionInstanceKey=record.key,
        decisionEvaluationKey=record.key,
    )
    return response


def _empty(name: str) -> Callable[[Record], Message]:
    def response(record: Record) -> Message:
        message: Message = getattr(pb, name)()
        return message

    return response


# RPC name -> converter of the broker's response record, for every RPC in commands.COMMANDS.
RESPONSES: Mapping[str, Callable[[Record], Message]] = {
    "DeployResource": deploy_resource,
    "DeployProcess": deploy_process,
    "CreateProcessInstance": create_process_instance,
    "CreateProcessInstanceWithResult": create_process_instance_with_result,
    "CancelProcessInstance": _empty("CancelProcessInstanceResponse"),
    "ModifyProcessInstance": _empty("ModifyProcessInstanceResponse"),
    "MigrateProcessInstance": _empty("MigrateProcessInstanceResponse"),
    "SetVariables": set_variables,
    "ResolveIncident": _empty("ResolveIncidentResponse"),
    "PublishMessage": publish_message,
    "BroadcastSignal": broadcast_signal,
    "EvaluateDecision": evaluate_decision,
    "DeleteResource": _empty("DeleteResourceResponse"),
    "CompleteJob": _empty("CompleteJobResponse"),
    "FailJob": _empty("FailJobResponse"),
    "ThrowError": _empty("ThrowErrorResponse"),
    "UpdateJobRetries": _empty("UpdateJobRetriesResponse"),
    "UpdateJobTimeout": _empty("UpdateJobTimeoutResponse"),
}
