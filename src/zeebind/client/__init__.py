"""Clients of the Zeebe gateway protocol: one interface, an in-process and a network transport.

`zeebind.client.embedded.EmbeddedGatewayClient` is imported from its module: it pulls in the engine.
"""

from zeebind.client.gateway import GatewayClient
from zeebind.client.oauth import OAuthCredentials, TokenError, TokenSource
from zeebind.client.remote import RemoteGatewayClient

__all__ = [
    "GatewayClient",
    "OAuthCredentials",
    "RemoteGatewayClient",
    "TokenError",
    "TokenSource",
]
