"""The job worker against a gateway across the network: TLS, OAuth, long polling, an engine outage,
and stopping the sidecar while deliveries are under way."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from jobworker_processes import (
    App,
    Engine,
    Sidecar,
    collect_jobs,
    component,
    process_xml,
    running,
    wait_until,
    write_components,
)

sys.path.insert(0, str(Path(__file__).parent.parent / "sidecar"))
from sidecar_pki import make_pki

pytestmark = pytest.mark.slow

# How long the engine stays away in the outage test: the scenario, not a synchronisation wait.
OUTAGE_SECONDS = 3.0


def plaintext(engine: Engine) -> dict[str, str]:
    return {"gatewayAddr": f"127.0.0.1:{engine.port}", "usePlainTextConnection": "true"}


def deploy_and_start(sidecar: Sidecar, process_id: str, *job_types: str, count: int = 1) -> None:
    xml = process_xml(
        process_id, *((f"task-{index}", t, 3, {}) for index, t in enumerate(job_types))
    )
    reply = httpx.post(
        f"{sidecar.http}/v1.0/bindings/zeebe-command",
        json={"operation": "deploy-resource", "data": xml, "metadata": {"fileName": "p.bpmn"}},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    for _ in range(count):
        sidecar.invoke("zeebe-command", "create-instance", {"bpmnProcessId": process_id})


def activatable(sidecar: Sidecar, job_type: str) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = sidecar.invoke(
        "zeebe-command",
        "activate-jobs",
        {"jobType": job_type, "maxJobsToActivate": 10, "requestTimeout": "-1s"},
    )
    return jobs


def test_tls_with_a_test_ca(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    tls = ("--tls-cert", str(pki.cert_file), "--tls-key", str(pki.key_file))
    with running(Engine("--port", "0", *tls)) as engine, running(App()) as app:
        assert isinstance(engine, Engine)
        assert isinstance(app, App)
        client = {"gatewayAddr": f"localhost:{engine.port}", "caCertificatePath": str(pki.ca_file)}
        folder = write_components(
            tmp_path / "c",
            component("zeebe-command", "command", **client),
            component("secure", "jobworker", **client, jobType="secure"),
        )
        app.configure(routes={"secure": {"reply": {"ok": True}}})
        with running(Sidecar(folder, app=app)) as sidecar:
            assert isinstance(sidecar, Sidecar)
            sidecar.wait_line("input binding secure: streaming jobs")
            deploy_and_start(sidecar, "secure", "secure")
            app.wait_deliveries("secure", 1)
            wait_until(lambda: not activatable(sidecar, "secure"))


class TokenEndpoint(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), TokenHandler)
        self.forms: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/oauth/token"


class TokenHandler(BaseHTTPRequestHandler):
    server: TokenEndpoint

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.server.forms.append(self.rfile.read(length).decode())
        body = json.dumps({"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600})
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

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


def test_oauth_only_on_the_job_worker(tmp_path: Path, token_endpoint: TokenEndpoint) -> None:
    with running(Engine("--port", "0")) as engine, running(App()) as app:
        assert isinstance(engine, Engine)
        assert isinstance(app, App)
        oauth = {
            "clientId": "worker",
            "clientSecret": "s3cret",
            "authorizationServerUrl": token_endpoint.url,
            "tokenAudience": "zeebe.test",
        }
        folder = write_components(
            tmp_path / "c",
            component("zeebe-command", "command", **plaintext(engine)),
            component("authed", "jobworker", **plaintext(engine), **oauth, jobType="authed"),
        )
        app.configure(routes={"authed": {"reply": {}}})
        with running(Sidecar(folder, app=app)) as sidecar:
            assert isinstance(sidecar, Sidecar)
            sidecar.wait_line("input binding authed: streaming jobs")
            deploy_and_start(sidecar, "authed", "authed", count=2)
            app.wait_deliveries("authed", 2)
            wait_until(lambda: not activatable(sidecar, "authed"))
    assert len(token_endpoint.forms) == 1
    assert "audience=zeebe.test" in token_endpoint.forms[0]


def test_long_polling_when_streaming_is_off(tmp_path: Path) -> None:
    with running(Engine("--port", "0")) as engine, running(App()) as app:
        assert isinstance(engine, Engine)
        assert isinstance(app, App)
        folder = write_components(
            tmp_path / "c",
            component("zeebe-command", "command", **plaintext(engine)),
            component(
                "polled",
                "jobworker",
                **plaintext(engine),
                jobType="polled",
                streamEnabled="false",
                requestTimeout="2s",
                maxJobsActive="3",
            ),
        )
        app.configure(routes={"polled": {"sleep": 0.05, "reply": {}}})
        with running(Sidecar(folder, app=app)) as sidecar:
            assert isinstance(sidecar, Sidecar)
            sidecar.wait_line("input binding polled: long polling jobs of type polled")
            deploy_and_start(sidecar, "polled", "polled", count=7)
            deliveries = app.wait_deliveries("polled", 7)
            assert len({item["headers"]["x-zeebe-job-key"] for item in deliveries}) == 7
            wait_until(lambda: not activatable(sidecar, "polled"))
            # A long poll that found nothing comes back empty (OK), and the worker polls again.
            deploy_and_start(sidecar, "polled-later", "polled")
            app.wait_deliveries("polled", 8, timeout=5)


def test_an_engine_outage_is_survived_without_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running(Engine("--port", "0", "--data-dir", str(data))) as first, running(App()) as app:
        assert isinstance(first, Engine)
        assert isinstance(app, App)
        port = first.port
        folder = write_components(
            tmp_path / "c",
            component("zeebe-command", "command", **plaintext(first)),
            component("survivor", "jobworker", **plaintext(first), jobType="survivor"),
        )
        # The first delivery is still at the app when the engine goes away: its completion has to
        # wait for the engine to come back.
        app.configure(routes={"survivor": {"sleep": 1.5, "reply": {"done": True}}})
        with running(Sidecar(folder, app=app)) as sidecar:
            assert isinstance(sidecar, Sidecar)
            sidecar.wait_line("input binding survivor: streaming jobs")
            deploy_and_start(sidecar, "survivor", "survivor", "survivor-after")
            app.wait_deliveries("survivor", 1)
            first.stop()
            sidecar.wait_line("input binding survivor: cannot stream jobs of type survivor")
            time.sleep(OUTAGE_SECONDS)
            engine = Engine("--port", str(port), "--data-dir", str(data))
            with running(engine):
                back = time.monotonic()
                app.configure(routes={"survivor": {"reply": {"done": True}}})
                sidecar.invoke("zeebe-command", "create-instance", {"bpmnProcessId": "survivor"})
                deliveries = app.wait_deliveries("survivor", 2, timeout=15)
                recovery = time.monotonic() - back
                sidecar.wait_line("input binding survivor: the gateway answers again")
                assert len({item["headers"]["x-zeebe-job-key"] for item in deliveries}) == 2
                # Both instances moved on, each exactly once: the first job's completion was
                # retried until the engine answered, so it was not delivered again.
                after = collect_jobs(sidecar, "survivor-after", 2)
                assert len({job["processInstanceKey"] for job in after}) == 2
                assert len(app.deliveries("survivor")) == 2
                assert "Cannot complete job" not in sidecar.output()
    print(f"recovery after the engine came back: {recovery:.2f}s")
    assert recovery < 10


def test_stopping_lets_deliveries_under_way_finish(tmp_path: Path) -> None:
    with running(Engine("--port", "0")) as engine, running(App()) as app:
        assert isinstance(engine, Engine)
        assert isinstance(app, App)
        commands = write_components(
            tmp_path / "commands", component("zeebe-command", "command", **plaintext(engine))
        )
        folder = write_components(
            tmp_path / "c",
            component(
                "slow",
                "jobworker",
                **plaintext(engine),
                jobType="slow",
                concurrency="1",
                maxJobsActive="4",
            ),
        )
        app.configure(routes={"slow": {"sleep": 1.0, "reply": {"finished": True}}})
        with running(Sidecar(commands)) as checker:
            assert isinstance(checker, Sidecar)
            worker = Sidecar(folder, app=app)
            with running(worker):
                worker.wait_line("input binding slow: streaming jobs")
                deploy_and_start(checker, "slow", "slow", "after-slow", count=3)
                app.wait_deliveries("slow", 1)
                assert worker.stop() == 0
                assert "input binding slow: handed back 2 undelivered jobs" in worker.output()
            assert len(app.deliveries("slow")) == 1
            # The delivery under way finished and completed its job ...
            [after] = activatable(checker, "after-slow")
            assert json.loads(after["variables"]) == {"finished": True}
            # ... and the two jobs in hand, not yet delivered, went back with their retries.
            handed_back = activatable(checker, "slow")
            assert [job["retries"] for job in handed_back] == [3, 3]
