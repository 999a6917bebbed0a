"""The gRPC edge: `gateway_protocol.Gateway` and `grpc.health.v1.Health` on one grpc.aio server."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from zeebind.errors import ZeebindError
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import SERVICE_NAME, pb
from zeebind.gateway.service import CallContext, GatewayService

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 4 * 1024 * 1024
# Zeebe's gateway defaults: 4 MB messages, pings allowed every 30 s (clients ping every 45 s).
SERVER_OPTIONS: list[tuple[str, int]] = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 30_000),
    ("grpc.http2.max_ping_strikes", 0),
    # A second engine on a taken port must fail, not silently share it.
    ("grpc.so_reuseport", 0),
]
SHUTDOWN_GRACE_S = 1.0


class TlsConfigError(ZeebindError, ValueError):
    """A certificate or key file that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class TlsIdentity:
    """The server's certificate chain and private key, PEM-encoded."""

    certificate_chain: bytes
    private_key: bytes

    @classmethod
    def from_files(cls, certificate: Path, private_key: Path) -> TlsIdentity:
        return cls(_read_pem(certificate, "certificate"), _read_pem(private_key, "private key"))

    def credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials([(self.private_key, self.certificate_chain)])


def _read_pem(path: Path, what: str) -> bytes:
    try:
        content = path.read_bytes()
    except OSError as err:
        raise TlsConfigError(f"cannot read TLS {what} {path}: {err.strerror or err}") from None
    if b"-----BEGIN " not in content:
        raise TlsConfigError(f"TLS {what} {path} is not a PEM file")
    return content


def call_context(context: grpc.aio.ServicerContext) -> CallContext:
    remaining = context.time_remaining()
    deadline = None if remaining is None else asyncio.get_running_loop().time() + remaining
    metadata = {
        key: value
        for key, value in (context.invocation_metadata() or ())
        if isinstance(value, str) and not (key == "authorization" and not value.strip())
    }
    return CallContext(deadline=deadline, metadata=metadata)


def _unary_handler(service: GatewayService, method: str) -> grpc.RpcMethodHandler:
    async def handle(request: Message, context: grpc.aio.ServicerContext) -> Message:
        try:
            return await service.unary(method, request, call_context(context))
        except GatewayError as err:
            await context.abort(err.code, err.details)
            raise  # abort raises; this only satisfies the type checker

    return grpc.unary_unary_rpc_method_handler(
        handle,
        request_deserializer=pb.request_class(method).FromString,
        response_serializer=_serialize,
    )


def _stream_handler(service: GatewayService, method: str) -> grpc.RpcMethodHandler:
    async def handle(request: Message, context: grpc.aio.ServicerContext) -> AsyncIterator[Message]:
        try:
            async for message in service.stream(method, request, call_context(context)):
                yield message
        except GatewayError as err:
            await context.abort(err.code, err.details)

    return grpc.unary_stream_rpc_method_handler(
        handle,
        request_deserializer=pb.request_class(method).FromString,
        response_serializer=_serialize,
    )


def _serialize(message: Message) -> bytes:
    data: bytes = message.SerializeToString()
    return data


def gateway_handler(service: GatewayService) -> grpc.GenericRpcHandler:
    """All 21 RPCs of the service; any the service does not know answer UNIMPLEMENTED."""
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for method in pb.methods:
        make: Callable[[GatewayService, str], Any] = (
            _stream_handler if pb.server_streaming(method) else _unary_handler
        )
        handlers[method] = make(service, method)
    return grpc.method_handlers_generic_handler(SERVICE_NAME, handlers)


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class GatewayServer:
    """Serves a `GatewayService` over gRPC (h2c, or TLS when given an identity)."""

    def __init__(
        self,
        service: GatewayService,
        *,
        host: str = "127.0.0.1",
        port: int = 26500,
        tls: TlsIdentity | None = None,
    ) -> None:
        self.service = service
        self.host = host
        self.port = port
        self.tls = tls
        self._server: grpc.aio.Server | None = None
        self._health = health.aio.HealthServicer()

    @property
    def address(self) -> str:
        return _address(self.host, self.port)

    async def start(self) -> int:
        """Bind and start serving; returns the bound port (useful with port 0)."""
        server = grpc.aio.server(options=SERVER_OPTIONS)
        server.add_generic_rpc_handlers((gateway_handler(self.service),))
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        address = _address(self.host, self.port)
        _check_bindable(self.host, self.port)
        try:
            if self.tls is None:
                port: int = server.add_insecure_port(address)
            else:
                port = server.add_secure_port(address, self.tls.credentials())
        except RuntimeError:
            port = 0
        if port == 0:
            raise OSError(f"cannot listen on {address}: the address is in use or not available")
        self.port = port
        self.service.advertise(_advertised_host(self.host), port)
        for name in ("", SERVICE_NAME):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        await server.start()
        self._server = server
        logger.debug("gateway listening on %s", self.address)
        return port

    async def stop(self, grace: float = SHUTDOWN_GRACE_S) -> None:
        """Stop accepting calls; open streams and long polls end after `grace` seconds."""
        server, self._server = self._server, None
        if server is None:
            return
        await self._health.enter_graceful_shutdown()
        self.service.shut_down()
        await server.stop(grace)


def _check_bindable(host: str, port: int) -> None:
    """Fail with the OS's reason before grpc does (grpc only logs it, to stderr)."""
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as err:
        raise OSError(f"cannot listen on {_address(host, port)}: {err.strerror}") from None
    for family, kind, proto, _, sockaddr in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(sockaddr)
            except OSError as err:
                raise OSError(
                    f"cannot listen on {_address(host, port)}: {err.strerror or err}"
                ) from None


def _advertised_host(host: str) -> str:
    return "localhost" if host in ("", "0.0.0.0", "::") else host
