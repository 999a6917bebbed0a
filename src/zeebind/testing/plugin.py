"""pytest plugin (entry point `zeebind`): fixtures of an in-memory engine, opted into by name.

    async def test_order(zeebe_engine: InMemoryEngine) -> None:
        await zeebe_engine.deploy("order.bpmn")
        ...

`zeebe_engine` is a fresh `InMemoryEngine` per test; `zeebe_client` is its `ZeebeClient`. The
fixtures are async: they need pytest-asyncio (or a runner of async tests like it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from zeebind.api.client import ZeebeClient
    from zeebind.testing.engine import InMemoryEngine

F = TypeVar("F", bound=Callable[..., Any])

try:
    import pytest_asyncio

    _fixture: Any = pytest_asyncio.fixture
except ImportError:  # pragma: no cover - without pytest-asyncio plain fixtures are all there is
    _fixture = pytest.fixture


def _async_fixture(function: F) -> F:
    return cast(F, _fixture(function))


@_async_fixture
async def zeebe_engine() -> AsyncIterator[InMemoryEngine]:
    """An in-memory engine with a manual clock, its client at `.client`."""
    from zeebind.testing.engine import InMemoryEngine

    engine = InMemoryEngine()
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


@_async_fixture
async def zeebe_client(zeebe_engine: InMemoryEngine) -> ZeebeClient:
    """The in-process `ZeebeClient` of `zeebe_engine`."""
    return zeebe_engine.client
