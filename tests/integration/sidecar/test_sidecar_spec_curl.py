"""Every example of the Zeebe command binding spec, sent with curl to `zeebind run` (embedded
engine)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import spec_examples as spec
from sidecar_process import FIXTURES, Process, sidecar

BINDING = "/v1.0/bindings/zeebe-command"


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


def curl(base: str, body: str, path: str = BINDING) -> Reply:
    done = subprocess.run(
        [
            "curl",
            "-s",
            "-X",
            "POST",
            f"{base}{path}",
            "-H",
            "Content-Type: application/json",
            "-d",
            body,
            "-w",
            "\n%{http_code}",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    body_bytes, _, status = done.stdout.rpartition(b"\n")
    return Reply(int(status), body_bytes)


@pytest.fixture(scope="module")
def running() -> Iterator[Process]:
    with sidecar() as process:
        yield process


def test_topology(running: Process) -> None:
    reply = curl(running.http, spec.TOPOLOGY)
    assert reply.status == 200
    answer = reply.json()
    assert isinstance(answer, dict)
    assert list(answer) == [
        "brokers",
        "clusterSize",
        "partitionsCount",
        "replicationFactor",
        "gatewayVersion",
    ]
    [broker] = answer["brokers"]
    assert broker["nodeId"] == 0
    assert broker["partitions"] == [{"partitionId": 1, "role": 0, "health": 0}]
    assert (answer["clusterSize"], answer["partitionsCount"], answer["replicationFactor"]) == (
        1,
        1,
        1,
    )


def test_the_spec_from_deploy_to_throw_error(running: Process) -> None:
    xml = (FIXTURES / "products-process.bpmn").read_text()
    deployed = curl(running.http, spec.DEPLOY_PROCESS.substitute(content=json.dumps(xml)))
    assert deployed.status == 200, deployed.body
    deployment = deployed.json()
    assert isinstance(deployment, dict)
    [entry] = deployment["deployments"]
    process = entry["Metadata"]["Process"]
    assert process["bpmnProcessId"] == "products-process"
    assert process["resourceName"] == "products-process.bpmn"
    definition_key = process["processDefinitionKey"]

    by_id = curl(running.http, spec.CREATE_INSTANCE_BY_ID)
    assert by_id.status == 200, by_id.body
    first = by_id.json()
    assert isinstance(first, dict)
    assert list(first) == [
        "processDefinitionKey",
        "bpmnProcessId",
        "version",
        "processInstanceKey",
        "tenantId",
    ]
    assert first["processDefinitionKey"] == definition_key
    by_key = curl(
        running.http, spec.CREATE_INSTANCE_BY_KEY.substitute(processDefinitionKey=definition_key)
    )
    assert by_key.status == 200, by_key.body
    second = by_key.json()
    assert isinstance(second, dict)
    third = curl(running.http, spec.CREATE_INSTANCE_BY_ID).json()
    assert isinstance(third, dict)

    variables = curl(
        running.http,
        spec.SET_VARIABLES.substitute(elementInstanceKey=second["processInstanceKey"]),
    )
    assert variables.status == 200, variables.body
    assert isinstance(variables.json(), dict)
    assert set(variables.json()) == {"key"}  # type: ignore[arg-type]

    activated = curl(running.http, spec.ACTIVATE_JOBS)
    assert activated.status == 200, activated.body
    jobs = activated.json()
    assert isinstance(jobs, list)
    assert len(jobs) == 3
    job = jobs[0]
    assert job["type"] == "fetch-products"
    assert job["worker"] == "products-worker"
    assert job["elementId"] == "fetch"
    assert json.loads(job["customHeaders"]) == {"source": "catalog"}
    assert json.loads(job["variables"]) == {
        "productId": "some-product-id",
        "productName": "some-product-name",
        "productKey": "some-product-key",
    }
    keys = [item["key"] for item in jobs]

    completed = curl(running.http, spec.COMPLETE_JOB.substitute(jobKey=keys[0]))
    assert (completed.status, completed.body) == (200, b"")
    failed = curl(running.http, spec.FAIL_JOB.substitute(jobKey=keys[1]))
    assert (failed.status, failed.body) == (200, b"")
    retries = curl(running.http, spec.UPDATE_JOB_RETRIES.substitute(jobKey=keys[1]))
    assert (retries.status, retries.body) == (200, b"")
    thrown = curl(running.http, spec.THROW_ERROR.substitute(jobKey=keys[2]))
    assert (thrown.status, thrown.body) == (200, b"")

    cancelled = curl(
        running.http,
        spec.CANCEL_INSTANCE.substitute(processInstanceKey=second["processInstanceKey"]),
    )
    assert (cancelled.status, cancelled.body) == (200, b"")
    again = curl(
        running.http,
        spec.CANCEL_INSTANCE.substitute(processInstanceKey=second["processInstanceKey"]),
    )
    assert again.status == 500
    assert again.json()["errorCode"] == "ERR_INVOKE_OUTPUT_BINDING"  # type: ignore[index]
    assert again.json()["message"].startswith(  # type: ignore[index]
        "error invoking output binding zeebe-command: cannot cancel instance for "
        f"process instance key {second['processInstanceKey']}: rpc error: code = NotFound desc = "
    )


def test_resolve_incident_names_the_key(running: Process) -> None:
    reply = curl(running.http, spec.RESOLVE_INCIDENT.substitute(incidentKey=2251799813686123))
    assert reply.status == 500
    message = reply.json()["message"]  # type: ignore[index]
    assert message.startswith(
        "error invoking output binding zeebe-command: cannot resolve incident for key "
        "2251799813686123: rpc error: code = NotFound desc = "
    )


def test_publish_message(running: Process) -> None:
    reply = curl(running.http, spec.PUBLISH_MESSAGE)
    assert reply.status == 200, reply.body
    answer = reply.json()
    assert isinstance(answer, dict)
    assert list(answer) == ["key", "tenantId"]
    printed = curl(running.http, spec.PUBLISH_MESSAGE_AS_PRINTED)
    assert (printed.status, printed.json()) == (
        500,
        {
            "errorCode": "ERR_INVOKE_OUTPUT_BINDING",
            "message": "operation field is missing from request",
        },
    )


def test_activate_jobs_with_nothing_to_activate_is_an_empty_array(running: Process) -> None:
    body = json.dumps(
        {
            "data": {
                "jobType": "nobody-works-here",
                "maxJobsToActivate": 5,
                "requestTimeout": "-1s",
            },
            "operation": "activate-jobs",
        }
    )
    reply = curl(running.http, body)
    assert (reply.status, reply.body) == (200, b"[]")
