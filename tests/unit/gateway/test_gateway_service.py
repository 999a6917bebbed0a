"""GatewayService on a real in-memory broker, called in-process as the embedded client does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from zeebind.broker import Broker
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb
from zeebind.gateway.service import CallContext, GatewayService

BPMN = Path(__file__).resolve().parents[2] / "fixtures" / "bpmn"


@pytest.fixture
async def service() -> AsyncIterator[GatewayService]:
    broker = await Broker.open(None)
    try:
        yield GatewayService(broker, long_polling_timeout_ms=10_000, request_timeout_ms=2_000)
    finally:
        await broker.close()


async def deploy(service: GatewayService, name: str) -> Any:
    request = pb.DeployResourceRequest(
        resources=[pb.Resource(name=name, content=(BPMN / name).read_bytes())]
    )
    return await service.unary("DeployResource", request, CallContext())


def deadline_in(seconds: float) -> CallContext:
    return CallContext(deadline=asyncio.get_running_loop().time() + seconds)


async def gateway_error(awaitable: Any) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        await awaitable
    return caught.value


def test_every_rpc_is_unary_or_stream() -> None:
    assert GatewayService.unary_methods | GatewayService.stream_methods == set(pb.methods)
    assert not GatewayService.unary_methods & GatewayService.stream_methods


async def test_unknown_methods(service: GatewayService) -> None:
    error = await gateway_error(service.unary("Nope", pb.TopologyRequest(), CallContext()))
    assert error.code is grpc.StatusCode.UNIMPLEMENTED
    with pytest.raises(GatewayError):
        service.stream("Topology", pb.TopologyRequest(), CallContext())


async def test_topology_reports_the_advertised_address(service: GatewayService) -> None:
    service.advertise("example.test", 1234)
    topology: Any = await service.unary("Topology", pb.TopologyRequest(), CallContext())
    assert (topology.brokers[0].host, topology.brokers[0].port) == ("example.test", 1234)


async def test_with_result_times_out_with_its_request_timeout(service: GatewayService) -> None:
    await deploy(service, "one-task.bpmn")
    request = pb.CreateProcessInstanceWithResultRequest(
        request=pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1),
        requestTimeout=100,
    )
    error = await gateway_error(
        service.unary("CreateProcessInstanceWithResult", request, CallContext())
    )
    assert error.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert "100 ms" in error.details


async def test_the_callers_deadline_bounds_a_call(service: GatewayService) -> None:
    await deploy(service, "one-task.bpmn")
    request = pb.CreateProcessInstanceWithResultRequest(
        request=pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1)
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    error = await gateway_error(
        service.unary("CreateProcessInstanceWithResult", request, deadline_in(0.2))
    )
    assert error.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert loop.time() - started < 1.5, "not the 2 s request timeout"


async def test_with_result_returns_the_variables(service: GatewayService) -> None:
    await deploy(service, "no-task.bpmn")
    request = pb.CreateProcessInstanceWithResultRequest(
        request=pb.CreateProcessInstanceRequest(
            bpmnProcessId="no-task", version=-1, variables='{"a": 1}'
        )
    )
    result: Any = await service.unary("CreateProcessInstanceWithResult", request, CallContext())
    assert json.loads(result.variables) == {"a": 1}


async def test_activate_stream_ends_before_the_deadline(service: GatewayService) -> None:
    request = pb.ActivateJobsRequest(type="t", worker="w", timeout=1000, maxJobsToActivate=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    call = deadline_in(0.5)
    batches = [b async for b in service.stream("ActivateJobs", request, call)]
    assert batches == []
    assert call.deadline is not None
    assert started + 0.3 < loop.time() < call.deadline, "long after the poll, but in time"


async def test_activate_then_complete_in_process(service: GatewayService) -> None:
    await deploy(service, "one-task.bpmn")
    create = pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1)
    created: Any = await service.unary("CreateProcessInstance", create, CallContext())
    request = pb.ActivateJobsRequest(
        type="one-task-work", worker="w", timeout=60_000, maxJobsToActivate=5, requestTimeout=-1
    )
    [batch] = [b async for b in service.stream("ActivateJobs", request, CallContext())]
    [job] = batch.jobs
    assert job.processInstanceKey == created.processInstanceKey
    complete = pb.CompleteJobRequest(jobKey=job.key, variables="")
    assert (await service.unary("CompleteJob", complete, CallContext())).ByteSize() == 0
    error = await gateway_error(service.unary("CompleteJob", complete, CallContext()))
    assert error.code is grpc.StatusCode.NOT_FOUND


async def test_validation_happens_before_the_broker(service: GatewayService) -> None:
    bad = pb.CreateProcessInstanceRequest(bpmnProcessId="x", variables="[]")
    error = await gateway_error(service.unary("CreateProcessInstance", bad, CallContext()))
    assert error.code is grpc.StatusCode.INVALID_ARGUMENT
    stream = service.stream("ActivateJobs", pb.ActivateJobsRequest(), CallContext())
    with pytest.raises(GatewayError) as caught:
        await anext(aiter(stream))
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT


async def test_a_closed_broker_is_unavailable() -> None:
    broker = await Broker.open(None)
    service = GatewayService(broker)
    await broker.close()
    request = pb.PublishMessageRequest(name="m", correlationKey="k")
    error = await gateway_error(service.unary("PublishMessage", request, CallContext()))
    assert error.code is grpc.StatusCode.UNAVAILABLE


async def test_shut_down_ends_every_waiting_call(service: GatewayService) -> None:
    await deploy(service, "one-task.bpmn")
    poll = pb.ActivateJobsRequest(type="t", worker="w", timeout=1000, maxJobsToActivate=1)
    push = pb.StreamActivatedJobsRequest(type="t", worker="w", timeout=1000)
    result = pb.CreateProcessInstanceWithResultRequest(
        request=pb.CreateProcessInstanceRequest(bpmnProcessId="one-task", version=-1)
    )

    async def polled() -> list[Any]:
        return [b async for b in service.stream("ActivateJobs", poll, CallContext())]

    async def pushed() -> list[Any]:
        return [j async for j in service.stream("StreamActivatedJobs", push, CallContext())]

    calls = [
        asyncio.ensure_future(polled()),
        asyncio.ensure_future(pushed()),
        asyncio.ensure_future(
            service.unary("CreateProcessInstanceWithResult", result, CallContext())
        ),
    ]
    await asyncio.sleep(0.1)  # all three parked
    assert not any(call.done() for call in calls)
    service.shut_down()
    done, _ = await asyncio.wait(calls, timeout=2)
    assert len(done) == 3
    assert calls[0].result() == []
    for call in calls[1:]:
        error = call.exception()
        assert isinstance(error, GatewayError)
        assert error.code is grpc.StatusCode.UNAVAILABLE


async def test_a_result_that_cannot_be_returned_is_handed_to_the_orphan_callback(
    service: GatewayService,
) -> None:
    # The race behind it: a job leaves the stream queue in the very iteration the client leaves.
    loop = asyncio.get_running_loop()
    job: asyncio.Future[str] = loop.create_future()
    orphans: list[str] = []
    waiting = asyncio.ensure_future(service._unless_closing(job, orphans.append))
    await asyncio.sleep(0)
    job.set_result("job-1")
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert orphans == ["job-1"]
