"""`migrate-process-instance` (not in the reference): move a running instance to another definition.

{"processInstanceKey": K,
 "migrationPlan": {"targetProcessDefinitionKey": K,
                   "mappingInstructions": [{"sourceElementId": "a", "targetElementId": "b"}]}}
"""

from __future__ import annotations

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import rpc
from zeebind.bindings.command.payload import Payload
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "migrate-process-instance"


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    key = data.key("processInstanceKey")
    plan = data.object("migrationPlan", required=True)
    assert plan is not None
    migrate = pb.MigrateProcessInstanceRequest(processInstanceKey=key)
    migrate.migrationPlan.targetProcessDefinitionKey = plan.key("targetProcessDefinitionKey")
    for mapping in plan.objects("mappingInstructions"):
        migrate.migrationPlan.mappingInstructions.add(
            sourceElementId=mapping.string("sourceElementId", required=True),
            targetElementId=mapping.string("targetElementId", required=True),
        )
    await rpc.call(
        client,
        "MigrateProcessInstance",
        migrate,
        context=f"cannot migrate process instance for key {key}",
    )
    return b""
