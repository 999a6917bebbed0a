"""A small synchronous client of the Operate API, for the `zeebind instances|incidents` commands."""

from __future__ import annotations

import os
from typing import Any

import httpx

from zeebind.errors import ZeebindError

DEFAULT_URL = "http://127.0.0.1:8081"
TOKEN_ENV = "ZEEBIND_OPERATE_TOKEN"


class OperateClientError(ZeebindError):
    """The API could not be reached or refused the request; the message says which and why."""


class OperateClient:
    def __init__(self, url: str = DEFAULT_URL, *, token: str | None = None, timeout: float = 10):
        token = token if token is not None else os.environ.get(TOKEN_ENV)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def __enter__(self) -> OperateClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def search(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/v1/{entity}/search", body)
        return result

    def get(self, entity: str, key: int | str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/{entity}/{key}", None)
        return result

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        try:
            answer = self._http.request(method, path, json=body)
        except httpx.HTTPError as err:
            raise OperateClientError(
                f"cannot reach the Operate API at {self.url} ({err}); is `zeebind engine` "
                "running, and is --operate-url right?"
            ) from None
        try:
            payload = answer.json()
        except ValueError:
            payload = None
        if answer.status_code >= 400:
            message = payload.get("message") if isinstance(payload, dict) else answer.text
            raise OperateClientError(f"the Operate API answered {answer.status_code}: {message}")
        return payload
