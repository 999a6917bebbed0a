"""The worker in this process against a gateway that cannot push jobs (StreamActivatedJobs answers
UNIMPLEMENTED, as before Zeebe 8.4): it falls back to long polling. Also: `maxJobsActive` bounds
the deliveries under way even when `concurrency` is larger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from jobworker_processes import App, process_xml

from zeebind.bindings.jobworker.settings import WorkerSettings
from zeebind.bindings.jobworker.worker import JobWorker
from zeebind.bindings.metadata import ComponentMetadata
from zeebind.broker import Broker
from zeebind.client.embedded import EmbeddedGatewayClient
from zeebind.client.remote import RemoteGatewayClient
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb
from zeebind.gateway.server import GatewayServer
from zeebind.gateway.service import CallContext, GatewayService
from zeebind.sidecar.app_channel import HttpAppChannel

pytestmark = pytest.mark.slow


class PollOnlyGateway(GatewayService):
    def stream(self, method: str, request: Message, call: CallContext) -> AsyncIterator[Message]:
        if method == "StreamActivatedJobs":
            raise GatewayError(
                grpc.StatusCode.UNIMPLEMENTED,
                "Method not found: gateway_protocol.Gateway/StreamActivatedJobs",
            )
        return super().stream(method, request, call)


@pytest.fixture(scope="module")
def app() -> Iterator[App]:
    process = App()
    process.configure(
        routes={"polled": {"sleep": 0.1, "reply": {}}, "bounded": {"sleep": 0.1, "reply": {}}}
    )
    try:
        yield process
    finally:
        process.stop()


async def wait_for(condition: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await asyncio.to_thread(condition):
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def start_instances(service: GatewayService, job_type: str, count: int) -> None:
    client = EmbeddedGatewayClient(service)
    xml = process_xml(job_type, ("work", job_type, 3, {}))
    resource = pb.Resource(name=f"{job_type}.bpmn", content=xml.encode())
    await client.unary("DeployResource", pb.DeployResourceRequest(resources=[resource]))
    for _ in range(count):
        request = pb.CreateProcessInstanceRequest(bpmnProcessId=job_type, version=-1)
        await client.unary("CreateProcessInstance", request)


def settings(job_type: str, port: int, **fields: str) -> WorkerSettings:
    metadata = {
        "gatewayAddr": f"127.0.0.1:{port}",
        "usePlainTextConnection": "true",
        "jobType": job_type,
        **fields,
    }
    return WorkerSettings.parse(job_type, ComponentMetadata(metadata))


async def test_unimplemented_streaming_falls_back_to_long_polling(app: App) -> None:
    broker = await Broker.open(None)
    service = PollOnlyGateway(broker)
    server = GatewayServer(service, port=0)
    port = await server.start()
    client = RemoteGatewayClient(f"127.0.0.1:{port}", plaintext=True)
    worker = JobWorker(
        "polled", settings("polled", port, maxJobsActive="2", concurrency="4"), client
    )
    channel = HttpAppChannel(app.port)
    try:
        await worker.read(channel)
        await start_instances(service, "polled", 6)
        await wait_for(lambda: len(app.deliveries("polled")) == 6)
        await wait_for(lambda: worker.stats.completed == 6)
        assert worker.state == "polling"
        assert worker.stats.streamed == 0
        assert worker.stats.polled == 6
        # Four delivery tasks, but never more than maxJobsActive jobs at the app at once.
        assert max(item["concurrent"] for item in app.deliveries("polled")) <= 2
        assert worker.slots.peak <= 2
    finally:
        await worker.close()
        await channel.close()
        await server.stop()
        await broker.close()


async def test_streaming_respects_max_jobs_active(app: App) -> None:
    broker = await Broker.open(None)
    service = GatewayService(broker)
    worker = JobWorker(
        "bounded",
        settings("bounded", 0, maxJobsActive="3", concurrency="8"),
        EmbeddedGatewayClient(service),
    )
    channel = HttpAppChannel(app.port)
    try:
        await worker.read(channel)
        await wait_for(lambda: worker.state == "streaming")
        await start_instances(service, "bounded", 12)
        await wait_for(lambda: worker.stats.completed == 12)
        deliveries = app.deliveries("bounded")
        assert len({item["headers"]["x-zeebe-job-key"] for item in deliveries}) == 12
        assert max(item["concurrent"] for item in deliveries) <= 3
        assert worker.slots.peak <= 3
        assert worker.stats.streamed + worker.stats.polled == 12
    finally:
        await worker.close()
        await channel.close()
        await broker.close()
