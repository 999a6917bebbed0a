"""The job worker over HTTP, end to end: `zeebind engine`, a real app process and `zeebind run`
with one job worker component per scenario (Dapr's jobworker certification scenarios, §5.3)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

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


class World:
    def __init__(self, engine: Engine, app: App, sidecar: Sidecar) -> None:
        self.engine = engine
        self.app = app
        self.sidecar = sidecar

    def deploy(self, xml: str, name: str) -> None:
        reply = httpx.post(
            f"{self.sidecar.http}/v1.0/bindings/zeebe-command",
            json={"operation": "deploy-resource", "data": xml, "metadata": {"fileName": name}},
            timeout=30,
        )
        assert reply.status_code == 200, reply.text

    def start(self, process_id: str, variables: dict[str, Any]) -> int:
        created = self.sidecar.invoke(
            "zeebe-command",
            "create-instance",
            {"bpmnProcessId": process_id, "variables": variables},
        )
        key: int = created["processInstanceKey"]
        return key

    def activatable(self, job_type: str) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = self.sidecar.invoke(
            "zeebe-command",
            "activate-jobs",
            {"jobType": job_type, "maxJobsToActivate": 10, "requestTimeout": "-1s"},
        )
        return jobs


WORKERS: dict[str, dict[str, str]] = {
    "calc-exec": {"jobType": "calc-exec", "workerName": "test-worker"},
    "calc-ack": {"jobType": "calc-ack"},
    "retrying": {"jobType": "retrying", "retryBackOff": "400ms"},
    "empty-200": {"jobType": "empty-200"},
    "empty-204": {"jobType": "empty-204"},
    "manual": {"jobType": "manual", "autocomplete": "false"},
    "selected": {"jobType": "selected", "fetchVariables": "firstOperand, secondOperand"},
    "review": {"jobType": "io.camunda.zeebe:userTask", "route": "/forms"},
    "not-subscribed": {"jobType": "not-subscribed"},
    "not-an-object": {"jobType": "not-an-object"},
    "self-failing": {"jobType": "self-failing", "autocomplete": "false", "retryBackOff": "1m"},
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("components")
    with running(Engine("--port", "0")) as engine, running(App()) as app:
        assert isinstance(engine, Engine)
        assert isinstance(app, App)
        client = {"gatewayAddr": f"127.0.0.1:{engine.port}", "usePlainTextConnection": "true"}
        documents = [component("zeebe-command", "command", **client)]
        documents += [
            component(name, "jobworker", **client, **fields) for name, fields in WORKERS.items()
        ]
        write_components(folder, *documents)
        app.configure(
            routes={
                "calc-exec": {"calc": True},
                "calc-ack": {"reply": {}},
                "retrying": {"fail_until_retries": "1"},
                "empty-200": {"status": 200, "raw": ""},
                "empty-204": {"status": 204},
                "manual": {"complete_self": {"result": 4}},
                "selected": {"reply": {}},
                "forms": {"reply": {"approved": True}},
                "not-an-object": {"reply": None, "status": 200, "raw": "[1]"},
                "self-failing": {"fail_self": "300ms"},
            }
        )
        with running(Sidecar(folder, app=app)) as sidecar:
            assert isinstance(sidecar, Sidecar)
            app.configure(sidecar=sidecar.http)
            for name in WORKERS:
                if name != "not-subscribed":
                    sidecar.wait_line(f"input binding {name}: streaming jobs")
            yield World(engine, app, sidecar)


def test_results_reach_the_next_task_with_all_headers(world: World) -> None:
    world.deploy(
        process_xml(
            "calc",
            ("exec", "calc-exec", 3, {"process-header-1": "1", "process-header-2": "2"}),
            ("ack", "calc-ack", 3, {}),
        ),
        "calc.bpmn",
    )
    instance = world.start("calc", {"operator": "*", "firstOperand": 3, "secondOperand": 4})
    [exec_delivery] = world.app.wait_deliveries("calc-exec", 1)
    [ack] = world.app.wait_deliveries("calc-ack", 1)
    headers = exec_delivery["headers"]
    assert json.loads(exec_delivery["body"]) == {
        "operator": "*",
        "firstOperand": 3,
        "secondOperand": 4,
    }
    assert headers["content-type"] == "application/json"
    assert headers["x-zeebe-job-type"] == "calc-exec"
    assert headers["x-zeebe-process-instance-key"] == str(instance)
    assert headers["x-zeebe-bpmn-process-id"] == "calc"
    assert headers["x-zeebe-process-definition-version"] == "1"
    assert int(headers["x-zeebe-process-definition-key"]) > 0
    assert headers["x-zeebe-element-id"] == "exec"
    assert int(headers["x-zeebe-element-instance-key"]) > 0
    assert int(headers["x-zeebe-job-key"]) > 0
    assert headers["x-zeebe-worker"] == "test-worker"
    assert headers["x-zeebe-retries"] == "3"
    assert abs(int(headers["x-zeebe-deadline"]) / 1000 - (time.time() + 300)) < 30
    assert headers["x-zeebe-autocomplete"] == "true"
    assert (headers["process-header-1"], headers["process-header-2"]) == ("1", "2")
    assert json.loads(ack["body"])["result"] == 12
    assert ack["headers"]["x-zeebe-worker"] == "default"
    assert len(world.app.deliveries("calc-exec")) == 1


def test_retries_decrease_with_the_backoff_between_them(world: World) -> None:
    world.deploy(process_xml("retrying", ("work", "retrying", 3, {})), "retrying.bpmn")
    world.start("retrying", {})
    deliveries = world.app.wait_deliveries("retrying", 3)
    assert [item["headers"]["x-zeebe-retries"] for item in deliveries] == ["3", "2", "1"]
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(deliveries)]
    assert all(gap >= 0.39 for gap in gaps), gaps
    # The third attempt succeeded: nothing is left to activate and no incident stops the flow.
    wait_until(lambda: not world.activatable("retrying"))
    assert len(world.app.deliveries("retrying")) == 3


@pytest.mark.parametrize("job_type", ["empty-200", "empty-204"])
def test_an_empty_answer_completes_without_variables(world: World, job_type: str) -> None:
    world.deploy(
        process_xml(job_type, ("work", job_type, 3, {}), ("next", "calc-ack", 3, {})),
        f"{job_type}.bpmn",
    )
    instance = world.start(job_type, {"kept": "yes"})

    def acked() -> list[Any]:
        return [
            item
            for item in world.app.deliveries("calc-ack")
            if item["headers"]["x-zeebe-process-instance-key"] == str(instance)
        ]

    [ack] = wait_until(acked)
    assert json.loads(ack["body"]) == {"kept": "yes"}
    [delivery] = [
        item
        for item in world.app.deliveries(job_type)
        if item["headers"]["x-zeebe-process-instance-key"] == str(instance)
    ]
    assert delivery["headers"]["x-zeebe-retries"] == "3"


def test_autocomplete_off_the_app_completes_through_the_command_binding(world: World) -> None:
    world.deploy(
        process_xml("manual", ("work", "manual", 3, {}), ("next", "calc-ack", 3, {})),
        "manual.bpmn",
    )
    instance = world.start("manual", {})
    [delivery] = world.app.wait_deliveries("manual", 1)
    assert delivery["headers"]["x-zeebe-autocomplete"] == "false"

    def acked() -> list[Any]:
        return [
            item
            for item in world.app.deliveries("calc-ack")
            if item["headers"]["x-zeebe-process-instance-key"] == str(instance)
        ]

    [ack] = wait_until(acked)
    assert json.loads(ack["body"]) == {"result": 4}


def test_fetch_variables_selects(world: World) -> None:
    world.deploy(process_xml("selected", ("work", "selected", 3, {})), "selected.bpmn")
    world.start("selected", {"operator": "/", "firstOperand": 12, "secondOperand": 3})
    [delivery] = world.app.wait_deliveries("selected", 1)
    assert json.loads(delivery["body"]) == {"firstOperand": 12, "secondOperand": 3}


def test_a_header_name_that_is_no_http_token_is_delivered_sanitised(world: World) -> None:
    world.deploy(
        process_xml("review", user_task("review-task", "camunda-forms:bpmn:review")), "review.bpmn"
    )
    world.start("review", {})
    [delivery] = world.app.wait_deliveries("forms", 1)
    headers = delivery["headers"]
    assert headers["io.camunda.zeebe-formkey"] == "camunda-forms:bpmn:review"
    assert headers["x-zeebe-job-type"] == "io.camunda.zeebe:userTask"
    wait_until(lambda: not world.activatable("io.camunda.zeebe:userTask"))


def test_an_unsubscribed_route_is_not_read(world: World) -> None:
    assert "not-subscribed" in world.app.probes()
    assert "app has not subscribed to binding not-subscribed" in world.sidecar.output()
    world.deploy(process_xml("unread", ("work", "not-subscribed", 3, {})), "unread.bpmn")
    world.start("unread", {})
    [job] = wait_until(lambda: world.activatable("not-subscribed"))
    assert job["retries"] == 3
    assert world.app.deliveries("not-subscribed") == []


def test_an_answer_that_is_no_object_fails_the_job(world: World) -> None:
    world.deploy(process_xml("array", ("work", "not-an-object", 2, {})), "array.bpmn")
    world.start("array", {})
    deliveries = world.app.wait_deliveries("not-an-object", 2)
    assert [item["headers"]["x-zeebe-retries"] for item in deliveries] == ["2", "1"]
    assert (
        "cannot parse variables from binding result ; got error "
        "the app's answer is a JSON array, not an object"
    ) in world.sidecar.output()


def test_the_metadata_lists_the_input_bindings(world: World) -> None:
    metadata = httpx.get(f"{world.sidecar.http}/v1.0/metadata", timeout=10).json()
    kinds = {item["name"]: (item["type"], item["capabilities"]) for item in metadata["components"]}
    assert kinds["zeebe-command"] == ("bindings.zeebe.command", ["OUTPUT_BINDING"])
    assert kinds["calc-exec"] == ("bindings.zeebe.jobworker", ["INPUT_BINDING"])
    assert metadata["appConnectionProperties"]["port"] == world.app.port


def test_autocomplete_off_the_app_fails_the_job_itself_with_its_backoff(world: World) -> None:
    """Dapr's JobHandlesRetryBackOff: the app fails the job (retries - 1, 300 ms) and answers an
    error; the binding's own fail then finds the job failed already, which is only logged."""
    world.deploy(process_xml("self-failing", ("work", "self-failing", 3, {})), "sf.bpmn")
    world.start("self-failing", {})
    deliveries = world.app.wait_deliveries("self-failing", 3)
    assert [item["headers"]["x-zeebe-retries"] for item in deliveries] == ["3", "2", "1"]
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(deliveries)]
    # The app's 300 ms, not the component's 1 m: the binding's second fail-job was refused.
    assert all(0.29 <= gap < 30 for gap in gaps), gaps
    wait_until(lambda: "Cannot fail job" in world.sidecar.output())
