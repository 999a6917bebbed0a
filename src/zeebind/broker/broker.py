"""The single-writer loop: batches commands, processes them, commits once, then answers.

Callers (`gateway/`, `client/`, `sidecar/`) submit commands and await the response record. One
asyncio task owns the engine: it takes every queued command, stamps it with the clock, lets the
engine process it, appends all resulting records to SQLite in one transaction (group commit) and
only then resolves the callers' futures and wakes job waiters and job streams.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from zeebind.broker.clock import Clock, ManualClock, SystemClock
from zeebind.engine import snapshot
from zeebind.engine.engine import Engine
from zeebind.engine.result import ResultBuilder
from zeebind.errors import ZeebindError
from zeebind.protocol.intent import (
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceResultIntent,
)
from zeebind.protocol.record import Record, RecordType, RejectionType, ValueType
from zeebind.store.database import Database

log = logging.getLogger("zeebind.broker")

DEFAULT_QUEUE_LIMIT = 10_000
DEFAULT_BATCH_LIMIT = 1_000
# A snapshot after this many new records keeps restarts short (replay of the tail only).
SNAPSHOT_INTERVAL = 200_000
STREAM_BATCH_SIZE = 32


class CommandRejected(ZeebindError):
    """The engine rejected a command. `str()` is Zeebe's gateway message."""

    def __init__(self, intent: str, rejection_type: RejectionType, reason: str) -> None:
        self.intent = intent
        self.rejection_type = rejection_type
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"Command '{self.intent}' rejected with code '{self.rejection_type}': {self.reason}"


class Backpressure(ZeebindError):
    """The command queue is full: the caller should retry later (RESOURCE_EXHAUSTED)."""


@dataclass(slots=True)
class _Pending:
    command: Record
    future: asyncio.Future[Record] | None
    on_done: Callable[[ResultBuilder], None] | None = None


@dataclass(slots=True, eq=False)
class JobStream:
    """An open job push stream: jobs activated for this worker arrive on `queue`."""

    broker: Broker
    job_type: str
    worker: str
    timeout: int
    fetch_variables: list[str]
    tenant_ids: list[str]
    # None ends the iteration (the stream or the broker was closed).
    queue: asyncio.Queue[tuple[int, dict[str, Any]] | None] = field(default_factory=asyncio.Queue)
    closed: bool = False
    in_flight: bool = False

    def __aiter__(self) -> AsyncIterator[tuple[int, dict[str, Any]]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[tuple[int, dict[str, Any]]]:
        while not self.closed:
            item = await self.queue.get()
            if item is None:
                return
            yield item

    def close(self) -> None:
        """Ends the stream; jobs pushed but not taken are handed back (YIELD)."""
        if self.closed:
            return
        self.closed = True
        self.broker._remove_stream(self)
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if item is not None:
                self.broker._submit_internal(_command(ValueType.JOB, JobIntent.YIELD, item[0], {}))
        self.queue.put_nowait(None)


def _command(
    value_type: ValueType, intent: StrEnum | str, key: int, value: dict[str, Any]
) -> Record:
    return Record(RecordType.COMMAND, value_type, str(intent), value, key=key)


class Broker:
    """Owns the engine and the log. Create with `await Broker.open(...)`, end with `close()`."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock | None = None,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
        batch_limit: int = DEFAULT_BATCH_LIMIT,
    ) -> None:
        self.database = database
        self.clock: Clock = clock or SystemClock()
        self.engine = Engine()
        self._queue: deque[_Pending] = deque()
        self._queue_limit = queue_limit
        self._batch_limit = batch_limit
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._job_waiters: dict[str, set[asyncio.Future[bool]]] = {}
        self._result_waiters: dict[int, asyncio.Future[Record]] = {}
        self._streams: dict[str, list[JobStream]] = {}
        self._listeners: list[Callable[[list[Record]], None]] = []
        self._snapshot_position = 0
        self.snapshot_interval = SNAPSHOT_INTERVAL
        if isinstance(self.clock, ManualClock):
            self.clock.listeners.append(self._wakeup.set)

    @classmethod
    async def open(
        cls,
        data_dir: Path | None,
        *,
        clock: Clock | None = None,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
        synchronous: str = "NORMAL",
    ) -> Broker:
        """Opens (or creates) the log under `data_dir` (None = in memory) and replays it."""
        path = data_dir / "zeebind.db" if data_dir is not None else None
        broker = cls(Database(path, synchronous=synchronous), clock=clock, queue_limit=queue_limit)
        broker.recover()
        broker.start()
        return broker

    def recover(self, *, use_snapshot: bool = True) -> None:
        """Rebuilds the state: the latest usable snapshot, then the events logged after it."""
        self.engine = Engine()
        after = 0
        saved = self.database.latest_snapshot() if use_snapshot else None
        if saved is not None and saved[1] == snapshot.FORMAT:
            state = snapshot.load(saved[2])
            if state is not None and state.last_position == saved[0]:
                self.engine = Engine(state)
                after = saved[0]
        for record in self.database.records(after):
            self.engine.replay(record)
        self._snapshot_position = self.engine.state.last_position

    def take_snapshot(self) -> None:
        state = self.engine.state
        if state.last_position == self._snapshot_position:
            return
        self.database.save_snapshot(state.last_position, snapshot.FORMAT, snapshot.dump(state))
        self._snapshot_position = state.last_position

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="zeebind-broker")

    async def close(self) -> None:
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        for pending in self._queue:
            if pending.future is not None and not pending.future.done():
                pending.future.set_exception(ConnectionAbortedError("the broker is shutting down"))
        self._queue.clear()
        for waiters in self._job_waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(False)
        for streams in list(self._streams.values()):
            for stream in list(streams):
                stream.closed = True
                stream.queue.put_nowait(None)
        try:
            self.take_snapshot()
        except Exception:  # pragma: no cover - the log alone still restores everything
            log.exception("writing the shutdown snapshot failed")
        self.database.close()

    # --- the edges' API ----------------------------------------------------------------------

    async def command(
        self,
        value_type: ValueType,
        intent: StrEnum | str,
        value: dict[str, Any],
        *,
        key: int = -1,
        operation_reference: int | None = None,
    ) -> Record:
        """Submits a command and returns its response record once committed (see commands.md)."""
        if self._closing:
            raise ConnectionAbortedError("the broker is shutting down")
        if len(self._queue) >= self._queue_limit:
            raise Backpressure(
                "Expected to execute the command on one of the partitions, but all failed; there "
                "are no more partitions available to retry. Please try again. If the error "
                "persists contact your zeebe operator"
            )
        command = _command(value_type, intent, key, value)
        command.operation_reference = operation_reference
        future: asyncio.Future[Record] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(command, future))
        self._wakeup.set()
        return await future

    async def wait_for_jobs(self, job_type: str, timeout_s: float) -> bool:
        """Waits until jobs of `job_type` may be activatable (True) or the time is up (False)."""
        if self.engine.state.activatable.get(job_type):
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        waiters = self._job_waiters.setdefault(job_type, set())
        waiters.add(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), max(timeout_s, 0))
        except TimeoutError:
            return False
        finally:
            waiters.discard(waiter)
            if not waiters:
                self._job_waiters.pop(job_type, None)

    def open_job_stream(
        self,
        *,
        job_type: str,
        worker: str,
        timeout: int,
        fetch_variables: list[str] | None = None,
        tenant_ids: list[str] | None = None,
    ) -> JobStream:
        stream = JobStream(
            self, job_type, worker, timeout, list(fetch_variables or []), list(tenant_ids or [])
        )
        self._streams.setdefault(job_type, []).append(stream)
        if self.engine.state.activatable.get(job_type):
            self._push_to_streams(job_type)
        return stream

    @property
    def is_idle(self) -> bool:
        """Nothing queued and nothing due now: every submitted command has been answered."""
        if self._queue or self._wakeup.is_set():
            return False
        due = self.engine.next_due()
        return due is None or due > self.clock.now_ms()

    def add_listener(self, listener: Callable[[list[Record]], None]) -> None:
        """Called after every commit with the committed records (exporters)."""
        self._listeners.append(listener)

    # --- the loop ----------------------------------------------------------------------------

    def _submit_internal(
        self, command: Record, on_done: Callable[[ResultBuilder], None] | None = None
    ) -> None:
        if self._closing:
            return
        self._queue.append(_Pending(command, None, on_done))
        self._wakeup.set()

    async def _run(self) -> None:
        while not self._closing:
            if not self._queue:
                timeout = self._time_to_next_due()
                self._wakeup.clear()
                if not self._queue:
                    try:
                        await asyncio.wait_for(self._wakeup.wait(), timeout)
                    except TimeoutError:
                        pass
                if self._closing:
                    break
            try:
                self._process_batch()
            except Exception:  # pragma: no cover - a bug; keep the broker alive
                log.exception("processing a batch failed")
            await asyncio.sleep(0)

    def _time_to_next_due(self) -> float | None:
        due = self.engine.next_due()
        if due is None:
            return None
        if isinstance(self.clock, ManualClock):
            return 0 if due <= self.clock.now_ms() else None
        return max(0.0, (due - self.clock.now_ms()) / 1000)

    def _process_batch(self) -> None:
        # A batch allocates many short-lived, acyclic objects (records, values), freed by
        # reference counting. Cyclic collections in the middle of it only walk the growing
        # batch again and again (a quarter of the CPU of a 10k-timer burst), so they wait until
        # the batch is committed.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._process_and_commit()
        finally:
            if collecting:
                gc.enable()

    def _process_and_commit(self) -> None:
        now = self.clock.now_ms()
        # At most a batch of due commands, then at most a batch of the callers' commands: a
        # burst of timers is worked off over several batches and callers are served between.
        batch: list[_Pending] = [
            _Pending(command, None) for command in self.engine.due_commands(now, self._batch_limit)
        ]
        taken = 0
        while self._queue and taken < self._batch_limit:
            batch.append(self._queue.popleft())
            taken += 1
        if not batch:
            return
        steps = self._process_all(batch, now)
        records = [record for step in steps for record in step.records]
        try:
            self.database.append(records)
        except Exception as err:
            log.exception("committing %d records failed", len(records))
            self.recover()
            for pending in batch:
                if pending.future is not None and not pending.future.done():
                    pending.future.set_exception(err)
            return
        self._after_commit(batch, steps, records)

    def _process_all(self, batch: list[_Pending], now: int) -> list[ResultBuilder]:
        """Processes the batch; a command that raises is answered with PROCESSING_ERROR alone."""
        while True:
            steps: list[ResultBuilder] = []
            failed: int | None = None
            for index, pending in enumerate(batch):
                pending.command.timestamp = now
                try:
                    steps.append(self.engine.process(pending.command))
                except Exception:
                    log.exception(
                        "processing %s %s failed",
                        pending.command.value_type,
                        pending.command.intent,
                    )
                    failed = index
                    break
            if failed is None:
                return steps
            # Undo the batch's in-memory effects, then answer the failing command on its own.
            self.recover()
            bad = batch.pop(failed)
            if bad.future is not None and not bad.future.done():
                bad.future.set_exception(
                    CommandRejected(
                        bad.command.intent,
                        RejectionType.PROCESSING_ERROR,
                        "Expected to process the command, but an unexpected error occurred",
                    )
                )
            for pending in batch:
                pending.command.position = -1

    def _after_commit(
        self, batch: list[_Pending], steps: list[ResultBuilder], records: list[Record]
    ) -> None:
        for pending, step in zip(batch, steps, strict=True):
            future = pending.future
            if pending.on_done is not None:
                pending.on_done(step)
            if future is None or future.done():
                continue
            if step.rejection is not None:
                future.set_exception(
                    CommandRejected(
                        step.rejection.intent,
                        step.rejection.rejection_type or RejectionType.PROCESSING_ERROR,
                        step.rejection.rejection_reason,
                    )
                )
            elif step.awaiting_result_key is not None:
                self._await_result(step.awaiting_result_key, future)
            elif step.response is not None:
                future.set_result(step.response)
            else:  # pragma: no cover - every top-level processor responds or rejects
                future.set_exception(RuntimeError(f"no response to {pending.command.intent}"))
        touched_types: set[str] = set()
        state = self.engine.state
        for record in records:
            if record.record_type is not RecordType.EVENT:
                continue
            if record.value_type is ValueType.JOB:
                touched_types.add(record.value["type"])
            elif (
                record.value_type is ValueType.INCIDENT and record.intent == IncidentIntent.RESOLVED
            ):
                job = state.jobs.get(record.value["jobKey"])
                if job is not None:
                    touched_types.add(job.value["type"])
            elif record.value_type is ValueType.PROCESS_INSTANCE_RESULT and (
                record.intent == ProcessInstanceResultIntent.COMPLETED
            ):
                waiter = self._result_waiters.pop(record.key, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(record)
        for job_type in touched_types:
            if state.activatable.get(job_type):
                self._notify_jobs(job_type)
        for listener in self._listeners:
            listener(records)
        if state.last_position - self._snapshot_position >= self.snapshot_interval:
            self.take_snapshot()

    def _await_result(self, process_instance_key: int, future: asyncio.Future[Record]) -> None:
        self._result_waiters[process_instance_key] = future

        def forget(_: asyncio.Future[Record]) -> None:
            if self._result_waiters.get(process_instance_key) is future:
                del self._result_waiters[process_instance_key]

        future.add_done_callback(forget)

    # --- job notifications -------------------------------------------------------------------

    def _notify_jobs(self, job_type: str) -> None:
        if self._streams.get(job_type):
            self._push_to_streams(job_type)
            return  # streams first; polls are woken when streams leave jobs behind
        for waiter in self._job_waiters.get(job_type, ()):
            if not waiter.done():
                waiter.set_result(True)

    def _push_to_streams(self, job_type: str) -> None:
        streams = [s for s in self._streams.get(job_type, []) if not s.closed and not s.in_flight]
        if not streams:
            return
        # Round robin: the stream that got jobs last goes to the back.
        stream = streams[0]
        self._streams[job_type].remove(stream)
        self._streams[job_type].append(stream)
        stream.in_flight = True
        value = {
            "type": job_type,
            "worker": stream.worker,
            "timeout": stream.timeout,
            "maxJobsToActivate": STREAM_BATCH_SIZE,
            "variables": stream.fetch_variables,
            "tenantIds": stream.tenant_ids or ["<default>"],
        }

        def delivered(step: ResultBuilder) -> None:
            stream.in_flight = False
            response = step.response
            if response is None:
                return
            for job_key, job_value in zip(
                response.value["jobKeys"], response.value["jobs"], strict=True
            ):
                if stream.closed:
                    self._submit_internal(_command(ValueType.JOB, JobIntent.YIELD, job_key, {}))
                else:
                    stream.queue.put_nowait((job_key, job_value))
            if self.engine.state.activatable.get(job_type):
                self._notify_jobs_later(job_type)

        self._submit_internal(
            _command(ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE, -1, value), delivered
        )

    def _notify_jobs_later(self, job_type: str) -> None:
        for waiter in self._job_waiters.get(job_type, ()):
            if not waiter.done():
                waiter.set_result(True)
        if any(not s.closed and not s.in_flight for s in self._streams.get(job_type, [])):
            self._push_to_streams(job_type)

    def _remove_stream(self, stream: JobStream) -> None:
        streams = self._streams.get(stream.job_type)
        if streams and stream in streams:
            streams.remove(stream)
            if not streams:
                del self._streams[stream.job_type]
