"""Reaches a Zeebe gateway over gRPC: TLS by default, keepalive pings, optional OAuth bearer tokens.

Nothing is retried except one call after an UNAUTHENTICATED answer, with a freshly fetched token
(as the Go
and Java clients do). The channel reconnects on its own with a short backoff, so the first call
after the
gateway comes back succeeds without restarting anything.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from zeebind.client.oauth import OAuthCredentials, TokenError, TokenSource
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import SERVICE_NAME, pb

DEFAULT_KEEPALIVE_SECONDS = 45.0
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
# A call first waits this long for a connection that is not up (the channel's backoff is at most a
# second), so the first call after the gateway returns finds it; the call itself is sent once.
CONNECT_WAIT_SECONDS = 2.0
# grpc-core's default reconnect backoff grows to two minutes; a sidecar should notice a returning
# gateway fast.
MAX_RECONNECT_BACKOFF_MS = 1000


class RemoteGatewayClient:
    def __init__(
        self,
        address: str,
        *,
        plaintext: bool = False,
        ca_path: Path | None = None,
        oauth: OAuthCredentials | None = None,
        keepalive: float = DEFAULT_KEEPALIVE_SECONDS,
    ) -> None:
        self.address = address
        options: list[tuple[str, Any]] = [
            ("grpc.keepalive_time_ms", int(keepalive * 1000)),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", MAX_RECONNECT_BACKOFF_MS),
            ("grpc.primary_user_agent", "zeebind"),
        ]
        if plaintext:
            self._channel = grpc.aio.insecure_channel(address, options=options)
        else:
            roots = ca_path.read_bytes() if ca_path is not None else None
            credentials = grpc.ssl_channel_credentials(root_certificates=roots)
            self._channel = grpc.aio.secure_channel(address, credentials, options=options)
        self._tokens = TokenSource(oauth) if oauth is not None else None
        self._unary: dict[str, Callable[..., Any]] = {}
        self._streams: dict[str, Callable[..., Any]] = {}

    @property
    def token_source(self) -> TokenSource | None:
        return self._tokens

    async def unary(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> Message:
        call = self._unary.get(method)
        if call is None:
            call = self._unary[method] = self._channel.unary_unary(
                f"/{SERVICE_NAME}/{method}",
                request_serializer=_serialize,
                response_deserializer=pb.response_class(method).FromString,
            )
        header = await self._authorization()
        await self._connected(timeout)
        try:
            try:
                response: Message = await call(request, timeout=timeout, metadata=_metadata(header))
                return response
            except grpc.aio.AioRpcError as err:
                if err.code() != grpc.StatusCode.UNAUTHENTICATED or header is None:
                    raise
                fresh = await self._refreshed(header)
                if fresh == header:
                    raise
                response = await call(request, timeout=timeout, metadata=_metadata(fresh))
                return response
        except grpc.aio.AioRpcError as err:
            raise _gateway_error(err) from None

    async def stream(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> AsyncIterator[Message]:
        call = self._streams.get(method)
        if call is None:
            call = self._streams[method] = self._channel.unary_stream(
                f"/{SERVICE_NAME}/{method}",
                request_serializer=_serialize,
                response_deserializer=pb.response_class(method).FromString,
            )
        header = await self._authorization()
        await self._connected(timeout)
        received = False
        running = call(request, timeout=timeout, metadata=_metadata(header))
        try:
            try:
                async for message in running:
                    received = True
                    yield message
            except grpc.aio.AioRpcError as err:
                if received or err.code() != grpc.StatusCode.UNAUTHENTICATED or header is None:
                    raise
                fresh = await self._refreshed(header)
                if fresh == header:
                    raise
                running = call(request, timeout=timeout, metadata=_metadata(fresh))
                async for message in running:
                    yield message
        except grpc.aio.AioRpcError as err:
            raise _gateway_error(err) from None
        finally:
            # Leaving early (a worker closing its job stream) ends the call at the gateway too.
            running.cancel()

    async def close(self) -> None:
        await self._channel.close()
        if self._tokens is not None:
            await self._tokens.close()

    async def _connected(self, timeout: float | None) -> None:
        if self._channel.get_state(try_to_connect=True) == grpc.ChannelConnectivity.READY:
            return
        budget = CONNECT_WAIT_SECONDS if timeout is None else min(CONNECT_WAIT_SECONDS, timeout)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._channel.channel_ready(), budget)

    async def _authorization(self) -> str | None:
        if self._tokens is None:
            return None
        try:
            return await self._tokens.header()
        except TokenError as err:
            raise GatewayError(grpc.StatusCode.UNAUTHENTICATED, str(err)) from None

    async def _refreshed(self, stale: str) -> str:
        assert self._tokens is not None
        try:
            return await self._tokens.refresh(stale)
        except TokenError as err:
            raise GatewayError(grpc.StatusCode.UNAUTHENTICATED, str(err)) from None


def _serialize(message: Message) -> bytes:
    return bytes(message.SerializeToString())


def _metadata(header: str | None) -> tuple[tuple[str, str], ...] | None:
    return None if header is None else (("authorization", header),)


def _gateway_error(err: grpc.aio.AioRpcError) -> GatewayError:
    return GatewayError(err.code(), err.details() or err.code().name)
