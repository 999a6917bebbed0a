"""`complete-job`: complete a job, merging `variables` into its scope. No response body."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "complete-job"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("jobKey")
    await rpc.call(
        client,
        "CompleteJob",
        pb.CompleteJobRequest(jobKey=key, variables=data.variables()),
        context=f"cannot complete job for key {key}",
    )
    return b""
