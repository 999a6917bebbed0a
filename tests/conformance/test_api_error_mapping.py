"""zeebind's typed errors against pyzeebe's, for every status code on every call both offer.

A real gRPC server answers each call with the status under test; pyzeebe 4.7 and zeebind's
`ZeebeClient` call it in turn, and the class names of what they raise must be the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import pytest
import pyzeebe
from gateway_clients import bpmn

from zeebind import ZeebeClient
from zeebind.api.errors import PyZeebeError, error_class
from zeebind.gateway.protocol import SERVICE_NAME, pb

pytestmark = pytest.mark.conformance

CODES = [code for code in grpc.StatusCode if code is not grpc.StatusCode.OK]
NO_DECISION = "Expected to evaluate decision 'd', but no decision found for id 'd'"


class Refusing:
    """A gateway that fails every call with `code` and `details`."""

    def __init__(self) -> None:
        self.code = grpc.StatusCode.UNKNOWN
        self.details = "refused"

    async def unary(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        await context.abort(self.code, self.details)

    async def stream(self, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        await context.abort(self.code, self.details)
        yield None  # pragma: no cover - abort raises


@pytest.fixture
async def refusing() -> AsyncIterator[tuple[Refusing, str]]:
    gateway = Refusing()
    handlers = {}
    for method in pb.methods:
        decode = pb.request_class(method).FromString
        if pb.server_streaming(method):
            handlers[method] = grpc.unary_stream_rpc_method_handler(
                gateway.stream, request_deserializer=decode
            )
        else:
            handlers[method] = grpc.unary_unary_rpc_method_handler(
                gateway.unary, request_deserializer=decode
            )
    server = grpc.aio.server()
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE_NAME, handlers)])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield gateway, f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


async def _drain(jobs: Any) -> None:
    async for _ in jobs:
        pass


def pyzeebe_calls(client: pyzeebe.ZeebeClient) -> dict[str, Callable[[], Awaitable[Any]]]:
    adapter = client.zeebe_adapter
    return {
        "CreateProcessInstance": lambda: client.run_process("p"),
        "CreateProcessInstanceWithResult": lambda: client.run_process_with_result("p"),
        "CancelProcessInstance": lambda: client.cancel_process_instance(1),
        "DeployResource": lambda: client.deploy_resource(str(bpmn("no-task.bpmn"))),
        "PublishMessage": lambda: client.publish_message("m", "k"),
        "BroadcastSignal": lambda: client.broadcast_signal("s"),
        "EvaluateDecision": lambda: client.evaluate_decision(None, "d"),
        "Topology": lambda: client.topology(),
        "CompleteJob": lambda: adapter.complete_job(job_key=1, variables={}),
        "FailJob": lambda: adapter.fail_job(1, 0, "m", 0, {}),
        "ThrowError": lambda: adapter.throw_error(1, "m", {}, "E"),
        "UpdateJobTimeout": lambda: adapter.update_job_timeout(1, 1000),
        "ActivateJobs": lambda: _drain(adapter.activate_jobs("t", "w", 1000, 1, [], 100)),
        "StreamActivatedJobs": lambda: _drain(adapter.stream_activate_jobs("t", "w", 1000, [], 5)),
    }


def zeebind_calls(client: ZeebeClient) -> dict[str, Callable[[], Awaitable[Any]]]:
    return {
        "CreateProcessInstance": lambda: client.run_process("p"),
        "CreateProcessInstanceWithResult": lambda: client.run_process_with_result("p"),
        "CancelProcessInstance": lambda: client.cancel_process_instance(1),
        "DeployResource": lambda: client.deploy_resource(bpmn("no-task.bpmn")),
        "PublishMessage": lambda: client.publish_message("m", "k"),
        "BroadcastSignal": lambda: client.broadcast_signal("s"),
        "EvaluateDecision": lambda: client.evaluate_decision(None, "d"),
        "Topology": lambda: client.topology(),
        "CompleteJob": lambda: client.complete_job(1),
        "FailJob": lambda: client.fail_job(1, 0, "m"),
        "ThrowError": lambda: client.throw_error(1, "E", "m"),
        "UpdateJobTimeout": lambda: client.update_job_timeout(1, 1000),
        "ActivateJobs": lambda: client.activate_jobs("t", worker="w", request_timeout=100),
        "StreamActivatedJobs": lambda: _drain(client.stream_jobs("t", worker="w")),
    }


async def raised(call: Callable[[], Awaitable[Any]]) -> str:
    try:
        await call()
    except (PyZeebeError, pyzeebe.errors.PyZeebeError) as err:
        return type(err).__name__
    return "nothing"


async def test_every_code_on_every_call_raises_what_pyzeebe_raises(
    refusing: tuple[Refusing, str],
) -> None:
    gateway, address = refusing
    channel = pyzeebe.create_insecure_channel(grpc_address=address)
    theirs = pyzeebe_calls(pyzeebe.ZeebeClient(channel, max_connection_retries=-1))
    ours_client = ZeebeClient.connect(address, insecure=True)
    ours = zeebind_calls(ours_client)
    cases = [(rpc, code, "refused") for rpc in theirs for code in CODES]
    cases.append(("EvaluateDecision", grpc.StatusCode.INVALID_ARGUMENT, NO_DECISION))
    differ = []
    try:
        for rpc, code, details in cases:
            gateway.code, gateway.details = code, details
            expected, got = await raised(theirs[rpc]), await raised(ours[rpc])
            if (
                got == "nothing"
                or expected != got
                or got != error_class(rpc, code, details).__name__
            ):
                differ.append(f"{rpc} {code.name}: pyzeebe {expected}, zeebind {got}")
    finally:
        await channel.close()
        await ours_client.close()
    assert not differ, "\n".join(differ)
    assert len(cases) == len(theirs) * len(CODES) + 1
