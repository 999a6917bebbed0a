"""`InMemoryEngine`: the real engine in memory, a `ZeebeClient` on it, and a clock you move.

    async with InMemoryEngine() as engine:
        await engine.deploy("order.bpmn")
        started = await engine.client.run_process("order", {"orderId": "A-1"})
        await engine.complete_job("check-stock", {"inStock": True})
        await engine.advance(minutes=30)            # timers fall due, the engine runs them
        engine.assert_that(started.process_instance_key).is_completed()

The client goes through the same gateway handlers a gRPC call reaches, in-process; the engine
is the `EngineHarness` broker (SQLite in memory, a `ManualClock`), so on exit the state rebuilt
from the log is checked against the live one.
"""

from __future__ import annotations

import os
from datetime import timedelta
from types import TracebackType
from typing import Any

from zeebind.api.client import Resource, ZeebeClient
from zeebind.api.responses import DeployResourceResponse, Job
from zeebind.api.worker import ZeebeWorker
from zeebind.broker import Broker, ManualClock
from zeebind.gateway.service import GatewayService
from zeebind.testing.assertions import ProcessInstanceAssert
from zeebind.testing.harness import EngineHarness, RecordStream

# Bound of `run_worker` rounds: a model that keeps creating jobs for ever ends the test.
MAX_WORKER_ROUNDS = 1000


class InMemoryEngine:
    def __init__(self, *, check_replay: bool = True, long_polling_timeout_ms: int = 200) -> None:
        self.harness = EngineHarness()
        self.check_replay = check_replay
        self.long_polling_timeout_ms = long_polling_timeout_ms
        self._client: ZeebeClient | None = None
        self._service: GatewayService | None = None

    async def start(self) -> InMemoryEngine:
        await self.harness.__aenter__()
        self._service = GatewayService(
            self.harness.b, long_polling_timeout_ms=self.long_polling_timeout_ms
        )
        self._client = ZeebeClient.embedded(self._service)
        return self

    async def stop(self, *, failed: bool = False) -> None:
        if self._service is not None:
            self._service.shut_down()
        self._client = self._service = None
        if self.harness.broker is not None:
            clean = not failed and self.check_replay
            error = None if clean else RuntimeError
            await self.harness.__aexit__(error, None, None)
            self.harness.broker = None

    async def __aenter__(self) -> InMemoryEngine:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop(failed=exc_type is not None)

    # --- parts ----------------------------------------------------------------------------

    @property
    def client(self) -> ZeebeClient:
        if self._client is None:
            raise RuntimeError("the engine is not started: use 'async with InMemoryEngine()'")
        return self._client

    @property
    def broker(self) -> Broker:
        return self.harness.b

    @property
    def clock(self) -> ManualClock:
        return self.harness.clock

    def now_ms(self) -> int:
        return self.clock.now_ms()

    # --- acting ---------------------------------------------------------------------------

    async def deploy(self, *resources: Resource | os.PathLike[str]) -> DeployResourceResponse:
        """Deploys files (or `(name, content)` pairs) in one deployment."""
        return await self.client.deploy_resource(*resources)

    async def start_instance(
        self, bpmn_process_id: str, variables: dict[str, Any] | None = None
    ) -> int:
        """Creates an instance of the latest version; returns its key."""
        started = await self.client.run_process(bpmn_process_id, variables)
        await self.settle()
        return started.process_instance_key

    async def advance(
        self,
        ms: int | timedelta = 0,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> None:
        """Time travel: moves the clock and lets the engine run what fell due (timers, TTLs)."""
        if isinstance(ms, timedelta):
            ms = int(ms.total_seconds() * 1000)
        total = ms + int((seconds + 60 * minutes + 3600 * hours + 86400 * days) * 1000)
        await self.harness.advance(total)

    increase_time = advance  # zeebe-process-test's name

    async def settle(self) -> None:
        """Waits until the engine has processed everything it has queued."""
        await self.harness.settle()

    async def activate_job(self, job_type: str, *, timeout: int = 60_000) -> Job:
        """Activates one job of `job_type`; fails the test if there is none."""
        await self.settle()
        jobs = await self.client.activate_jobs(
            job_type, worker="zeebind-test", timeout=timeout, max_jobs_to_activate=1
        )
        if not jobs:
            raise AssertionError(f"expected a job of type {job_type!r}, but there is none")
        return jobs[0]

    async def complete_job(self, job_type: str, variables: dict[str, Any] | None = None) -> Job:
        """Activates one job of `job_type` and completes it with `variables`."""
        job = await self.activate_job(job_type)
        await self.client.complete_job(job.key, variables)
        await self.settle()
        return job

    async def fail_job(
        self, job_type: str, message: str = "failed in a test", retries: int = 0
    ) -> Job:
        """Activates one job and fails it (with no retries left: an incident)."""
        job = await self.activate_job(job_type)
        await self.client.fail_job(job.key, retries=retries, message=message)
        await self.settle()
        return job

    async def throw_error(self, job_type: str, error_code: str, message: str = "") -> Job:
        """Activates one job and throws the BPMN error `error_code` from it."""
        job = await self.activate_job(job_type)
        await self.client.throw_error(job.key, error_code, message)
        await self.settle()
        return job

    async def publish_message(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any] | None = None,
        **options: Any,
    ) -> None:
        await self.client.publish_message(name, correlation_key, variables, **options)
        await self.settle()

    async def run_worker(self, worker: ZeebeWorker) -> int:
        """Lets `worker` handle jobs until none of its types is activatable; returns how many."""
        total = 0
        for _ in range(MAX_WORKER_ROUNDS):
            await self.settle()
            handled = await worker.work_once()
            if not handled:
                return total
            total += handled
        raise AssertionError(f"the worker still had jobs after {MAX_WORKER_ROUNDS} rounds")

    def worker(self, name: str = "zeebind-test") -> ZeebeWorker:
        """A worker on this engine's client: `run_worker(worker)` runs it step by step, or
        `worker.work()` in the background (long polling)."""
        return ZeebeWorker(self.client, name)

    # --- looking --------------------------------------------------------------------------

    @property
    def records(self) -> RecordStream:
        """Every record the engine wrote, in log order (`.of(ValueType..., intent, ...)`)."""
        return self.harness.records()

    def assert_that(self, process_instance_key: int) -> ProcessInstanceAssert:
        return ProcessInstanceAssert(lambda: self.harness.records().records, process_instance_key)


def assert_that(engine: InMemoryEngine, process_instance_key: int) -> ProcessInstanceAssert:
    """Assertions on one instance of `engine` (same as `engine.assert_that(key)`)."""
    return engine.assert_that(process_instance_key)
