"""One gateway call on behalf of an operation, and the text a failed call turns into."""

from __future__ import annotations

import grpc
from google.protobuf.message import Message

from zeebind.bindings.errors import BindingError
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.errors import GatewayError

# Every call gets a deadline, so a gateway that accepts connections but never answers cannot hang a
# request.
DEFAULT_TIMEOUT_SECONDS = 30.0

# Go's codes.Code.String(), which the reference's messages show (`rpc error: code = NotFound desc =
# …`).
_GO_CODE_NAMES = {
    grpc.StatusCode.CANCELLED: "Canceled",
    grpc.StatusCode.UNKNOWN: "Unknown",
    grpc.StatusCode.INVALID_ARGUMENT: "InvalidArgument",
    grpc.StatusCode.DEADLINE_EXCEEDED: "DeadlineExceeded",
    grpc.StatusCode.NOT_FOUND: "NotFound",
    grpc.StatusCode.ALREADY_EXISTS: "AlreadyExists",
    grpc.StatusCode.PERMISSION_DENIED: "PermissionDenied",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "ResourceExhausted",
    grpc.StatusCode.FAILED_PRECONDITION: "FailedPrecondition",
    grpc.StatusCode.ABORTED: "Aborted",
    grpc.StatusCode.OUT_OF_RANGE: "OutOfRange",
    grpc.StatusCode.UNIMPLEMENTED: "Unimplemented",
    grpc.StatusCode.INTERNAL: "Internal",
    grpc.StatusCode.UNAVAILABLE: "Unavailable",
    grpc.StatusCode.DATA_LOSS: "DataLoss",
    grpc.StatusCode.UNAUTHENTICATED: "Unauthenticated",
}


def go_status(code: grpc.StatusCode, details: str) -> str:
    """`rpc error: code = NotFound desc = …`, as grpc-go prints a status."""
    return f"rpc error: code = {_GO_CODE_NAMES.get(code, code.name)} desc = {details}"


def describe(err: GatewayError) -> str:
    if err.code == grpc.StatusCode.UNIMPLEMENTED:
        return (
            "rpc error: code = Unimplemented desc = "
            f"the gateway does not support this yet ({err.details})"
        )
    return go_status(err.code, err.details)


def failure(context: str, err: GatewayError) -> BindingError:
    return BindingError(f"{context}: {describe(err)}")


async def call(
    client: GatewayClient,
    method: str,
    request: Message,
    *,
    context: str,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> Message:
    try:
        return await client.unary(method, request, timeout=timeout)
    except GatewayError as err:
        raise failure(context, err) from None
