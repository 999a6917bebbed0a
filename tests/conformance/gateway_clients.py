"""Helpers of the client conformance tests: fixture paths, waiting, raw gRPC calls, zbctl."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from zeebind.gateway.protocol import pb

REPO = Path(__file__).resolve().parents[2]
BPMN = REPO / "tests" / "fixtures" / "bpmn"
ZBCTL_DEFAULT = REPO / ".tools" / "zbctl" / "package" / "bin" / "zbctl-cli.linux"
NODE_MODULES = REPO / ".tools" / "node-sdk" / "node_modules"
CAMUNDA8_SDK_SCRIPT = Path(__file__).parent / "node" / "camunda8_sdk.js"


def bpmn(name: str) -> Path:
    return BPMN / name


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 5.0, interval: float = 0.02
) -> Any:
    """Retry `check` until it returns a truthy value (or stops raising AssertionError)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        try:
            result = await check()
            if result:
                return result
        except AssertionError:
            if loop.time() > end:
                raise
        if loop.time() > end:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


class RawGateway:
    """Calls the gateway with zeebind's own message classes, for what no client API exposes."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.channel = channel

    def _path(self, method: str) -> str:
        return f"/gateway_protocol.Gateway/{method}"

    async def unary(self, method: str, request: Any, *, timeout: float | None = 10) -> Any:
        call = self.channel.unary_unary(
            self._path(method),
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=pb.response_class(method).FromString,
        )
        return await call(request, timeout=timeout)

    def stream(self, method: str, request: Any, *, timeout: float | None = 10) -> Any:
        call = self.channel.unary_stream(
            self._path(method),
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=pb.response_class(method).FromString,
        )
        return call(request, timeout=timeout)


# --- zbctl -------------------------------------------------------------------------------------


def zbctl_binary() -> Path | None:
    configured = os.environ.get("ZBCTL")
    if configured:
        return Path(configured)
    if ZBCTL_DEFAULT.exists():
        return ZBCTL_DEFAULT
    found = shutil.which("zbctl")
    return Path(found) if found else None


@dataclass
class ZbctlResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Zbctl:
    def __init__(self, binary: Path, address: str, flags: list[str], home: Path) -> None:
        self.binary = binary
        self.address = address
        self.flags = flags
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home)}

    async def __call__(self, *args: str, check: bool = True, timeout: float = 20) -> ZbctlResult:
        # Asynchronous on purpose: the engine under test serves from this very event loop.
        process = await asyncio.create_subprocess_exec(
            str(self.binary),
            *self.flags,
            "--address",
            self.address,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout)
        result = ZbctlResult(process.returncode or 0, out.decode(), err.decode())
        if check and result.returncode != 0:
            raise AssertionError(f"zbctl {' '.join(args)} failed: {result.stderr or result.stdout}")
        return result

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        """A long-running zbctl command (a worker); end it with `stop`."""
        return await asyncio.create_subprocess_exec(
            str(self.binary),
            *self.flags,
            "--address",
            self.address,
            *args,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            env=self.env,
        )

    async def stop(self, process: asyncio.subprocess.Process) -> None:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


# --- @camunda8/sdk -----------------------------------------------------------------------------


def node_binary() -> str | None:
    """`node`, if it and the SDK (`make tools`) are installed."""
    binary = shutil.which("node")
    if binary is None or not (NODE_MODULES / "@camunda8" / "sdk").is_dir():
        return None
    return binary


class Camunda8Sdk:
    """Runs one scenario of node/camunda8_sdk.js against `address` (grpc:// or grpcs://)."""

    def __init__(self, node: str, address: str, **env: str) -> None:
        self.node = node
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "NODE_PATH": str(NODE_MODULES),
            "ZEEBE_GRPC_ADDRESS": address,
            "CAMUNDA_AUTH_STRATEGY": "NONE",
            "ZEEBE_CLIENT_LOG_LEVEL": "NONE",
            **env,
        }

    async def __call__(self, scenario: str) -> Any:
        process = await asyncio.create_subprocess_exec(
            self.node,
            str(CAMUNDA8_SDK_SCRIPT),
            scenario,
            str(BPMN),
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        lines = [line for line in out.decode().splitlines() if line.startswith("OUTCOME ")]
        assert lines, f"no outcome; stdout={out.decode()[-2000:]} stderr={err.decode()[-2000:]}"
        outcome = json.loads(lines[-1].removeprefix("OUTCOME "))
        assert outcome["ok"], outcome["error"]
        return outcome["result"]
