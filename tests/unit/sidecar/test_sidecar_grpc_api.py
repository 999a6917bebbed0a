"""The gRPC API against the official SDK's generated stubs (default descriptor pool, same
process)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from dapr.proto.runtime.v1 import binding_pb2, dapr_pb2_grpc
from echo_binding import EchoBinding
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from zeebind.sidecar.grpc_api import create_server
from zeebind.sidecar.runtime import Sidecar


@pytest.fixture
async def stub(sidecar: Sidecar) -> AsyncIterator[dapr_pb2_grpc.DaprStub]:
    server = create_server(sidecar)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield dapr_pb2_grpc.DaprStub(channel)
    await server.stop(None)


async def test_raw_bytes_pass_through(stub: dapr_pb2_grpc.DaprStub, echo: EchoBinding) -> None:
    request = binding_pb2.InvokeBindingRequest(
        name="echo", data=b"<xml/>", metadata={"fileName": "a.bpmn"}, operation="echo"
    )
    reply = await stub.InvokeBinding(request)
    assert echo.requests[0].data == b"<xml/>"
    assert echo.requests[0].metadata == {"fileName": "a.bpmn"}
    assert b"<xml/>" in reply.data
    assert dict(reply.metadata) == {"answered": "yes"}


async def test_an_empty_answer_has_empty_data(stub: dapr_pb2_grpc.DaprStub) -> None:
    reply = await stub.InvokeBinding(
        binding_pb2.InvokeBindingRequest(name="echo", operation="empty")
    )
    assert reply.data == b""


@pytest.mark.parametrize(
    ("name", "operation", "message"),
    [
        ("echo", "", "operation field is missing from request"),
        ("nope", "echo", "couldn't find output binding nope"),
        (
            "echo",
            "fail",
            "error invoking output binding echo: cannot do it for key 9007199254740993",
        ),
    ],
)
async def test_errors_are_internal_with_error_info(
    stub: dapr_pb2_grpc.DaprStub, name: str, operation: str, message: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.InvokeBinding(binding_pb2.InvokeBindingRequest(name=name, operation=operation))
    err = caught.value
    assert err.code() == grpc.StatusCode.INTERNAL
    assert err.details() == message
    status = rpc_status.from_call(err)  # type: ignore[arg-type]
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("ERR_INVOKE_OUTPUT_BINDING", "dapr.io")


async def test_the_api_token_is_checked(stub: dapr_pb2_grpc.DaprStub, sidecar: Sidecar) -> None:
    sidecar.api_token = "s3cret"
    request = binding_pb2.InvokeBindingRequest(name="echo", operation="echo")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.InvokeBinding(request)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    reply = await stub.InvokeBinding(request, metadata=(("dapr-api-token", "s3cret"),))
    assert reply.data


async def test_other_dapr_rpcs_are_unimplemented(stub: dapr_pb2_grpc.DaprStub) -> None:
    from dapr.proto.runtime.v1 import state_pb2

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetState(state_pb2.GetStateRequest(store_name="s", key="k"))
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
