"""The same spec walk-through with the official Dapr Python SDK (gRPC `InvokeBinding`)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import pytest
from dapr.clients import DaprClient
from dapr.conf import settings
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sidecar_process import FIXTURES, Process, sidecar

pytestmark = pytest.mark.conformance


@pytest.fixture(scope="module")
def running() -> Iterator[Process]:
    with sidecar(env={"DAPR_API_TOKEN": "sdk-token"}) as process:
        yield process


@pytest.fixture
def client(running: Process, monkeypatch: pytest.MonkeyPatch) -> Iterator[DaprClient]:
    monkeypatch.setattr(settings, "DAPR_HTTP_PORT", running.http_port)
    monkeypatch.setattr(settings, "DAPR_GRPC_PORT", running.grpc_port)
    monkeypatch.setattr(settings, "DAPR_API_TOKEN", "sdk-token")
    with DaprClient(f"127.0.0.1:{running.grpc_port}") as dapr:
        yield dapr


def test_the_spec_through_the_sdk(client: DaprClient) -> None:
    topology = client.invoke_binding("zeebe-command", "topology", "{}").json()
    assert topology["brokers"][0]["nodeId"] == 0

    xml = (FIXTURES / "products-process.bpmn").read_bytes()
    deployed = client.invoke_binding(
        "zeebe-command", "deploy-resource", xml, {"fileName": "products-process.bpmn"}
    ).json()
    process = deployed["deployments"][0]["Metadata"]["Process"]
    assert process["bpmnProcessId"] == "products-process"

    created = client.invoke_binding(
        "zeebe-command",
        "create-instance",
        json.dumps(
            {"processDefinitionKey": process["processDefinitionKey"], "variables": {"n": 1}}
        ),
    ).json()
    assert created["processDefinitionKey"] == process["processDefinitionKey"]

    jobs = client.invoke_binding(
        "zeebe-command",
        "activate-jobs",
        json.dumps({"jobType": "fetch-products", "maxJobsToActivate": 1, "timeout": "PT5M"}),
    ).json()
    assert [job["processInstanceKey"] for job in jobs] == [created["processInstanceKey"]]

    done = client.invoke_binding(
        "zeebe-command", "complete-job", json.dumps({"jobKey": jobs[0]["key"]})
    )
    assert done.data == b""

    message = client.invoke_binding(
        "zeebe-command",
        "publish-message",
        json.dumps({"messageName": "m", "correlationKey": "c", "timeToLive": "1m"}),
    ).json()
    assert set(message) == {"key", "tenantId"}


def test_errors_reach_the_sdk_as_dapr_errors(client: DaprClient) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        client.invoke_binding(
            "zeebe-command", "complete-job", json.dumps({"jobKey": 2251799813685999})
        )
    err = caught.value
    assert err.code() == grpc.StatusCode.INTERNAL  # type: ignore[attr-defined]
    assert err.details().startswith(  # type: ignore[attr-defined]
        "error invoking output binding zeebe-command: "
        "cannot complete job for key 2251799813685999: "
        "rpc error: code = NotFound desc = Command 'COMPLETE' rejected with code 'NOT_FOUND'"
    )
    status = rpc_status.from_call(err)  # type: ignore[arg-type]
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert info.reason == "ERR_INVOKE_OUTPUT_BINDING"


def test_an_unknown_binding_and_operation(client: DaprClient) -> None:
    with pytest.raises(grpc.RpcError, match="couldn't find output binding nope"):
        client.invoke_binding("nope", "topology")
    with pytest.raises(
        grpc.RpcError, match=r"does not support operation jump\. supported operations:"
    ):
        client.invoke_binding("zeebe-command", "jump")
