"""Dapr's gRPC API for output bindings: `dapr.proto.runtime.v1.Dapr/InvokeBinding`.

Served with grpc.aio's generic handlers over the private descriptor pool of
`zeebind.sidecar.protocol`;
every other Dapr RPC answers UNIMPLEMENTED. Errors carry Dapr's rich status: the message
`error invoking output binding <name>: …` plus a `google.rpc.ErrorInfo` (reason, domain `dapr.io`)
in the
`grpc-status-details-bin` trailer.
"""

from __future__ import annotations

import hmac
from typing import Any

import grpc

from zeebind.sidecar.protocol import ERROR_INFO_TYPE_URL, SERVICE_NAME, dapr
from zeebind.sidecar.runtime import Sidecar
from zeebind.sidecar.status import UNAUTHORIZED, ApiError

TOKEN_METADATA = "dapr-api-token"
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


def status_details(error: ApiError) -> bytes:
    info = dapr.ErrorInfo(reason=error.kind.error_code, domain="dapr.io")
    detail = dapr.Any(type_url=ERROR_INFO_TYPE_URL, value=info.SerializeToString())
    status = dapr.Status(
        code=error.kind.grpc_status.value[0], message=error.message, details=[detail]
    )
    return bytes(status.SerializeToString())


class DaprServicer:
    def __init__(self, sidecar: Sidecar) -> None:
        self.sidecar = sidecar

    def handler(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(
            SERVICE_NAME,
            {
                "InvokeBinding": grpc.unary_unary_rpc_method_handler(
                    self.invoke_binding,
                    request_deserializer=dapr.InvokeBindingRequest.FromString,
                    response_serializer=_serialize,
                )
            },
        )

    async def invoke_binding(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            self._authorize(context)
            result = await self.sidecar.invoke(
                request.name, request.operation, request.data, dict(request.metadata)
            )
        except ApiError as err:
            await context.abort(
                err.kind.grpc_status,
                err.message,
                trailing_metadata=(("grpc-status-details-bin", status_details(err)),),
            )
            raise AssertionError("unreachable") from None
        if result.metadata:
            await context.send_initial_metadata(
                tuple((f"metadata.{key}", value) for key, value in result.metadata.items())
            )
        return dapr.InvokeBindingResponse(data=result.data, metadata=dict(result.metadata))

    def _authorize(self, context: grpc.aio.ServicerContext) -> None:
        expected = self.sidecar.api_token
        if expected is None:
            return
        given = ""
        for key, value in context.invocation_metadata() or ():
            if key == TOKEN_METADATA:
                given = value if isinstance(value, str) else value.decode()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise ApiError(UNAUTHORIZED, "authentication error: api token mismatch")


def _serialize(message: Any) -> bytes:
    return bytes(message.SerializeToString())


def create_server(sidecar: Sidecar) -> grpc.aio.Server:
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ]
    )
    server.add_generic_rpc_handlers((DaprServicer(sidecar).handler(),))
    return server
