"""`zeebind run` refuses a bad component at start-up, naming the file, the component and the field;
and bad requests against the running sidecar get Dapr's error bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sidecar_process import Process, run_to_exit, sidecar

GOOD = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: zeebe-command
spec:
  type: bindings.zeebe.command
  version: v1
  metadata:
  - name: gatewayAddr
    value: localhost:26500
  - name: usePlainTextConnection
    value: "true"
"""


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        (
            "bindings.zeebe.command",
            "bindings.zeebe.commands",
            "spec.type",
            "unknown component type 'bindings.zeebe.commands' (zeebind supports "
            "bindings.zeebe.command, bindings.zeebe.jobworker)",
        ),
        ("localhost:26500", '""', "gatewayAddr", "gatewayAddr is a required attribute"),
        ('"true"', "maybe", "usePlainTextConnection", '"maybe" is not a boolean'),
        (
            '    value: "true"\n',
            '    value: "true"\n  - name: gatewayKeepAlive\n    value: soon\n',
            "gatewayKeepAlive",
            '"soon" is not a duration',
        ),
        (
            '    value: "true"\n',
            '    value: "false"\n  - name: caCertificatePath\n    value: /nonexistent/ca.pem\n',
            "caCertificatePath",
            "expected to find CA certificate but no such file at '/nonexistent/ca.pem'",
        ),
        (
            '    value: "true"\n',
            '    value: "true"\n  - name: clientId\n    value: me\n',
            "clientSecret",
            "invalid OAuth metadata: when OAuth is configured, clientId, clientSecret, "
            "authorizationServerUrl, and tokenAudience must all be provided; missing: "
            "clientSecret, authorizationServerUrl, tokenAudience",
        ),
    ],
)
def test_a_bad_component_stops_start_up(
    tmp_path: Path, old: str, new: str, field: str, problem: str
) -> None:
    path = tmp_path / "zeebe.yaml"
    path.write_text(GOOD.replace(old, new))
    code, stderr = run_to_exit("run", "--no-engine", "--resources-path", str(tmp_path))
    assert code == 2
    assert stderr.startswith(
        f"zeebind run: error: {path}: component 'zeebe-command': field '{field}': {problem}"
    )
    assert stderr.count("\n") == 1, "one line, no traceback"


@pytest.fixture(scope="module")
def running() -> Iterator[Process]:
    with sidecar() as process:
        yield process


def post(running: Process, content: bytes, name: str = "zeebe-command") -> httpx.Response:
    return httpx.post(f"{running.http}/v1.0/bindings/{name}", content=content, timeout=30)


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        (
            b"not json",
            400,
            "ERR_MALFORMED_REQUEST",
            "failed deserializing HTTP body: Expecting value",
        ),
        (b"", 400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: EOF"),
        (
            b'{"operation": "complete-job", "data": {}}',
            500,
            "ERR_INVOKE_OUTPUT_BINDING",
            "error invoking output binding zeebe-command: jobKey is a required attribute",
        ),
        (
            b'{"operation": "complete-job", "data": {"jobKey": "one"}}',
            500,
            "ERR_INVOKE_OUTPUT_BINDING",
            "error invoking output binding zeebe-command: cannot parse data: field 'jobKey' "
            "must be an integer (int64), not a string",
        ),
        (
            b'{"operation": "fail-job", '
            b'"data": {"jobKey": 1, "retries": 1, "retryBackOff": "1 min"}}',
            500,
            "ERR_INVOKE_OUTPUT_BINDING",
            'error invoking output binding zeebe-command: invalid value "1 min" for field '
            "'retryBackOff' (expected a Go duration string",
        ),
        (
            b'{"operation": "fly"}',
            500,
            "ERR_INVOKE_OUTPUT_BINDING",
            "binding zeebe-command does not support operation fly. supported operations:topology "
            "deploy-process deploy-resource create-instance",
        ),
    ],
)
def test_bad_requests(running: Process, body: bytes, status: int, code: str, message: str) -> None:
    reply = post(running, body)
    assert reply.status_code == status
    assert reply.json()["errorCode"] == code
    assert reply.json()["message"].startswith(message)


def test_an_unknown_binding(running: Process) -> None:
    reply = post(running, b'{"operation": "topology"}', name="zeebe")
    assert (reply.status_code, reply.json()["message"]) == (
        500,
        "couldn't find output binding zeebe",
    )


def test_the_4_mib_limit(running: Process) -> None:
    big = json.dumps({"operation": "topology", "data": "x" * (4 * 1024 * 1024)}).encode()
    reply = post(running, big)
    assert reply.status_code == 413
    assert reply.json()["errorCode"] == "ERR_MALFORMED_REQUEST"
    assert post(running, b'{"operation": "topology"}').status_code == 200


def test_health_and_metadata(running: Process) -> None:
    assert httpx.get(f"{running.http}/v1.0/healthz").status_code == 204
    assert httpx.get(f"{running.http}/v1.0/healthz/outbound").status_code == 204
    metadata = httpx.get(f"{running.http}/v1.0/metadata").json()
    assert metadata["components"] == [
        {
            "name": "zeebe-command",
            "type": "bindings.zeebe.command",
            "version": "v1",
            "capabilities": ["OUTPUT_BINDING"],
        }
    ]
