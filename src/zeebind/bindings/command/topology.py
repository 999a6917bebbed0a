"""`topology`: the cluster the gateway belongs to. Data and metadata are ignored."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "topology"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    answer = await rpc.call(
        client, "Topology", pb.TopologyRequest(), context="cannot get zeebe topology"
    )
    return response.render(answer, keep_zero=True)
