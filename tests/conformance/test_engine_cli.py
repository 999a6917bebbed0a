"""`zeebind engine` as a user runs it: a subprocess, a ready line, SIGTERM, and state on disk."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from gateway_clients import RawGateway, bpmn
from pyzeebe import ZeebeClient, create_insecure_channel

from zeebind.gateway.protocol import pb

pytestmark = [pytest.mark.conformance, pytest.mark.slow]

READY = re.compile(r"zeebind engine ready on (?P<host>[^\s]+):(?P<port>\d+) ")
START_TIMEOUT_S = 30


@dataclass
class Engine:
    process: asyncio.subprocess.Process
    address: str
    ready_line: str


@asynccontextmanager
async def engine_process(*args: str) -> AsyncIterator[Engine]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zeebind",
        "engine",
        "--operate-port",
        "0",  # not the default 8081: another run on this machine may hold it
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        line = (await asyncio.wait_for(process.stderr.readline(), START_TIMEOUT_S)).decode()
        match = READY.search(line)
        assert match, f"no ready line, got {line!r}"
        yield Engine(process, f"{match['host']}:{match['port']}", line)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop(engine: Engine) -> tuple[int, str]:
    engine.process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(engine.process.communicate(), 15)
    return engine.process.returncode or 0, err.decode()


async def run_cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zeebind",
        "engine",
        "--operate-port",
        "0",  # not the default 8081: another run on this machine may hold it
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT_S)
    return process.returncode or 0, err.decode()


async def test_ready_line_sigterm_and_data_survive_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with engine_process("--port", "0", "--data-dir", str(data)) as engine:
        assert f"(data: {data}" in engine.ready_line
        channel = create_insecure_channel(grpc_address=engine.address)
        try:
            zeebe = ZeebeClient(channel)
            deployed = await zeebe.deploy_resource(str(bpmn("one-task.bpmn")))
            first = await zeebe.run_process("one-task")
        finally:
            await channel.close()
        code, stderr = await stop(engine)
    assert code == 0
    assert "Traceback" not in stderr
    assert "ready on" not in stderr, "the ready line comes once"

    async with engine_process("--port", "0", "--data-dir", str(data)) as engine:
        channel = create_insecure_channel(grpc_address=engine.address)
        try:
            zeebe = ZeebeClient(channel)
            second = await zeebe.run_process("one-task")
        finally:
            await channel.close()
        code, _ = await stop(engine)
    assert code == 0
    assert second.process_definition_key == deployed.deployments[0].process_definition_key
    assert second.process_instance_key > first.process_instance_key, "keys continue after restart"


async def test_sigint_also_stops_cleanly() -> None:
    async with engine_process("--port", "0", "--in-memory") as engine:
        assert "(in memory" in engine.ready_line
        engine.process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(engine.process.communicate(), 15)
        assert engine.process.returncode == 0
        assert "Traceback" not in err.decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tls-cert", "cert.pem"], "--tls-cert and --tls-key must be given together"),
        (["--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"], "cannot read"),
        (["--port", "70000"], "--port must be between 0 and 65535"),
    ],
)
async def test_bad_arguments_give_one_line(args: list[str], message: str) -> None:
    code, stderr = await run_cli("--in-memory", *args)
    assert code == 2
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("zeebind engine: error: ")
    assert message in line


async def test_port_in_use_gives_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stderr = await run_cli("--in-memory", "--port", str(port))
    assert code == 1
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert f"127.0.0.1:{port}" in line


async def test_unwritable_data_dir_gives_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, stderr = await run_cli("--port", "0", "--data-dir", str(blocker / "data"))
    assert code == 1
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("zeebind engine: error: ")


async def test_sigterm_with_open_long_polls_and_streams() -> None:
    async with engine_process("--port", "0", "--in-memory") as engine:
        channel = create_insecure_channel(grpc_address=engine.address)
        try:
            raw = RawGateway(channel)
            poll = raw.stream(
                "ActivateJobs",
                pb.ActivateJobsRequest(type="t", worker="w", timeout=1000, maxJobsToActivate=1),
                timeout=30,
            )
            stream = raw.stream(
                "StreamActivatedJobs",
                pb.StreamActivatedJobsRequest(type="t", worker="w", timeout=1000),
                timeout=30,
            )
            pending = [asyncio.ensure_future(poll.read()), asyncio.ensure_future(stream.read())]
            await asyncio.sleep(0.2)  # both calls parked in the engine
            loop = asyncio.get_running_loop()
            started = loop.time()
            code, stderr = await stop(engine)
            assert loop.time() - started < 5
            await asyncio.wait(pending, timeout=5)
            assert pending[0].result() is grpc.aio.EOF, "the long poll completes empty"
            assert await poll.code() == grpc.StatusCode.OK
            assert isinstance(pending[1].exception(), grpc.aio.AioRpcError)
            assert await stream.code() == grpc.StatusCode.UNAVAILABLE
            assert await stream.details() == "The gateway is shutting down"
        finally:
            await channel.close()
    assert code == 0
    assert "Traceback" not in stderr
