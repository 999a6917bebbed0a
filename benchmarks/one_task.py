"""Camunda's starter/worker workload (one service task), through gRPC and in-process.

    .venv/bin/python benchmarks/one_task.py [--seconds 10] [--rate 600] [--runs 3]

Prints one JSON line per measurement and a summary line with medians:
- grpc: `zeebind engine` in its own process (durable, SQLite), a worker in another process
  (StreamActivatedJobs + CompleteJob), the starter here creating instances at a fixed rate.
  PI/s completed and p50/p99 process instance execution time (activation to completion, from the
  engine's own record timestamps).
- inprocess vs spiff: the same one-task process run N times in this process, on zeebind's broker
  (durable SQLite file) and on SpiffWorkflow 3.2 (in memory), side by side in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "tests" / "fixtures" / "bpmn" / "one-task.bpmn"
JOB_TYPE = "one-task-work"
READY = re.compile(r"ready on (?P<address>\S+) ")


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


# --- worker process -------------------------------------------------------------------------


async def worker(address: str) -> None:
    from zeebind.client.remote import RemoteGatewayClient
    from zeebind.gateway.errors import GatewayError
    from zeebind.gateway.protocol import pb

    client = RemoteGatewayClient(address, plaintext=True)
    in_flight: set[asyncio.Task[Any]] = set()
    limit = asyncio.Semaphore(64)

    async def complete(key: int) -> None:
        async with limit:
            with contextlib.suppress(GatewayError):  # the benchmark stops the worker mid-flight
                await client.unary("CompleteJob", pb.CompleteJobRequest(jobKey=key), timeout=30)

    request = pb.StreamActivatedJobsRequest(type=JOB_TYPE, worker="bench", timeout=60_000)
    async for job in client.stream("StreamActivatedJobs", request, timeout=3600):
        task = asyncio.ensure_future(complete(job.key))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)


# --- grpc mode ------------------------------------------------------------------------------


async def run_grpc(seconds: float, rate: int) -> dict[str, Any]:
    from zeebind.client.remote import RemoteGatewayClient
    from zeebind.gateway.protocol import pb
    from zeebind.store.database import Database

    data_dir = Path(tempfile.mkdtemp(prefix="zeebind-bench-"))
    engine = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zeebind",
        "engine",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        stderr=asyncio.subprocess.PIPE,
    )
    assert engine.stderr is not None
    line = (await engine.stderr.readline()).decode()
    match = READY.search(line)
    assert match, line
    address = match["address"]
    worker_process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "worker", "--address", address
    )
    client = RemoteGatewayClient(address, plaintext=True)
    try:
        deploy = pb.DeployResourceRequest(
            resources=[pb.Resource(name=MODEL.name, content=MODEL.read_bytes())]
        )
        await client.unary("DeployResource", deploy, timeout=10)
        await asyncio.sleep(0.5)  # the worker opens its stream
        created = 0
        rejected = 0
        start = time.perf_counter()
        pending: set[asyncio.Task[Any]] = set()

        async def create() -> None:
            nonlocal created, rejected
            request = pb.CreateProcessInstanceRequest(
                bpmnProcessId="one-task", version=-1, variables='{"payload":"x"}'
            )
            try:
                await client.unary("CreateProcessInstance", request, timeout=10)
                created += 1
            except Exception:
                rejected += 1

        interval = 1 / rate
        next_at = start
        while time.perf_counter() - start < seconds:
            next_at += interval
            task = asyncio.ensure_future(create())
            pending.add(task)
            task.add_done_callback(pending.discard)
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        await asyncio.gather(*pending)
        # let the worker finish what was created
        await asyncio.sleep(2)
    finally:
        await client.close()
        worker_process.terminate()
        await worker_process.wait()
        engine.terminate()
        await engine.wait()
    database = Database(data_dir / "zeebind.db")
    started: dict[int, int] = {}
    durations: list[float] = []
    for record in database.records():
        if record.value_type.value != "PROCESS_INSTANCE" or record.record_type.value != "EVENT":
            continue
        if record.value.get("bpmnElementType") != "PROCESS":
            continue
        if record.intent == "ELEMENT_ACTIVATING":
            started[record.key] = record.timestamp
        elif record.intent == "ELEMENT_COMPLETED":
            durations.append(record.timestamp - started[record.key])
    database.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "mode": "grpc",
        "seconds": seconds,
        "target_rate": rate,
        "created": created,
        "rejected": rejected,
        "completed": len(durations),
        "pi_per_s": round(len(durations) / seconds, 1),
        "p50_ms": percentile(durations, 50),
        "p99_ms": percentile(durations, 99),
    }


# --- in-process vs SpiffWorkflow --------------------------------------------------------------


async def run_inprocess(n: int, concurrency: int) -> dict[str, Any]:
    from zeebind.broker import Broker
    from zeebind.protocol.intent import (
        DeploymentIntent,
        JobBatchIntent,
        JobIntent,
        ProcessInstanceCreationIntent,
    )
    from zeebind.protocol.record import ValueType

    data_dir = Path(tempfile.mkdtemp(prefix="zeebind-bench-"))
    broker = await Broker.open(data_dir)
    resource = base64.b64encode(MODEL.read_bytes()).decode()
    await broker.command(
        ValueType.DEPLOYMENT,
        DeploymentIntent.CREATE,
        {"resources": [{"resourceName": MODEL.name, "resource": resource}]},
    )

    async def one_instance() -> None:
        await broker.command(
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE,
            {"bpmnProcessId": "one-task", "version": -1, "variables": {"payload": "x"}},
        )
        while True:
            batch = await broker.command(
                ValueType.JOB_BATCH,
                JobBatchIntent.ACTIVATE,
                {"type": JOB_TYPE, "worker": "w", "timeout": 60_000, "maxJobsToActivate": 1},
            )
            if batch.value["jobKeys"]:
                break
        await broker.command(
            ValueType.JOB, JobIntent.COMPLETE, {"variables": {}}, key=batch.value["jobKeys"][0]
        )

    start = time.perf_counter()
    for offset in range(0, n, concurrency):
        await asyncio.gather(*(one_instance() for _ in range(min(concurrency, n - offset))))
    elapsed = time.perf_counter() - start
    await broker.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "mode": "inprocess",
        "durable": True,
        "concurrency": concurrency,
        "instances": n,
        "pi_per_s": round(n / elapsed, 1),
    }


def run_spiff(n: int) -> dict[str, Any]:
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_file(str(MODEL))
    spec = parser.get_spec("one-task")
    start = time.perf_counter()
    for _ in range(n):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        [task] = workflow.get_tasks(state=TaskState.STARTED)  # the service task waits
        task.data["payload"] = "x"
        task.complete()
        workflow.do_engine_steps()
        assert workflow.is_completed()
    elapsed = time.perf_counter() - start
    return {"mode": "spiff", "durable": False, "instances": n, "pi_per_s": round(n / elapsed, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "mode", nargs="?", default="all", choices=["all", "grpc", "compare", "worker"]
    )
    parser.add_argument("--address", default="127.0.0.1:26500")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instances", type=int, default=3000)
    args = parser.parse_args()
    if args.mode == "worker":
        try:
            asyncio.run(worker(args.address))
        except Exception:
            pass
        return 0
    results: dict[str, list[dict[str, Any]]] = {}
    for run in range(args.runs):
        if args.mode in ("all", "compare"):
            for result in (
                asyncio.run(run_inprocess(args.instances, 1)),
                asyncio.run(run_inprocess(args.instances, 32)),
                run_spiff(args.instances),
            ):
                result["run"] = run
                emit(**result)
                key = result["mode"] + (
                    f"-c{result['concurrency']}" if "concurrency" in result else ""
                )
                results.setdefault(key, []).append(result)
        if args.mode in ("all", "grpc"):
            result = asyncio.run(run_grpc(args.seconds, args.rate))
            result["run"] = run
            emit(**result)
            results.setdefault("grpc", []).append(result)
    summary: dict[str, Any] = {"summary": "medians", "runs": args.runs}
    for key, rows in results.items():
        for field in ("pi_per_s", "p50_ms", "p99_ms"):
            if field in rows[0]:
                summary[f"{key}.{field}"] = statistics.median(r[field] for r in rows)
    if "spiff" in results:
        spiff = summary["spiff.pi_per_s"]
        for key in ("inprocess-c1", "inprocess-c32"):
            if f"{key}.pi_per_s" in summary:
                summary[f"{key}.vs_spiff"] = round(summary[f"{key}.pi_per_s"] / spiff, 2)
    emit(**summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
