"""`bindings.zeebe.jobworker`: activates jobs of one type and delivers each to the app.

    worker = JobWorker("calc", settings, client)
    await worker.read(channel)     # probes the app, then activates and delivers in the background
    ...
    await worker.close()           # stops activating; deliveries under way finish

Activation. Jobs are pushed (StreamActivatedJobs) when the gateway supports it, with a short
ActivateJobs poll when the stream opens and every `requestTimeout` after, for jobs that were there
before the stream or that the gateway did not push. A gateway that answers UNIMPLEMENTED to the
stream is long-polled instead (ActivateJobs with `requestTimeout`), as is every gateway with
`streamEnabled: false`. Gateway errors back off exponentially from `pollInterval` to
MAX_BACKOFF_S (3 s); the channel reconnects by itself, so the worker recovers from an outage.

Slots. At most `maxJobsActive` jobs are in hand (activated and not yet settled); a poll asks for
the free slots only, once the jobs in hand drop to `round(pollThreshold × max)`, and the stream
is read only while a slot is free (gRPC flow control holds the rest back). `concurrency`
deliveries run at once.

Results. A 2xx answer (HTTP) or an OK answer (gRPC) completes the job with the answer's JSON
object, or with no variables when the answer is empty (the reference fails the job there); with
`autocomplete: false` the app settles the job itself. An error answer fails the job with
retries − 1, the error text and `retryBackOff`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import grpc
from google.protobuf.message import Message

from zeebind.bindings.binding import AppChannel, AppError
from zeebind.bindings.command.rpc import go_status
from zeebind.bindings.duration import milliseconds
from zeebind.bindings.jobworker.job import JobFormatError, delivery, result_variables
from zeebind.bindings.jobworker.settings import WorkerSettings
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb

logger = logging.getLogger("zeebind.jobworker")

MAX_BACKOFF_S = 3.0
# A stream is reopened after this long, as zbctl and pyzeebe do.
STREAM_SECONDS = 3600.0
# The client's deadline on a poll is the long poll plus this (the Go client's offset).
POLL_DEADLINE_OFFSET_S = 10.0
SETTLE_TIMEOUT_S = 10.0
# A stream that failed after being open this long counts as having worked: the backoff restarts.
STREAM_HEALTHY_S = 5.0
# How long a complete/fail keeps retrying while the gateway is unavailable.
SETTLE_RETRY_S = 30.0
PROBE_ATTEMPTS = 3
MAX_ERROR_MESSAGE = 4096
_RETRYABLE = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.INTERNAL}
)


class Slots:
    """Jobs in hand, and activations under way, against `maxJobsActive`."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0
        self.peak = 0
        self._changed = asyncio.Event()

    @property
    def free(self) -> int:
        return self.capacity - self.used

    def take(self, wanted: int) -> int:
        taken = max(min(wanted, self.free), 0)
        self.used += taken
        self.peak = max(self.peak, self.used)
        return taken

    def give_back(self, count: int) -> None:
        if count:
            self.used -= count
            self._changed.set()

    async def wait_free(self, count: int) -> None:
        while self.free < count:
            self._changed.clear()
            await self._changed.wait()


@dataclass
class WorkerStats:
    activated: int = 0
    delivered: int = 0
    completed: int = 0
    failed: int = 0
    handed_back: int = 0
    streamed: int = 0
    polled: int = 0


class JobWorker:
    def __init__(
        self,
        name: str,
        settings: WorkerSettings,
        client: GatewayClient,
        *,
        grace_seconds: float = 5.0,
    ) -> None:
        self.name = name
        self.settings = settings
        self.client = client
        self.grace_seconds = grace_seconds
        self.slots = Slots(settings.max_jobs_active)
        self.stats = WorkerStats()
        # "probing", "not subscribed", "streaming", "polling", "stopped"
        self.state = "starting"
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._dispatchers: list[asyncio.Task[None]] = []
        self._drain_now = asyncio.Event()
        self._stopping = False
        self._failures = 0
        self._closed = False

    # --- lifecycle -------------------------------------------------------------------------------

    async def read(self, channel: AppChannel) -> None:
        if self._closed:
            raise RuntimeError("binding is closed")
        self._tasks.append(asyncio.create_task(self._run(channel), name=f"jobworker {self.name}"))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        unstarted = []
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if job is not None:
                unstarted.append(job)
        for _ in self._dispatchers:
            self._queue.put_nowait(None)
        if unstarted:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*(self._hand_back(job) for job in unstarted)),
                    max(self.grace_seconds, 1.0),
                )
            logger.info(
                "input binding %s: handed back %d undelivered jobs with their retries",
                self.name,
                self.stats.handed_back,
            )
        if self._dispatchers:
            _, pending = await asyncio.wait(self._dispatchers, timeout=self.grace_seconds)
            if pending:
                logger.warning(
                    "input binding %s: %d deliveries still running after %gs; "
                    "their jobs are left to time out",
                    self.name,
                    len(pending),
                    self.grace_seconds,
                )
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        self.state = "stopped"
        await self.client.close()

    async def _run(self, channel: AppChannel) -> None:
        settings = self.settings
        self.state = "probing"
        await channel.wait_ready()
        if settings.probe and not await self._subscribed(channel):
            self.state = "not subscribed"
            return
        self._dispatchers = [
            asyncio.create_task(self._dispatch(channel), name=f"jobworker {self.name} delivery")
            for _ in range(settings.concurrency)
        ]
        # The stream holds a slot while it waits for a push; with a single slot the backlog poll
        # would never get one, so one job at a time is long-polled.
        if settings.stream_enabled and settings.max_jobs_active > 1:
            backlog = asyncio.create_task(self._backlog(), name=f"jobworker {self.name} backlog")
            self._tasks.append(backlog)
            supported = await self._stream()
            backlog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await backlog
            if supported:
                return
        await self._poll()

    async def _subscribed(self, channel: AppChannel) -> bool:
        route = self.settings.route
        for attempt in range(1, PROBE_ATTEMPTS + 1):
            try:
                subscribed = await channel.subscribed(self.name, route)
                break
            except AppError as err:
                if attempt == PROBE_ATTEMPTS:
                    logger.error(
                        "input binding %s: cannot ask the app whether it subscribed: %s",
                        self.name,
                        err,
                    )
                    return False
                await asyncio.sleep(0.5 * attempt)
        if not subscribed:
            logger.warning(
                "input binding %s: app has not subscribed to binding %s (%s answered no); "
                "no jobs of type %s are activated",
                self.name,
                self.name,
                f"OPTIONS /{route}" if "http" in channel.address else "ListInputBindings",
                self.settings.job_type,
            )
        return subscribed

    # --- activation ------------------------------------------------------------------------------

    async def _stream(self) -> bool:
        """Reads pushed jobs until cancelled; False once the gateway says it cannot stream."""
        settings = self.settings
        request = pb.StreamActivatedJobsRequest(
            type=settings.job_type,
            worker=settings.worker_name,
            timeout=milliseconds(settings.worker_timeout),
            fetchVariable=list(settings.fetch_variables),
        )
        while True:
            opened = time.monotonic()
            stream = self.client.stream("StreamActivatedJobs", request, timeout=STREAM_SECONDS)
            self._drain_now.set()
            try:
                async with contextlib.aclosing(_closable(stream)) as jobs:
                    while True:
                        await self.slots.wait_free(1)
                        self.slots.take(1)
                        try:
                            job = await anext(jobs)
                        except BaseException:
                            self.slots.give_back(1)
                            raise
                        self._recovered()
                        self._announce("streaming")
                        self.stats.streamed += 1
                        self._hand(job)
            except StopAsyncIteration:
                if time.monotonic() - opened < 1.0:
                    await asyncio.sleep(self.settings.poll_interval.total_seconds())
            except GatewayError as err:
                if err.code == grpc.StatusCode.UNIMPLEMENTED:
                    logger.info(
                        "input binding %s: the gateway cannot push jobs (%s); long polling",
                        self.name,
                        err.details,
                    )
                    return False
                if err.code == grpc.StatusCode.DEADLINE_EXCEEDED:
                    continue
                if time.monotonic() - opened > STREAM_HEALTHY_S:
                    self._recovered()
                await self._back_off("cannot stream jobs", err)

    async def _backlog(self) -> None:
        """Short polls for jobs the stream did not push: when it opens, and now and then."""
        interval = (self.settings.request_timeout or timedelta(seconds=10)).total_seconds()
        while True:
            try:
                await asyncio.wait_for(self._drain_now.wait(), interval)
                # A stream just opened: give its call a moment to reach the gateway, so that jobs
                # created from here on are pushed, and those created before are polled here.
                await asyncio.sleep(self.settings.poll_interval.total_seconds())
            except TimeoutError:
                pass
            self._drain_now.clear()
            while True:
                wanted = self.slots.take(self.slots.free)
                if not wanted:
                    break
                try:
                    jobs = await self._activate(wanted, request_timeout_ms=-1)
                except GatewayError as err:
                    self.slots.give_back(wanted)
                    logger.debug("input binding %s: backlog poll failed: %s", self.name, err)
                    break
                self._recovered()
                self._announce("streaming")
                self.slots.give_back(wanted - len(jobs))
                for job in jobs:
                    self.stats.polled += 1
                    self._hand(job)
                if len(jobs) < wanted:
                    break

    async def _poll(self) -> None:
        settings = self.settings
        long_poll = settings.request_timeout
        request_timeout_ms = -1 if long_poll is None else milliseconds(long_poll)
        self._announce("polling")
        while True:
            await self.slots.wait_free(settings.max_jobs_active - settings.threshold_jobs)
            wanted = self.slots.take(self.slots.free)
            try:
                jobs = await self._activate(wanted, request_timeout_ms=request_timeout_ms)
            except GatewayError as err:
                self.slots.give_back(wanted)
                await self._back_off("cannot activate jobs", err)
                continue
            self._recovered()
            self.slots.give_back(wanted - len(jobs))
            for job in jobs:
                self.stats.polled += 1
                self._hand(job)
            if not jobs:
                await asyncio.sleep(settings.poll_interval.total_seconds())

    async def _activate(self, wanted: int, *, request_timeout_ms: int) -> list[Any]:
        settings = self.settings
        request = pb.ActivateJobsRequest(
            type=settings.job_type,
            worker=settings.worker_name,
            timeout=milliseconds(settings.worker_timeout),
            maxJobsToActivate=wanted,
            fetchVariable=list(settings.fetch_variables),
            requestTimeout=request_timeout_ms,
        )
        deadline = max(request_timeout_ms, 0) / 1000 + POLL_DEADLINE_OFFSET_S
        jobs: list[Any] = []
        try:
            async for answer in self.client.stream("ActivateJobs", request, timeout=deadline):
                jobs.extend(answer.jobs)  # type: ignore[attr-defined]
        except GatewayError:
            if not jobs:
                raise
            # Those jobs are activated for this worker; dropping them would strand them.
        return jobs

    def _hand(self, job: Any) -> None:
        """A job into the delivery queue; its slot is already taken."""
        if job.deadline and job.deadline <= time.time() * 1000:
            # It waited in the stream past its timeout; Zeebe hands it out again.
            logger.debug("input binding %s: job %d expired before delivery", self.name, job.key)
            self.slots.give_back(1)
            return
        self.stats.activated += 1
        self._queue.put_nowait(job)

    async def _back_off(self, doing: str, err: GatewayError) -> None:
        self._failures += 1
        delay = min(
            max(self.settings.poll_interval.total_seconds(), 0.1) * 2 ** (self._failures - 1),
            MAX_BACKOFF_S,
        )
        if self._failures == 1:
            logger.warning(
                "input binding %s: %s of type %s: %s; retrying with backoff",
                self.name,
                doing,
                self.settings.job_type,
                go_status(err.code, err.details),
            )
        else:
            logger.debug("input binding %s: %s (attempt %d)", self.name, err, self._failures)
        await asyncio.sleep(delay)

    def _recovered(self) -> None:
        if self._failures:
            logger.info(
                "input binding %s: the gateway answers again after %d failed attempts",
                self.name,
                self._failures,
            )
            self._failures = 0

    def _announce(self, state: str) -> None:
        if self.state != state:
            self.state = state
            logger.info(
                "input binding %s: %s jobs of type %s for the app at /%s",
                self.name,
                "streaming" if state == "streaming" else "long polling",
                self.settings.job_type,
                self.settings.route,
            )

    # --- delivery --------------------------------------------------------------------------------

    async def _dispatch(self, channel: AppChannel) -> None:
        while True:
            job = await self._queue.get()
            if job is None:
                return
            try:
                await self._handle(channel, job)
            except Exception:
                logger.exception("input binding %s: job %d failed unexpectedly", self.name, job.key)
            finally:
                self.slots.give_back(1)

    async def _handle(self, channel: AppChannel, job: Any) -> None:
        settings = self.settings
        try:
            data, metadata = delivery(job, autocomplete=settings.autocomplete)
        except JobFormatError as err:
            await self._fail(job, str(err))
            return
        timeout = max(job.deadline / 1000 - time.time(), 1.0) if job.deadline else None
        self.stats.delivered += 1
        try:
            reply = await channel.deliver(
                self.name, settings.route, data, metadata, timeout=timeout
            )
        except AppError as err:
            logger.warning(
                "input binding %s: Failed to complete job `%d` reason: %s", self.name, job.key, err
            )
            await self._fail(job, str(err))
            return
        if not settings.autocomplete:
            logger.debug("input binding %s: auto-completion is off for job %d", self.name, job.key)
            return
        try:
            variables = result_variables(reply.data)
        except ValueError as err:
            reason = f"cannot parse variables from binding result ; got error {err}"
            logger.warning(
                "input binding %s: Failed to complete job `%d` reason: %s",
                self.name,
                job.key,
                reason,
            )
            await self._fail(job, reason)
            return
        request = pb.CompleteJobRequest(jobKey=job.key, variables=variables)
        if await self._settle("CompleteJob", request, job, "complete"):
            self.stats.completed += 1

    async def _fail(self, job: Any, message: str) -> None:
        if len(message) > MAX_ERROR_MESSAGE:
            message = message[: MAX_ERROR_MESSAGE - 1] + "…"
        request = pb.FailJobRequest(
            jobKey=job.key,
            retries=job.retries - 1,
            errorMessage=message,
            retryBackOff=milliseconds(self.settings.retry_backoff),
        )
        if await self._settle("FailJob", request, job, "fail"):
            self.stats.failed += 1

    async def _hand_back(self, job: Any) -> None:
        """A job in hand but not delivered when the worker stops: back with its retries."""
        request = pb.FailJobRequest(
            jobKey=job.key,
            retries=job.retries,
            errorMessage=f"handed back undelivered: job worker {self.name} is shutting down",
        )
        try:
            await self.client.unary("FailJob", request, timeout=SETTLE_TIMEOUT_S)
            self.stats.handed_back += 1
        except GatewayError as err:
            logger.debug("input binding %s: cannot hand back job %d: %s", self.name, job.key, err)
        finally:
            self.slots.give_back(1)

    async def _settle(self, method: str, request: Message, job: Any, verb: str) -> bool:
        """CompleteJob or FailJob, retried while the gateway is unavailable; errors are logged."""
        give_up = time.monotonic() + SETTLE_RETRY_S
        delay = 0.1
        while True:
            try:
                await self.client.unary(method, request, timeout=SETTLE_TIMEOUT_S)
                return True
            except GatewayError as err:
                if err.code not in _RETRYABLE or time.monotonic() + delay > give_up:
                    logger.warning(
                        "input binding %s: Cannot %s job `%d` of type `%s`; got error: %s",
                        self.name,
                        verb,
                        job.key,
                        job.type,
                        go_status(err.code, err.details),
                    )
                    return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_S)


async def _closable(stream: AsyncIterator[Message]) -> AsyncGenerator[Message, None]:
    """The client's stream as an async generator, so that leaving it closes the call."""
    iterator = aiter(stream)
    try:
        async for message in iterator:
            yield message
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()
