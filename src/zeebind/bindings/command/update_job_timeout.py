"""`update-job-timeout` (not in the reference): give an activated job a new `timeout`, from now."""

from __future__ import annotations

from datetime import timedelta

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.bindings.duration import milliseconds
from zeebind.bindings.errors import PayloadError
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "update-job-timeout"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("jobKey")
    timeout = data.duration("timeout")
    if timeout is None:
        raise data.missing("timeout")
    if timeout < timedelta(0):
        raise PayloadError("cannot parse data: field 'timeout' must not be negative")
    await rpc.call(
        client,
        "UpdateJobTimeout",
        pb.UpdateJobTimeoutRequest(jobKey=key, timeout=milliseconds(timeout)),
        context=f"cannot update job timeout for key {key}",
    )
    return b""
