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
