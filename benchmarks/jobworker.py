"""Jobs per second through the job worker binding (`zeebind run` → an HTTP app) and through a
direct pyzeebe 4.7 worker, each draining the same backlog on one `zeebind engine` (in memory).

    .venv/bin/python benchmarks/jobworker.py [-n 1000] [--concurrency 4] [--runs 3]

For the binding, the sidecar is started first with `--app-port` pointing at a port where nothing
listens yet, so it waits; the backlog is created; then the app starts and the clock runs from its
first delivery to its n-th (plus the time until the last job is completed). pyzeebe's worker gets
the same backlog with `max_jobs_to_activate = max_running_jobs = maxJobsActive`.
Prints JSON lines: one per run and path, then the medians and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc

from zeebind.gateway.protocol import SERVICE_NAME, pb

JOB_TYPE = "bench-work"
APP_SOURCE = """
import sys, time, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response, JSONResponse
from starlette.routing import Route
seen = []
async def work(request):
    await request.body()
    seen.append(time.monotonic())
    return Response(b'{"done":true}', media_type="application/json")
async def stats(request):
    return JSONResponse({"count": len(seen), "first": seen[0] if seen else None,
                         "last": seen[-1] if seen else None})
app = Starlette(routes=[Route("/bench", work, methods=["POST", "OPTIONS"]),
                        Route("/_stats", stats, methods=["GET"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            http="httptools", lifespan="off")
"""
ENGINE_READY = re.compile(r"zeebind engine ready on [^\s]+:(?P<port>\d+) ")
SIDECAR_READY = re.compile(r"zeebind sidecar ready")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(command: list[str], ready: re.Pattern[str]) -> tuple[subprocess.Popen[bytes], Any]:
    popen = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert popen.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if select.select([popen.stderr], [], [], 0.1)[0]:
            line = popen.stderr.readline().decode()
            match = ready.search(line)
            if match:
                return popen, match
            if not line:
                break
    popen.kill()
    raise SystemExit(f"{command[2:4]} did not start")


def stop(popen: subprocess.Popen[bytes]) -> None:
    if popen.poll() is None:
        popen.send_signal(signal.SIGTERM)
        try:
            popen.wait(15)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


class Gateway:
    def __init__(self, port: int) -> None:
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")

    def rpc(self, method: str) -> Any:
        kind = (
            self.channel.unary_stream if pb.server_streaming(method) else self.channel.unary_unary
        )
        return kind(
            f"/{SERVICE_NAME}/{method}",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=pb.response_class(method).FromString,
        )

    async def deploy(self, process_id: str) -> None:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">'
            f'<bpmn:process id="{process_id}" isExecutable="true"><bpmn:startEvent id="s" />'
            '<bpmn:serviceTask id="w"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type="{JOB_TYPE}-{process_id}" /></bpmn:extensionElements>'
            '</bpmn:serviceTask><bpmn:endEvent id="e" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="e" /></bpmn:process>'
            "</bpmn:definitions>"
        )
        resource = pb.Resource(name=f"{process_id}.bpmn", content=xml.encode())
        await self.rpc("DeployResource")(pb.DeployResourceRequest(resources=[resource]))

    async def backlog(self, process_id: str, count: int) -> None:
        create = self.rpc("CreateProcessInstance")
        semaphore = asyncio.Semaphore(16)

        async def one() -> None:
            async with semaphore:
                await create(pb.CreateProcessInstanceRequest(bpmnProcessId=process_id, version=-1))

        await asyncio.gather(*(one() for _ in range(count)))

    async def left(self, process_id: str) -> int:
        """Jobs still activatable (not completed, not in a worker's hand)."""
        request = pb.ActivateJobsRequest(
            type=f"{JOB_TYPE}-{process_id}",
            worker="probe",
            timeout=1,
            maxJobsToActivate=1,
            requestTimeout=-1,
        )
        total = 0
        async for answer in self.rpc("ActivateJobs")(request, timeout=10):
            total += len(answer.jobs)
        return total


async def binding_run(
    engine_port: int, n: int, concurrency: int, max_jobs: int, run: int
) -> dict[str, Any]:
    import httpx

    gateway = Gateway(engine_port)
    process_id = f"binding{run}"
    await gateway.deploy(process_id)
    app_port = free_port()
    folder = Path(tempfile.mkdtemp())
    (folder / "c.yaml").write_text(
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: bench\n"
        "spec:\n  type: bindings.zeebe.jobworker\n  version: v1\n  metadata:\n"
        f"  - name: gatewayAddr\n    value: 127.0.0.1:{engine_port}\n"
        '  - name: usePlainTextConnection\n    value: "true"\n'
        f"  - name: jobType\n    value: {JOB_TYPE}-{process_id}\n"
        f'  - name: concurrency\n    value: "{concurrency}"\n'
        f'  - name: maxJobsActive\n    value: "{max_jobs}"\n'
    )
    command = [sys.executable, "-m", "zeebind", "run", "--no-engine", "--in-memory"]
    command += ["--dapr-http-port", "0", "--dapr-grpc-port", "0", "--resources-path", str(folder)]
    sidecar, _ = start([*command, "--app-port", str(app_port)], SIDECAR_READY)
    app = None
    try:
        await gateway.backlog(process_id, n)
        app = subprocess.Popen([sys.executable, "-c", APP_SOURCE, str(app_port)])  # noqa: ASYNC220
        async with httpx.AsyncClient() as http:
            while True:
                try:
                    stats = (await http.get(f"http://127.0.0.1:{app_port}/_stats")).json()
                except httpx.HTTPError:
                    stats = {"count": 0}
                if stats["count"] >= n:
                    break
                await asyncio.sleep(0.02)
        while await gateway.left(process_id):
            await asyncio.sleep(0.01)
        finished = time.monotonic()
        seconds = stats["last"] - stats["first"]
        return {
            "path": "binding (zeebind run → HTTP app)",
            "run": run,
            "jobs": n,
            "concurrency": concurrency,
            "maxJobsActive": max_jobs,
            "seconds": round(seconds, 3),
            "jobs_per_s": round((n - 1) / seconds, 1),
            "settle_after_last_ms": round((finished - stats["last"]) * 1000, 1),
        }
    finally:
        stop(sidecar)
        if app is not None:
            app.terminate()
            app.wait()
        await gateway.channel.close()


async def pyzeebe_run(engine_port: int, n: int, max_jobs: int, run: int) -> dict[str, Any]:
    from pyzeebe import ZeebeWorker, create_insecure_channel

    gateway = Gateway(engine_port)
    process_id = f"pyzeebe{run}"
    await gateway.deploy(process_id)
    await gateway.backlog(process_id, n)
    channel = create_insecure_channel(grpc_address=f"127.0.0.1:{engine_port}")
    worker = ZeebeWorker(channel, name="bench", stream_enabled=True)
    seen: list[float] = []
    done = asyncio.Event()

    @worker.task(
        task_type=f"{JOB_TYPE}-{process_id}",
        max_jobs_to_activate=max_jobs,
        max_running_jobs=max_jobs,
        timeout_ms=60_000,
    )
    async def work() -> dict[str, Any]:
        seen.append(time.monotonic())
        if len(seen) >= n:
            done.set()
        return {"done": True}

    task = asyncio.create_task(worker.work())
    try:
        await asyncio.wait_for(done.wait(), 300)
        while await gateway.left(process_id):
            await asyncio.sleep(0.01)
        seconds = seen[-1] - seen[0]
        return {
            "path": "pyzeebe 4.7 worker (direct gRPC, in-process handler)",
            "run": run,
            "jobs": n,
            "maxJobsActive": max_jobs,
            "seconds": round(seconds, 3),
            "jobs_per_s": round((n - 1) / seconds, 1),
        }
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 10)
        await channel.close()
        await gateway.channel.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-jobs-active", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine, match = start(
        [sys.executable, "-m", "zeebind", "engine", "--in-memory", "--port", "0"], ENGINE_READY
    )
    port = int(match["port"])
    results: dict[str, list[float]] = {"binding": [], "pyzeebe": []}
    try:
        for run in range(args.runs):
            row = await binding_run(port, args.n, args.concurrency, args.max_jobs_active, run)
            print(json.dumps(row), flush=True)
            results["binding"].append(row["jobs_per_s"])
            row = await pyzeebe_run(port, args.n, args.max_jobs_active, run)
            print(json.dumps(row), flush=True)
            results["pyzeebe"].append(row["jobs_per_s"])
    finally:
        stop(engine)
    binding = statistics.median(results["binding"])
    direct = statistics.median(results["pyzeebe"])
    print(
        json.dumps(
            {
                "summary": "median jobs/s",
                "binding": binding,
                "pyzeebe": direct,
                "binding_vs_pyzeebe": round(binding / direct, 2),
                "jobs": args.n,
                "concurrency": args.concurrency,
                "maxJobsActive": args.max_jobs_active,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
