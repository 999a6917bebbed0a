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
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from zeebind.broker import Broker
from zeebind.connectors.http_json import HttpJsonWorker
from zeebind.exporters.director import ExportDirector
from zeebind.exporters.operate import OperateExporter
from zeebind.operate.app import create_app

log = logging.getLogger("zeebind.operate")

DEFAULT_PORT = 8081
READ_MODEL_FILE = "operate.db"


class OperateService:
    def __init__(
        self,
        director: ExportDirector,
        reader: sqlite3.Connection,
        server: uvicorn.Server,
        task: asyncio.Task[None],
        host: str,
        port: int,
        worker: HttpJsonWorker | None,
    ) -> None:
        self.director = director
        self.exporter = director.exporter
        self.host = host
        self.port = port
        self.worker = worker
        self._reader = reader
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
        threaded_export: bool = True,
    ) -> OperateService:
        """Catches the read model up with the log, then serves it and exports every commit."""
        path = data_dir / READ_MODEL_FILE if data_dir is not None else None
        exporter = OperateExporter(path, log_path=broker.database.path)
        reader = exporter.open_reader()
        director = ExportDirector(exporter, broker.database.records, threaded=threaded_export)
        try:
            exported = exporter.catch_up(broker.database.records, broker.database.last_position())
            if exported:
                log.debug("Operate read model caught up with %d records", exported)
            director.start()
            broker.add_listener(director.on_commit)
            sock = _bind(host, port)
            config = uvicorn.Config(
                create_app(director, reader, token=token),
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
            await director.stop()
            reader.close()
            exporter.close()
            raise
        bound = sock.getsockname()[1]
        worker = HttpJsonWorker(broker) if connectors else None
        if worker is not None:
            worker.start()
        return cls(director, reader, server, task, host, bound, worker)

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.worker is not None:
            await self.worker.stop()
        self._server.should_exit = True
        await self._task
        await self.director.stop()
        self._reader.close()
        self.exporter.close()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: uvicorn writes headers and body separately, and with
    # Nagle the body would wait for the client's delayed ACK (~40 ms per response).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
