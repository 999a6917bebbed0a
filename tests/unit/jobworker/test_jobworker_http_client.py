"""The app channel's HTTP/1.1 client against raw sockets: keep-alive, chunked and close-delimited
answers, connections the app closed while idle, and no answer at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from zeebind.bindings.binding import AppError
from zeebind.sidecar.app_channel import HttpAppChannel

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + await reader.readexactly(length)


class RawApp:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer, self.connections)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def start(handler: Handler) -> tuple[RawApp, asyncio.Server, int]:
    app = RawApp(handler)
    server = await asyncio.start_server(app.serve, "127.0.0.1", 0)
    return app, server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def channel_for() -> AsyncIterator[
    Callable[[Handler], Awaitable[tuple[RawApp, HttpAppChannel]]]
]:
    opened: list[tuple[asyncio.Server, HttpAppChannel]] = []

    async def make(handler: Handler) -> tuple[RawApp, HttpAppChannel]:
        app, server, port = await start(handler)
        channel = HttpAppChannel(port)
        opened.append((server, channel))
        return app, channel

    yield make
    for server, channel in opened:
        await channel.close()
        server.close()
        await server.wait_closed()


async def test_keep_alive_and_chunked(channel_for) -> None:  # type: ignore[no-untyped-def]
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while True:
            request = await read_request(reader)
            app.requests.append(request)
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b'5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n'
            )
            await writer.drain()

    app, channel = await channel_for(handler)
    for _ in range(3):
        reply = await channel.deliver("b", "route", b"{}", {"X-Zeebe-Job-Key": "1"})
        assert reply.data == b'{"a":1}'
    assert app.connections == 1
    assert app.requests[0].startswith(b"POST /route HTTP/1.1\r\n")
    assert b"\r\nX-Zeebe-Job-Key: 1\r\n" in app.requests[0]
    assert b"\r\ncontent-type: application/json\r\n" in app.requests[0]
    assert app.requests[0].endswith(b"\r\n\r\n{}")


async def test_a_connection_closed_while_idle_is_replaced(channel_for) -> None:  # type: ignore[no-untyped-def]
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()
        # then closes, as an app's keep-alive timeout does

    app, channel = await channel_for(handler)
    assert (await channel.deliver("b", "r", b"{}", {})).data == b""
    await asyncio.sleep(0.05)
    assert (await channel.deliver("b", "r", b"{}", {})).data == b""
    assert app.connections == 2


async def test_close_delimited_body_and_errors(channel_for) -> None:  # type: ignore[no-untyped-def]
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\nboom")
        await writer.drain()

    _, channel = await channel_for(handler)
    with pytest.raises(AppError) as caught:
        await channel.deliver("b", "r", b"{}", {})
    assert str(caught.value) == (
        "fails to send binding event to http app channel, status code: 500 body: boom"
    )


async def test_no_answer_within_the_timeout(channel_for) -> None:  # type: ignore[no-untyped-def]
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    _, channel = await channel_for(handler)
    with pytest.raises(
        AppError, match=r'error invoking app: Post "http://127\.0\.0\.1:\d+/r": no '
    ):
        await channel.deliver("b", "r", b"{}", {}, timeout=0.2)


async def test_the_app_going_away_mid_answer(channel_for) -> None:  # type: ignore[no-untyped-def]
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Le")
        await writer.drain()

    _, channel = await channel_for(handler)
    with pytest.raises(AppError, match="closed the connection in the middle of its answer"):
        await channel.deliver("b", "r", b"{}", {})


async def test_nothing_listening() -> None:
    _app, server, port = await start(lambda r, w, n: asyncio.sleep(0))
    server.close()
    await server.wait_closed()
    channel = HttpAppChannel(port)
    with pytest.raises(
        AppError, match=rf'error invoking app: Post "http://127\.0\.0\.1:{port}/r": '
    ):
        await channel.deliver("b", "r", b"{}", {})
    await channel.close()
