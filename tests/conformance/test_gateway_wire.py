"""Gateway behaviour no client API isolates: long polling, job push, statuses, metadata, health."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest
from gateway_clients import RawGateway, bpmn, eventually
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pyzeebe import ZeebeClient

from zeebind.app import EngineApp
from zeebind.gateway.protocol import pb

pytestmark = pytest.mark.conformance

TYPE = "one-task-work"


def activate(**fields: Any) -> Any:
    defaults: dict[str, Any] = {
        "type": TYPE,
        "worker": "raw",
        "timeout": 60_000,
        "maxJobsToActivate": 10,
    }
    return pb.ActivateJobsRequest(**{**defaults, **fields})


async def collect(call: Any) -> list[Any]:
    return [message async for message in call]


async def start_one_task(zeebe: ZeebeClient, variables: dict[str, Any] | None = None) -> int:
    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    created = await zeebe.run_process("one-task", variables or {})
    return created.process_instance_key


async def test_activate_returns_at_once_without_long_polling(raw: RawGateway) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await collect(raw.stream("ActivateJobs", activate(requestTimeout=-1))) == []
    assert loop.time() - started < 1


async def test_long_poll_ends_ok_without_messages(raw: RawGateway) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await collect(raw.stream("ActivateJobs", activate(requestTimeout=300))) == []
    assert 0.25 <= loop.time() - started < 3


async def test_long_poll_answers_as_soon_as_a_job_exists(
    raw: RawGateway, zeebe: ZeebeClient
) -> None:
    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    poll = asyncio.ensure_future(collect(raw.stream("ActivateJobs", activate(requestTimeout=0))))
    await asyncio.sleep(0.2)  # let the poll park: the point of the test is that it is waiting
    assert not poll.done()
    loop = asyncio.get_running_loop()
    created = await zeebe.run_process("one-task", {"amount": 1})
    started = loop.time()
    [batch] = await asyncio.wait_for(poll, 5)
    assert loop.time() - started < 2
    [job] = batch.jobs
    assert job.processInstanceKey == created.process_instance_key
    assert json.loads(job.variables) == {"amount": 1}


async def test_long_poll_finishes_before_the_client_deadline(raw: RawGateway) -> None:
    # requestTimeout 0 = the 10 s default; the client's 1.5 s deadline must still see OK.
    call = raw.stream("ActivateJobs", activate(requestTimeout=0), timeout=1.5)
    assert await collect(call) == []
    assert await call.code() == grpc.StatusCode.OK


async def test_activate_respects_max_and_fetch_variables(
    raw: RawGateway, zeebe: ZeebeClient
) -> None:
    for i in range(3):
        await start_one_task(zeebe, {"i": i, "secret": "x"})
    batches = await collect(
        raw.stream(
            "ActivateJobs", activate(maxJobsToActivate=2, fetchVariable=["i"], requestTimeout=-1)
        )
    )
    jobs = [job for batch in batches for job in batch.jobs]
    assert len(jobs) == 2
    assert [json.loads(job.variables) for job in jobs] == [{"i": 0}, {"i": 1}], "FIFO by key"
    assert all(job.worker == "raw" for job in jobs)
    [rest] = await collect(raw.stream("ActivateJobs", activate(requestTimeout=-1)))
    assert [json.loads(job.variables)["i"] for job in rest.jobs] == [2]


@pytest.mark.parametrize(
    "fields",
    [{"type": ""}, {"worker": ""}, {"timeout": 0}, {"maxJobsToActivate": 0}, {"tenantIds": ["x"]}],
)
async def test_activate_validation(raw: RawGateway, fields: dict[str, Any]) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect(raw.stream("ActivateJobs", activate(**fields)))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_stream_pushes_jobs_and_polls_do_not_get_them(
    raw: RawGateway, zeebe: ZeebeClient
) -> None:
    await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
    stream = raw.stream(
        "StreamActivatedJobs",
        pb.StreamActivatedJobsRequest(type=TYPE, worker="pusher", timeout=60_000),
        timeout=30,
    )
    first = asyncio.ensure_future(stream.read())
    await asyncio.sleep(0.2)  # the stream must be open before the job is created
    created = await zeebe.run_process("one-task", {"pushed": True})
    job = await asyncio.wait_for(first, 5)
    assert job.processInstanceKey == created.process_instance_key
    assert job.worker == "pusher"
    assert json.loads(job.variables) == {"pushed": True}
    assert await collect(raw.stream("ActivateJobs", activate(requestTimeout=-1))) == []
    stream.cancel()
    await raw.unary("CompleteJob", pb.CompleteJobRequest(jobKey=job.key))


async def test_closed_stream_leaves_jobs_to_polls(raw: RawGateway, zeebe: ZeebeClient) -> None:
    stream = raw.stream(
        "StreamActivatedJobs", pb.StreamActivatedJobsRequest(type=TYPE, worker="s", timeout=60_000)
    )
    await asyncio.sleep(0.1)
    stream.cancel()
    await start_one_task(zeebe)

    async def polled() -> list[Any]:
        return await collect(raw.stream("ActivateJobs", activate(requestTimeout=-1)))

    [batch] = await eventually(polled)
    assert len(batch.jobs) == 1


async def test_stream_validation(raw: RawGateway) -> None:
    call = raw.stream("StreamActivatedJobs", pb.StreamActivatedJobsRequest(type="t", timeout=0))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect(call)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_rejection_message_shape(raw: RawGateway) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await raw.unary("CompleteJob", pb.CompleteJobRequest(jobKey=2251799813685249 + 999))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert caught.value.details().startswith("Command 'COMPLETE' rejected with code 'NOT_FOUND': ")


async def test_modify_and_migrate_reach_the_broker(raw: RawGateway) -> None:
    modify = pb.ModifyProcessInstanceRequest(
        processInstanceKey=2251799813685249 + 999,
        terminateInstructions=[pb.ModifyProcessInstanceRequest.TerminateInstruction()],
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await raw.unary("ModifyProcessInstance", modify)
    assert caught.value.details().startswith("Command 'MODIFY' rejected with code ")
    migrate = pb.MigrateProcessInstanceRequest(processInstanceKey=2251799813685249 + 999)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await raw.unary("MigrateProcessInstance", migrate)
    assert caught.value.details().startswith("Command 'MIGRATE' rejected with code ")


async def test_empty_authorization_header_is_no_token(raw: RawGateway) -> None:
    call = raw.channel.unary_unary(
        "/gateway_protocol.Gateway/Topology",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=pb.TopologyResponse.FromString,
    )
    response = await call(pb.TopologyRequest(), metadata=(("authorization", ""),), timeout=5)
    assert response.gatewayVersion == "8.8.0"


async def test_health_service(channel: grpc.aio.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", "gateway_protocol.Gateway"):
        response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_messages_up_to_4_mib(raw: RawGateway, engine: EngineApp) -> None:
    too_big = pb.PublishMessageRequest(
        name="m", correlationKey="k", variables=json.dumps({"blob": "x" * (4 * 1024 * 1024)})
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await raw.unary("PublishMessage", too_big)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    fine = pb.PublishMessageRequest(
        name="m", correlationKey="k", variables=json.dumps({"blob": "x" * (1024 * 1024)})
    )
    assert (await raw.unary("PublishMessage", fine)).key > 0


async def test_in_process_service_matches_the_wire(engine: EngineApp) -> None:
    from zeebind.gateway.service import CallContext

    response: Any = await engine.service.unary("Topology", pb.TopologyRequest(), CallContext())
    assert response.brokers[0].port == engine.port


async def test_long_poll_wakes_when_a_retry_backoff_elapses(
    raw: RawGateway, zeebe: ZeebeClient
) -> None:
    await start_one_task(zeebe)
    [batch] = await collect(raw.stream("ActivateJobs", activate(requestTimeout=-1)))
    [job] = batch.jobs
    failed = pb.FailJobRequest(jobKey=job.key, retries=2, errorMessage="later", retryBackOff=300)
    await raw.unary("FailJob", failed)
    assert await collect(raw.stream("ActivateJobs", activate(requestTimeout=-1))) == []
    [batch] = await collect(raw.stream("ActivateJobs", activate(requestTimeout=5000)))
    [again] = batch.jobs
    assert (again.key, again.retries) == (job.key, 2)


async def test_long_poll_wakes_when_an_activated_job_times_out(
    raw: RawGateway, zeebe: ZeebeClient
) -> None:
    await start_one_task(zeebe)
    [batch] = await collect(raw.stream("ActivateJobs", activate(timeout=200, requestTimeout=-1)))
    [job] = batch.jobs
    [batch] = await collect(
        raw.stream("ActivateJobs", activate(worker="second", requestTimeout=5000))
    )
    [again] = batch.jobs
    assert (again.key, again.worker, again.retries) == (job.key, "second", job.retries)
    assert again.deadline > job.deadline
