"""`cancel-instance`: terminate a running process instance. No response body."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "cancel-instance"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    key = Payload.parse(request.data).key("processInstanceKey")
    await rpc.call(
        client,
        "CancelProcessInstance",
        pb.CancelProcessInstanceRequest(processInstanceKey=key),
        context=f"cannot cancel instance for process instance key {key}",
    )
    return b""
