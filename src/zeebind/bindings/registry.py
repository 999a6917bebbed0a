"""Components → bindings: the component types zeebind knows and how each is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zeebind.bindings.binding import InputBinding, OutputBinding
from zeebind.bindings.command.binding import COMPONENT_TYPE, ZeebeCommandBinding
from zeebind.bindings.command.settings import ClientSettings
from zeebind.bindings.component import Component
from zeebind.bindings.errors import ComponentError
from zeebind.bindings.jobworker.settings import COMPONENT_TYPE as JOBWORKER_TYPE
from zeebind.bindings.jobworker.settings import WorkerSettings
from zeebind.bindings.jobworker.worker import JobWorker
from zeebind.client.gateway import GatewayClient
from zeebind.client.remote import RemoteGatewayClient

SUPPORTED_TYPES = (COMPONENT_TYPE, JOBWORKER_TYPE)
SUPPORTED_VERSIONS = ("v1",)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "::", "[::]"})


@dataclass(frozen=True)
class EmbeddedGateway:
    """The engine in this process: its gateway port, and a factory of direct clients."""

    port: int
    client: Callable[[], GatewayClient]

    def serves(self, address: str) -> bool:
        host, _, port = address.rpartition(":")
        return host.lower() in _LOCAL_HOSTS and port == str(self.port)


@dataclass(frozen=True)
class BuiltBinding:
    """An output binding (`binding`) or an input binding (`input`), and how it reaches Zeebe."""

    component: Component
    binding: OutputBinding | None
    embedded: bool
    address: str
    input: InputBinding | None = None

    @property
    def route(self) -> str:
        return "embedded engine, in process" if self.embedded else f"gateway {self.address}"


def check(component: Component) -> ClientSettings:
    """Everything that can be checked without connecting; raises ComponentError naming the field."""
    settings = check_settings(component)
    return settings.client if isinstance(settings, WorkerSettings) else settings


def check_settings(component: Component) -> ClientSettings | WorkerSettings:
    if component.type not in SUPPORTED_TYPES:
        raise component.error(
            ComponentError(
                f"unknown component type '{component.type}' (zeebind supports "
                + ", ".join(SUPPORTED_TYPES)
                + ")",
                field="spec.type",
            )
        )
    if component.version not in SUPPORTED_VERSIONS:
        raise component.error(
            ComponentError(
                f"unsupported version '{component.version}' (use v1)", field="spec.version"
            )
        )
    try:
        if component.type == JOBWORKER_TYPE:
            return WorkerSettings.parse(component.name, component.metadata)
        return ClientSettings.parse(component.metadata)
    except ComponentError as err:
        raise component.error(err) from None


def build(
    component: Component, embedded: EmbeddedGateway | None, *, grace_seconds: float = 5.0
) -> BuiltBinding:
    settings = check_settings(component)
    client_settings = settings.client if isinstance(settings, WorkerSettings) else settings
    address = client_settings.gateway_address
    in_process = embedded is not None and embedded.serves(address)
    client = embedded.client() if embedded is not None and in_process else _remote(client_settings)
    if isinstance(settings, WorkerSettings):
        worker = JobWorker(component.name, settings, client, grace_seconds=grace_seconds)
        return BuiltBinding(component, None, in_process, address, input=worker)
    return BuiltBinding(component, ZeebeCommandBinding(client), in_process, address)


def _remote(settings: ClientSettings) -> GatewayClient:
    return RemoteGatewayClient(
        settings.gateway_address,
        plaintext=settings.plaintext,
        ca_path=settings.ca_certificate_path,
        oauth=settings.oauth,
        keepalive=settings.keepalive.total_seconds(),
    )
