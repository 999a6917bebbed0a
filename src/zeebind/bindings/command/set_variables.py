"""`set-variables`: merge variables into an element instance's scope (`local`: that scope only)."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "set-variables"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("elementInstanceKey")
    variables = data.variables(required=True)
    answer = await rpc.call(
        client,
        "SetVariables",
        pb.SetVariablesRequest(
            elementInstanceKey=key, variables=variables, local=data.boolean("local")
        ),
        context=f"cannot set variables for element instance key {key}",
    )
    return response.render(answer)
