"""Broker response records become the gateway's response messages, keys exact."""

from __future__ import annotations

import json
from typing import Any

from zeebind.gateway import responses
from zeebind.gateway.protocol import pb
from zeebind.protocol import Record, RecordType, ValueType

KEY = 2251799813685249


def record(value: dict[str, Any], key: int = KEY, value_type: ValueType = ValueType.JOB) -> Record:
    return Record(RecordType.EVENT, value_type, "X", value, key=key)


def job_value(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "type": "charge",
        "worker": "w1",
        "retries": 3,
        "deadline": 1_700_000_000_123,
        "timeout": 300_000,
        "customHeaders": {"method": "card"},
        "variables": {"amount": 12.5, "big": KEY * 2},
        "errorMessage": "",
        "errorCode": "",
        "retryBackoff": 0,
        "recurringTime": -1,
        "elementId": "charge-task",
        "elementInstanceKey": KEY + 7,
        "processInstanceKey": KEY + 5,
        "bpmnProcessId": "order",
        "processDefinitionVersion": 2,
        "processDefinitionKey": KEY + 1,
        "jobKind": "BPMN_ELEMENT",
        "tenantId": "<default>",
    }
    value.update(changes)
    return value


def test_activated_job_fields() -> None:
    job: Any = responses.activated_job(KEY + 9, job_value())
    assert job.key == KEY + 9
    assert (job.type, job.worker, job.retries, job.deadline) == (
        "charge",
        "w1",
        3,
        1_700_000_000_123,
    )
    assert (job.processInstanceKey, job.elementInstanceKey, job.processDefinitionKey) == (
        KEY + 5,
        KEY + 7,
        KEY + 1,
    )
    assert (job.bpmnProcessId, job.processDefinitionVersion, job.elementId) == (
        "order",
        2,
        "charge-task",
    )
    assert json.loads(job.customHeaders) == {"method": "card"}
    assert json.loads(job.variables) == {"amount": 12.5, "big": KEY * 2}
    assert job.tenantId == "<default>"
    assert job.kind == pb.ActivatedJob.BPMN_ELEMENT
    assert job.listenerEventType == pb.ActivatedJob.UNSPECIFIED
    wire = pb.ActivatedJob.FromString(job.SerializeToString())
    assert wire.key == KEY + 9


def test_activated_job_defaults_for_missing_optional_fields() -> None:
    job: Any = responses.activated_job(
        KEY, job_value(customHeaders={}, variables={}, tenantId="", jobKind="TASK_LISTENER")
    )
    assert job.customHeaders == "{}"
    assert job.variables == "{}"
    assert job.tenantId == "<default>"
    assert job.kind == pb.ActivatedJob.TASK_LISTENER


def test_activate_jobs_batch_pairs_keys_and_jobs() -> None:
    batches: Any = responses.activate_jobs_batches(
        record({"jobKeys": [KEY, KEY + 1], "jobs": [job_value(), job_value(retries=1)]}),
        4 * 1024 * 1024,
    )
    [batch] = batches
    assert [job.key for job in batch.jobs] == [KEY, KEY + 1]
    assert [job.retries for job in batch.jobs] == [3, 1]


def test_big_batches_are_split_into_messages_under_the_limit() -> None:
    blob = "x" * 1000
    jobs = [job_value(variables={"blob": blob, "i": i}) for i in range(10)]
    limit = 3500
    batches: Any = responses.activate_jobs_batches(
        record({"jobKeys": [KEY + i for i in range(10)], "jobs": jobs}), limit
    )
    assert len(batches) > 1
    assert all(batch.ByteSize() <= limit for batch in batches)
    keys = [job.key for batch in batches for job in batch.jobs]
    assert keys == [KEY + i for i in range(10)], "every job once, in order"


def test_a_job_larger_than_the_limit_still_goes_alone() -> None:
    batches: Any = responses.activate_jobs_batches(
        record({"jobKeys": [KEY], "jobs": [job_value(variables={"blob": "x" * 5000})]}), 1000
    )
    assert [len(batch.jobs) for batch in batches] == [1]


def test_deploy_resource_lists_every_kind_of_metadata() -> None:
    value = {
        "processesMetadata": [
            {
                "bpmnProcessId": "order",
                "version": 1,
                "processDefinitionKey": KEY + 1,
                "resourceName": "order.bpmn",
                "checksum": "x",
                "isDuplicate": False,
                "tenantId": "<default>",
            }
        ],
        "decisionRequirementsMetadata": [
            {
                "decisionRequirementsId": "drg",
                "decisionRequirementsName": "DRG",
                "decisionRequirementsVersion": 1,
                "decisionRequirementsKey": KEY + 2,
                "resourceName": "d.dmn",
                "tenantId": "<default>",
            }
        ],
        "decisionsMetadata": [
            {
                "decisionId": "dish",
                "decisionName": "Dish",
                "version": 1,
                "decisionKey": KEY + 3,
                "decisionRequirementsId": "drg",
                "decisionRequirementsKey": KEY + 2,
                "tenantId": "<default>",
            }
        ],
        "formMetadata": [
            {
                "formId": "f",
                "version": 1,
                "formKey": KEY + 4,
                "resourceName": "f.form",
                "tenantId": "<default>",
            }
        ],
    }
    response: Any = responses.deploy_resource(record(value, value_type=ValueType.DEPLOYMENT))
    assert response.key == KEY
    assert response.tenantId == "<default>"
    kinds = [deployment.WhichOneof("Metadata") for deployment in response.deployments]
    assert kinds == ["process", "decision", "decisionRequirements", "form"]
    process, decision, drg, form = response.deployments
    assert process.process.processDefinitionKey == KEY + 1
    assert process.process.resourceName == "order.bpmn"
    assert decision.decision.dmnDecisionId == "dish"
    assert decision.decision.decisionRequirementsKey == KEY + 2
    assert drg.decisionRequirements.dmnDecisionRequirementsName == "DRG"
    assert form.form.formKey == KEY + 4
    legacy: Any = responses.deploy_process(record(value, value_type=ValueType.DEPLOYMENT))
    assert [p.bpmnProcessId for p in legacy.processes] == ["order"]


def test_create_responses() -> None:
    value = {
        "processInstanceKey": KEY + 10,
        "processDefinitionKey": KEY + 1,
        "bpmnProcessId": "order",
        "version": 3,
        "tenantId": "<default>",
    }
    created: Any = responses.create_process_instance(record(value))
    assert (created.processInstanceKey, created.version, created.tenantId) == (
        KEY + 10,
        3,
        "<default>",
    )
    result: Any = responses.create_process_instance_with_result(
        record({**value, "variables": {"total": 7, "name": "é"}})
    )
    assert json.loads(result.variables) == {"total": 7, "name": "é"}
    assert result.processInstanceKey == KEY + 10


def test_keyed_responses() -> None:
    published: Any = responses.publish_message(record({"tenantId": "<default>"}, key=KEY + 3))
    assert (published.key, published.tenantId) == (KEY + 3, "<default>")
    assert responses.set_variables(record({}, key=KEY + 4)).key == KEY + 4  # type: ignore[attr-defined]
    signal: Any = responses.broadcast_signal(record({}, key=KEY + 5))
    assert (signal.key, signal.tenantId) == (KEY + 5, "<default>")
    empty = responses.RESPONSES["CompleteJob"](record({}))
    assert empty.DESCRIPTOR.name == "CompleteJobResponse"


def test_json_text_passes_text_through() -> None:
    assert responses.json_text('{"a":1}') == '{"a":1}'
    assert responses.json_text({"a": [1, 2]}) == '{"a":[1,2]}'
    assert responses.json_text(None) == "{}"
