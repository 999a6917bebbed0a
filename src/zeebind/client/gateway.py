"""The one way the bindings reach Zeebe: a `GatewayClient`, embedded or remote.

Both transports take and return `gateway_protocol` messages (`zeebind.gateway.protocol.pb`) and
fail with
`zeebind.gateway.errors.GatewayError`, so an operation cannot tell, and cannot drift between, the
engine in
this process and a Zeebe cluster across the network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from google.protobuf.message import Message


class GatewayClient(Protocol):
    async def unary(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> Message:
        """Call a unary RPC (`"CreateProcessInstance"` …); `timeout` in seconds bounds the whole
        call."""
        ...

    def stream(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> AsyncIterator[Message]:
        """Call a server-streaming RPC (`"ActivateJobs"`) and yield its messages."""
        ...

    async def close(self) -> None: ...
