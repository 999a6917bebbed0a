"""ExportDirector: feeds the Operate exporter after every commit, in batches of commits.

The broker's listener only buffers the committed records. They are projected at most every
`FLUSH_INTERVAL_S` (or once `MAX_PENDING` records wait) in one projection and one transaction:
instances that start and finish between two flushes become single rows, which measured about
half the cost of one transaction per commit. Readers that need their own writes call
`await director.caught_up()` first, which flushes at once.

Two ways to run the flushes (benchmarks/read_api.py measures both side by side):
- in the broker's loop (default): no second thread competes for the GIL with the engine;
- on a thread of its own (`threaded=True`): SQLite's work releases the GIL and may overlap with
  the engine on a second core, but the projection's Python competes with the engine for the GIL
  (each row bound and stepped hands the GIL back and forth), which measured slower.
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

FLUSH_INTERVAL_S = 0.05
MAX_PENDING = 20_000
_STOP = object()


class ExportDirector:
    def __init__(
        self,
        exporter: OperateExporter,
        log_records: Callable[[int], Iterable[Record]],
        *,
        threaded: bool = False,
    ) -> None:
        self.exporter = exporter
        self.threaded = threaded
        self.committed = exporter.position  # the last position the broker committed
        self._log_records = log_records
        self._pending: list[Record] = []
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failed = False
        self._closed = False
        # threaded mode only
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="zeebind-export", daemon=True)
        self._urgent = threading.Event()
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._exported = exporter.position

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.threaded:
            self._thread.start()

    def on_commit(self, records: list[Record]) -> None:
        """The broker listener: cheap, in the broker's loop; a stopped director ignores it."""
        if not records or self._closed:
            return
        self.committed = records[-1].position
        if self.threaded:
            self._queue.put(records)
            return
        self._pending.extend(records)
        if len(self._pending) >= MAX_PENDING:
            self.flush()
        elif self._timer is None and self._loop is not None:
            self._timer = self._loop.call_later(FLUSH_INTERVAL_S, self.flush)

    def flush(self) -> None:
        """Projects what is buffered (in-loop mode)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        records, self._pending = self._pending, []
        self._export(records)

    async def caught_up(self, position: int | None = None) -> None:
        """Returns once everything up to `position` (default: all committed) is exported."""
        if not self.threaded:
            self.flush()
            return
        target = self.committed if position is None else position
        if self._exported >= target or not self._thread.is_alive():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((target, waiter))
        self._queue.put(None)  # wakes the thread even if nothing else is queued
        self._urgent.set()
        await waiter

    async def call(self, action: Callable[[], Any]) -> Any:
        """Runs `action` where the read model is written (its only writer) and returns."""
        if not self.threaded:
            self.flush()
            return action()
        done: Future[Any] = Future()
        self._queue.put((action, done))
        self._urgent.set()
        return await asyncio.wrap_future(done)

    async def stop(self) -> None:
        self._closed = True
        if not self.threaded:
            self.flush()
        elif self._thread.is_alive():
            self._queue.put(_STOP)
            self._urgent.set()
            await asyncio.to_thread(self._thread.join)

    def _export(self, records: list[Record]) -> None:
        exporter = self.exporter
        if not records:
            return
        try:
            if self._failed or records[0].position > exporter.position + 1:
                exporter.catch_up(self._log_records, records[-1].position)
            else:
                exporter.export(records)
            self._failed = False
        except Exception:
            log.exception("exporting to the Operate read model failed; retrying from the log")
            self._failed = True

    # --- threaded mode ---------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            records: list[Record] = []
            stop = False
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, tuple):
                    self._export(records)
                    records = []
                    _run_action(*item)
                elif isinstance(item, list):
                    records.extend(item)
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            self._export(records)
            self._announce(self.exporter.position)
            if stop:
                return
            # Let commits accumulate: fewer, larger transactions (a reader cuts the wait short).
            self._urgent.wait(FLUSH_INTERVAL_S)
            self._urgent.clear()

    def _announce(self, position: int) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._release, position)
        except RuntimeError:  # the loop closed meanwhile
            pass

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


def _run_action(action: Callable[[], Any], done: Future[Any]) -> None:
    try:
        done.set_result(action())
    except Exception as err:
        done.set_exception(err)
