"""What the Dapr binding adds: one operation through the sidecar's HTTP API and straight through the
Zeebe gRPC gateway, against the same engine (`zeebind run`, in memory), in one run.

    .venv/bin/python benchmarks/binding_overhead.py [--operation publish-message|topology] [-n 2000]

Prints JSON lines: one per path (latency percentiles in ms, sequential and concurrent throughput),
then the comparison (added p50/p99 in ms, throughput ratios) against the goals
(<= +0.5 ms p50, <= +1.5 ms p99, >= 0.8x direct throughput).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import grpc
import httpx

from zeebind.gateway.protocol import SERVICE_NAME, pb

READY = re.compile(
    r"HTTP on http://127\.0\.0\.1:(?P<http>\d+), gRPC on [^,]+, engine gateway on [^:]+:(?P<gw>\d+)"
)
GOAL_P50_MS = 0.5
GOAL_P99_MS = 1.5
GOAL_THROUGHPUT = 0.8


def start_sidecar() -> tuple[subprocess.Popen[bytes], int, int]:
    command = [sys.executable, "-m", "zeebind", "run", "--in-memory"]
    command += ["--dapr-http-port", "0", "--dapr-grpc-port", "0", "--gateway-port", "0"]
    popen = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert popen.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if select.select([popen.stderr], [], [], 0.1)[0]:
            line = popen.stderr.readline().decode()
            match = READY.search(line)
            if match:
                return popen, int(match["http"]), int(match["gw"])
            if not line:
                break
    popen.kill()
    raise SystemExit("zeebind run did not start")


def calls(operation: str, http_port: int, gateway_port: int) -> dict[str, Callable[[], Any]]:
    # Without TCP_NODELAY the request's header and body writes meet delayed ACKs (40 ms stalls).
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    http = httpx.Client(base_url=f"http://127.0.0.1:{http_port}", timeout=30, transport=transport)
    channel = grpc.insecure_channel(f"127.0.0.1:{gateway_port}")
    counter = iter(range(10**9))
    if operation == "publish-message":
        method = "PublishMessage"

        def grpc_request() -> Any:
            return pb.PublishMessageRequest(name="bench", correlationKey=f"k{next(counter)}")

        def http_body() -> bytes:
            data = {"messageName": "bench", "correlationKey": f"k{next(counter)}"}
            return json.dumps({"operation": operation, "data": data}).encode()
    else:
        method = "Topology"

        def grpc_request() -> Any:
            return pb.TopologyRequest()

        def http_body() -> bytes:
            return b'{"operation": "topology", "data": {}}'

    stub = channel.unary_unary(
        f"/{SERVICE_NAME}/{method}",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=pb.response_class(method).FromString,
    )

    def via_grpc() -> Any:
        return stub(grpc_request(), timeout=30)

    def via_binding() -> Any:
        reply = http.post("/v1.0/bindings/zeebe-command", content=http_body())
        if reply.status_code != 200:
            raise RuntimeError(reply.text)
        return reply.content

    return {"direct-grpc": via_grpc, "binding-http": via_binding}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latencies(call: Callable[[], Any], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _load(args: tuple[str, str, int, int, float]) -> float:
    """One load process with its own clients (and GIL): calls per second over its own window."""
    operation, path, http_port, gateway_port, seconds = args
    call = calls(operation, http_port, gateway_port)[path]
    for _ in range(50):
        call()
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        call()
        done += 1
    return done / (time.perf_counter() - started)


def concurrent_throughput(
    operation: str, path: str, ports: tuple[int, int], workers: int, seconds: float
) -> float:
    """Calls per second from `workers` processes, so that the client side is not the bottleneck."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        rates = pool.map(_load, [(operation, path, *ports, seconds) for _ in range(workers)])
    return sum(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--operation", choices=("publish-message", "topology"), default="publish-message"
    )
    parser.add_argument("-n", type=int, default=2000, help="sequential calls per path and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per path")
    parser.add_argument("--workers", type=int, default=4, help="concurrent caller processes")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of the concurrent run")
    args = parser.parse_args()
    popen, http_port, gateway_port = start_sidecar()
    try:
        paths = calls(args.operation, http_port, gateway_port)
        for call in paths.values():
            latencies(call, 300)  # warm up connections, caches and the engine
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(args.rounds):
            for name, call in paths.items():
                samples[name] += latencies(call, args.n)
        results: dict[str, dict[str, float]] = {}
        for name in paths:
            values = samples[name]
            results[name] = {
                "p50_ms": round(statistics.median(values), 3),
                "p99_ms": round(percentile(values, 0.99), 3),
                "mean_ms": round(statistics.fmean(values), 3),
                "sequential_ops_s": round(1000 / statistics.fmean(values), 1),
                "concurrent_ops_s": round(
                    concurrent_throughput(
                        args.operation, name, (http_port, gateway_port), args.workers, args.seconds
                    ),
                    1,
                ),
            }
            print(
                json.dumps(
                    {
                        "path": name,
                        "operation": args.operation,
                        "calls": len(values),
                        **results[name],
                    }
                )
            )
        direct, binding = results["direct-grpc"], results["binding-http"]
        added_p50 = binding["p50_ms"] - direct["p50_ms"]
        added_p99 = binding["p99_ms"] - direct["p99_ms"]
        sequential = binding["sequential_ops_s"] / direct["sequential_ops_s"]
        concurrent = binding["concurrent_ops_s"] / direct["concurrent_ops_s"]
        print(
            json.dumps(
                {
                    "comparison": "binding-http vs direct-grpc",
                    "operation": args.operation,
                    "added_p50_ms": round(added_p50, 3),
                    "added_p99_ms": round(added_p99, 3),
                    "throughput_ratio_sequential": round(sequential, 3),
                    "throughput_ratio_concurrent": round(concurrent, 3),
                    "goals_met": added_p50 <= GOAL_P50_MS
                    and added_p99 <= GOAL_P99_MS
                    and min(sequential, concurrent) >= GOAL_THROUGHPUT,
                }
            )
        )
    finally:
        popen.send_signal(signal.SIGTERM)
        popen.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
