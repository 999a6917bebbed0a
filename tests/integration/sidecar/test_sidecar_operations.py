"""Operations beyond the spec's examples, end to end against `zeebind run` over HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sidecar_process import FIXTURES, Process, sidecar

SHARED_FIXTURES = Path(__file__).parents[2] / "fixtures" / "bpmn"


@pytest.fixture(scope="module")
def running() -> Iterator[Process]:
    with sidecar() as process:
        yield process


def invoke(
    running: Process, operation: str, data: object = None, **metadata: str
) -> httpx.Response:
    body = {"operation": operation, "data": data, "metadata": metadata}
    return httpx.post(f"{running.http}/v1.0/bindings/zeebe-command", json=body, timeout=30)


def not_yet(reply: httpx.Response, context: str) -> bool:
    """True when the engine answered that it does not support the command yet (a clear error)."""
    if reply.status_code != 500 or "not supported yet" not in reply.text:
        return False
    assert reply.json()["message"].startswith(
        f"error invoking output binding zeebe-command: {context}: rpc error: code = "
    )
    return True


def ok(reply: httpx.Response) -> object:
    assert reply.status_code == 200, reply.text
    return reply.json() if reply.content else None


def deploy(running: Process, path: Path) -> dict[str, object]:
    answer = ok(invoke(running, "deploy-resource", path.read_text(), fileName=path.name))
    assert isinstance(answer, dict)
    return answer


def test_deploy_dmn_and_evaluate(running: Process) -> None:
    answer = deploy(running, FIXTURES / "dish.dmn")
    decision, drg = (item["Metadata"] for item in answer["deployments"])  # type: ignore[attr-defined]
    assert decision["Decision"]["dmnDecisionId"] == "dish"
    assert decision["Decision"]["dmnDecisionName"] == "Dish"
    assert drg["DecisionRequirements"]["dmnDecisionRequirementsId"] == "dish-decisions"
    assert drg["DecisionRequirements"]["resourceName"] == "dish.dmn"
    reply = invoke(
        running, "evaluate-decision", {"decisionId": "dish", "variables": {"season": "Fall"}}
    )
    if not_yet(reply, "cannot evaluate decision dish"):
        return
    result = ok(reply)
    assert isinstance(result, dict)
    assert json.loads(result["decisionOutput"]) == "Potato fries"
    by_key = ok(
        invoke(
            running,
            "evaluate-decision",
            {"decisionKey": decision["Decision"]["decisionKey"], "variables": {"season": "Winter"}},
        )
    )
    assert json.loads(by_key["decisionOutput"]) == "Roast apple"  # type: ignore[index]


def test_deploy_a_form_as_json_and_base64(running: Process) -> None:
    form = {"id": "order-form", "type": "default", "components": []}
    answer = ok(invoke(running, "deploy-resource", form, fileName="order.form"))
    assert answer["deployments"][0]["Metadata"]["Form"]["formId"] == "order-form"  # type: ignore[index]
    encoded = base64.b64encode(json.dumps(form).encode()).decode()
    again = ok(
        invoke(running, "deploy-resource", encoded, fileName="order.form", encoding="base64")
    )
    assert again["deployments"][0]["Metadata"]["Form"]["formId"] == "order-form"  # type: ignore[index]


def test_create_instance_with_result(running: Process) -> None:
    deploy(running, SHARED_FIXTURES / "no-task.bpmn")
    answer = ok(
        invoke(
            running,
            "create-instance",
            {
                "bpmnProcessId": "no-task",
                "variables": {"big": 9007199254740993, "small": 1},
                "withResult": True,
                "requestTimeout": "PT10S",
                "fetchVariables": ["big"],
            },
        )
    )
    assert isinstance(answer, dict)
    assert json.loads(answer["variables"]) == {"big": 9007199254740993}
    assert '"big":9007199254740993' in answer["variables"].replace(" ", "")


def test_job_operations(running: Process) -> None:
    deploy(running, SHARED_FIXTURES / "error-boundary.bpmn")
    created = ok(invoke(running, "create-instance", {"bpmnProcessId": "error-boundary"}))
    jobs = ok(invoke(running, "activate-jobs", {"jobType": "risky-work", "maxJobsToActivate": 1}))
    assert isinstance(jobs, list)
    [job] = jobs
    assert job["processInstanceKey"] == created["processInstanceKey"]  # type: ignore[index]
    assert (
        ok(invoke(running, "update-job-timeout", {"jobKey": job["key"], "timeout": "10m"})) is None
    )
    assert (
        ok(
            invoke(
                running,
                "throw-error",
                {"jobKey": job["key"], "errorCode": "boom", "variables": {"why": "test"}},
            )
        )
        is None
    )
    again = invoke(running, "complete-job", {"jobKey": job["key"]})
    assert again.status_code == 500
    assert f"cannot complete job for key {job['key']}: rpc error: code = " in again.text


def test_fail_job_with_backoff_and_variables(running: Process) -> None:
    deploy(running, SHARED_FIXTURES / "one-task.bpmn")
    ok(invoke(running, "create-instance", {"bpmnProcessId": "one-task"}))
    [job] = ok(
        invoke(running, "activate-jobs", {"jobType": "one-task-work", "maxJobsToActivate": 1})
    )  # type: ignore[misc]
    failed = invoke(
        running,
        "fail-job",
        {"jobKey": job["key"], "retries": 2, "retryBackOff": "1h", "variables": {"tries": 1}},
    )
    assert (failed.status_code, failed.content) == (200, b"")
    none = ok(
        invoke(
            running,
            "activate-jobs",
            {"jobType": "one-task-work", "maxJobsToActivate": 1, "requestTimeout": -1},
        )
    )
    assert none == []  # backing off for an hour


def test_broadcast_signal_and_delete_resource(running: Process) -> None:
    reply = invoke(running, "broadcast-signal", {"signalName": "nobody-listens"})
    if not not_yet(reply, "cannot broadcast signal with name nobody-listens"):
        assert set(ok(reply)) == {"key", "tenantId"}  # type: ignore[arg-type]
    answer = deploy(running, FIXTURES / "products-process.bpmn")
    key = answer["deployments"][0]["Metadata"]["Process"]["processDefinitionKey"]  # type: ignore[index]
    reply = invoke(running, "delete-resource", {"resourceKey": key})
    assert reply.status_code in (200, 500), reply.text
    if reply.status_code == 500:
        assert f"cannot delete resource for key {key}: rpc error:" in reply.json()["message"]


@pytest.mark.parametrize(
    ("operation", "data", "context"),
    [
        (
            "modify-process-instance",
            {
                "processInstanceKey": 2251799813685249,
                "terminateInstructions": [{"elementInstanceKey": 1}],
            },
            "cannot modify process instance for key 2251799813685249",
        ),
        (
            "migrate-process-instance",
            {
                "processInstanceKey": 2251799813685249,
                "migrationPlan": {"targetProcessDefinitionKey": 1},
            },
            "cannot migrate process instance for key 2251799813685249",
        ),
    ],
)
def test_operations_the_engine_lacks_say_so(
    running: Process, operation: str, data: object, context: str
) -> None:
    reply = invoke(running, operation, data)
    assert reply.status_code == 500
    message = reply.json()["message"]
    assert message.startswith(f"error invoking output binding zeebe-command: {context}: rpc error:")
