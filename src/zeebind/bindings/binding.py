"""The contract between the sidecar's APIs and an output binding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class InvokeRequest:
    operation: str
    data: bytes
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InvokeResponse:
    """`data` may be empty: Dapr still answers 200 (HTTP) or an empty `data` (gRPC)."""

    data: bytes = b""
    metadata: Mapping[str, str] = field(default_factory=dict)


class OutputBinding(Protocol):
    @property
    def operations(self) -> Sequence[str]: ...

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """Raises `zeebind.bindings.errors.BindingError` with the text Dapr puts after the binding
        name."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class AppReply:
    """A 2xx HTTP answer or an OnBindingEvent answer; `data` is None when gRPC sent no data."""

    data: bytes | None


class AppError(Exception):
    """A delivery the app did not accept; `str(err)` is Dapr's text, which Zeebe records."""


class AppChannel(Protocol):
    """How the sidecar reaches the app (`--app-port`, `--app-protocol`) for input bindings."""

    @property
    def address(self) -> str: ...

    async def wait_ready(self) -> None:
        """Returns once the app accepts connections."""
        ...

    async def subscribed(self, name: str, route: str) -> bool:
        """Dapr's subscription check; raises AppError when the app cannot be asked."""
        ...

    async def deliver(
        self,
        name: str,
        route: str,
        data: bytes,
        metadata: Mapping[str, str],
        *,
        timeout: float | None = None,
    ) -> AppReply:
        """One binding event; raises AppError for an error answer or a transport failure."""
        ...

    async def close(self) -> None: ...


class InputBinding(Protocol):
    async def read(self, channel: AppChannel) -> None:
        """Starts delivering to the app in the background and returns."""
        ...

    async def close(self) -> None:
        """Stops taking new work and lets deliveries under way finish."""
        ...
