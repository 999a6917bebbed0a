"""`publish-message`: publish a message, buffered for `timeToLive` (absent: 0, correlate only
now)."""

from __future__ import annotations

from datetime import timedelta

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.bindings.command.payload import Payload
from zeebind.bindings.duration import milliseconds
from zeebind.bindings.errors import PayloadError
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "publish-message"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    name = data.string("messageName", required=True)
    assert name is not None
    correlation_key = data.raw("correlationKey")
    if correlation_key is not None and not isinstance(correlation_key, str):
        raise data.wrong("correlationKey", "a string")
    ttl = data.duration("timeToLive")
    if ttl is not None and ttl < timedelta(0):
        raise PayloadError("cannot parse data: field 'timeToLive' must not be negative")
    publish = pb.PublishMessageRequest(
        name=name,
        correlationKey=correlation_key or "",
        timeToLive=0 if ttl is None else milliseconds(ttl),
        messageId=data.string("messageId") or "",
        variables=data.variables(),
        tenantId=data.tenant(),
    )
    answer = await rpc.call(
        client, "PublishMessage", publish, context=f"cannot publish message with name {name}"
    )
    return response.render(answer)
