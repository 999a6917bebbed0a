"""`update-job-retries`: set a job's retries (absent: 3, the Zeebe clients' default). No response
body."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "update-job-retries"
DEFAULT_RETRIES = 3


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("jobKey")
    retries = data.integer("retries", bits=32)
    await rpc.call(
        client,
        "UpdateJobRetries",
        pb.UpdateJobRetriesRequest(
            jobKey=key, retries=DEFAULT_RETRIES if retries is None else retries
        ),
        context=f"cannot update job retries for key {key}",
    )
    return b""
