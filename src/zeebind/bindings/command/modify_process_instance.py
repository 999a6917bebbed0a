"""`modify-process-instance` (not in the reference): activate and terminate elements of a running
instance.

{"processInstanceKey": K,
 "activateInstructions": [{"elementId": "task", "ancestorElementInstanceKey": K?,
                           "variableInstructions": [{"variables": {…}, "scopeId": "sub"?}]}],
 "terminateInstructions": [{"elementInstanceKey": K}]}
"""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "modify-process-instance"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("processInstanceKey")
    modify = pb.ModifyProcessInstanceRequest(processInstanceKey=key)
    for activate in data.objects("activateInstructions"):
        instruction = modify.activateInstructions.add(
            elementId=activate.string("elementId", required=True),
            ancestorElementInstanceKey=activate.integer("ancestorElementInstanceKey") or 0,
        )
        for variable in activate.objects("variableInstructions"):
            instruction.variableInstructions.add(
                variables=variable.variables(), scopeId=variable.string("scopeId") or ""
            )
    for terminate in data.objects("terminateInstructions"):
        modify.terminateInstructions.add(elementInstanceKey=terminate.key("elementInstanceKey"))
    await rpc.call(
        client,
        "ModifyProcessInstance",
        modify,
        context=f"cannot modify process instance for key {key}",
    )
    return b""
