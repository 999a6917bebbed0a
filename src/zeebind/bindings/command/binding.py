"""`bindings.zeebe.command`: Dapr's Zeebe command output binding, one module per operation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from types import ModuleType

from zeebind.bindings.binding import InvokeRequest, InvokeResponse
from zeebind.bindings.command import (
    activate_jobs,
    broadcast_signal,
    cancel_instance,
    complete_job,
    create_instance,
    delete_resource,
    deploy_resource,
    evaluate_decision,
    fail_job,
    migrate_process_instance,
    modify_process_instance,
    publish_message,
    resolve_incident,
    set_variables,
    throw_error,
    topology,
    update_job_retries,
    update_job_timeout,
)
from zeebind.bindings.errors import BindingError
from zeebind.client.gateway import GatewayClient

COMPONENT_TYPE = "bindings.zeebe.command"

Invoke = Callable[[GatewayClient, InvokeRequest], Awaitable[bytes]]

# The reference's operations in its order, then the ones it lacks.
_MODULES: tuple[ModuleType, ...] = (
    topology,
    deploy_resource,
    create_instance,
    cancel_instance,
    set_variables,
    resolve_incident,
    publish_message,
    activate_jobs,
    complete_job,
    fail_job,
    update_job_retries,
    throw_error,
    evaluate_decision,
    broadcast_signal,
    delete_resource,
    update_job_timeout,
    modify_process_instance,
    migrate_process_instance,
)


def _table() -> dict[str, Invoke]:
    table: dict[str, Invoke] = {}
    for module in _MODULES:
        table[module.NAME] = module.invoke
        if module is topology:
            table[deploy_resource.ALIAS] = deploy_resource.invoke
    return table


OPERATIONS: dict[str, Invoke] = _table()


class ZeebeCommandBinding:
    def __init__(self, client: GatewayClient) -> None:
        self.client = client

    @property
    def operations(self) -> Sequence[str]:
        return tuple(OPERATIONS)

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        operation = OPERATIONS.get(request.operation)
        if operation is None:
            raise BindingError(f"unsupported operation: {request.operation}")
        return InvokeResponse(await operation(self.client, request))

    async def close(self) -> None:
        await self.client.close()
