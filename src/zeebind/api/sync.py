"""`SyncZeebeClient`: the same calls, blocking, for code without an event loop.

The async client (and its gRPC channel, or the in-memory engine) lives on a private event loop in
a daemon thread; each call is handed to that loop and waited for.

    with SyncZeebeClient.connect("localhost:26500", insecure=True) as zeebe:
        zeebe.deploy_resource("order.bpmn")
        zeebe.run_process("order", {"orderId": "A-1"})
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

from zeebind.api.client import ZeebeClient

T = TypeVar("T")

# The coroutine methods of ZeebeClient a SyncZeebeClient offers, blocking.
_CALLS = frozenset(
    name
    for name, member in inspect.getmembers(ZeebeClient, inspect.iscoroutinefunction)
    if not name.startswith("_") and name not in {"close", "stream_jobs"}
)


class _LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="zeebind-sync", daemon=True
        )
        self._thread.start()

    def run(self, awaitable: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(_coroutine(awaitable), self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


async def _coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


class SyncZeebeClient:
    """Blocking facade of `ZeebeClient`: every call of it, with the same arguments and results."""

    def __init__(
        self,
        factory: Callable[[], ZeebeClient | Awaitable[ZeebeClient]],
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """`factory` builds the async client on the private loop (a gRPC channel must be
        created there)."""
        self._thread = _LoopThread()
        self._on_close = on_close
        self._closed = False

        async def build() -> ZeebeClient:
            made = factory()
            return await made if inspect.isawaitable(made) else made

        try:
            self.client: ZeebeClient = self._thread.run(build())
        except BaseException:
            self._thread.stop()
            raise

    @classmethod
    def connect(cls, address: str | None = None, **options: Any) -> SyncZeebeClient:
        return cls(lambda: ZeebeClient.connect(address, **options))

    @classmethod
    def camunda_cloud(cls, *args: Any, **options: Any) -> SyncZeebeClient:
        return cls(lambda: ZeebeClient.camunda_cloud(*args, **options))

    @classmethod
    def in_memory(cls) -> SyncZeebeClient:
        """A fresh in-memory engine of its own, reached in-process (gone on `close`)."""
        from zeebind.broker import Broker
        from zeebind.gateway.service import GatewayService

        brokers: list[Broker] = []

        async def start() -> ZeebeClient:
            broker = await Broker.open(None)
            brokers.append(broker)
            return ZeebeClient.embedded(GatewayService(broker))

        async def stop() -> None:
            for broker in brokers:
                await broker.close()

        return cls(start, stop)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in _CALLS:
            raise AttributeError(f"SyncZeebeClient has no attribute {name!r}")
        call = getattr(self.client, name)

        @functools.wraps(call)
        def blocking(*args: Any, **kwargs: Any) -> Any:
            return self._thread.run(call(*args, **kwargs))

        return blocking

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._thread.run(self.client.close())
            if self._on_close is not None:
                self._thread.run(self._on_close())
        finally:
            self._thread.stop()

    def __enter__(self) -> SyncZeebeClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
