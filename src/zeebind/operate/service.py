"""OperateService: the exporter on a broker, the Operate API on a port, the connector worker.

operate = await OperateService.start(broker, host="127.0.0.1", port=8081, data_dir=path)
...                                   # operate.port, operate.url are live from here
await operate.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from zeebind.broker import Broker
from zeebind.connectors.http_json import HttpJsonWorker
from zeebind.exporters.operate import OperateExporter
from zeebind.operate.app import create_app
from zeebind.protocol.record import Record

log = logging.getLogger("zeebind.operate")

DEFAULT_PORT = 8081
READ_MODEL_FILE = "operate.db"


class OperateService:
    def __init__(
        self,
        exporter: OperateExporter,
        server: uvicorn.Server,
        task: asyncio.Task[None],
        host: str,
        port: int,
        worker: HttpJsonWorker | None,
        broker: Broker,
    ) -> None:
        self._broker = broker
        self.exporter = exporter
        self.host = host
        self.port = port
        self.worker = worker
        self._server = server
        self._task = task
        self._stopped = False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    async def start(
        cls,
        broker: Broker,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        data_dir: Path | None = None,
        token: str | None = None,
        connectors: bool = True,
    ) -> OperateService:
        """Catches the read model up with the log, then serves it and exports every commit."""
        path = data_dir / READ_MODEL_FILE if data_dir is not None else None
        exporter = OperateExporter(path)
        try:
            exported = exporter.catch_up(broker.database.records, broker.database.last_position())
            if exported:
                log.info("Operate read model caught up with %d records", exported)
            holder: list[OperateService] = []
            broker.add_listener(lambda records: holder[0]._export(records) if holder else None)
            sock = _bind(host, port)
            config = uvicorn.Config(
                create_app(exporter, token=token),
                log_level="warning",
                access_log=False,
                lifespan="off",
                server_header=False,
                date_header=False,
            )
            server = _QuietServer(config)
            task = asyncio.create_task(server.serve(sockets=[sock]), name="zeebind-operate")
            while not server.started:
                if task.done():
                    task.result()
                    raise OSError("the Operate API stopped while starting")
                await asyncio.sleep(0.005)
        except BaseException:
            exporter.close()
            raise
        bound = sock.getsockname()[1]
        worker = HttpJsonWorker(broker) if connectors else None
        if worker is not None:
            worker.start()
        service = cls(exporter, server, task, host, bound, worker, broker)
        holder.append(service)
        return service

    def _export(self, records: list[Record]) -> None:
        """After every commit; a failed export is retried from the log with the next commit."""
        if self._stopped or not records:
            return
        exporter = self.exporter
        try:
            if records[0].position > exporter.position + 1:
                exporter.catch_up(self._broker.database.records, records[-1].position)
            else:
                exporter.export(records)
        except Exception:
            log.exception("exporting %d records to the Operate read model failed", len(records))

    async def stop(self) -> None:
        self._stopped = True
        if self.worker is not None:
            await self.worker.stop()
        self._server.should_exit = True
        await self._task
        self.exporter.close()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port} (Operate API): {err.strerror}") from None
    return sock


class _QuietServer(uvicorn.Server):
    """Leaves signals to the command line, which stops the whole engine in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
