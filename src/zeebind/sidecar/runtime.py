"""The sidecar's state shared by its HTTP and gRPC APIs: the registered bindings and readiness."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from zeebind.bindings.binding import InputBinding, InvokeRequest, InvokeResponse, OutputBinding
from zeebind.bindings.errors import BindingError
from zeebind.sidecar.status import INVOKE_OUTPUT_BINDING, ApiError

logger = logging.getLogger(__name__)

RUNTIME_VERSION = "1.16.0-zeebind"


@dataclass(frozen=True)
class RegisteredBinding:
    name: str
    type: str
    version: str
    binding: OutputBinding


@dataclass(frozen=True)
class RegisteredInput:
    name: str
    type: str
    version: str
    binding: InputBinding


@dataclass
class Sidecar:
    app_id: str = "zeebind"
    api_token: str | None = None
    bindings: dict[str, RegisteredBinding] = field(default_factory=dict)
    ready: bool = False
    app_port: int | None = None
    app_protocol: str = "http"
    extended: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, RegisteredInput] = field(default_factory=dict)

    def register(self, name: str, type_: str, version: str, binding: OutputBinding) -> None:
        self.bindings[name] = RegisteredBinding(name, type_, version, binding)

    def register_input(self, name: str, type_: str, version: str, binding: InputBinding) -> None:
        self.inputs[name] = RegisteredInput(name, type_, version, binding)

    async def invoke(
        self, name: str, operation: str, data: bytes, metadata: Mapping[str, str]
    ) -> InvokeResponse:
        """Dapr's checks before the component, then the component; every failure is an ApiError."""
        if not operation:
            raise ApiError(INVOKE_OUTPUT_BINDING, "operation field is missing from request")
        registered = self.bindings.get(name)
        if registered is None:
            raise ApiError(INVOKE_OUTPUT_BINDING, f"couldn't find output binding {name}")
        binding = registered.binding
        if operation not in binding.operations:
            raise ApiError(
                INVOKE_OUTPUT_BINDING,
                f"binding {name} does not support operation {operation}. "
                f"supported operations:{' '.join(binding.operations)}",
            )
        try:
            return await binding.invoke(InvokeRequest(operation, data, metadata))
        except BindingError as err:
            raise ApiError(
                INVOKE_OUTPUT_BINDING, f"error invoking output binding {name}: {err}"
            ) from None
        except Exception:
            logger.exception("binding %s failed on %s", name, operation)
            raise ApiError(
                INVOKE_OUTPUT_BINDING,
                f"error invoking output binding {name}: internal error while running {operation}; "
                "see the sidecar log",
            ) from None

    def metadata(self) -> dict[str, object]:
        """`GET /v1.0/metadata`, keys omitted when empty as Dapr does."""
        answer: dict[str, object] = {
            "id": self.app_id,
            "runtimeVersion": RUNTIME_VERSION,
            "components": [
                {
                    "name": item.name,
                    "type": item.type,
                    "version": item.version,
                    "capabilities": ["OUTPUT_BINDING"],
                }
                for item in self.bindings.values()
            ]
            + [
                {
                    "name": item.name,
                    "type": item.type,
                    "version": item.version,
                    "capabilities": ["INPUT_BINDING"],
                }
                for item in self.inputs.values()
            ],
        }
        if self.extended:
            answer["extended"] = dict(self.extended)
        connection: dict[str, object] = {"protocol": self.app_protocol}
        if self.app_port:
            connection["port"] = self.app_port
            connection["channelAddress"] = "127.0.0.1"
        answer["appConnectionProperties"] = connection
        return answer

    async def close_inputs(self) -> None:
        """Input bindings first: their deliveries under way may still call the output bindings."""
        await asyncio.gather(*(item.binding.close() for item in self.inputs.values()))

    async def close(self) -> None:
        await self.close_inputs()
        for item in self.bindings.values():
            await item.binding.close()
