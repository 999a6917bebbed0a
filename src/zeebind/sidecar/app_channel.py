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
from urllib.parse import quote

import grpc
import httptools
import httpx

from zeebind.bindings.binding import AppChannel, AppError, AppReply
from zeebind.bindings.command.rpc import go_status
from zeebind.sidecar.protocol import APP_CALLBACK_SERVICE, dapr

logger = logging.getLogger("zeebind.sidecar")

PROBE_TIMEOUT_S = 3.0
READY_POLL_S = 0.05
READY_LOG_AFTER_S = 2.0
MAX_ERROR_BODY = 2048
# A route is sent as written, except characters a request target cannot hold (spaces …).
_ROUTE_SAFE = "/?:@!$&'()*+,;=%"
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


class _Stale(Exception):
    """A kept-alive connection the app had closed: nothing was answered on it."""


class _Exchange:
    """httptools callbacks for one response."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.headers_done = False
        self.complete = False
        self.status = 0
        self.keep_alive = False
        self.body: list[bytes] = []

    def on_headers_complete(self) -> None:
        self.headers_done = True
        self.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        # Read here: httptools resets it once the message is done.
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = True


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(host, port)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """(status, body, keep-alive) of one request on this connection."""
        self.writer.write(request)
        if self.writer.transport.get_write_buffer_size() > 65536:
            await self.writer.drain()
        answer = _Exchange()
        received = False
        while not answer.complete:
            chunk = await self.reader.read(65536)
            if not chunk:
                if not received:
                    raise _Stale
                if answer.headers_done:  # a body delimited by the end of the connection
                    return answer.status, b"".join(answer.body), False
                raise ConnectionError("the app closed the connection in the middle of its answer")
            received = True
            answer.parser.feed_data(chunk)
        return answer.status, b"".join(answer.body), answer.keep_alive

    def close(self) -> None:
        self.writer.close()


class _Http1Client:
    """Keep-alive HTTP/1.1 POSTs to the app, one write per request: a fraction of the CPU and
    system calls httpx spends on one, which is most of what the sidecar spends on a delivery."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._authority = f"{host}:{port}".encode()
        self._idle: list[_Connection] = []

    async def post(
        self, path: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, bytes]:
        lines = [b"POST ", path.encode(), b" HTTP/1.1\r\nHost: ", self._authority]
        lines += [b"\r\nContent-Length: ", str(len(body)).encode(), b"\r\n"]
        for name, value in headers:
            lines += [name, b": ", value, b"\r\n"]
        lines += [b"\r\n", body]
        request = b"".join(lines)
        while True:
            reused = bool(self._idle)
            if reused:
                connection = self._idle.pop()
            else:
                connection = await _Connection.open(self.host, self.port)
            try:
                status, data, keep = await connection.exchange(request)
            except _Stale:
                connection.close()
                if reused:
                    continue  # the app closed it while it was idle; a fresh one is tried
                raise ConnectionError("the app closed the connection without answering") from None
            except BaseException:
                connection.close()
                raise
            if keep:
                self._idle.append(connection)
            else:
                connection.close()
            return status, data

    async def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


class HttpAppChannel:
    def __init__(self, port: int, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.base = f"http://{host}:{port}"
        self._posts = _Http1Client(host, port)
        self._http = httpx.AsyncClient(base_url=self.base, timeout=PROBE_TIMEOUT_S)

    @property
    def address(self) -> str:
        return self.base

    async def wait_ready(self) -> None:
        await wait_for_port(self.host, self.port, "http")

    async def subscribed(self, name: str, route: str) -> bool:
        path = f"/{quote(route, safe=_ROUTE_SAFE)}"
        try:
            reply = await self._http.options(path)
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
        path = f"/{quote(route, safe=_ROUTE_SAFE)}"
        try:
            async with asyncio.timeout(timeout):
                status, content = await self._posts.post(path, http_headers(metadata), data)
        except TimeoutError:
            raise AppError(
                f'error invoking app: Post "{self.base}{path}": no answer within {timeout:.1f}s'
            ) from None
        except (OSError, httptools.HttpParserError) as err:
            raise AppError(f'error invoking app: Post "{self.base}{path}": {err}') from None
        if not 200 <= status < 300:
            body = content.decode("utf-8", "replace")
            if len(body) > MAX_ERROR_BODY:
                body = body[:MAX_ERROR_BODY] + "…"
            raise AppError(
                "fails to send binding event to http app channel, "
                f"status code: {status} body: {body}"
            )
        return AppReply(content)

    async def close(self) -> None:
        await self._posts.close()
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
