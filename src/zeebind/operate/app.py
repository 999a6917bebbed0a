"""Operate's REST API v1 over the read model (Starlette, served by uvicorn).

POST   /v1/<entity>/search                    {filter, size, sort, searchAfter} -> {items, ...}
GET    /v1/<entity>/{key}                     one entity (decision instances: /{id})
GET    /v1/process-definitions/{key}/xml      the BPMN XML as deployed
GET    /v1/drd/{key}/xml                      the DMN XML as deployed
DELETE /v1/process-instances/{key}            a finished instance and its dependant data
GET    /v1/process-instances/{key}/statistics per flow node: active, canceled, incidents, ...
GET    /v1/process-instances/{key}/sequence-flows  ids of the sequence flows taken
POST   /oauth/token                           client-credentials tokens for this API
GET    /v3/api-docs                           this API as OpenAPI 3
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zeebind.exporters.director import ExportDirector
from zeebind.operate import queries
from zeebind.operate.openapi import document
from zeebind.operate.schemas import DECISION_REQUIREMENTS, ENTITIES, PROCESS_DEFINITIONS, Entity
from zeebind.operate.status import (
    BODY_TOO_LARGE,
    INVALID_REQUEST,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    SERVER_ERROR,
    UNAUTHORIZED,
    ErrorKind,
    OperateError,
)

log = logging.getLogger("zeebind.operate")

MAX_BODY_BYTES = 4 * 1024 * 1024
TOKEN_LIFETIME_S = 3600
_FINISHED = ("COMPLETED", "CANCELED")


class _Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error(kind: ErrorKind, message: str) -> Response:
    return _Json(
        OperateError(kind, message).body(),
        status_code=kind.status,
        media_type="application/problem+json",
    )


class Tokens:
    """The bearer tokens this API accepts: the configured one, and those it issued."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self._issued: dict[str, float] = {}

    @property
    def required(self) -> bool:
        return self.token is not None

    def accepts(self, given: str) -> bool:
        if self.token is None:
            return True
        if hmac.compare_digest(given.encode(), self.token.encode()):
            return True
        expiry = self._issued.get(given)
        return expiry is not None and expiry > time.monotonic()

    def issue(self, client_secret: str) -> str | None:
        """A token for a client-credentials request, or None when the secret is wrong.

        With a configured token the client secret must equal it; without one every client is
        welcome (the API then accepts any token anyway)."""
        if self.token is not None and not hmac.compare_digest(
            client_secret.encode(), self.token.encode()
        ):
            return None
        token = secrets.token_urlsafe(24)
        now = time.monotonic()
        self._issued = {t: e for t, e in self._issued.items() if e > now}
        self._issued[token] = now + TOKEN_LIFETIME_S
        return token


def create_app(
    director: ExportDirector,
    connection: sqlite3.Connection,
    *,
    token: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Starlette:
    tokens = Tokens(token)

    async def authorize(request: Request) -> None:
        """Checks the bearer token, then waits until the read model holds every commit so far."""
        if tokens.required:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not tokens.accepts(given.strip()):
                raise OperateError(
                    UNAUTHORIZED, "a valid 'Authorization: Bearer <token>' is required"
                )
        await director.caught_up()

    def entity_of(request: Request) -> Entity:
        entity = ENTITIES.get(request.path_params["entity"])
        if entity is None:
            raise OperateError(NOT_FOUND, f"no such resource: {request.url.path}")
        return entity

    async def search(request: Request) -> Response:
        await authorize(request)
        entity = entity_of(request)
        body = await _json_body(request, max_body_bytes)
        return _Json(queries.search(connection, entity, queries.parse(entity, body)))

    async def get_one(request: Request) -> Response:
        await authorize(request)
        entity = entity_of(request)
        key = queries.parse_key(entity, request.path_params["key"])
        return _Json(queries.get(connection, entity, key))

    def xml_of(entity: Entity) -> Callable[[Request], Awaitable[Response]]:
        async def definition_xml(request: Request) -> Response:
            await authorize(request)
            key = queries.parse_key(entity, request.path_params["key"])
            return Response(queries.xml(connection, entity, key), media_type="text/xml")

        return definition_xml

    async def delete_instance(request: Request) -> Response:
        await authorize(request)
        key = queries.parse_key(ENTITIES["process-instances"], request.path_params["key"])
        state = queries.instance_state(connection, key)
        if state not in _FINISHED:
            raise OperateError(
                INVALID_REQUEST,
                "Process instances needs to be in one of the states [COMPLETED, CANCELED]",
            )
        await director.call(lambda: director.exporter.delete_process_instance(key))
        return _Json(
            {
                "message": f"Process instance and dependant data deleted for key '{key}'",
                "deleted": 1,
            }
        )

    async def statistics(request: Request) -> Response:
        await authorize(request)
        key = queries.parse_key(ENTITIES["process-instances"], request.path_params["key"])
        return _Json(queries.statistics(connection, key))

    async def sequence_flows(request: Request) -> Response:
        await authorize(request)
        key = queries.parse_key(ENTITIES["process-instances"], request.path_params["key"])
        return _Json(queries.sequence_flows(connection, key))

    async def issue_token(request: Request) -> Response:
        body = await _read_body(request, max_body_bytes)
        fields = _token_request(request.headers.get("content-type", ""), body)
        if fields.get("grant_type", "client_credentials") != "client_credentials":
            return _Json({"error": "unsupported_grant_type"}, status_code=400)
        issued = tokens.issue(str(fields.get("client_secret", "")))
        if issued is None:
            return _Json({"error": "invalid_client"}, status_code=401)
        return _Json(
            {"access_token": issued, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S}
        )

    async def api_docs(request: Request) -> Response:
        return _Json(document())

    async def on_operate_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, OperateError)
        return _error(exc.kind, exc.message)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return _error(METHOD_NOT_ALLOWED, f"{request.method} is not allowed on this path")
        return _error(NOT_FOUND, f"no such resource: {request.url.path}")

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("Operate API request %s %s failed", request.method, request.url.path)
        return _error(SERVER_ERROR, "the request failed unexpectedly; see the engine log")

    routes = [
        Route("/v1/process-definitions/{key}/xml", xml_of(PROCESS_DEFINITIONS), methods=["GET"]),
        Route("/v1/drd/{key}/xml", xml_of(DECISION_REQUIREMENTS), methods=["GET"]),
        Route("/v1/process-instances/{key}/statistics", statistics, methods=["GET"]),
        Route("/v1/process-instances/{key}/sequence-flows", sequence_flows, methods=["GET"]),
        Route("/v1/process-instances/{key}", delete_instance, methods=["DELETE"]),
        Route("/v1/{entity}/search", search, methods=["POST"]),
        Route("/v1/{entity}/{key}", get_one, methods=["GET"]),
        Route("/oauth/token", issue_token, methods=["POST"]),
        Route("/v3/api-docs", api_docs, methods=["GET"]),
        Route("/openapi.json", api_docs, methods=["GET"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        OperateError: on_operate_error,
        HTTPException: on_http_error,
        Exception: on_unexpected,
    }
    return Starlette(routes=routes, exception_handlers=handlers)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise OperateError(BODY_TOO_LARGE, f"the request body exceeds {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise OperateError(BODY_TOO_LARGE, f"the request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request, limit: int) -> Any:
    body = await _read_body(request, limit)
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise OperateError(INVALID_REQUEST, f"the request body is not valid JSON: {err}") from None


def _token_request(content_type: str, body: bytes) -> dict[str, Any]:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            parsed = json.loads(text or "{}")
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {name: values[0] for name, values in parse_qs(text).items()}
