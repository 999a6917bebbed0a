"""`ZeebeWorker`: job handlers in pyzeebe's style, over a `ZeebeClient`.

    worker = ZeebeWorker(client)

    @worker.task("charge-card")
    async def charge(order_id: str, amount: float) -> dict[str, Any]:
        return {"charged": amount}

    await worker.work()          # until `await worker.stop()`

A handler receives the job's variables as keyword arguments (its parameter names are also the
variables fetched; a parameter named `job`, or annotated `Job`, receives the job itself). What
it returns completes the job (a dict of variables, or None); `BusinessError(code)` throws a
BPMN error; any other exception fails the job with one retry less.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from zeebind.api.client import ZeebeClient
from zeebind.api.errors import (
    BusinessError,
    DuplicateTaskTypeError,
    JobAlreadyDeactivatedError,
    JobNotFoundError,
    NoVariableNameGivenError,
    PyZeebeError,
    TaskNotFoundError,
    ZeebeError,
)
from zeebind.api.responses import Job

log = logging.getLogger("zeebind.worker")

F = TypeVar("F", bound=Callable[..., Any])

# Between two empty polls of a worker that does not long-poll (`request_timeout` < 0).
IDLE_POLL_S = 0.1


@dataclass
class Task:
    """One registered handler and how its jobs are activated."""

    job_type: str
    handler: Callable[..., Any]
    variables_to_fetch: list[str]
    timeout_ms: int = 10_000
    max_jobs_to_activate: int = 32
    max_running_jobs: int = 32
    single_value: bool = False
    variable_name: str | None = None
    job_parameter: str | None = None
    takes_all: bool = False
    running: set[asyncio.Task[None]] = field(default_factory=set)


class ZeebeTaskRouter:
    """Handlers registered apart from a worker (`worker.include_router(router)`), as in pyzeebe."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}

    # --- registration ---------------------------------------------------------------------

    def task(
        self,
        task_type: str,
        *,
        variables_to_fetch: Sequence[str] | None = None,
        timeout_ms: int = 10_000,
        max_jobs_to_activate: int = 32,
        max_running_jobs: int = 32,
        single_value: bool = False,
        variable_name: str | None = None,
    ) -> Callable[[F], F]:
        """Registers the decorated function as the handler of jobs of `task_type`."""
        if task_type in self.tasks:
            raise DuplicateTaskTypeError(f"Task with type {task_type} already exists")
        if single_value and not variable_name:
            raise NoVariableNameGivenError(
                f"No variable name given for single_value task {task_type}"
            )

        def register(handler: F) -> F:
            parameters = inspect.signature(handler).parameters.values()
            job_parameter = next(
                (p.name for p in parameters if p.name == "job" or p.annotation in (Job, "Job")),
                None,
            )
            takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
            names = [
                p.name
                for p in parameters
                if p.name != job_parameter
                and p.kind
                in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
            ]
            fetch = list(variables_to_fetch) if variables_to_fetch is not None else names
            if takes_all and variables_to_fetch is None:
                fetch = []  # all variables
            self.tasks[task_type] = Task(
                job_type=task_type,
                handler=handler,
                variables_to_fetch=fetch,
                timeout_ms=timeout_ms,
                max_jobs_to_activate=max_jobs_to_activate,
                max_running_jobs=max_running_jobs,
                single_value=single_value,
                variable_name=variable_name,
                job_parameter=job_parameter,
                takes_all=takes_all,
            )
            return handler

        return register

    def get_task(self, task_type: str) -> Task:
        try:
            return self.tasks[task_type]
        except KeyError:
            raise TaskNotFoundError(f"Could not find task {task_type}") from None


class ZeebeWorker(ZeebeTaskRouter):
    def __init__(
        self,
        client: ZeebeClient,
        name: str | None = None,
        *,
        request_timeout: int = 0,
        poll_retry_delay: float = 5.0,
        tenant_ids: Sequence[str] | None = None,
        stream_enabled: bool = False,
    ) -> None:
        """`request_timeout`: ms an activation long-polls (0: the gateway's setting, < 0: none);
        `stream_enabled`: jobs are also pushed over StreamActivatedJobs as they appear."""
        super().__init__()
        self.client = client
        self.name = name or socket.gethostname()
        self.request_timeout = request_timeout
        self.poll_retry_delay = poll_retry_delay
        self.tenant_ids = list(tenant_ids or [])
        self.stream_enabled = stream_enabled
        self._stopping = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []

    def include_router(self, *routers: ZeebeTaskRouter) -> None:
        """Takes over the routers' tasks; a job type may be registered once only."""
        for router in routers:
            for job_type, task in router.tasks.items():
                if job_type in self.tasks:
                    raise DuplicateTaskTypeError(f"Task with type {job_type} already exists")
                self.tasks[job_type] = task

    # --- running --------------------------------------------------------------------------

    async def work(self) -> None:
        """Polls (and streams, if enabled) jobs for every task until `stop()`."""
        self._stopping.clear()
        loops = [
            asyncio.create_task(self._poll(t), name=f"poll {t.job_type}")
            for t in self.tasks.values()
        ]
        if self.stream_enabled:
            loops += [
                asyncio.create_task(self._stream(t), name=f"stream {t.job_type}")
                for t in self.tasks.values()
            ]
        self._loops = loops
        try:
            await self._stopping.wait()
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            running = [job for t in self.tasks.values() for job in t.running]
            await asyncio.gather(*running, return_exceptions=True)

    async def stop(self) -> None:
        """Ends `work()`: no new activations; jobs being handled finish first."""
        self._stopping.set()

    async def work_once(self, *task_types: str) -> int:
        """Handles the jobs that are activatable now (no long poll) and returns how many."""
        handled = 0
        for task in [self.get_task(t) for t in task_types] or list(self.tasks.values()):
            jobs = await self._activate(task, task.max_jobs_to_activate, request_timeout=-1)
            await asyncio.gather(*(self.handle(task, job) for job in jobs))
            handled += len(jobs)
        return handled

    async def handle(self, task: Task, job: Job) -> None:
        """Runs the handler on one job and reports the outcome to the gateway."""
        try:
            try:
                variables = await self._run(task, job)
            except BusinessError as err:
                await self.client.throw_error(job.key, err.error_code, str(err))
            except Exception as err:
                log.warning("job %s of type %s failed: %s", job.key, job.type, err)
                await self.client.fail_job(
                    job.key, retries=job.retries - 1, message=f"Failed job. Error: {err}"
                )
            else:
                await self.client.complete_job(job.key, variables)
        except (JobNotFoundError, JobAlreadyDeactivatedError) as err:
            log.info("job %s was no longer active: %s", job.key, err)
        except PyZeebeError as err:
            log.warning("reporting job %s failed: %s", job.key, err)

    async def _run(self, task: Task, job: Job) -> dict[str, Any]:
        if task.takes_all:
            kwargs = dict(job.variables)
        else:
            kwargs = {n: job.variables[n] for n in task.variables_to_fetch if n in job.variables}
            wanted = inspect.signature(task.handler).parameters
            kwargs = {n: v for n, v in kwargs.items() if n in wanted}
        if task.job_parameter is not None:
            kwargs[task.job_parameter] = job
        if inspect.iscoroutinefunction(task.handler):
            result = await task.handler(**kwargs)
        else:
            result = await asyncio.to_thread(task.handler, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        if task.single_value:
            assert task.variable_name is not None
            return {task.variable_name: result}
        if result is None:
            return {}
        if not isinstance(result, dict):
            raise TypeError(
                f"the handler of {task.job_type} returned {type(result).__name__}, not a dict"
            )
        return result

    async def _activate(self, task: Task, wanted: int, *, request_timeout: int) -> list[Job]:
        return await self.client.activate_jobs(
            task.job_type,
            worker=self.name,
            timeout=task.timeout_ms,
            max_jobs_to_activate=wanted,
            variables_to_fetch=task.variables_to_fetch,
            request_timeout=request_timeout,
            tenant_ids=self.tenant_ids,
        )

    def _dispatch(self, task: Task, job: Job) -> None:
        running = asyncio.create_task(self.handle(task, job), name=f"job {job.key}")
        task.running.add(running)
        running.add_done_callback(task.running.discard)

    async def _poll(self, task: Task) -> None:
        while not self._stopping.is_set():
            free = task.max_running_jobs - len(task.running)
            if free <= 0:
                await asyncio.wait(set(task.running), return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                jobs = await self._activate(
                    task,
                    min(task.max_jobs_to_activate, free),
                    request_timeout=self.request_timeout,
                )
            except ZeebeError as err:
                log.warning("activating %s jobs failed: %s", task.job_type, err)
                await self._pause()
                continue
            except PyZeebeError as err:
                log.error("activating %s jobs is refused: %s", task.job_type, err)
                await self._pause()
                continue
            for job in jobs:
                self._dispatch(task, job)
            if not jobs and self.request_timeout < 0:
                await self._pause(IDLE_POLL_S)  # no long polling: do not spin

    async def _stream(self, task: Task) -> None:
        while not self._stopping.is_set():
            try:
                async for job in self.client.stream_jobs(
                    task.job_type,
                    worker=self.name,
                    timeout=task.timeout_ms,
                    variables_to_fetch=task.variables_to_fetch,
                    tenant_ids=self.tenant_ids,
                ):
                    self._dispatch(task, job)
            except PyZeebeError as err:
                log.warning("the %s job stream ended: %s", task.job_type, err)
            await self._pause()

    async def _pause(self, seconds: float | None = None) -> None:
        delay = self.poll_retry_delay if seconds is None else seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), delay)
