"""Run the Dapr-compatible sidecar with the Zeebe bindings (and the embedded engine)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from zeebind.bindings.errors import ComponentError
from zeebind.cli.engine import add_operate_arguments, operate_options
from zeebind.sidecar.app import SidecarApp, SidecarOptions
from zeebind.store.library import turn_off_memory_statistics

logger = logging.getLogger("zeebind.sidecar")

PROG = "zeebind run"
DEFAULT_DATA_DIR = Path(".zeebind/")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resources-path",
        type=Path,
        help="folder of Dapr component YAMLs (default: one 'zeebe-command' on the embedded engine)",
    )
    parser.add_argument("--app-id", default="zeebind", help="the app id reported by /v1.0/metadata")
    parser.add_argument("--dapr-http-port", type=int, default=3500, help="HTTP API port (3500)")
    parser.add_argument("--dapr-grpc-port", type=int, default=50001, help="gRPC API port (50001)")
    parser.add_argument("--app-port", type=int, help="the app's port (for input bindings)")
    parser.add_argument("--app-protocol", choices=("http", "grpc"), default="http")
    parser.add_argument(
        "--gateway-port",
        type=int,
        default=26500,
        help="the embedded engine's Zeebe gRPC port (26500)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="the engine's state (.zeebind/)"
    )
    parser.add_argument(
        "--in-memory", action="store_true", help="keep the engine's state in memory"
    )
    parser.add_argument("--no-engine", action="store_true", help="do not start the embedded engine")
    add_operate_arguments(parser)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (127.0.0.1)")
    parser.add_argument(
        "--dapr-graceful-shutdown-seconds",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="on stop, how long input-binding deliveries under way may take to finish (5)",
    )


def options(args: argparse.Namespace) -> SidecarOptions:
    for name in ("dapr_http_port", "dapr_grpc_port", "gateway_port"):
        value = getattr(args, name)
        if not 0 <= value <= 65535:
            raise ValueError(f"--{name.replace('_', '-')} must be between 0 and 65535, not {value}")
    if args.app_port is not None and not 1 <= args.app_port <= 65535:
        raise ValueError(f"--app-port must be between 1 and 65535, not {args.app_port}")
    grace = args.dapr_graceful_shutdown_seconds
    if not grace >= 0:
        raise ValueError(f"--dapr-graceful-shutdown-seconds must not be negative, not {grace}")
    operate_port, operate_token, operate_optional = operate_options(args)
    return SidecarOptions(
        resources_path=args.resources_path,
        host=args.host,
        http_port=args.dapr_http_port,
        grpc_port=args.dapr_grpc_port,
        app_id=args.app_id,
        app_port=args.app_port,
        app_protocol=args.app_protocol,
        gateway_port=args.gateway_port,
        data_dir=None if args.in_memory else args.data_dir,
        engine=not args.no_engine,
        api_token=os.environ.get("DAPR_API_TOKEN") or None,
        graceful_shutdown_seconds=grace,
        operate_port=operate_port,
        operate_token=operate_token,
        operate_optional=operate_optional,
    )


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    turn_off_memory_statistics()  # before any database is open (store/library.py)
    # httpx logs every request at INFO: one line per delivery to the app, and per token fetch.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        app = SidecarApp(options(args))
        app.components()
    except (ComponentError, ValueError) as err:
        return _fail(str(err), code=2)
    try:
        return asyncio.run(_serve(app))
    except KeyboardInterrupt:
        return 0


async def _serve(app: SidecarApp) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await app.start()
    except ComponentError as err:
        return _fail(str(err), code=2)
    except Exception as err:
        return _fail(_reason(err), code=1)
    try:
        bindings = ", ".join(f"{item.component.name} ({item.route})" for item in app.built)
        engine = f", engine gateway on {app.engine.address}" if app.engine is not None else ""
        if app.engine is not None and app.engine.operate is not None:
            engine += f", Operate API on {app.engine.operate.url}"
        logger.info(
            "zeebind sidecar ready: HTTP on http://%s:%d, gRPC on %s:%d%s; bindings: %s",
            app.options.host,
            app.http_port,
            app.options.host,
            app.grpc_port,
            engine,
            bindings,
        )
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
