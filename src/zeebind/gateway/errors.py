"""The one error type the gateway's handlers raise: a gRPC status code and its details."""

from __future__ import annotations

import grpc

from zeebind.errors import ZeebindError


class GatewayError(ZeebindError):
    """A failed call, as the client will see it: `code` and `details` go on the wire unchanged."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details

    def __repr__(self) -> str:
        return f"GatewayError({self.code.name}, {self.details!r})"


class GatewayClosing(GatewayError):
    """The gateway shut down while the call waited (UNAVAILABLE: clients retry elsewhere)."""

    def __init__(self) -> None:
        super().__init__(grpc.StatusCode.UNAVAILABLE, "The gateway is shutting down")
