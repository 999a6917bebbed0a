"""The job worker's component metadata: the client fields of the command binding, plus the worker's.

Every field is checked at start-up. Where the reference silently ignores a value (a negative
`maxJobsActive`, a boolean typo, an empty name in `fetchVariables`), zeebind stops with a message
naming the component and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from zeebind.bindings.command.settings import ClientSettings
from zeebind.bindings.errors import ComponentError
from zeebind.bindings.metadata import ComponentMetadata

COMPONENT_TYPE = "bindings.zeebe.jobworker"

DEFAULT_WORKER_NAME = "default"
DEFAULT_WORKER_TIMEOUT = timedelta(minutes=5)
DEFAULT_REQUEST_TIMEOUT = timedelta(seconds=10)
DEFAULT_MAX_JOBS_ACTIVE = 32
DEFAULT_CONCURRENCY = 4
DEFAULT_POLL_INTERVAL = timedelta(milliseconds=100)
DEFAULT_POLL_THRESHOLD = 0.3
# Zeebe's limit on a job's timeout: the int64 of milliseconds it travels in.
_MAX_MILLISECONDS = 2**63 - 1


@dataclass(frozen=True)
class WorkerSettings:
    client: ClientSettings
    job_type: str
    worker_name: str = DEFAULT_WORKER_NAME
    worker_timeout: timedelta = DEFAULT_WORKER_TIMEOUT
    # None: long polling off (a negative `requestTimeout`, as in the reference).
    request_timeout: timedelta | None = DEFAULT_REQUEST_TIMEOUT
    max_jobs_active: int = DEFAULT_MAX_JOBS_ACTIVE
    concurrency: int = DEFAULT_CONCURRENCY
    poll_interval: timedelta = DEFAULT_POLL_INTERVAL
    poll_threshold: float = DEFAULT_POLL_THRESHOLD
    fetch_variables: tuple[str, ...] = ()
    autocomplete: bool = True
    retry_backoff: timedelta = timedelta(0)
    stream_enabled: bool = True
    route: str = ""
    # False when `direction` says `input`: Dapr then skips the app's subscription probe.
    probe: bool = True

    @property
    def threshold_jobs(self) -> int:
        """Activate more when the jobs in hand are at most this many (Go's `round(t × max)`)."""
        return int(self.poll_threshold * self.max_jobs_active + 0.5)

    @classmethod
    def parse(cls, name: str, metadata: ComponentMetadata) -> WorkerSettings:
        """The worker fields first (as the reference does), then the job type, then the client."""
        worker_name = (metadata.string("workerName") or "").strip() or DEFAULT_WORKER_NAME
        worker_timeout = _positive(metadata, "workerTimeout", DEFAULT_WORKER_TIMEOUT)
        request = metadata.duration("requestTimeout", timedelta(0))
        request_timeout: timedelta | None = request or DEFAULT_REQUEST_TIMEOUT
        if request < timedelta(0):
            request_timeout = None
        elif request_timeout is not None and request_timeout < timedelta(milliseconds=1):
            raise ComponentError(
                "must be at least 1ms (or negative: no long polling)", field="requestTimeout"
            )
        max_jobs = _count(metadata, "maxJobsActive", DEFAULT_MAX_JOBS_ACTIVE)
        concurrency = _count(metadata, "concurrency", DEFAULT_CONCURRENCY)
        poll_interval = _positive(metadata, "pollInterval", DEFAULT_POLL_INTERVAL)
        threshold = metadata.number("pollThreshold", 0.0) or DEFAULT_POLL_THRESHOLD
        if not 0 < threshold <= 1:
            raise ComponentError(
                f"must be above 0 and at most 1, not {threshold:g}", field="pollThreshold"
            )
        fetch = _fetch_variables(metadata.string("fetchVariables"))
        autocomplete = metadata.boolean("autocomplete", True)
        backoff = metadata.duration("retryBackOff", timedelta(0))
        if backoff < timedelta(0):
            raise ComponentError("must not be negative", field="retryBackOff")
        stream_enabled = metadata.boolean("streamEnabled", True)
        route = (metadata.string("route") or "").strip().lstrip("/") or name
        direction = (metadata.string("direction") or "").strip().lower()
        directions = {part.strip() for part in direction.split(",") if part.strip()}
        if directions - {"input", "output"}:
            raise ComponentError(
                f'"{metadata.string("direction")}" is not a direction (input, output or both)',
                field="direction",
            )
        if directions and "input" not in directions:
            raise ComponentError(
                f"{COMPONENT_TYPE} is an input binding: direction must include input",
                field="direction",
            )
        job_type = (metadata.string("jobType") or "").strip()
        if not job_type:
            raise ComponentError("jobType is a required attribute", field="jobType")
        client = ClientSettings.parse(metadata)
        return cls(
            client=client,
            job_type=job_type,
            worker_name=worker_name,
            worker_timeout=worker_timeout,
            request_timeout=request_timeout,
            max_jobs_active=max_jobs,
            concurrency=concurrency,
            poll_interval=poll_interval,
            poll_threshold=threshold,
            fetch_variables=fetch,
            autocomplete=autocomplete,
            retry_backoff=backoff,
            stream_enabled=stream_enabled,
            route=route,
            probe="input" not in directions,
        )


def _positive(metadata: ComponentMetadata, field: str, default: timedelta) -> timedelta:
    """Absent or 0: the default, as in the reference; negative: an error (the reference ignores)."""
    value = metadata.duration(field, timedelta(0))
    if value < timedelta(0):
        raise ComponentError("must not be negative", field=field)
    if value == timedelta(0):
        return default
    if value < timedelta(milliseconds=1):
        raise ComponentError("must be at least 1ms", field=field)
    if value // timedelta(milliseconds=1) > _MAX_MILLISECONDS:
        raise ComponentError("is too long", field=field)
    return value


def _count(metadata: ComponentMetadata, field: str, default: int) -> int:
    value = metadata.integer(field, 0)
    if value < 0:
        raise ComponentError(f"must be positive, not {value}", field=field)
    if value > 2**31 - 1:
        raise ComponentError(f"must be at most {2**31 - 1}, not {value}", field=field)
    return value or default


def _fetch_variables(text: str | None) -> tuple[str, ...]:
    """Spaces removed and split on commas, as the reference does; an empty name is an error."""
    if text is None or not text.strip():
        return ()
    names = tuple("".join(text.split()).split(","))
    if any(not name for name in names):
        raise ComponentError(
            f'"{text}" has an empty variable name (write names separated by commas)',
            field="fetchVariables",
        )
    return names
