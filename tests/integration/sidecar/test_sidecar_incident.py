"""resolve-incident end to end, in process: the incident key comes from the engine's records,
since the Zeebe API has no way to list incidents."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sidecar_process import FIXTURES

from zeebind.protocol import Record, RecordType, ValueType
from zeebind.sidecar.app import SidecarApp, SidecarOptions


@pytest.fixture
async def app() -> AsyncIterator[SidecarApp]:
    sidecar = SidecarApp(SidecarOptions(http_port=0, grpc_port=0, gateway_port=0))
    await sidecar.start()
    yield sidecar
    await sidecar.stop()


async def test_fail_to_zero_retries_then_resolve(app: SidecarApp) -> None:
    incidents: list[int] = []

    def listen(records: list[Record]) -> None:
        incidents.extend(
            record.key
            for record in records
            if record.value_type == ValueType.INCIDENT
            and record.record_type == RecordType.EVENT
            and record.intent == "CREATED"
        )

    assert app.engine is not None
    app.engine.broker.add_listener(listen)
    base = f"http://127.0.0.1:{app.http_port}/v1.0/bindings/zeebe-command"
    async with httpx.AsyncClient(timeout=30) as http:

        async def invoke(operation: str, data: object = None, **metadata: str) -> httpx.Response:
            body = {"operation": operation, "data": data, "metadata": metadata}
            reply = await http.post(base, json=body)
            assert reply.status_code == 200, reply.text
            return reply

        xml = (FIXTURES / "products-process.bpmn").read_text()
        await invoke("deploy-resource", xml, fileName="products-process.bpmn")
        await invoke("create-instance", {"bpmnProcessId": "products-process"})
        jobs = (
            await invoke("activate-jobs", {"jobType": "fetch-products", "maxJobsToActivate": 1})
        ).json()
        await invoke("fail-job", {"jobKey": jobs[0]["key"], "retries": 0, "errorMessage": "down"})
        assert len(incidents) == 1
        await invoke("update-job-retries", {"jobKey": jobs[0]["key"], "retries": 1})
        resolved = await invoke("resolve-incident", {"incidentKey": incidents[0]})
        assert resolved.content == b""
        again = (
            await invoke("activate-jobs", {"jobType": "fetch-products", "maxJobsToActivate": 1})
        ).json()
        assert [job["key"] for job in again] == [jobs[0]["key"]]
