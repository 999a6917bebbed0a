"""`throw-error`: throw a BPMN error (`errorCode`) from a job, with optional `variables`. No
response body."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "throw-error"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("jobKey")
    code = data.string("errorCode", required=True)
    await rpc.call(
        client,
        "ThrowError",
        pb.ThrowErrorRequest(
            jobKey=key,
            errorCode=code,
            errorMessage=data.string("errorMessage") or "",
            variables=data.variables(),
        ),
        context=f"cannot throw error for job key {key}",
    )
    return b""
