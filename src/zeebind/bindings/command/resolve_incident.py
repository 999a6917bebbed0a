"""`resolve-incident`: mark an incident resolved. No response body."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "resolve-incident"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    key = Payload.parse(request.data).key("incidentKey")
    await rpc.call(
        client,
        "ResolveIncident",
        pb.ResolveIncidentRequest(incidentKey=key),
        context=f"cannot resolve incident for key {key}",
    )
    return b""
