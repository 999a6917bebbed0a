"""The remote client and its OAuth tokens against real servers on 127.0.0.1: a token endpoint
(Starlette + uvicorn) and a gRPC gateway that checks bearer tokens."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import grpc
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zeebind.client.oauth import OAuthCredentials, TokenError, TokenSource
from zeebind.client.remote import RemoteGatewayClient
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import SERVICE_NAME, pb


@dataclass
class TokenEndpoint:
    status: int = 200
    expires_in: int = 3600
    forms: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    @property
    def token(self) -> str:
        return f"token-{len(self.forms)}"

    async def handle(self, request: Request) -> Response:
        self.forms.append(dict(parse_qsl((await request.body()).decode())))
        if self.status != 200:
            return Response("invalid_client", status_code=self.status)
        return JSONResponse(
            {"access_token": self.token, "token_type": "bearer", "expires_in": self.expires_in}
        )


@pytest.fixture
async def endpoint() -> AsyncIterator[TokenEndpoint]:
    state = TokenEndpoint()
    app = Starlette(routes=[Route("/oauth/token", state.handle, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.005)
    state.url = f"http://127.0.0.1:{sock.getsockname()[1]}/oauth/token"
    yield state
    server.should_exit = True
    await task


def credentials(url: str, scope: str | None = None) -> OAuthCredentials:
    return OAuthCredentials("my-id", "my-secret", url, "zeebe.example", scope)


async def test_the_token_is_fetched_once_and_cached(endpoint: TokenEndpoint) -> None:
    source = TokenSource(credentials(endpoint.url, "zeebe"))
    assert await source.header() == "Bearer token-1"
    assert await source.header() == "Bearer token-1"
    await source.close()
    assert endpoint.forms == [
        {
            "grant_type": "client_credentials",
            "client_id": "my-id",
            "client_secret": "my-secret",
            "audience": "zeebe.example",
            "scope": "zeebe",
        }
    ]


async def test_an_expired_token_is_fetched_again(endpoint: TokenEndpoint) -> None:
    endpoint.expires_in = 0
    source = TokenSource(credentials(endpoint.url))
    assert await source.header() == "Bearer token-1"
    assert await source.header() == "Bearer token-2"
    assert "scope" not in endpoint.forms[0]
    await source.close()


async def test_concurrent_callers_share_one_fetch(endpoint: TokenEndpoint) -> None:
    source = TokenSource(credentials(endpoint.url))
    headers = await asyncio.gather(*(source.header() for _ in range(10)))
    assert set(headers) == {"Bearer token-1"}
    assert len(endpoint.forms) == 1
    await source.close()


async def test_a_401_is_a_clear_error(endpoint: TokenEndpoint) -> None:
    endpoint.status = 401
    source = TokenSource(credentials(endpoint.url))
    with pytest.raises(
        TokenError, match=r"failed to obtain access token from .*: 401 Unauthorized"
    ):
        await source.header()
    await source.close()


async def test_an_unreachable_endpoint_is_a_clear_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    source = TokenSource(credentials(f"http://127.0.0.1:{port}/token"))
    with pytest.raises(TokenError, match="failed to obtain access token from"):
        await source.header()
    await source.close()


@dataclass
class GuardedGateway:
    """Answers Topology only to the bearer token it is told to accept."""

    accept: str = ""
    seen: list[str] = field(default_factory=list)

    async def topology(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        header = dict(context.invocation_metadata() or ()).get("authorization", "")
        self.seen.append(str(header))
        if header != self.accept:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "bad token")
        return pb.TopologyResponse(clusterSize=1)

    async def activate(self, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        header = dict(context.invocation_metadata() or ()).get("authorization", "")
        if header != self.accept:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "bad token")
        yield pb.ActivateJobsResponse(jobs=[pb.ActivatedJob(key=1)])


@pytest.fixture
async def guarded() -> AsyncIterator[tuple[GuardedGateway, int]]:
    gateway = GuardedGateway()
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        SERVICE_NAME,
        {
            "Topology": grpc.unary_unary_rpc_method_handler(
                gateway.topology,
                request_deserializer=pb.TopologyRequest.FromString,
                response_serializer=lambda m: m.SerializeToString(),
            ),
            "ActivateJobs": grpc.unary_stream_rpc_method_handler(
                gateway.activate,
                request_deserializer=pb.ActivateJobsRequest.FromString,
                response_serializer=lambda m: m.SerializeToString(),
            ),
        },
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield gateway, port
    await server.stop(None)


async def test_bearer_tokens_go_on_plaintext_calls_and_refresh_once(
    endpoint: TokenEndpoint, guarded: tuple[GuardedGateway, int]
) -> None:
    gateway, port = guarded
    client = RemoteGatewayClient(
        f"127.0.0.1:{port}", plaintext=True, oauth=credentials(endpoint.url)
    )
    gateway.accept = "Bearer token-1"
    for _ in range(3):
        await client.unary("Topology", pb.TopologyRequest(), timeout=5)
    assert len(endpoint.forms) == 1
    gateway.accept = "Bearer token-2"  # the gateway revoked token-1
    answer = await client.unary("Topology", pb.TopologyRequest(), timeout=5)
    assert answer.clusterSize == 1  # type: ignore[attr-defined]
    assert len(endpoint.forms) == 2
    assert gateway.seen[-2:] == ["Bearer token-1", "Bearer token-2"]
    gateway.accept = "Bearer token-3"
    jobs = [m async for m in client.stream("ActivateJobs", pb.ActivateJobsRequest(), timeout=5)]
    assert len(jobs) == 1
    gateway.accept = "never"
    with pytest.raises(GatewayError) as caught:
        await client.unary("Topology", pb.TopologyRequest(), timeout=5)
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert len(endpoint.forms) == 4  # one refresh per rejected call, no more
    await client.close()


async def test_a_token_endpoint_failure_is_unauthenticated(
    endpoint: TokenEndpoint, guarded: tuple[GuardedGateway, int]
) -> None:
    _, port = guarded
    endpoint.status = 401
    client = RemoteGatewayClient(
        f"127.0.0.1:{port}", plaintext=True, oauth=credentials(endpoint.url)
    )
    with pytest.raises(GatewayError) as caught:
        await client.unary("Topology", pb.TopologyRequest(), timeout=5)
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert "failed to obtain access token" in caught.value.details
    await client.close()


async def test_an_unreachable_gateway_is_unavailable() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = RemoteGatewayClient(f"127.0.0.1:{port}", plaintext=True)
    with pytest.raises(GatewayError) as caught:
        await client.unary("Topology", pb.TopologyRequest(), timeout=5)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE
    await client.close()
