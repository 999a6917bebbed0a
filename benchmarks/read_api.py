"""The Operate read API: search latency over many finished instances, and what exporting costs.

    .venv/bin/python benchmarks/read_api.py [--instances 100000] [--rounds 5] [--seconds 4]
        [--modes off,thread,loop] [--skip-search] [--skip-throughput]

Prints one JSON line per measurement and a summary line:
- throughput: the broker (durable SQLite file) running instances of a process with a service
  task to completion (32 clients, each awaiting its instance's result; two job workers).
  Rounds rotate: without the exporter, with its writes on the export thread (the default) and
  with them in the broker's loop, side by side in one run (`--modes off,thread` leaves the
  loop mode out, for more rounds in the same time). Medians of instances/s and ratios,
  and the broker thread's CPU time per instance (robust to other load on the machine). Each
  round also reports `other_cpu`: the CPU time other processes used during it, in cores (from
  /proc/stat, Linux), so that rounds disturbed by other work on the machine show.
- search: `--instances` finished instances (completed and canceled, with variables and some
  incidents) exported into the read model, then each search repeated over HTTP (a real uvicorn
  server on 127.0.0.1) with p50/p99 latency in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from zeebind.broker import Broker
from zeebind.operate.service import OperateService
from zeebind.protocol.intent import (
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
)
from zeebind.protocol.record import ValueType
from zeebind.store.library import turn_off_memory_statistics

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io">
  <bpmn:process id="bench" name="Bench" isExecutable="true">
    <bpmn:startEvent id="start" name="Start"/>
    <bpmn:serviceTask id="work" name="Work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="bench-work" retries="1"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" name="End"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


async def deploy(broker: Broker) -> None:
    resource = base64.b64encode(MODEL.encode()).decode()
    await broker.command(
        ValueType.DEPLOYMENT,
        DeploymentIntent.CREATE,
        {"resources": [{"resourceName": "bench.bpmn", "resource": resource}]},
    )


async def create(broker: Broker, n: int, *, await_result: bool = False) -> int:
    intent = (
        ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
        if await_result
        else ProcessInstanceCreationIntent.CREATE
    )
    record = await broker.command(
        ValueType.PROCESS_INSTANCE_CREATION,
        intent,
        {"bpmnProcessId": "bench", "version": -1, "variables": {"n": n, "customer": f"c{n % 97}"}},
    )
    return int(record.value["processInstanceKey"])


async def run_jobs(broker: Broker, stop: asyncio.Event, *, fail_every: int = 0) -> None:
    """Completes bench-work jobs (with a result variable); fails every `fail_every`-th."""
    seen = 0
    while not stop.is_set():
        batch = await broker.command(
            ValueType.JOB_BATCH,
            JobBatchIntent.ACTIVATE,
            {"type": "bench-work", "worker": "bench", "timeout": 60_000, "maxJobsToActivate": 64},
        )
        keys = batch.value["jobKeys"]
        if not keys:
            await broker.wait_for_jobs("bench-work", 0.05)
            continue
        calls = []
        for key in keys:
            seen += 1
            if fail_every and seen % fail_every == 0:
                value = {"retries": 0, "errorMessage": "boom", "retryBackoff": 0, "variables": {}}
                calls.append(broker.command(ValueType.JOB, JobIntent.FAIL, value, key=key))
            else:
                value = {"variables": {"result": {"ok": True, "n": seen}}}
                calls.append(broker.command(ValueType.JOB, JobIntent.COMPLETE, value, key=key))
        await asyncio.gather(*calls, return_exceptions=True)  # canceled meanwhile: fine


MODES = ("off", "loop", "thread")


def machine_cpu_s() -> float | None:
    """CPU seconds the whole machine has been busy (Linux), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


async def open_broker(data_dir: Path, mode: str) -> tuple[Broker, OperateService | None]:
    """A broker on a durable log and, unless `mode` is off, the Operate service with its
    exporter on the export thread ("thread") or in the broker's loop ("loop")."""
    broker = await Broker.open(data_dir)
    operate = None
    if mode != "off":
        operate = await OperateService.start(
            broker, port=0, data_dir=data_dir, connectors=False, threaded_export=mode == "thread"
        )
    return broker, operate


async def throughput(
    data_dir: Path, seconds: float, mode: str
) -> tuple[float, float, float | None]:
    """(instances/s, CPU µs of the broker's thread per instance, other processes' CPU time in
    cores) over `seconds`."""
    broker, operate = await open_broker(data_dir, mode)
    try:
        await deploy(broker)
        stop = asyncio.Event()
        completed = 0

        async def client(index: int) -> None:
            nonlocal completed
            n = index
            while not stop.is_set():
                await create(broker, n, await_result=True)  # one instance in flight per client
                completed += 1
                n += 32

        jobs = [asyncio.create_task(run_jobs(broker, stop)) for _ in range(2)]
        clients = [asyncio.create_task(client(i)) for i in range(32)]
        await asyncio.sleep(seconds * 0.2)  # warm-up
        start_count, started, cpu = completed, time.perf_counter(), time.thread_time()
        machine, own = machine_cpu_s(), time.process_time()
        await asyncio.sleep(seconds)
        done = completed - start_count
        elapsed = time.perf_counter() - started
        rate = done / elapsed
        cpu_per_instance = (time.thread_time() - cpu) / max(done, 1) * 1e6
        machine_after = machine_cpu_s()
        other = None
        if machine is not None and machine_after is not None:
            other = max(0.0, machine_after - machine - (time.process_time() - own)) / elapsed
        stop.set()
        for task in clients:
            task.cancel()  # they wait for instances that the stopped workers leave behind
        await asyncio.gather(*clients, *jobs, return_exceptions=True)
        return rate, cpu_per_instance, other
    finally:
        if operate is not None:
            await operate.stop()
        await broker.close()


async def fill(broker: Broker, count: int) -> None:
    """`count` finished instances: most completed, every 10th canceled, every 50th failed."""
    stop = asyncio.Event()
    jobs = asyncio.create_task(run_jobs(broker, stop, fail_every=50))
    created = 0

    async def client(index: int) -> None:
        nonlocal created
        while created < count:
            created += 1
            n = created
            key = await create(broker, n)
            if n % 10 == 0:
                await broker.command(
                    ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=key
                )

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(32)))
    while broker.engine.state.activatable.get("bench-work"):
        await asyncio.sleep(0.1)
    stop.set()
    await jobs
    emit(measure="fill", instances=count, seconds=round(time.perf_counter() - started, 1))


SEARCHES: list[tuple[str, str, dict[str, Any]]] = [
    ("instances default", "process-instances", {}),
    ("instances by state, 50", "process-instances", {"filter": {"state": "CANCELED"}, "size": 50}),
    (
        "instances by process id, newest first",
        "process-instances",
        {"filter": {"bpmnProcessId": "bench"}, "sort": [{"field": "startDate", "order": "DESC"}]},
    ),
    ("instances with incident", "process-instances", {"filter": {"incident": True}}),
    ("incidents active", "incidents", {"filter": {"state": "ACTIVE"}, "size": 20}),
    ("variables by name", "variables", {"filter": {"name": "customer"}, "size": 20}),
    ("flownodes by type", "flownode-instances", {"filter": {"type": "SERVICE_TASK"}}),
]


def _constant(body: dict[str, Any]) -> Any:
    return lambda i: body


async def search_latency(data_dir: Path, count: int, repeat: int) -> None:
    broker = await Broker.open(data_dir)
    operate = await OperateService.start(broker, port=0, data_dir=data_dir, connectors=False)
    try:
        await deploy(broker)
        await fill(broker, count)
        async with httpx.AsyncClient(base_url=operate.url, timeout=30) as http:
            keys = [
                item["key"]
                for item in (
                    await http.post("/v1/process-instances/search", json={"size": 1000})
                ).json()["items"]
            ]
            dynamic = [
                (
                    "variables of one instance",
                    "variables",
                    lambda i: {"filter": {"processInstanceKey": keys[i % len(keys)]}},
                ),
                (
                    "flownodes of one instance",
                    "flownode-instances",
                    lambda i: {"filter": {"processInstanceKey": keys[i % len(keys)]}},
                ),
            ]
            cases = [(name, path, _constant(body)) for name, path, body in SEARCHES] + dynamic
            for name, path, body_of in cases:
                timings: list[float] = []
                total = 0
                for i in range(repeat):
                    started = time.perf_counter()
                    answer = await http.post(f"/v1/{path}/search", json=body_of(i))
                    timings.append((time.perf_counter() - started) * 1000)
                    answer.raise_for_status()
                    total = answer.json()["total"]
                emit(
                    measure="search",
                    query=name,
                    total=total,
                    p50_ms=round(percentile(timings, 50), 2),
                    p99_ms=round(percentile(timings, 99), 2),
                )
            # Deep paging: follow searchAfter through 50 pages of 200.
            timings = []
            body: dict[str, Any] = {"size": 200, "sort": [{"field": "endDate", "order": "DESC"}]}
            for _ in range(50):
                started = time.perf_counter()
                page = (await http.post("/v1/process-instances/search", json=body)).json()
                timings.append((time.perf_counter() - started) * 1000)
                body["searchAfter"] = page["sortValues"]
            emit(
                measure="search",
                query="instances paged by endDate (searchAfter)",
                p50_ms=round(percentile(timings, 50), 2),
                p99_ms=round(percentile(timings, 99), 2),
            )
    finally:
        await operate.stop()
        await broker.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        type=lambda text: text.split(","),
        help=f"comma-separated, from {', '.join(MODES)}; off is always run",
    )
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    unknown = set(args.modes) - set(MODES)
    if unknown:
        parser.error(f"--modes: unknown mode(s) {', '.join(sorted(unknown))}; use {MODES}")
    modes = ["off", *(mode for mode in MODES[1:] if mode in args.modes)]
    turn_off_memory_statistics()  # as `zeebind engine` does
    with tempfile.TemporaryDirectory(prefix="zeebind-bench-") as tmp:
        rates: dict[str, list[float]] = {mode: [] for mode in modes}
        cpus: dict[str, list[float]] = {mode: [] for mode in modes}
        for round_ in range(0 if args.skip_throughput else args.rounds):
            for mode in modes:
                path = Path(tmp) / f"tp-{round_}-{mode}"
                rate, cpu, other = await throughput(path, args.seconds, mode)
                rates[mode].append(rate)
                cpus[mode].append(cpu)
                emit(
                    measure="throughput",
                    exporter=mode,
                    round=round_,
                    per_s=round(rate, 1),
                    loop_cpu_us_per_instance=round(cpu, 1),
                    other_cpu=None if other is None else round(other, 2),
                )
        if args.skip_throughput:
            await search_latency(Path(tmp) / "search", args.instances, args.repeat)
            return
        without = statistics.median(rates["off"])
        cpu_without = statistics.median(cpus["off"])
        summary: dict[str, Any] = {
            "median_per_s_without": round(without, 1),
            "median_loop_cpu_us_without": round(cpu_without, 1),
        }
        for mode in modes[1:]:
            ratios = [w / wo for w, wo in zip(rates[mode], rates["off"], strict=True)]
            summary[f"median_per_s_{mode}"] = round(statistics.median(rates[mode]), 1)
            summary[f"ratio_of_medians_{mode}"] = round(statistics.median(rates[mode]) / without, 3)
            summary[f"median_paired_ratio_{mode}"] = round(statistics.median(ratios), 3)
            cpu = statistics.median(cpus[mode])
            summary[f"median_loop_cpu_us_{mode}"] = round(cpu, 1)
            # The broker's thread is the engine's bottleneck: its CPU per instance bounds the
            # throughput, and, unlike wall-clock rates, other processes on the machine barely move
            # it. without/with = the throughput the exporter leaves.
            summary[f"cpu_throughput_ratio_{mode}"] = round(cpu_without / cpu, 3)
        emit(measure="throughput summary", **summary)
        if not args.skip_search:
            await search_latency(Path(tmp) / "search", args.instances, args.repeat)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
