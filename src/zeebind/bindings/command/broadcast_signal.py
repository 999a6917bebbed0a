"""`broadcast-signal` (not in the reference): broadcast a signal to every subscription of
`signalName`."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "broadcast-signal"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    name = data.string("signalName", required=True)
    broadcast = pb.BroadcastSignalRequest(
        signalName=name, variables=data.variables(), tenantId=data.tenant()
    )
    answer = await rpc.call(
        client, "BroadcastSignal", broadcast, context=f"cannot broadcast signal with name {name}"
    )
    return response.render(answer)
