"""`fail-job`: fail a job with `retries` left (0 raises an incident), optionally after
`retryBackOff`."""

from __future__ import annotations

from datetime import timedelta

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.bindings.duration import milliseconds
from zeebind.bindings.errors import PayloadError
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "fail-job"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("jobKey")
    retries = data.integer("retries", bits=32, required=True)
    backoff = data.duration("retryBackOff")
    if backoff is not None and backoff < timedelta(0):
        raise PayloadError("cannot parse data: field 'retryBackOff' must not be negative")
    await rpc.call(
        client,
        "FailJob",
        pb.FailJobRequest(
            jobKey=key,
            retries=retries,
            errorMessage=data.string("errorMessage") or "",
            retryBackOff=0 if backoff is None else milliseconds(backoff),
            variables=data.variables(),
        ),
        context=f"cannot fail job for key {key}",
    )
    return b""
