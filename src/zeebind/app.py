"""The composition root: one broker, the gateway service on it, and the gRPC server in front.

    app = EngineApp(data_dir=Path(".zeebind"), host="127.0.0.1", port=26500)
    await app.start()      # app.broker, app.service, app.port are live from here
    ...
    await app.stop()

`zeebind engine` serves exactly this; `zeebind run` adds the sidecar on top.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType

from zeebind.broker import Broker, Clock
from zeebind.gateway.server import GatewayServer, TlsIdentity
from zeebind.gateway.service import GatewayService
from zeebind.operate.service import OperateService

logger = logging.getLogger("zeebind.engine")


class EngineApp:
    def __init__(
        self,
        *,
        data_dir: Path | None,
        host: str = "127.0.0.1",
        port: int = 26500,
        tls: TlsIdentity | None = None,
        clock: Clock | None = None,
        long_polling_timeout_ms: int = 10_000,
        request_timeout_ms: int = 15_000,
        operate_port: int | None = None,
        operate_token: str | None = None,
        operate_optional: bool = False,
    ) -> None:
        self.data_dir = data_dir
        self.host = host
        self.requested_port = port
        self.tls = tls
        self.clock = clock
        self.long_polling_timeout_ms = long_polling_timeout_ms
        self.request_timeout_ms = request_timeout_ms
        self._broker: Broker | None = None
        self._service: GatewayService | None = None
        self._server: GatewayServer | None = None
        # The Operate API (exporter, read API, connectors) on this port; None = none.
        # `operate_optional`: a busy port only turns it off (the CLI's default port).
        self.operate_port = operate_port
        self.operate_token = operate_token
        self.operate_optional = operate_optional
        self._operate: OperateService | None = None

    @property
    def broker(self) -> Broker:
        if self._broker is None:
            raise RuntimeError("EngineApp is not started")
        return self._broker

    @property
    def service(self) -> GatewayService:
        if self._service is None:
            raise RuntimeError("EngineApp is not started")
        return self._service

    @property
    def operate(self) -> OperateService | None:
        """The Operate API when it is served (`operate.url`), else None."""
        return self._operate

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("EngineApp is not started")
        return self._server.port

    @property
    def address(self) -> str:
        """host:port of the gRPC gateway, for clients."""
        if self._server is None:
            raise RuntimeError("EngineApp is not started")
        return self._server.address

    async def start(self) -> None:
        broker = await Broker.open(self.data_dir, clock=self.clock)
        operate: OperateService | None = None
        try:
            operate = await self._start_operate(broker)
            service = GatewayService(
                broker,
                long_polling_timeout_ms=self.long_polling_timeout_ms,
                request_timeout_ms=self.request_timeout_ms,
            )
            server = GatewayServer(service, host=self.host, port=self.requested_port, tls=self.tls)
            await server.start()
        except BaseException:
            if operate is not None:
                await operate.stop()
            await broker.close()
            raise
        self._broker, self._service, self._server = broker, service, server
        self._operate = operate

    async def _start_operate(self, broker: Broker) -> OperateService | None:
        if self.operate_port is None:
            return None
        try:
            return await OperateService.start(
                broker,
                host=self.host,
                port=self.operate_port,
                data_dir=self.data_dir,
                token=self.operate_token,
            )
        except OSError as err:
            if not self.operate_optional:
                raise
            logger.warning("%s; serving no Operate API (choose one with --operate-port)", err)
            return None

    async def stop(self) -> None:
        server, broker, operate = self._server, self._broker, self._operate
        self._server = self._service = self._broker = self._operate = None
        try:
            if server is not None:
                await server.stop()
            if operate is not None:
                await operate.stop()
        finally:
            if broker is not None:
                await broker.close()

    async def __aenter__(self) -> EngineApp:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
