"""Where a `ZeebeClient` sends its calls: the engine in this process, or a gateway over gRPC.

Both are the existing `zeebind.client` transports; this module only chooses and configures one,
with pyzeebe's defaults (`$ZEEBE_ADDRESS`, Camunda SaaS addresses and token endpoints).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zeebind.client.gateway import GatewayClient
from zeebind.client.oauth import OAuthCredentials
from zeebind.client.remote import DEFAULT_KEEPALIVE_SECONDS, RemoteGatewayClient

DEFAULT_ADDRESS = "localhost:26500"
CLOUD_AUTHORIZATION_SERVER = "https://login.cloud.camunda.io/oauth/token"
CLOUD_AUDIENCE = "zeebe.camunda.io"
CLOUD_REGION = "bru-2"


def embedded_gateway(target: Any) -> GatewayClient:
    """The in-process transport to an `EngineApp`, a `Broker` or a `GatewayService`: no socket."""
    from zeebind.broker import Broker
    from zeebind.client.embedded import EmbeddedGatewayClient
    from zeebind.gateway.service import GatewayService

    if isinstance(target, GatewayService):
        return EmbeddedGatewayClient(target)
    if isinstance(target, Broker):
        return EmbeddedGatewayClient(GatewayService(target))
    service = getattr(target, "service", None)
    if isinstance(service, GatewayService):
        return EmbeddedGatewayClient(service)
    raise TypeError(
        f"an embedded client needs an EngineApp, a Broker or a GatewayService, not "
        f"{type(target).__name__}"
    )


def default_address(address: str | None) -> str:
    return address or os.environ.get("ZEEBE_ADDRESS") or DEFAULT_ADDRESS


def remote_gateway(
    address: str | None = None,
    *,
    insecure: bool = False,
    ca_path: str | os.PathLike[str] | None = None,
    oauth: OAuthCredentials | None = None,
    keepalive: float = DEFAULT_KEEPALIVE_SECONDS,
) -> GatewayClient:
    """gRPC to `address` (default `$ZEEBE_ADDRESS`, else localhost:26500): TLS unless `insecure`."""
    return RemoteGatewayClient(
        default_address(address),
        plaintext=insecure,
        ca_path=Path(ca_path) if ca_path is not None else None,
        oauth=oauth,
        keepalive=keepalive,
    )


def oauth_from_environment(
    client_id: str | None = None,
    client_secret: str | None = None,
    authorization_server: str | None = None,
    audience: str | None = None,
    scope: str | None = None,
) -> OAuthCredentials:
    """Client credentials from the arguments, else the variables pyzeebe and zbctl read."""

    def pick(given: str | None, *names: str) -> str | None:
        return given or next((os.environ[n] for n in names if os.environ.get(n)), None)

    found = {
        "client_id": pick(client_id, "CAMUNDA_CLIENT_ID", "ZEEBE_CLIENT_ID"),
        "client_secret": pick(client_secret, "CAMUNDA_CLIENT_SECRET", "ZEEBE_CLIENT_SECRET"),
        "authorization_server_url": pick(
            authorization_server, "CAMUNDA_OAUTH_URL", "ZEEBE_AUTHORIZATION_SERVER_URL"
        ),
        "audience": pick(audience, "CAMUNDA_TOKEN_AUDIENCE", "ZEEBE_TOKEN_AUDIENCE"),
    }
    missing = [name for name, value in found.items() if not value]
    if missing:
        from zeebind.api.errors import InvalidOAuthCredentialsError

        raise InvalidOAuthCredentialsError(f"OAuth client credentials lack {', '.join(missing)}")
    return OAuthCredentials(
        client_id=str(found["client_id"]),
        client_secret=str(found["client_secret"]),
        authorization_server_url=str(found["authorization_server_url"]),
        audience=str(found["audience"]),
        scope=scope,
    )


def cloud_gateway(
    client_id: str | None = None,
    client_secret: str | None = None,
    cluster_id: str | None = None,
    region: str | None = None,
    *,
    authorization_server: str = CLOUD_AUTHORIZATION_SERVER,
    audience: str = CLOUD_AUDIENCE,
    scope: str | None = None,
) -> GatewayClient:
    """Camunda SaaS: `{cluster_id}.{region}.zeebe.camunda.io:443`, TLS and client credentials."""
    cluster = cluster_id or os.environ.get("CAMUNDA_CLUSTER_ID")
    if not cluster:
        from zeebind.api.errors import SettingsError

        raise SettingsError("a Camunda SaaS client needs a cluster id (or $CAMUNDA_CLUSTER_ID)")
    where = region or os.environ.get("CAMUNDA_CLUSTER_REGION") or CLOUD_REGION
    credentials = oauth_from_environment(
        client_id, client_secret, authorization_server, audience, scope
    )
    return RemoteGatewayClient(f"{cluster}.{where}.zeebe.camunda.io:443", oauth=credentials)
