"""The sidecar's composition root: the engine (unless disabled), the bindings, the HTTP and gRPC
APIs.

app = SidecarApp(SidecarOptions(resources_path=Path("components")))
await app.start()     # app.http_port, app.grpc_port, app.engine are live from here
...
await app.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import uvicorn

from zeebind.app import EngineApp
from zeebind.bindings.binding import AppChannel
from zeebind.bindings.command.binding import COMPONENT_TYPE
from zeebind.bindings.component import Component, load_components
from zeebind.bindings.metadata import ComponentMetadata
from zeebind.bindings.registry import BuiltBinding, EmbeddedGateway, build, check
from zeebind.client.embedded import EmbeddedGatewayClient
from zeebind.sidecar.app_channel import app_channel
from zeebind.sidecar.grpc_api import create_server
from zeebind.sidecar.http_api import create_app
from zeebind.sidecar.runtime import Sidecar

logger = logging.getLogger("zeebind.sidecar")

DEFAULT_BINDING = "zeebe-command"


@dataclass(frozen=True)
class SidecarOptions:
    resources_path: Path | None = None
    host: str = "127.0.0.1"
    http_port: int = 3500
    grpc_port: int = 50001
    app_id: str = "zeebind"
    app_port: int | None = None
    app_protocol: str = "http"
    gateway_port: int = 26500
    data_dir: Path | None = None
    engine: bool = True
    api_token: str | None = None
    # The embedded engine's Operate API (see EngineApp): port (None = none), token, optional.
    operate_port: int | None = None
    operate_token: str | None = None
    operate_optional: bool = False
    # How long deliveries under way may take to finish when the sidecar stops.
    graceful_shutdown_seconds: float = 5.0


class SidecarApp:
    def __init__(self, options: SidecarOptions) -> None:
        self.options = options
        self.sidecar = Sidecar(
            app_id=options.app_id,
            api_token=options.api_token,
            app_port=options.app_port,
            app_protocol=options.app_protocol,
        )
        self.engine: EngineApp | None = None
        self.built: list[BuiltBinding] = []
        self.http_port = options.http_port
        self.grpc_port = options.grpc_port
        self._http: uvicorn.Server | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._grpc: grpc.aio.Server | None = None
        self.app_channel: AppChannel | None = None

    def components(self) -> list[Component]:
        """The folder's components, all checked; the default one when there are none."""
        path = self.options.resources_path
        components = load_components(path) if path is not None else []
        for component in components:
            check(component)
        if components:
            return components
        address = f"127.0.0.1:{self.options.gateway_port}"
        default = ComponentMetadata({"gatewayAddr": address, "usePlainTextConnection": "true"})
        return [Component(DEFAULT_BINDING, COMPONENT_TYPE, "v1", default)]

    async def start(self) -> None:
        components = self.components()
        try:
            embedded = None
            if self.options.engine:
                self.engine = EngineApp(
                    data_dir=self.options.data_dir,
                    host=self.options.host,
                    port=self.options.gateway_port,
                    operate_port=self.options.operate_port,
                    operate_token=self.options.operate_token,
                    operate_optional=self.options.operate_optional,
                )
                await self.engine.start()
                engine = self.engine
                embedded = EmbeddedGateway(
                    engine.port, lambda: EmbeddedGatewayClient(engine.service)
                )
                if self.options.gateway_port == 0:
                    components = self._retarget(components, engine.port)
            grace = self.options.graceful_shutdown_seconds
            for component in components:
                built = build(component, embedded, grace_seconds=grace)
                self.built.append(built)
                if built.binding is not None:
                    self.sidecar.register(
                        component.name, component.type, component.version, built.binding
                    )
                if built.input is not None:
                    self.sidecar.register_input(
                        component.name, component.type, component.version, built.input
                    )
            await self._start_grpc()
            await self._start_http()
            await self._start_inputs()
        except BaseException:
            await self.stop()
            raise
        self.sidecar.ready = True

    async def _start_inputs(self) -> None:
        """Input bindings read once the app answers; without `--app-port` they are not read."""
        inputs = list(self.sidecar.inputs.values())
        if not inputs:
            return
        port = self.options.app_port
        if port is None:
            logger.warning(
                "input bindings %s are not read: no --app-port given (app channel not initialized)",
                ", ".join(item.name for item in inputs),
            )
            return
        self.app_channel = app_channel(self.options.app_protocol, port)
        for item in inputs:
            await item.binding.read(self.app_channel)

    def _retarget(self, components: list[Component], port: int) -> list[Component]:
        """With `--gateway-port 0` the default component follows the port the engine got."""
        if len(components) == 1 and components[0].source is None:
            metadata = ComponentMetadata(
                {"gatewayAddr": f"127.0.0.1:{port}", "usePlainTextConnection": "true"}
            )
            return [Component(DEFAULT_BINDING, COMPONENT_TYPE, "v1", metadata)]
        return components

    async def _start_grpc(self) -> None:
        server = create_server(self.sidecar)
        address = f"{self.options.host}:{self.options.grpc_port}"
        try:
            port = server.add_insecure_port(address)
        except RuntimeError as err:
            raise OSError(f"cannot listen on {address} (gRPC API): {err}") from None
        if port == 0:
            raise OSError(f"cannot listen on {address} (gRPC API)")
        await server.start()
        self._grpc = server
        self.grpc_port = port

    async def _start_http(self) -> None:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
        # listening socket says TCP; without it every response body waits 40 ms for a delayed ACK.
        family = socket.AF_INET6 if ":" in self.options.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.options.host, self.options.http_port))
        except OSError as err:
            sock.close()
            raise OSError(
                f"cannot listen on {self.options.host}:{self.options.http_port} (HTTP API): "
                f"{err.strerror}"
            ) from None
        self.http_port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.sidecar),
            log_level="warning",
            access_log=False,
            http="httptools",
            lifespan="off",
            server_header=False,
            date_header=False,
        )
        server = _QuietServer(config)
        self._http = server
        self._http_task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if self._http_task.done():
                self._http_task.result()
                raise OSError("the HTTP API stopped while starting")
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        self.sidecar.ready = False
        # Deliveries under way finish first: they may call the APIs (autocomplete off) and need the
        # app channel and the engine.
        await self.sidecar.close_inputs()
        if self.app_channel is not None:
            await self.app_channel.close()
            self.app_channel = None
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True
            await self._http_task
            self._http = self._http_task = None
        if self._grpc is not None:
            await self._grpc.stop(1.0)
            self._grpc = None
        await self.sidecar.close()
        self.sidecar.bindings.clear()
        self.sidecar.inputs.clear()
        self.built.clear()
        if self.engine is not None:
            await self.engine.stop()
            self.engine = None


class _QuietServer(uvicorn.Server):
    """Leaves signals to the command line, which stops the whole sidecar in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
