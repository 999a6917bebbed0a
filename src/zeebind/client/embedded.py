"""Calls the gateway's handlers of the engine in this process directly: no socket, no
serialisation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from google.protobuf.message import Message

from zeebind.gateway.errors import GatewayError
from zeebind.gateway.service import CallContext, GatewayService


class EmbeddedGatewayClient:
    def __init__(self, service: GatewayService) -> None:
        self._service = service

    async def unary(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> Message:
        call = self._context(timeout)
        if timeout is None:
            return await self._service.unary(method, request, call)
        try:
            return await asyncio.wait_for(self._service.unary(method, request, call), timeout)
        except TimeoutError:
            raise GatewayError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded") from None

    async def stream(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> AsyncIterator[Message]:
        call = self._context(timeout)
        loop = asyncio.get_running_loop()
        messages = self._service.stream(method, request, call)
        iterator = messages.__aiter__()
        try:
            while True:
                remaining = None if call.deadline is None else call.deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    raise GatewayError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
                try:
                    message = await asyncio.wait_for(iterator.__anext__(), remaining)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    raise GatewayError(
                        grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"
                    ) from None
                yield message
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None:
                await close()

    async def close(self) -> None:
        """The engine belongs to whoever started it; closing the client leaves it running."""

    @staticmethod
    def _context(timeout: float | None) -> CallContext:
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        return CallContext(deadline=deadline, metadata={})
