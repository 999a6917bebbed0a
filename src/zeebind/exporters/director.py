"""ExportDirector: runs the Operate exporter on its own thread, fed after every commit.

The broker's listener only queues the committed records. The thread drains the queue at most every
`FLUSH_INTERVAL_S` into one projection and one transaction: SQLite's work (which releases the
GIL) runs beside the engine, and instances that start and finish between two drains become
single rows, which measured about half the cost of one transaction per commit. Readers that need
their own writes call `await director.caught_up()` first, which drains at once.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from zeebind.exporters.operate import OperateExporter
from zeebind.protocol.record import Record

log = logging.getLogger("zeebind.exporters")

_STOP = object()
FLUSH_INTERVAL_S = 0.05


class ExportDirector:
    def __init__(
        self,
        exporter: OperateExporter,
        log_records: Callable[[int], Iterable[Record]],
    ) -> None:
        self.exporter = exporter
        self._log_records = log_records
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="zeebind-export", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self.committed = exporter.position  # the last position the broker committed
        self._exported = exporter.position  # the last position the thread made visible
        self._failed = False
        self._closed = False
        self._urgent = threading.Event()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread.start()

    def on_commit(self, records: list[Record]) -> None:
        """The broker listener: cheap, in the broker's loop; a stopped director ignores it."""
        if records and not self._closed:
            self.committed = records[-1].position
            self._queue.put(records)

    async def caught_up(self, position: int | None = None) -> None:
        """Returns once everything up to `position` (default: all committed) is exported."""
        target = self.committed if position is None else position
        if self._exported >= target or not self._thread.is_alive():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((target, waiter))
        self._queue.put(None)  # wakes the thread even if nothing else is queued
        self._urgent.set()
        await waiter

    async def call(self, action: Callable[[], Any]) -> Any:
        """Runs `action` on the export thread (the read model's only writer) and returns."""
        done: Future[Any] = Future()
        self._queue.put((action, done))
        self._urgent.set()
        return await asyncio.wrap_future(done)

    async def stop(self) -> None:
        self._closed = True
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._urgent.set()
            await asyncio.to_thread(self._thread.join)

    # --- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            records: list[Record] = []
            stop = False
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, tuple):
                    self._flush(records)
                    records = []
                    self._run_action(*item)
                elif isinstance(item, list):
                    records.extend(item)
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            self._flush(records)
            if stop:
                return
            # Let commits accumulate: fewer, larger transactions (a reader cuts the wait short).
            self._urgent.wait(FLUSH_INTERVAL_S)
            self._urgent.clear()

    def _flush(self, records: list[Record]) -> None:
        exporter = self.exporter
        if records:
            try:
                if self._failed or records[0].position > exporter.position + 1:
                    exporter.catch_up(self._log_records, records[-1].position)
                else:
                    exporter.export(records)
                self._failed = False
            except Exception:
                log.exception("exporting to the Operate read model failed; retrying from the log")
                self._failed = True
        position = exporter.position
        if self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._release, position)
            except RuntimeError:  # the loop closed meanwhile
                pass

    @staticmethod
    def _run_action(action: Callable[[], Any], done: Future[Any]) -> None:
        try:
            done.set_result(action())
        except Exception as err:
            done.set_exception(err)

    def _release(self, position: int) -> None:
        self._exported = max(self._exported, position)
        keep: list[tuple[int, asyncio.Future[None]]] = []
        for target, waiter in self._waiters:
            if waiter.done():
                continue
            if target <= self._exported or self._failed:
                waiter.set_result(None)
            else:
                keep.append((target, waiter))
        self._waiters = keep
