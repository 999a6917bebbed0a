"""Two sidecars (each with its own app) work one job type: 50 instances are split between them and
every job is delivered exactly once (Dapr's WorkerHandlesConcurrency, with the count it meant)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

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

pytestmark = pytest.mark.slow

INSTANCES = 50


def test_two_sidecars_split_fifty_instances(tmp_path: Path) -> None:
    with running(Engine("--port", "0")) as engine, running(App()) as app_1, running(App()) as app_2:
        assert isinstance(engine, Engine)
        assert isinstance(app_1, App)
        assert isinstance(app_2, App)
        client = {"gatewayAddr": f"127.0.0.1:{engine.port}", "usePlainTextConnection": "true"}
        folder = write_components(
            tmp_path / "c",
            component("zeebe-command", "command", **client),
            # Few slots, so that both workers fill up and the stream's flow control is exercised.
            component("shared", "jobworker", **client, jobType="shared", maxJobsActive="4"),
        )
        for app in (app_1, app_2):
            app.configure(routes={"shared": {"sleep": 0.01, "reply": {"seen": True}}})
        with running(Sidecar(folder, app=app_1)) as one, running(Sidecar(folder, app=app_2)) as two:
            assert isinstance(one, Sidecar)
            assert isinstance(two, Sidecar)
            for sidecar in (one, two):
                sidecar.wait_line("input binding shared: streaming jobs")
            xml = process_xml("shared", ("work", "shared", 3, {}), ("done", "shared-done", 3, {}))
            reply = httpx.post(
                f"{one.http}/v1.0/bindings/zeebe-command",
                json={
                    "operation": "deploy-resource",
                    "data": xml,
                    "metadata": {"fileName": "s.bpmn"},
                },
                timeout=30,
            )
            assert reply.status_code == 200, reply.text
            for index in range(INSTANCES):
                starter = one if index % 2 else two
                starter.invoke("zeebe-command", "create-instance", {"bpmnProcessId": "shared"})

            def delivered() -> int:
                return len(app_1.deliveries("shared")) + len(app_2.deliveries("shared"))

            wait_until(lambda: delivered() >= INSTANCES, timeout=20)
            # Every instance went on to the next task, so none is left in a worker's hand ...
            done = collect_jobs(one, "shared-done", INSTANCES)
            assert len({job["processInstanceKey"] for job in done}) == INSTANCES
            keys = Counter(
                item["headers"]["x-zeebe-job-key"]
                for app in (app_1, app_2)
                for item in app.deliveries("shared")
            )
            # ... and each job reached exactly one app, once.
            assert len(keys) == INSTANCES
            assert set(keys.values()) == {1}
            counts = (len(app_1.deliveries("shared")), len(app_2.deliveries("shared")))
            print(f"split: {counts}")
            assert sum(counts) == INSTANCES
            assert min(counts) > 0
