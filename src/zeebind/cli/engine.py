"""Serve the embedded engine on Zeebe's gateway gRPC protocol (pyzeebe, zbctl, Node SDK)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from zeebind.app import EngineApp
from zeebind.gateway.server import TlsConfigError, TlsIdentity
from zeebind.store.library import turn_off_memory_statistics

logger = logging.getLogger("zeebind.engine")

DEFAULT_DATA_DIR = Path(".zeebind/")
PROG = "zeebind engine"
OPERATE_PORT = 8081


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=26500, help="gRPC port (26500; 0 = any free)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=DEFAULT_DATA_DIR,
        help="directory of the engine's SQLite state (.zeebind/)",
    )
    parser.add_argument(
        "--in-memory", action="store_true", help="keep all state in memory; nothing is written"
    )
    parser.add_argument(
        "--tls-cert", type=Path, metavar="FILE", help="PEM certificate chain: serve TLS"
    )
    parser.add_argument(
        "--tls-key", type=Path, metavar="FILE", help="PEM private key of --tls-cert"
    )
    add_operate_arguments(parser)


def add_operate_arguments(parser: argparse.ArgumentParser) -> None:
    """--operate-port, --no-operate, --operate-token (shared with `zeebind run`)."""
    parser.add_argument(
        "--operate-port",
        type=int,
        metavar="PORT",
        help=f"Operate REST API port ({OPERATE_PORT}; 0 = any free)",
    )
    parser.add_argument(
        "--no-operate", action="store_true", help="serve no Operate API and run no connectors"
    )
    parser.add_argument(
        "--operate-token",
        default=os.environ.get("ZEEBIND_OPERATE_TOKEN") or None,
        metavar="TOKEN",
        help="bearer token the Operate API requires (default: $ZEEBIND_OPERATE_TOKEN; none: any)",
    )


def operate_options(args: argparse.Namespace) -> tuple[int | None, str | None, bool]:
    """(port or None, token, optional): an explicit port must be free, the default may be taken."""
    if args.no_operate:
        return None, None, False
    port = args.operate_port
    if port is not None and not 0 <= port <= 65535:
        raise ValueError(f"--operate-port must be between 0 and 65535, not {port}")
    return (OPERATE_PORT if port is None else port), args.operate_token, port is None


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    turn_off_memory_statistics()  # before any database is open (store/library.py)
    try:
        app = _app(args)
    except (TlsConfigError, ValueError) as err:
        return _fail(str(err), code=2)
    try:
        return asyncio.run(_serve(app))
    except KeyboardInterrupt:
        return 0
    except Exception as err:  # a user sees one line, never a traceback
        return _fail(_reason(err), code=1)


def _app(args: argparse.Namespace) -> EngineApp:
    if (args.tls_cert is None) != (args.tls_key is None):
        raise ValueError("--tls-cert and --tls-key must be given together")
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be between 0 and 65535, not {args.port}")
    if args.in_memory and args.data_dir != DEFAULT_DATA_DIR:
        raise ValueError("--in-memory and --data-dir exclude each other")
    tls = None
    if args.tls_cert is not None:
        tls = TlsIdentity.from_files(args.tls_cert, args.tls_key)
    data_dir = None if args.in_memory else args.data_dir
    operate_port, operate_token, operate_optional = operate_options(args)
    return EngineApp(
        data_dir=data_dir,
        host=args.host,
        port=args.port,
        tls=tls,
        operate_port=operate_port,
        operate_token=operate_token,
        operate_optional=operate_optional,
    )


async def _serve(app: EngineApp) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await app.start()
    try:
        data = "in memory" if app.data_dir is None else f"data: {app.data_dir}"
        scheme = "TLS" if app.tls is not None else "plaintext"
        logger.info("zeebind engine ready on %s (%s, %s)", app.address, data, scheme)
        if app.operate is not None:
            logger.info("Operate API on %s", app.operate.url)
        await stop.wait()
    finally:
        await app.stop()
    return 0


def _reason(err: Exception) -> str:
    if isinstance(err, OSError) and err.strerror and err.filename:
        return f"{err.filename}: {err.strerror}"
    return str(err) or type(err).__name__


def _fail(message: str, *, code: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
