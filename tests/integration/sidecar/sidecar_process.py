"""`zeebind run` and `zeebind engine` as users run them: subprocesses with a ready line."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SIDECAR_READY = re.compile(
    r"zeebind sidecar ready: HTTP on http://(?P<host>[^:]+):(?P<http>\d+), "
    r"gRPC on [^:]+:(?P<grpc>\d+)"
)
ENGINE_READY = re.compile(r"zeebind engine ready on (?P<host>[^\s]+):(?P<port>\d+) ")
FIXTURES = Path(__file__).parent
START_TIMEOUT_S = 30.0


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    ready_line: str
    match: re.Match[str]

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.match['http']}"

    @property
    def grpc_port(self) -> int:
        return int(self.match["grpc"])

    @property
    def http_port(self) -> int:
        return int(self.match["http"])

    @property
    def port(self) -> int:
        return int(self.match["port"])


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "zeebind", *args]


def _wait_ready(popen: subprocess.Popen[bytes], pattern: re.Pattern[str]) -> Process:
    assert popen.stderr is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    seen: list[str] = []
    while time.monotonic() < deadline:
        readable, _, _ = select.select([popen.stderr], [], [], 0.1)
        if not readable:
            if popen.poll() is not None:
                break
            continue
        line = popen.stderr.readline().decode()
        if not line:
            break
        seen.append(line)
        match = pattern.search(line)
        if match:
            return Process(popen, line, match)
    popen.kill()
    raise AssertionError(f"no ready line; the process wrote: {''.join(seen)!r}")


@contextlib.contextmanager
def sidecar(*args: str, env: dict[str, str] | None = None) -> Iterator[Process]:
    command = _command(
        "run", "--dapr-http-port", "0", "--dapr-grpc-port", "0", "--gateway-port", "0", *args
    )
    if "--data-dir" not in args:
        command.append("--in-memory")
    popen = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        yield _wait_ready(popen, SIDECAR_READY)
    finally:
        stop(popen)


@contextlib.contextmanager
def engine(*args: str) -> Iterator[Process]:
    popen = subprocess.Popen(
        _command("engine", "--in-memory", *args), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    try:
        yield _wait_ready(popen, ENGINE_READY)
    finally:
        stop(popen)


def stop(popen: subprocess.Popen[bytes]) -> None:
    if popen.poll() is None:
        popen.send_signal(signal.SIGTERM)
        try:
            popen.wait(10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
    if popen.stderr is not None:
        popen.stderr.close()


def run_to_exit(*args: str, timeout: float = 30) -> tuple[int, str]:
    """`zeebind <args>` expected to stop by itself (bad configuration): exit code and stderr."""
    done = subprocess.run(_command(*args), capture_output=True, timeout=timeout, check=False)
    return done.returncode, done.stderr.decode()


def wait_until(condition: object, timeout: float = 10.0, interval: float = 0.02) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
