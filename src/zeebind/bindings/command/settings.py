"""The command binding's component metadata: where the gateway is and how to reach it.

Checked completely at start-up, so that a typo stops the sidecar with a message naming the field
instead of
surfacing on the first call (or never, as the reference's silently-false booleans do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from zeebind.bindings.errors import ComponentError
from zeebind.bindings.metadata import ComponentMetadata
from zeebind.client.oauth import OAuthCredentials

DEFAULT_KEEPALIVE = timedelta(seconds=45)
OAUTH_FIELDS = ("clientId", "clientSecret", "authorizationServerUrl", "tokenAudience")
OAUTH_OPTIONAL = ("tokenScope", "clientConfigPath")


@dataclass(frozen=True)
class ClientSettings:
    gateway_address: str
    keepalive: timedelta = DEFAULT_KEEPALIVE
    plaintext: bool = False
    ca_certificate_path: Path | None = None
    oauth: OAuthCredentials | None = None

    @classmethod
    def parse(cls, metadata: ComponentMetadata) -> ClientSettings:
        address = (metadata.string("gatewayAddr") or "").strip()
        if not address:
            raise ComponentError("gatewayAddr is a required attribute", field="gatewayAddr")
        keepalive = metadata.duration("gatewayKeepAlive", timedelta(0)) or DEFAULT_KEEPALIVE
        if keepalive < timedelta(0):
            raise ComponentError("keep alive must be a positive duration", field="gatewayKeepAlive")
        plaintext = metadata.boolean("usePlainTextConnection", False)
        ca_path = None
        ca_text = (metadata.string("caCertificatePath") or "").strip()
        if ca_text and not plaintext:
            ca_path = Path(ca_text)
            _check_certificate(ca_path)
        return cls(address, keepalive, plaintext, ca_path, _oauth(metadata))


def _check_certificate(path: Path) -> None:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ComponentError(
            f"expected to find CA certificate but no such file at '{path}'",
            field="caCertificatePath",
        ) from None
    except OSError as err:
        raise ComponentError(
            f"cannot read CA certificate '{path}': {err.strerror}", field="caCertificatePath"
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in text:
        raise ComponentError(
            f"'{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            field="caCertificatePath",
        )


def _oauth(metadata: ComponentMetadata) -> OAuthCredentials | None:
    if not any(name in metadata for name in (*OAUTH_FIELDS, *OAUTH_OPTIONAL)):
        return None
    values = {name: (metadata.string(name) or "").strip() for name in OAUTH_FIELDS}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ComponentError(
            "invalid OAuth metadata: when OAuth is configured, clientId, clientSecret, "
            "authorizationServerUrl, and tokenAudience must all be provided; missing: "
            + ", ".join(missing),
            field=missing[0],
        )
    url = values["authorizationServerUrl"]
    if not url.startswith(("http://", "https://")):
        raise ComponentError(f"'{url}' is not an http(s) URL", field="authorizationServerUrl")
    return OAuthCredentials(
        client_id=values["clientId"],
        client_secret=values["clientSecret"],
        authorization_server_url=url,
        audience=values["tokenAudience"],
        scope=(metadata.string("tokenScope") or "").strip() or None,
    )
