"""The remote path: `zeebind run --no-engine` in front of a separate `zeebind engine` process, over
plaintext, TLS with a test CA, and OAuth tokens from a token endpoint in this test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
from sidecar_pki import make_pki
from sidecar_process import FIXTURES, engine, sidecar

COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: zeebe-remote
spec:
  type: bindings.zeebe.command
  version: v1
  metadata:
{items}"""


def components(folder: Path, **metadata: str) -> Path:
    folder.mkdir(exist_ok=True)
    items = "".join(
        f"  - name: {name}\n    value: {json.dumps(value)}\n" for name, value in metadata.items()
    )
    (folder / "zeebe.yaml").write_text(COMPONENT.format(items=items))
    return folder


def invoke(base: str, operation: str, data: object = None, **metadata: str) -> httpx.Response:
    body = {"operation": operation, "data": data, "metadata": metadata}
    return httpx.post(f"{base}/v1.0/bindings/zeebe-remote", json=body, timeout=30)


def deploy_and_start(base: str) -> None:
    xml = (FIXTURES / "products-process.bpmn").read_text()
    deployed = invoke(base, "deploy-resource", xml, fileName="products-process.bpmn")
    assert deployed.status_code == 200, deployed.text
    created = invoke(base, "create-instance", {"bpmnProcessId": "products-process"})
    assert created.status_code == 200, created.text
    jobs = invoke(base, "activate-jobs", {"jobType": "fetch-products", "maxJobsToActivate": 1})
    assert [job["processInstanceKey"] for job in jobs.json()] == [
        created.json()["processInstanceKey"]
    ]


def test_plaintext(tmp_path: Path) -> None:
    with engine("--port", "0") as gateway:
        folder = components(
            tmp_path / "c", gatewayAddr=f"127.0.0.1:{gateway.port}", usePlainTextConnection="true"
        )
        with sidecar("--no-engine", "--resources-path", str(folder)) as running:
            assert "zeebe-remote (gateway 127.0.0.1:" in running.ready_line
            topology = invoke(running.http, "topology").json()
            assert topology["brokers"][0]["port"] == gateway.port
            deploy_and_start(running.http)


def test_tls_with_a_test_ca(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    tls = ("--tls-cert", str(pki.cert_file), "--tls-key", str(pki.key_file))
    with engine("--port", "0", *tls) as gateway:
        trusted = components(
            tmp_path / "trusted",
            gatewayAddr=f"localhost:{gateway.port}",
            caCertificatePath=str(pki.ca_file),
        )
        with sidecar("--no-engine", "--resources-path", str(trusted)) as running:
            deploy_and_start(running.http)
        untrusted = components(tmp_path / "untrusted", gatewayAddr=f"localhost:{gateway.port}")
        with sidecar("--no-engine", "--resources-path", str(untrusted)) as running:
            reply = invoke(running.http, "topology")
            assert reply.status_code == 500
            assert reply.json()["message"].startswith(
                "error invoking output binding zeebe-remote: cannot get zeebe topology: "
                "rpc error: code = Unavailable desc = "
            )


class TokenEndpoint(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), TokenHandler)
        self.forms: list[dict[str, str]] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/oauth/token"


class TokenHandler(BaseHTTPRequestHandler):
    server: TokenEndpoint

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.server.forms.append(dict(parse_qsl(self.rfile.read(length).decode())))
        body = (
            json.dumps({"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600})
            if self.server.status == 200
            else '{"error":"invalid_client"}'
        ).encode()
        self.send_response(self.server.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def token_endpoint() -> Iterator[TokenEndpoint]:
    server = TokenEndpoint()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def oauth_components(folder: Path, port: int, url: str) -> Path:
    return components(
        folder,
        gatewayAddr=f"127.0.0.1:{port}",
        usePlainTextConnection="true",
        clientId="zeebind-test",
        clientSecret="s3cret",
        authorizationServerUrl=url,
        tokenAudience="zeebe.test",
        tokenScope="zeebe",
    )


def test_oauth_fetches_one_token_for_many_calls(
    tmp_path: Path, token_endpoint: TokenEndpoint
) -> None:
    with engine("--port", "0") as gateway:
        folder = oauth_components(tmp_path / "c", gateway.port, token_endpoint.url)
        with sidecar("--no-engine", "--resources-path", str(folder)) as running:
            for _ in range(5):
                assert invoke(running.http, "topology").status_code == 200
    assert token_endpoint.forms == [
        {
            "grant_type": "client_credentials",
            "client_id": "zeebind-test",
            "client_secret": "s3cret",
            "audience": "zeebe.test",
            "scope": "zeebe",
        }
    ]


def test_a_401_from_the_token_endpoint_is_a_clear_error(
    tmp_path: Path, token_endpoint: TokenEndpoint
) -> None:
    token_endpoint.status = 401
    with engine("--port", "0") as gateway:
        folder = oauth_components(tmp_path / "c", gateway.port, token_endpoint.url)
        with sidecar("--no-engine", "--resources-path", str(folder)) as running:
            reply = invoke(running.http, "topology")
    assert reply.status_code == 500
    assert reply.json()["message"] == (
        "error invoking output binding zeebe-remote: cannot get zeebe topology: rpc error: "
        f"code = Unauthenticated desc = failed to obtain access token from {token_endpoint.url}: "
        '401 Unauthorized: {"error":"invalid_client"}'
    )
    assert len(token_endpoint.forms) >= 1


def test_the_gateway_going_away_and_coming_back(tmp_path: Path) -> None:
    with engine("--port", "0") as gateway:
        port = gateway.port
        folder = components(
            tmp_path / "c", gatewayAddr=f"127.0.0.1:{port}", usePlainTextConnection="true"
        )
        with sidecar("--no-engine", "--resources-path", str(folder)) as running:
            assert invoke(running.http, "topology").status_code == 200
            gateway.popen.terminate()
            gateway.popen.wait(10)
            started = time.monotonic()
            down = invoke(running.http, "topology")
            assert time.monotonic() - started < 10
            assert down.status_code == 500
            assert "rpc error: code = Unavailable desc = " in down.json()["message"]
            with engine("--port", str(port)):
                back = invoke(running.http, "topology")
                assert back.status_code == 200, back.text
