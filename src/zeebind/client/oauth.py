"""OAuth 2.0 client credentials for a secured Zeebe gateway (Camunda SaaS, self-managed with
Identity).

The token is fetched on the first call, cached until shortly before it expires, and refreshed on
demand when
the gateway answers UNAUTHENTICATED. The form is the one the Zeebe clients send:
`grant_type=client_credentials&client_id&client_secret&audience[&scope]`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from zeebind.errors import ZeebindError

# A token is renewed this long before its stated expiry, so that it does not lapse in flight.
EXPIRY_MARGIN_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 10.0


class TokenError(ZeebindError):
    """The authorization server did not hand out a token."""


@dataclass(frozen=True)
class OAuthCredentials:
    client_id: str
    client_secret: str
    authorization_server_url: str
    audience: str
    scope: str | None = None


@dataclass(frozen=True)
class Token:
    access_token: str
    token_type: str
    expires_at: float | None  # time.monotonic(); None: no expiry stated

    @property
    def header(self) -> str:
        kind = "Bearer" if self.token_type.lower() == "bearer" else self.token_type
        return f"{kind} {self.access_token}"


class TokenSource:
    """One cached token; concurrent callers share a single fetch."""

    def __init__(
        self, credentials: OAuthCredentials, *, http: httpx.AsyncClient | None = None
    ) -> None:
        self._credentials = credentials
        self._http = http or httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS)
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def header(self) -> str:
        """`authorization` metadata for the next call."""
        token = self._token
        if token is None or _expired(token):
            async with self._lock:
                token = self._token
                if token is None or _expired(token):
                    token = await self._fetch()
        return token.header

    async def refresh(self, stale_header: str) -> str:
        """A new token, unless another caller replaced the stale one already."""
        async with self._lock:
            if self._token is not None and self._token.header != stale_header:
                return self._token.header
            return (await self._fetch()).header

    async def close(self) -> None:
        await self._http.aclose()

    async def _fetch(self) -> Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret,
            "audience": self._credentials.audience,
        }
        if self._credentials.scope:
            form["scope"] = self._credentials.scope
        url = self._credentials.authorization_server_url
        self.fetches += 1
        try:
            response = await self._http.post(url, data=form, headers={"accept": "application/json"})
        except httpx.HTTPError as err:
            raise TokenError(f"failed to obtain access token from {url}: {err}") from None
        if response.status_code != 200:
            body = response.text.strip()[:200]
            raise TokenError(
                f"failed to obtain access token from {url}: "
                f"{response.status_code} {response.reason_phrase}" + (f": {body}" if body else "")
            )
        try:
            answer = response.json()
            access_token = answer["access_token"]
            if not isinstance(access_token, str) or not access_token:
                raise ValueError("access_token is empty")
        except (ValueError, KeyError, TypeError) as err:
            raise TokenError(
                f"failed to obtain access token from {url}: the answer has no access_token ({err})"
            ) from None
        expires_in = answer.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            expires_at = time.monotonic() + max(float(expires_in) - EXPIRY_MARGIN_SECONDS, 0.0)
        token_type = answer.get("token_type")
        self._token = Token(
            access_token,
            token_type if isinstance(token_type, str) and token_type else "Bearer",
            expires_at,
        )
        return self._token


def _expired(token: Token) -> bool:
    return token.expires_at is not None and time.monotonic() >= token.expires_at
