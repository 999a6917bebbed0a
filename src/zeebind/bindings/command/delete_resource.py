"""`delete-resource` (not in the reference): delete a deployed process, decision or form by
`resourceKey`."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "delete-resource"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    key = Payload.parse(request.data).key("resourceKey")
    await rpc.call(
        client,
        "DeleteResource",
        pb.DeleteResourceRequest(resourceKey=key),
        context=f"cannot delete resource for key {key}",
    )
    return b""
