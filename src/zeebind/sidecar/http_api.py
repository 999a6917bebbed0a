"""Dapr's HTTP API for output bindings, health and metadata (Starlette, served by uvicorn).

POST|PUT /v1.0/bindings/{name}   {"data": …, "metadata": {…}, "operation": "…"}
GET      /v1.0/healthz           204 when ready        (no token needed)
GET      /v1.0/healthz/outbound  204 once bindings are up (no token needed)
GET      /v1.0/metadata
GET      /v1.0/openapi.json      this API as OpenAPI 3.1
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zeebind.sidecar.openapi import document
from zeebind.sidecar.runtime import Sidecar
from zeebind.sidecar.status import (
    BODY_TOO_LARGE,
    HEALTH_APPID_NOT_MATCH,
    HEALTH_NOT_READY,
    MALFORMED_REQUEST,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    OUTBOUND_HEALTH_NOT_READY,
    UNAUTHORIZED,
    ApiError,
)

MAX_BODY_BYTES = 4 * 1024 * 1024
TOKEN_HEADER = "dapr-api-token"
_decoder = json.JSONDecoder()


def create_app(sidecar: Sidecar, *, max_body_bytes: int = MAX_BODY_BYTES) -> Starlette:
    def authorize(request: Request) -> None:
        if sidecar.api_token is None:
            return
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), sidecar.api_token.encode()):
            raise ApiError(UNAUTHORIZED, "invalid api token")

    async def invoke_binding(request: Request) -> Response:
        authorize(request)
        name = request.path_params["name"]
        operation, data, metadata = _invoke_body(await _read_body(request, max_body_bytes))
        result = await sidecar.invoke(name, operation, data, metadata)
        headers = {f"metadata.{key}": value for key, value in result.metadata.items()}
        return Response(
            result.data, status_code=200, media_type="application/json", headers=headers
        )

    async def healthz(request: Request) -> Response:
        app_id = request.query_params.get("appid")
        if app_id is not None and app_id != sidecar.app_id:
            raise ApiError(HEALTH_APPID_NOT_MATCH, "dapr app-id does not match")
        if not sidecar.ready:
            raise ApiError(HEALTH_NOT_READY, "dapr is not ready: [outbound]")
        return Response(status_code=204)

    async def healthz_outbound(request: Request) -> Response:
        if not sidecar.ready:
            raise ApiError(OUTBOUND_HEALTH_NOT_READY, "dapr outbound is not ready")
        return Response(status_code=204)

    async def metadata(request: Request) -> Response:
        authorize(request)
        return JSONResponse(sidecar.metadata())

    async def put_metadata(request: Request) -> Response:
        authorize(request)
        body = await _read_body(request, max_body_bytes)
        sidecar.extended[request.path_params["key"]] = body.decode("utf-8", "replace")
        return Response(status_code=204)

    async def openapi(request: Request) -> Response:
        authorize(request)
        return JSONResponse(document())

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return Response(exc.body(), status_code=exc.kind.http_status, media_type="application/json")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = METHOD_NOT_ALLOWED if exc.status_code == 405 else NOT_FOUND
        message = (
            f"method {request.method} is not allowed on {request.url.path}"
            if exc.status_code == 405
            else f"no API at {request.url.path}"
        )
        error = ApiError(kind, message)
        return Response(error.body(), status_code=exc.status_code, media_type="application/json")

    return Starlette(
        routes=[
            Route("/v1.0/bindings/{name}", invoke_binding, methods=["POST", "PUT"]),
            Route("/v1.0/healthz", healthz, methods=["GET"]),
            Route("/v1.0/healthz/outbound", healthz_outbound, methods=["GET"]),
            Route("/v1.0/metadata", metadata, methods=["GET"]),
            Route("/v1.0/metadata/{key}", put_metadata, methods=["PUT"]),
            Route("/v1.0/openapi.json", openapi, methods=["GET"]),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error},
    )


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to pass the limit (by Content-Length or while
    reading)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        BODY_TOO_LARGE,
        f"failed deserializing HTTP body: the body is larger than the limit of {limit} bytes",
    )


def _invoke_body(body: bytes) -> tuple[str, bytes, dict[str, str]]:
    """`{data, metadata, operation}` read as Dapr's Go decoder does: names ignore case, extra keys
    and
    trailing bytes are ignored; `data` is handed to the binding re-encoded as JSON (`null` when
    absent)."""
    try:
        text = body.decode("utf-8")
        value, _ = _decoder.raw_decode(text, len(text) - len(text.lstrip()))
    except UnicodeDecodeError:
        raise _malformed("the body is not UTF-8") from None
    except json.JSONDecodeError as err:
        raise _malformed("EOF" if not body.strip() else str(err)) from None
    if not isinstance(value, dict):
        raise _malformed(f"the body must be a JSON object, not {type(value).__name__}")
    fields = {key.casefold(): key for key in reversed(list(value))}

    def get(name: str) -> Any:
        return value[name] if name in value else value.get(fields.get(name, ""))

    operation = get("operation")
    if operation is not None and not isinstance(operation, str):
        raise _malformed("operation must be a string")
    metadata = get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _malformed("metadata must be an object of string values")
    data = get("data")
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return operation or "", encoded, metadata


def _malformed(reason: str) -> ApiError:
    return ApiError(MALFORMED_REQUEST, f"failed deserializing HTTP body: {reason}")
