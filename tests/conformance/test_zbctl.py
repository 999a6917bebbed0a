"""zbctl 8.4 (the Go client) against a real zeebind engine, one command after another."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from gateway_clients import Zbctl, bpmn, eventually
from pyzeebe import ZeebeClient

from zeebind.app import EngineApp
from zeebind.protocol import Record, ValueType
from zeebind.protocol.intent import IncidentIntent

pytestmark = pytest.mark.conformance


async def deploy(zbctl: Zbctl, name: str = "one-task.bpmn") -> dict[str, Any]:
    result: dict[str, Any] = (await zbctl("deploy", "resource", str(bpmn(name)))).json()
    return result


async def activate_one(
    zbctl: Zbctl, job_type: str = "one-task-work", **flags: str
) -> dict[str, Any]:
    args = [f"--{name}={value}" for name, value in flags.items()]
    jobs = (await zbctl("activate", "jobs", job_type, "--maxJobsToActivate", "1", *args)).json()
    [job] = jobs["jobs"]
    return dict(job)


async def test_status(zbctl: Zbctl, engine: EngineApp) -> None:
    out = (await zbctl("status")).stdout
    assert "Cluster size: 1" in out
    assert "Partitions count: 1" in out
    assert "Replication factor: 1" in out
    assert "Gateway version: 8.8.0" in out
    assert f"Broker 0 - 127.0.0.1:{engine.port}" in out
    assert "Partition 1 : Leader, Healthy" in out


async def test_status_json(zbctl: Zbctl) -> None:
    topology = (await zbctl("status", "--output", "json")).json()
    assert topology["gatewayVersion"] == "8.8.0"
    assert topology["brokers"][0]["partitions"][0]["partitionId"] == 1


async def test_deploy_resource(zbctl: Zbctl) -> None:
    response = await deploy(zbctl)
    [deployment] = response["deployments"]
    process = deployment["process"]
    assert process["bpmnProcessId"] == "one-task"
    assert process["version"] == 1
    assert process["resourceName"] == str(bpmn("one-task.bpmn")), "zbctl names it by its path"
    assert int(process["processDefinitionKey"]) >> 51 == 1
    assert response["tenantId"] == "<default>"


async def test_deprecated_deploy_uses_deploy_process(zbctl: Zbctl) -> None:
    response = (await zbctl("deploy", str(bpmn("one-task.bpmn")), str(bpmn("no-task.bpmn")))).json()
    assert [p["bpmnProcessId"] for p in response["processes"]] == ["one-task", "no-task"]
    assert int(response["key"]) > 0


async def test_deploy_invalid_resource(zbctl: Zbctl) -> None:
    result = await zbctl("deploy", "resource", str(bpmn("invalid-no-task-type.bpmn")), check=False)
    assert result.returncode != 0
    assert "code = InvalidArgument" in result.stderr
    assert "rejected with code 'INVALID_ARGUMENT'" in result.stderr


async def test_create_instance(zbctl: Zbctl) -> None:
    await deploy(zbctl)
    created = (await zbctl("create", "instance", "one-task", "--variables", '{"a": 1}')).json()
    assert created["bpmnProcessId"] == "one-task"
    assert created["version"] == 1
    assert int(created["processInstanceKey"]) > int(created["processDefinitionKey"])
    assert created["tenantId"] == "<default>"


async def test_create_instance_with_result(zbctl: Zbctl) -> None:
    await deploy(zbctl, "no-task.bpmn")
    result = (
        await zbctl("create", "instance", "no-task", "--withResult", "--variables", '{"x": "y"}')
    ).json()
    assert result["bpmnProcessId"] == "no-task"
    assert result["variables"] == '{"x":"y"}'


async def test_create_instance_of_unknown_process(zbctl: Zbctl) -> None:
    result = await zbctl("create", "instance", "nope", check=False)
    assert result.returncode != 0
    assert "code = NotFound" in result.stderr


async def test_publish_message(zbctl: Zbctl) -> None:
    await deploy(zbctl, "message-catch.bpmn")
    await zbctl("create", "instance", "message-catch", "--variables", '{"orderId": "o-1"}')
    published = (
        await zbctl("publish", "message", "paid", "--correlationKey", "o-1", "--messageId", "m-1")
    ).json()
    assert int(published["key"]) > 0
    again = await zbctl(
        "publish", "message", "paid", "--correlationKey", "o-1", "--messageId", "m-1", check=False
    )
    assert "code = AlreadyExists" in again.stderr


async def test_activate_and_complete_job(zbctl: Zbctl, zeebe: ZeebeClient) -> None:
    await deploy(zbctl)
    await zbctl("create", "instance", "one-task", "--variables", '{"amount": 5}')
    job = await activate_one(zbctl, worker="zbctl-test", variables="amount")
    assert job["type"] == "one-task-work"
    assert job["worker"] == "zbctl-test"
    assert job["retries"] == 3
    assert job["variables"] == '{"amount":5}'
    assert job["customHeaders"] == '{"kind":"demo"}'
    assert job["elementId"] == "work"
    out = (await zbctl("complete", "job", job["key"], "--variables", '{"done": true}')).stdout
    assert f"Completed job with key '{job['key']}'" in out
    again = await zbctl("complete", "job", job["key"], check=False)
    assert "code = NotFound" in again.stderr


async def test_fail_job_then_update_retries_then_resolve_incident(
    zbctl: Zbctl, committed: list[Record]
) -> None:
    await deploy(zbctl)
    await zbctl("create", "instance", "one-task")
    job = await activate_one(zbctl)
    out = (
        await zbctl("fail", "job", job["key"], "--retries", "2", "--errorMessage", "try again")
    ).stdout
    assert f"Failed job with key '{job['key']}'" in out
    job = await activate_one(zbctl)
    assert job["retries"] == 2
    await zbctl("fail", "job", job["key"], "--retries", "0", "--errorMessage", "give up")
    empty = (await zbctl("activate", "jobs", "one-task-work", "--requestTimeout", "300ms")).json()
    assert empty.get("jobs", []) == [], "a job without retries is not activatable"
    out = (await zbctl("update", "retries", job["key"], "--retries", "1")).stdout
    assert f"Updated the retries of job with key '{job['key']}' to '1'" in out
    incident = await open_incident_key(committed, int(job["key"]))
    out = (await zbctl("resolve", "incident", str(incident))).stdout
    assert f"Resolved an incident of a process instance with key '{incident}'" in out
    job = await activate_one(zbctl)
    assert job["retries"] == 1


async def test_resolve_unknown_incident(zbctl: Zbctl) -> None:
    result = await zbctl("resolve", "incident", "2251799813699999", check=False)
    assert "code = NotFound" in result.stderr


async def test_update_timeout(zbctl: Zbctl) -> None:
    await deploy(zbctl)
    await zbctl("create", "instance", "one-task")
    job = await activate_one(zbctl)
    out = (await zbctl("update", "timeout", job["key"], "--timeout", "600000")).stdout
    assert f"Updated the timeout of job with key '{job['key']}' to '600000'" in out
    unknown = await zbctl("update", "timeout", "2251799813699999", "--timeout", "1000", check=False)
    assert "code = NotFound" in unknown.stderr


async def test_throw_error_is_caught_by_boundary_event(zbctl: Zbctl) -> None:
    await deploy(zbctl, "error-boundary.bpmn")
    await zbctl("create", "instance", "error-boundary")
    job = await activate_one(zbctl, "risky-work")
    out = (
        await zbctl("throwError", "job", job["key"], "--errorCode", "BOOM", "--errorMessage", "x")
    ).stdout
    assert "BOOM" in out
    recover = await activate_one(zbctl, "recover-work")
    assert recover["elementId"] == "recover"


async def test_set_variables(zbctl: Zbctl) -> None:
    await deploy(zbctl)
    created = (await zbctl("create", "instance", "one-task", "--variables", '{"a": 1}')).json()
    instance = created["processInstanceKey"]
    out = (await zbctl("set", "variables", instance, "--variables", '{"b": 2}')).stdout
    assert f"Set the variables of element instance with key '{instance}'" in out
    assert re.search(r"with command '\d+'", out)
    job = await activate_one(zbctl)
    assert job["variables"] in ('{"a":1,"b":2}', '{"b":2,"a":1}')
    unknown = await zbctl(
        "set", "variables", "2251799813699999", "--variables", '{"c": 3}', check=False
    )
    assert "code = NotFound" in unknown.stderr


async def test_cancel_instance(zbctl: Zbctl) -> None:
    await deploy(zbctl)
    created = (await zbctl("create", "instance", "one-task")).json()
    instance = created["processInstanceKey"]
    out = (await zbctl("cancel", "instance", instance)).stdout
    assert f"Canceled process instance with key '{instance}'" in out
    again = await zbctl("cancel", "instance", instance, check=False)
    assert "code = NotFound" in again.stderr


async def open_incident_key(committed: list[Record], job_key: int) -> int:
    """The key of the incident raised for `job_key` (no zbctl command lists incidents)."""

    async def created() -> int | None:
        for record in committed:
            if (
                record.value_type is ValueType.INCIDENT
                and record.intent == IncidentIntent.CREATED
                and record.value.get("jobKey") == job_key
            ):
                return record.key
        return None

    key: int = await eventually(created)
    return key


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
async def test_create_worker(
    zbctl: Zbctl, zeebe: ZeebeClient, stream: bool, tmp_path: Path
) -> None:
    # The handler gets the job's variables on stdin; its stdout completes the job.
    handler = tmp_path / "handler.py"
    handler.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "print(json.dumps({'seen': json.load(sys.stdin)['amount']}))\n"
    )
    handler.chmod(0o755)
    await deploy(zbctl)
    flags = ["--streamEnabled"] if stream else []
    worker = await zbctl.start(
        "create", "worker", "one-task-work", "--handler", str(handler), *flags
    )
    try:
        result = await zeebe.run_process_with_result("one-task", {"amount": 3}, timeout=15_000)
    finally:
        await zbctl.stop(worker)
    assert result.variables == {"amount": 3, "seen": 3}


async def test_create_instance_with_result_fetches_named_variables(zbctl: Zbctl) -> None:
    await deploy(zbctl, "no-task.bpmn")
    result = (
        await zbctl(
            "create", "instance", "no-task", "--withResult=b", "--variables", '{"a": 1, "b": 2}'
        )
    ).json()
    assert result["variables"] == '{"b":2}'


async def test_evaluate_decision(zbctl: Zbctl) -> None:
    await deploy(zbctl, "dish.dmn")
    result = (
        await zbctl("evaluate", "decision", "dish", "--variables", '{"season": "Winter"}')
    ).json()
    assert result["decisionId"] == "dish"
    assert result["decisionOutput"] == '"Roastbeef"'
    unknown = await zbctl("evaluate", "decision", "nope", check=False)
    assert "code = NotFound" in unknown.stderr


async def test_delete_resource(zbctl: Zbctl) -> None:
    deployed = await deploy(zbctl)
    key = deployed["deployments"][0]["process"]["processDefinitionKey"]
    out = (await zbctl("delete", "resource", key)).stdout
    assert key in out
    gone = await zbctl("create", "instance", "one-task", check=False)
    assert "code = NotFound" in gone.stderr
    again = await zbctl("delete", "resource", key, check=False)
    assert "code = NotFound" in again.stderr


async def test_broadcast_signal(zbctl: Zbctl, zeebe: ZeebeClient, committed: list[Record]) -> None:
    await deploy(zbctl, "signal-catch.bpmn")
    waiting = asyncio.ensure_future(zeebe.run_process_with_result("signal-catch", timeout=5000))

    async def subscribed() -> bool:
        return any(r.value_type is ValueType.SIGNAL_SUBSCRIPTION for r in committed)

    await eventually(subscribed)
    out = (await zbctl("broadcast", "signal", "go", "--variables", '{"x": 1}')).stdout
    assert "key" in out
    assert (await waiting).bpmn_process_id == "signal-catch"
