"""`zeebind run` with job worker components that cannot work: one line naming the component and
the field, exit code 2, no traceback; and a worker without an app is reported, not fatal."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from jobworker_processes import App, Sidecar, component, process_xml, running, write_components

pytestmark = pytest.mark.slow


def test_a_bad_value_stops_start_up_naming_component_and_field(tmp_path: Path) -> None:
    folder = write_components(
        tmp_path / "c",
        component(
            "orders",
            "jobworker",
            gatewayAddr="127.0.0.1:1",
            usePlainTextConnection="true",
            jobType="orders",
            maxJobsActive="-5",
        ),
    )
    done = subprocess.run(
        [sys.executable, "-m", "zeebind", "run", "--resources-path", str(folder), "--no-engine"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        f"zeebind run: error: {folder / 'components.yaml'}: component 'orders': "
        "field 'maxJobsActive': must be positive, not -5"
    )


def test_without_an_app_port_the_worker_is_not_read(tmp_path: Path) -> None:
    folder = write_components(
        tmp_path / "c",
        component(
            "orders",
            "jobworker",
            gatewayAddr="127.0.0.1:1",
            usePlainTextConnection="true",
            jobType="orders",
        ),
    )
    with running(Sidecar(folder)) as sidecar:
        sidecar.wait_line(
            re.escape(
                "input bindings orders are not read: "
                "no --app-port given (app channel not initialized)"
            )
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_on_the_embedded_engine_jobs_come_in_process(tmp_path: Path) -> None:
    port = free_port()
    client = {"gatewayAddr": f"127.0.0.1:{port}", "usePlainTextConnection": "true"}
    folder = write_components(
        tmp_path / "c",
        component("zeebe-command", "command", **client),
        component("local", "jobworker", **client, jobType="local"),
    )
    with running(App()) as app:
        assert isinstance(app, App)
        app.configure(routes={"local": {"reply": {"here": True}}})
        with running(Sidecar(folder, "--gateway-port", str(port), app=app)) as sidecar:
            assert isinstance(sidecar, Sidecar)
            assert "local (embedded engine, in process)" in sidecar.output()
            sidecar.wait_line("input binding local: streaming jobs")
            xml = process_xml("local", ("work", "local", 3, {}))
            reply = httpx.post(
                f"{sidecar.http}/v1.0/bindings/zeebe-command",
                json={
                    "operation": "deploy-resource",
                    "data": xml,
                    "metadata": {"fileName": "l.bpmn"},
                },
                timeout=30,
            )
            assert reply.status_code == 200, reply.text
            sidecar.invoke("zeebe-command", "create-instance", {"bpmnProcessId": "local"})
            [delivery] = app.wait_deliveries("local", 1)
            assert delivery["headers"]["x-zeebe-bpmn-process-id"] == "local"
