"""`activate-jobs`: activate up to `maxJobsToActivate` jobs of `jobType`, long-polling as Zeebe
documents.

`requestTimeout` absent or 0: the gateway's default long poll (10 s); positive: that long poll;
negative:
no long polling. The answer is a JSON array, `[]` when nothing was activated (the reference said
`null`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.bindings.command.payload import Payload
from zeebind.bindings.duration import milliseconds
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb

NAME = "activate-jobs"
DEFAULT_JOB_TIMEOUT = timedelta(minutes=5)
DEFAULT_WORKER = "default"
GATEWAY_LONG_POLL = timedelta(seconds=10)
# The caller waits this much longer than the long poll, so the gateway's empty answer arrives first.
DEADLINE_OFFSET = timedelta(seconds=10)


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    data = Payload.parse(request.data)
    job_type = data.string("jobType", required=True)
    maximum = data.integer("maxJobsToActivate", bits=32, required=True)
    timeout = data.duration("timeout") or DEFAULT_JOB_TIMEOUT
    if timeout < timedelta(0):
        timeout = DEFAULT_JOB_TIMEOUT
    poll = data.duration("requestTimeout")
    if poll is None:
        request_timeout, wait = 0, GATEWAY_LONG_POLL
    elif poll < timedelta(0):
        request_timeout, wait = -1, timedelta(0)
    else:
        request_timeout, wait = milliseconds(poll), poll
    tenants = data.strings("tenantIds") or ([data.tenant()] if data.tenant() else [])
    activate = pb.ActivateJobsRequest(
        type=job_type,
        worker=data.string("workerName") or DEFAULT_WORKER,
        timeout=milliseconds(timeout),
        maxJobsToActivate=maximum,
        fetchVariable=data.strings("fetchVariables") or [],
        requestTimeout=request_timeout,
        tenantIds=tenants,
    )
    jobs: list[dict[str, Any]] = []
    try:
        async for answer in client.stream(
            "ActivateJobs", activate, timeout=(wait + DEADLINE_OFFSET).total_seconds()
        ):
            jobs.extend(response.to_go(job) for job in answer.jobs)  # type: ignore[attr-defined]
    except GatewayError as err:
        if not jobs:
            raise rpc.failure(f"cannot activate jobs for type {job_type}", err) from None
        # The jobs already received are activated in Zeebe; dropping them would strand them until
        # their timeout, so they are returned, and the stream's end is what was lost.
    return response.dumps(jobs)
