"""Every error the sidecar's APIs answer with, in one table: Dapr's error code, HTTP status and
gRPC code."""

from __future__ import annotations

import json
from dataclasses import dataclass

import grpc

from zeebind.errors import ZeebindError


@dataclass(frozen=True)
class ErrorKind:
    error_code: str
    http_status: int
    grpc_status: grpc.StatusCode


MALFORMED_REQUEST = ErrorKind("ERR_MALFORMED_REQUEST", 400, grpc.StatusCode.INVALID_ARGUMENT)
BODY_TOO_LARGE = ErrorKind("ERR_MALFORMED_REQUEST", 413, grpc.StatusCode.RESOURCE_EXHAUSTED)
INVOKE_OUTPUT_BINDING = ErrorKind("ERR_INVOKE_OUTPUT_BINDING", 500, grpc.StatusCode.INTERNAL)
UNAUTHORIZED = ErrorKind("ERR_UNAUTHORIZED", 401, grpc.StatusCode.UNAUTHENTICATED)
HEALTH_NOT_READY = ErrorKind("ERR_HEALTH_NOT_READY", 500, grpc.StatusCode.UNAVAILABLE)
OUTBOUND_HEALTH_NOT_READY = ErrorKind(
    "ERR_OUTBOUND_HEALTH_NOT_READY", 500, grpc.StatusCode.UNAVAILABLE
)
HEALTH_APPID_NOT_MATCH = ErrorKind("ERR_HEALTH_APPID_NOT_MATCH", 500, grpc.StatusCode.UNAVAILABLE)
NOT_FOUND = ErrorKind("ERR_NOT_FOUND", 404, grpc.StatusCode.UNIMPLEMENTED)
METHOD_NOT_ALLOWED = ErrorKind("ERR_METHOD_NOT_ALLOWED", 405, grpc.StatusCode.UNIMPLEMENTED)


class ApiError(ZeebindError):
    """A failed API call: `kind` says how each transport reports it, `message` is Dapr's text."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def body(self) -> bytes:
        return json.dumps(
            {"errorCode": self.kind.error_code, "message": self.message}, ensure_ascii=False
        ).encode()
