"""`create-instance`: start a process by `bpmnProcessId` (+ `version`) or by `processDefinitionKey`.

With `withResult` the call waits for the instance to complete and returns its variables
(`fetchVariables`
limits them); `requestTimeout` bounds that wait.
"""

from __future__ import annotations

from datetime import timedelta

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.bindings.command.payload import Payload
from zeebind.bindings.duration import milliseconds
from zeebind.bindings.errors import PayloadError
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "create-instance"
LATEST_VERSION = -1
# As the Zeebe clients do: ask the gateway to give up a little before the caller does.
REQUEST_TIMEOUT_OFFSET = timedelta(seconds=10)


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    process_id = data.string("bpmnProcessId")
    key = data.integer("processDefinitionKey")
    if process_id and key is not None:
        raise PayloadError(
            "either 'bpmnProcessId' or 'processDefinitionKey' must be passed, "
            "not both at the same time"
        )
    if not process_id and key is None:
        raise PayloadError("either 'bpmnProcessId' or 'processDefinitionKey' must be passed")
    version = data.integer("version", bits=32)
    if process_id:
        create = pb.CreateProcessInstanceRequest(
            bpmnProcessId=process_id, version=LATEST_VERSION if version is None else version
        )
        context = f"cannot create instance for bpmnProcessId {process_id} and " + (
            "latest version" if version is None else f"version {version}"
        )
    else:
        create = pb.CreateProcessInstanceRequest(processDefinitionKey=key)
        context = f"cannot create instance for processDefinitionKey {key}"
    create.variables = data.variables()
    create.tenantId = data.tenant()
    fetch = data.strings("fetchVariables")
    timeout = data.duration("requestTimeout")
    if not data.boolean("withResult"):
        return response.render(
            await rpc.call(client, "CreateProcessInstance", create, context=context)
        )
    if timeout is not None and timeout < timedelta(0):
        raise PayloadError("cannot parse data: field 'requestTimeout' must not be negative")
    with_result = pb.CreateProcessInstanceWithResultRequest(
        request=create, fetchVariables=fetch or []
    )
    deadline: float | None = None
    if timeout is not None:
        with_result.requestTimeout = milliseconds(
            timeout - min(timeout / 10, REQUEST_TIMEOUT_OFFSET)
        )
        deadline = timeout.total_seconds()
    else:
        deadline = rpc.DEFAULT_TIMEOUT_SECONDS
    answer = await rpc.call(
        client, "CreateProcessInstanceWithResult", with_result, context=context, timeout=deadline
    )
    return response.render(answer)
