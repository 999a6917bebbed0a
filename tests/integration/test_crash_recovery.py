"""kill -9 under load, restart on the same data dir: nothing acknowledged is lost or done twice."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest

from zeebind.client.remote import RemoteGatewayClient
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb
from zeebind.store.database import Database

pytestmark = pytest.mark.slow

READY = re.compile(r"ready on (?P<address>\S+) ")
MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "one-task.bpmn"
JOB_TYPE = "one-task-work"


@asynccontextmanager
async def engine(data_dir: Path) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zeebind",
        "engine",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stderr is not None
        line = (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
        match = READY.search(line)
        assert match, f"no ready line: {line!r}"
        yield process, match["address"]
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


class Load:
    """What the clients were told succeeded."""

    def __init__(self) -> None:
        self.instances: set[int] = set()
        self.completed_jobs: set[int] = set()
        self.messages: set[int] = set()

    async def create(self, client: RemoteGatewayClient, worker: int) -> None:
        n = 0
        while True:
            n += 1
            request = pb.CreateProcessInstanceRequest(
                bpmnProcessId="one-task", version=-1, variables=json.dumps({"w": worker, "n": n})
            )
            with suppress(GatewayError):
                response = await client.unary("CreateProcessInstance", request, timeout=5)
                self.instances.add(response.processInstanceKey)

    async def publish(self, client: RemoteGatewayClient) -> None:
        n = 0
        while True:
            n += 1
            request = pb.PublishMessageRequest(
                name="crash", correlationKey=str(n), timeToLive=600_000, messageId=f"m-{n}"
            )
            with suppress(GatewayError):
                response = await client.unary("PublishMessage", request, timeout=5)
                self.messages.add(response.key)

    async def work(self, client: RemoteGatewayClient, *, until_idle: bool = False) -> None:
        while True:
            request = pb.ActivateJobsRequest(
                type=JOB_TYPE,
                worker="crash",
                timeout=1_000,
                maxJobsToActivate=32,
                requestTimeout=500 if until_idle else 1_000,
            )
            keys: list[int] = []
            with suppress(GatewayError):
                async for batch in client.stream("ActivateJobs", request, timeout=5):
                    keys.extend(job.key for job in batch.jobs)
            if until_idle and not keys:
                return
            for key in keys:
                with suppress(GatewayError):
                    await client.unary("CompleteJob", pb.CompleteJobRequest(jobKey=key), timeout=5)
                    self.completed_jobs.add(key)


async def test_kill_9_under_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    load = Load()
    for cycle in range(3):
        async with engine(data_dir) as (process, address):
            client = RemoteGatewayClient(address, plaintext=True)
            if cycle == 0:
                deploy = pb.DeployResourceRequest(
                    resources=[pb.Resource(name=MODEL.name, content=MODEL.read_bytes())]
                )
                await client.unary("DeployResource", deploy, timeout=10)
            tasks = [asyncio.ensure_future(load.create(client, w)) for w in range(4)]
            tasks.append(asyncio.ensure_future(load.publish(client)))
            tasks.append(asyncio.ensure_future(load.work(client)))
            await asyncio.sleep(1.5)
            process.kill()  # SIGKILL while requests are in flight
            await process.wait()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await client.close()

    # Restart once more and drain: every acknowledged instance must complete, exactly once.
    async with engine(data_dir) as (process, address):
        client = RemoteGatewayClient(address, plaintext=True)
        await load.work(client, until_idle=True)
        await client.close()
        process.terminate()
        await process.wait()

    database = Database(data_dir / "zeebind.db")
    records = list(database.records())
    database.close()
    assert len(load.instances) > 100, "the load did not get going"
    positions = [r.position for r in records]
    assert positions == list(range(1, len(positions) + 1)), "log positions have gaps"
    events = [r for r in records if r.record_type.value == "EVENT"]
    activated = {
        r.key
        for r in events
        if r.value_type.value == "PROCESS_INSTANCE"
        and r.intent == "ELEMENT_ACTIVATING"
        and r.value["bpmnElementType"] == "PROCESS"
    }
    completed = Counter(
        r.key
        for r in events
        if r.value_type.value == "PROCESS_INSTANCE"
        and r.intent == "ELEMENT_COMPLETED"
        and r.value["bpmnElementType"] == "PROCESS"
    )
    jobs_completed = Counter(
        r.key for r in events if r.value_type.value == "JOB" and r.intent == "COMPLETED"
    )
    published = {
        r.key for r in events if r.value_type.value == "MESSAGE" and r.intent == "PUBLISHED"
    }
    assert load.instances <= activated
    assert load.completed_jobs <= set(jobs_completed)
    assert load.messages <= published
    assert max(completed.values()) == 1, "a process instance completed twice"
    assert max(jobs_completed.values()) == 1, "a job completed twice"
    assert load.instances <= set(completed), "an acknowledged instance never completed"
    entity_events = {
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING"),
        ("JOB", "CREATED"),
        ("MESSAGE", "PUBLISHED"),
        ("VARIABLE", "CREATED"),
        ("PROCESS", "CREATED"),
    }
    minted = [r.key for r in events if (r.value_type.value, r.intent) in entity_events]
    assert len(minted) == len(set(minted)), "a key was minted twice"
