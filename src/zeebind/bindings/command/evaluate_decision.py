"""`evaluate-decision` (not in the reference): evaluate a DMN decision by `decisionId` or
`decisionKey`."""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.bindings.command.payload import Payload
from zeebind.bindings.errors import PayloadError
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "evaluate-decision"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    decision_id = data.string("decisionId")
    key = data.integer("decisionKey")
    if decision_id and key is not None:
        raise PayloadError(
            "either 'decisionId' or 'decisionKey' must be passed, not both at the same time"
        )
    if not decision_id and key is None:
        raise PayloadError("either 'decisionId' or 'decisionKey' must be passed")
    evaluate = pb.EvaluateDecisionRequest(
        decisionId=decision_id or "",
        decisionKey=key or 0,
        variables=data.variables(),
        tenantId=data.tenant(),
    )
    context = (
        f"cannot evaluate decision {decision_id}"
        if decision_id
        else (f"cannot evaluate decision with key {key}")
    )
    return response.render(await rpc.call(client, "EvaluateDecision", evaluate, context=context))
