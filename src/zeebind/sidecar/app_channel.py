"""The app channel: how input bindings reach the app at `--app-port` (`--app-protocol http|grpc`).

HTTP, as Dapr's runtime does it: `OPTIONS /<route>` to ask whether the app subscribed (2xx or 405
means yes), then `POST /<route>` with the event's data as the JSON body and its metadata as
headers. gRPC: `AppCallback/ListInputBindings` once, then `AppCallback/OnBindingEvent` per event,
over the messages of `proto/appcallback.proto` in the sidecar's private descriptor pool.

Header names go out as Go's `Header.Add` writes them (`process-header-1` → `Process-Header-1`). A
name that is not an HTTP token (`io.camunda.zeebe:formKey`) is sent with each character outside
the token alphabet replaced by `-` (`Io.camunda.zeebe-Formkey` after canonicalisation), where the
reference failed the whole delivery.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
from collections.abc import Mapping
from typing import Any

import grpc
import httpx

from zeebind.bindings.binding import AppChannel, AppError, AppReply
from zeebind.bindings.command.rpc import go_status
from zeebind.sidecar.protocol import APP_CALLBACK_SERVICE, dapr

logger = logging.getLogger("zeebind.sidecar")

PROBE_TIMEOUT_S = 3.0
READY_POLL_S = 0.05
READY_LOG_AFTER_S = 2.0
MAX_ERROR_BODY = 2048
_NOT_TOKEN = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
# Headers the transport owns; a custom header by one of these names would corrupt the request.
_RESERVED = frozenset(
    {
        "connection",
        "content-length",
        "content-type",
        "host",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def header_name(name: str) -> str:
    """A metadata key as an HTTP header name: made a token, then canonicalised as Go does."""
    token = _NOT_TOKEN.sub("-", name)
    return "-".join(part[:1].upper() + part[1:].lower() for part in token.split("-"))


def http_headers(metadata: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    named: dict[str, bytes] = {}
    for key, value in metadata.items():
        name = header_name(key)
        if not name or name.lower() in _RESERVED:
            continue
        # CR and LF would split the header; other bytes go out as UTF-8, as Go writes them.
        # A later key with the same canonical name wins: `X-Zeebe-*` over a custom header.
        named[name] = value.replace("\r", " ").replace("\n", " ").encode("utf-8")
    headers = [(b"content-type", b"application/json")]
    headers.extend((name.encode("ascii"), value) for name, value in named.items())
    return headers


async def wait_for_port(host: str, port: int, what: str) -> None:
    """Returns once something accepts TCP connections on host:port (Dapr waits for the app)."""
    started = time.monotonic()
    logged = False
    while True:
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            if not logged and time.monotonic() - started > READY_LOG_AFTER_S:
                logger.info("waiting for the app (%s) on %s:%d", what, host, port)
                logged = True
            await asyncio.sleep(READY_POLL_S)
            continue
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
        return


class HttpAppChannel:
    def __init__(self, port: int, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.base = f"http://{host}:{port}"
        # Without TCP_NODELAY a request's header and body writes meet delayed ACKs (40 ms stalls).
        transport = httpx.AsyncHTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )
        self._http = httpx.AsyncClient(base_url=self.base, transport=transport, timeout=None)

    @property
    def address(self) -> str:
        return self.base

    async def wait_ready(self) -> None:
        await wait_for_port(self.host, self.port, "http")

    async def subscribed(self, name: str, route: str) -> bool:
        path = f"/{route}"
        try:
            reply = await self._http.options(path, timeout=PROBE_TIMEOUT_S)
        except httpx.HTTPError as err:
            raise AppError(
                f'could not invoke OPTIONS method on input binding subscription endpoint "{path}": '
                f"{_describe(err)}"
            ) from None
        return 200 <= reply.status_code < 300 or reply.status_code == 405

    async def deliver(
        self,
        name: str,
        route: str,
        data: bytes,
        metadata: Mapping[str, str],
        *,
        timeout: float | None = None,
    ) -> AppReply:
        path = f"/{route}"
        try:
            reply = await self._http.post(
                path, content=data, headers=http_headers(metadata), timeout=timeout
            )
        except httpx.HTTPError as err:
            raise AppError(
                f'error invoking app: Post "{self.base}{path}": {_describe(err)}'
            ) from None
        if not 200 <= reply.status_code < 300:
            body = reply.content.decode("utf-8", "replace")
            if len(body) > MAX_ERROR_BODY:
                body = body[:MAX_ERROR_BODY] + "…"
            raise AppError(
                "fails to send binding event to http app channel, "
                f"status code: {reply.status_code} body: {body}"
            )
        return AppReply(reply.content)

    async def close(self) -> None:
        await self._http.aclose()


class GrpcAppChannel:
    def __init__(self, port: int, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self._channel = grpc.aio.insecure_channel(
            f"{host}:{port}",
            options=[
                ("grpc.max_receive_message_length", 4 * 1024 * 1024),
                ("grpc.max_send_message_length", 4 * 1024 * 1024),
            ],
        )
        self._list = self._channel.unary_unary(
            f"/{APP_CALLBACK_SERVICE}/ListInputBindings",
            request_serializer=_serialize,
            response_deserializer=dapr.ListInputBindingsResponse.FromString,
        )
        self._event = self._channel.unary_unary(
            f"/{APP_CALLBACK_SERVICE}/OnBindingEvent",
            request_serializer=_serialize,
            response_deserializer=dapr.BindingEventResponse.FromString,
        )
        self._bindings: list[str] | None = None
        self._listing = asyncio.Lock()

    @property
    def address(self) -> str:
        return f"grpc://{self.host}:{self.port}"

    async def wait_ready(self) -> None:
        await wait_for_port(self.host, self.port, "grpc")

    async def subscribed(self, name: str, route: str) -> bool:
        async with self._listing:
            if self._bindings is None:
                try:
                    answer: Any = await self._list(dapr.Empty(), timeout=PROBE_TIMEOUT_S)
                except grpc.aio.AioRpcError as err:
                    raise AppError(
                        "error listing input bindings from the app: "
                        + go_status(err.code(), err.details() or "")
                    ) from None
                self._bindings = list(answer.bindings)
        return name in self._bindings

    async def deliver(
        self,
        name: str,
        route: str,
        data: bytes,
        metadata: Mapping[str, str],
        *,
        timeout: float | None = None,
    ) -> AppReply:
        request = dapr.BindingEventRequest(name=name, data=data, metadata=dict(metadata))
        try:
            answer: Any = await self._event(request, timeout=timeout)
        except grpc.aio.AioRpcError as err:
            raise AppError(
                "error invoking app: " + go_status(err.code(), err.details() or "")
            ) from None
        return AppReply(bytes(answer.data) or None)

    async def close(self) -> None:
        await self._channel.close()


def app_channel(protocol: str, port: int, *, host: str = "127.0.0.1") -> AppChannel:
    if protocol == "grpc":
        return GrpcAppChannel(port, host=host)
    return HttpAppChannel(port, host=host)


def _describe(err: httpx.HTTPError) -> str:
    text = str(err)
    return text or type(err).__name__


def _serialize(message: Any) -> bytes:
    return bytes(message.SerializeToString())
