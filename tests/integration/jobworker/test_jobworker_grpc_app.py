"""`--app-protocol grpc`: the app serves Dapr's AppCallback (the official SDK's generated stubs);
the sidecar lists its input bindings once and sends each job as OnBindingEvent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from jobworker_processes import (
    App,
    Engine,
    Sidecar,
    component,
    process_xml,
    running,
    user_task,
    wait_until,
    write_components,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grpc_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, Sidecar]]:
    folder = tmp_path_factory.mktemp("components")
    with running(Engine("--port", "0")) as engine, running(App("grpc")) as app:
        assert isinstance(engine, Engine)
        assert isinstance(app, App)
        client = {"gatewayAddr": f"127.0.0.1:{engine.port}", "usePlainTextConnection": "true"}
        write_components(
            folder,
            component("zeebe-command", "command", **client),
            component("g-exec", "jobworker", **client, jobType="g-exec"),
            component("g-ack", "jobworker", **client, jobType="g-ack"),
            component("g-fail", "jobworker", **client, jobType="g-fail"),
            component("g-form", "jobworker", **client, jobType="io.camunda.zeebe:userTask"),
            component("g-unlisted", "jobworker", **client, jobType="g-unlisted"),
        )
        app.configure(
            bindings=["g-exec", "g-ack", "g-fail", "g-form"],
            routes={
                "g-exec": {"calc": True},
                "g-ack": {"status": 204},
                "g-fail": {"fail_until_retries": "1"},
                "g-form": {"reply": {}},
            },
        )
        with running(Sidecar(folder, "--app-protocol", "grpc", app=app)) as sidecar:
            assert isinstance(sidecar, Sidecar)
            for name in ("g-exec", "g-ack", "g-fail", "g-form"):
                sidecar.wait_line(f"input binding {name}: streaming jobs")
            yield app, sidecar


def deploy(sidecar: Sidecar, xml: str, name: str) -> None:
    reply = httpx.post(
        f"{sidecar.http}/v1.0/bindings/zeebe-command",
        json={"operation": "deploy-resource", "data": xml, "metadata": {"fileName": name}},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text


def test_results_reach_the_next_task(grpc_world: tuple[App, Sidecar]) -> None:
    app, sidecar = grpc_world
    deploy(
        sidecar,
        process_xml(
            "g-calc", ("exec", "g-exec", 3, {"process-header-1": "1"}), ("ack", "g-ack", 3, {})
        ),
        "g-calc.bpmn",
    )
    sidecar.invoke(
        "zeebe-command",
        "create-instance",
        {"bpmnProcessId": "g-calc", "variables": {"firstOperand": 6, "secondOperand": 7}},
    )
    [delivery] = app.wait_deliveries("g-exec", 1)
    [ack] = app.wait_deliveries("g-ack", 1)
    assert json.loads(ack["body"])["result"] == 42
    names = json.loads(delivery["headers"]["raw-names"])
    # Over gRPC the metadata keys go as they are: no canonicalisation, no sanitising.
    assert "X-Zeebe-Job-Key" in names
    assert "process-header-1" in names
    assert delivery["headers"]["x-zeebe-retries"] == "3"
    # The empty answer of the ack task completed it: nothing is left to activate.
    jobs = sidecar.invoke(
        "zeebe-command",
        "activate-jobs",
        {"jobType": "g-ack", "maxJobsToActivate": 5, "requestTimeout": "-1s"},
    )
    assert jobs == []


def test_an_error_fails_the_job_with_one_retry_less(grpc_world: tuple[App, Sidecar]) -> None:
    app, sidecar = grpc_world
    deploy(sidecar, process_xml("g-retry", ("work", "g-fail", 3, {})), "g-retry.bpmn")
    sidecar.invoke("zeebe-command", "create-instance", {"bpmnProcessId": "g-retry"})
    deliveries = app.wait_deliveries("g-fail", 3)
    assert [item["headers"]["x-zeebe-retries"] for item in deliveries] == ["3", "2", "1"]
    assert "error invoking app: rpc error: code = Internal desc = not yet: retries 3" in (
        sidecar.output()
    )


def test_header_names_are_kept_over_grpc(grpc_world: tuple[App, Sidecar]) -> None:
    app, sidecar = grpc_world
    deploy(sidecar, process_xml("g-form", user_task("review", "form-1")), "g-form.bpmn")
    sidecar.invoke("zeebe-command", "create-instance", {"bpmnProcessId": "g-form"})
    [delivery] = app.wait_deliveries("g-form", 1)
    assert delivery["headers"]["io.camunda.zeebe:formkey"] == "form-1"


def test_a_binding_the_app_does_not_list_is_not_read(grpc_world: tuple[App, Sidecar]) -> None:
    app, sidecar = grpc_world
    wait_until(lambda: "app has not subscribed to binding g-unlisted" in sidecar.output())
    assert "ListInputBindings" in sidecar.output()
    assert app.deliveries("g-unlisted") == []
