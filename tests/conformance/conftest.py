"""Real engines on 127.0.0.1 (port 0, in-memory SQLite) and the real clients that talk to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from gateway_clients import RawGateway, Zbctl, zbctl_binary
from pyzeebe import ZeebeClient, create_insecure_channel

from zeebind.app import EngineApp
from zeebind.protocol import Record


@pytest.fixture
async def engine() -> AsyncIterator[EngineApp]:
    app = EngineApp(data_dir=None, host="127.0.0.1", port=0)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
def committed(engine: EngineApp) -> list[Record]:
    """Every record the broker commits from now on (through its exporter hook)."""
    records: list[Record] = []
    engine.broker.add_listener(records.extend)
    return records


@pytest.fixture
async def channel(engine: EngineApp) -> AsyncIterator[grpc.aio.Channel]:
    chan = create_insecure_channel(grpc_address=f"127.0.0.1:{engine.port}")
    try:
        yield chan
    finally:
        await chan.close()


@pytest.fixture
def zeebe(channel: grpc.aio.Channel) -> ZeebeClient:
    return ZeebeClient(channel)


@pytest.fixture
def raw(channel: grpc.aio.Channel) -> RawGateway:
    return RawGateway(channel)


@pytest.fixture
def zbctl_path() -> Path:
    binary = zbctl_binary()
    if binary is None or not binary.exists():
        pytest.skip("zbctl not installed: run `make tools` (or set ZBCTL to the zbctl binary)")
    return binary


@pytest.fixture
def zbctl(zbctl_path: Path, engine: EngineApp, tmp_path: Path) -> Zbctl:
    return Zbctl(zbctl_path, f"127.0.0.1:{engine.port}", ["--insecure"], tmp_path)
