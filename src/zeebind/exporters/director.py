"""ExportDirector: feeds the Operate exporter after every commit, in batches of commits.

The broker's listener projects each commit's records into a pending batch at once (the records
are dropped right away; holding them longer made the garbage collector promote and re-scan
them): with a log file that is little more than noting the positions of the records Operate
shows (OperateExporter.project_into). At most every `FLUSH_INTERVAL_S` (or once `MAX_PENDING`
records were added, or at once when a reader asks) the batch becomes SQL statements applied in
one transaction.

Where the statements run (benchmarks/read_api.py measures both side by side):
- on the export thread (default): the statements read the frequent records from the log and
  write whole tables' rows at once, so SQLite works with the GIL released, on the second core,
  while the engine goes on; the thread runs at a lower priority (`EXPORT_NICENESS`), so that on
  a busy machine the read model lags rather than the engine;
- in the broker's loop (`threaded=False`): simpler, and the read model is written before
  `caught_up()` returns without a thread hop, but the loop does SQLite's work too.
Readers that need their own writes `await director.caught_up()` first.

A batch that does not continue the read model (an earlier write failed, a projection was
dropped) is not written; the writer catches up from the log up to that batch instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from zeebind.exporters.batch import Batch, Statements
from zeebind.exporters.operate import OperateExporter
from zeebind.protocol.record import Record

log = logging.getLogger("zeebind.exporters")

FLUSH_INTERVAL_S = 0.05
MAX_PENDING = 20_000
EXPORT_NICENESS = 10  # the export thread's nice value (Linux): the engine goes first
_STOP = object()


class ExportDirector:
    def __init__(
        self,
        exporter: OperateExporter,
        log_records: Callable[[int], Iterable[Record]],
        *,
        threaded: bool = True,
    ) -> None:
        self.exporter = exporter
        self.threaded = threaded
        self.committed = exporter.position  # the last position the broker committed
        self._exported = exporter.position  # the last position applied (as the loop knows it)
        self._log_records = log_records
        self._batch = Batch()
        self._pending = 0  # records projected into the batch
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failed = False
        self._closed = False
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="zeebind-export", daemon=True)
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.threaded:
            self._thread.start()

    def on_commit(self, records: list[Record]) -> None:
        """The broker listener, in the broker's loop; a stopped director ignores it."""
        if not records or self._closed:
            return
        self.committed = records[-1].position
        try:
            self.exporter.project_into(self._batch, records)
        except Exception:
            # Dropped: the next batch starts after a gap, which the writer fills from the log.
            log.exception("projecting records for the Operate read model failed")
            self._batch = Batch()
        self._pending += len(records)
        if self._pending >= MAX_PENDING:
            self.flush()
        elif self._timer is None and self._loop is not None:
            self._timer = self._loop.call_later(FLUSH_INTERVAL_S, self.flush)

    def flush(self) -> None:
        """Hands the pending batch over as statements (or applies them)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._batch, self._pending = self._batch, Batch(), 0
        if not batch:
            return
        work = (batch.statements(), batch.first, batch.position)
        if self.threaded:
            self._queue.put(work)
        else:
            self._apply(*work)

    async def caught_up(self) -> None:
        """Returns once everything committed so far is in the read model."""
        self.flush()
        target = self.committed
        if not self.threaded or self._exported >= target or not self._thread.is_alive():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((target, waiter))
        self._queue.put(None)  # wakes the thread for the announcement
        await waiter

    async def call(self, action: Callable[[], Any]) -> Any:
        """Runs `action` where the read model is written (its only writer) and returns."""
        self.flush()
        if not self.threaded:
            return action()
        done: Future[Any] = Future()
        self._queue.put((action, done))
        return await asyncio.wrap_future(done)

    async def stop(self) -> None:
        self.flush()
        self._closed = True
        if self.threaded and self._thread.is_alive():
            self._queue.put(_STOP)
            await asyncio.to_thread(self._thread.join)

    def _apply(self, statements: Statements, first: int, last: int) -> None:
        """Writes a batch that continues the read model; after a gap (a failed write, a dropped
        batch) it catches up from the log instead. Runs where the read model is written."""
        exporter = self.exporter
        if last <= exporter.position:
            return  # a catch-up already covered it
        if first != exporter.position + 1:
            self._catch_up(last)
            return
        try:
            exporter.apply(statements, last)
            self._failed = False
            self._exported = last
        except Exception:
            log.exception("writing the Operate read model failed; catching up from the log")
            self._failed = True

    def _catch_up(self, position: int) -> None:
        try:
            self.exporter.catch_up(self._log_records, position)
            self._failed = False
            self._exported = self.exporter.position
        except Exception:
            log.exception("catching the Operate read model up from the log failed")
            self._failed = True

    # --- the export thread -----------------------------------------------------------------

    def _run(self) -> None:
        _yield_to_the_engine()
        while True:
            item = self._queue.get()
            if item is _STOP:
                self._announce()
                return
            if isinstance(item, tuple) and len(item) == 2:
                _run_action(*item)
            elif isinstance(item, tuple):
                self._apply(*item)
            if self._queue.empty():
                self._announce()

    def _announce(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._release, self.exporter.position)
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


def _yield_to_the_engine() -> None:
    """Lowers the calling thread's priority (Linux threads have nice values of their own): on a
    busy machine the read model lags behind, rather than the export thread taking CPU time from
    the broker's loop."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), EXPORT_NICENESS)


def _run_action(action: Callable[[], Any], done: Future[Any]) -> None:
    try:
        done.set_result(action())
    except Exception as err:
        done.set_exception(err)
