from __future__ import annotations

import json

import httpx
import pytest
from echo_binding import EchoBinding

from zeebind.sidecar.http_api import create_app
from zeebind.sidecar.runtime import Sidecar


def client(sidecar: Sidecar, *, limit: int = 4 * 1024 * 1024) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(sidecar, max_body_bytes=limit))
    return httpx.AsyncClient(transport=transport, base_url="http://sidecar")


async def test_invoke_hands_data_reencoded_and_metadata(
    sidecar: Sidecar, echo: EchoBinding
) -> None:
    async with client(sidecar) as http:
        reply = await http.post(
            "/v1.0/bindings/echo",
            content=b'{"data": {"key": 9007199254740993, "x": "<&>"}, "metadata": {"m": "1"},'
            b' "operation": "echo"}',
        )
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["metadata.answered"] == "yes"
    assert echo.requests[0].data == b'{"key":9007199254740993,"x":"<&>"}'
    assert echo.requests[0].metadata == {"m": "1"}


@pytest.mark.parametrize(
    ("body", "data"),
    [
        (b'{"operation": "echo"}', b"null"),
        (b'{"operation": "echo", "data": "text"}', b'"text"'),
        (b'{"OPERATION": "echo", "Data": 5} trailing', b"5"),
    ],
)
async def test_data_encoding_follows_dapr(
    sidecar: Sidecar, echo: EchoBinding, body: bytes, data: bytes
) -> None:
    async with client(sidecar) as http:
        reply = await http.put("/v1.0/bindings/echo", content=body)
    assert reply.status_code == 200
    assert echo.requests[0].data == data


async def test_an_empty_answer_is_200_with_no_body(sidecar: Sidecar) -> None:
    async with client(sidecar) as http:
        reply = await http.post("/v1.0/bindings/echo", json={"operation": "empty"})
    assert (reply.status_code, reply.content) == (200, b"")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "failed deserializing HTTP body: EOF"),
        (b"{nope", "failed deserializing HTTP body: Expecting property name"),
        (b"[1]", "failed deserializing HTTP body: the body must be a JSON object"),
        (b'{"operation": 1}', "failed deserializing HTTP body: operation must be a string"),
        (
            b'{"operation": "echo", "metadata": {"a": 1}}',
            "failed deserializing HTTP body: metadata must be an object of string values",
        ),
        (b"\xff\xfe", "failed deserializing HTTP body: the body is not UTF-8"),
    ],
)
async def test_malformed_bodies_are_400(sidecar: Sidecar, body: bytes, message: str) -> None:
    async with client(sidecar) as http:
        reply = await http.post("/v1.0/bindings/echo", content=body)
    assert reply.status_code == 400
    answer = reply.json()
    assert answer["errorCode"] == "ERR_MALFORMED_REQUEST"
    assert answer["message"].startswith(message)


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("echo", {"data": {}}, "operation field is missing from request"),
        ("nope", {"operation": "echo"}, "couldn't find output binding nope"),
        (
            "echo",
            {"operation": "jump"},
            "binding echo does not support operation jump. "
            "supported operations:echo empty fail crash",
        ),
        (
            "echo",
            {"operation": "fail"},
            "error invoking output binding echo: cannot do it for key 9007199254740993",
        ),
        (
            "echo",
            {"operation": "crash"},
            "error invoking output binding echo: internal error while running crash; see the "
            "sidecar log",
        ),
    ],
)
async def test_invoke_errors_are_500(
    sidecar: Sidecar, name: str, body: object, message: str
) -> None:
    async with client(sidecar) as http:
        reply = await http.post(f"/v1.0/bindings/{name}", json=body)
    assert reply.status_code == 500
    assert reply.json() == {"errorCode": "ERR_INVOKE_OUTPUT_BINDING", "message": message}


async def test_oversized_bodies_are_refused_while_reading(
    sidecar: Sidecar, echo: EchoBinding
) -> None:
    async with client(sidecar, limit=1000) as http:
        declared = await http.post("/v1.0/bindings/echo", content=b"x" * 1001)

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(20):
                yield b" " * 100

        streamed = await http.post("/v1.0/bindings/echo", content=chunks())
        fits = await http.post(
            "/v1.0/bindings/echo", content=json.dumps({"operation": "echo", "data": "x" * 900})
        )
    for reply in (declared, streamed):
        assert reply.status_code == 413
        assert reply.json()["errorCode"] == "ERR_MALFORMED_REQUEST"
        assert "larger than the limit of 1000 bytes" in reply.json()["message"]
    assert fits.status_code == 200
    assert len(echo.requests) == 1


async def test_health(sidecar: Sidecar) -> None:
    async with client(sidecar) as http:
        assert (await http.get("/v1.0/healthz")).status_code == 204
        assert (await http.get("/v1.0/healthz/outbound")).status_code == 204
        mismatch = await http.get("/v1.0/healthz?appid=other")
        sidecar.ready = False
        not_ready = await http.get("/v1.0/healthz")
        outbound = await http.get("/v1.0/healthz/outbound")
    assert mismatch.json() == {
        "errorCode": "ERR_HEALTH_APPID_NOT_MATCH",
        "message": "dapr app-id does not match",
    }
    assert (not_ready.status_code, not_ready.json()["errorCode"]) == (500, "ERR_HEALTH_NOT_READY")
    assert outbound.json() == {
        "errorCode": "ERR_OUTBOUND_HEALTH_NOT_READY",
        "message": "dapr outbound is not ready",
    }


async def test_metadata(sidecar: Sidecar) -> None:
    async with client(sidecar) as http:
        await http.put("/v1.0/metadata/owner", content=b"team-a")
        answer = (await http.get("/v1.0/metadata")).json()
    assert answer["id"] == "test-app"
    assert answer["components"] == [
        {
            "name": "echo",
            "type": "bindings.echo",
            "version": "v1",
            "capabilities": ["OUTPUT_BINDING"],
        }
    ]
    assert answer["extended"] == {"owner": "team-a"}


async def test_the_api_token_guards_all_but_health(sidecar: Sidecar) -> None:
    sidecar.api_token = "s3cret"
    async with client(sidecar) as http:
        refused = await http.post("/v1.0/bindings/echo", json={"operation": "echo"})
        wrong = await http.get("/v1.0/metadata", headers={"dapr-api-token": "nope"})
        accepted = await http.post(
            "/v1.0/bindings/echo", json={"operation": "echo"}, headers={"dapr-api-token": "s3cret"}
        )
        health = await http.get("/v1.0/healthz")
        outbound = await http.get("/v1.0/healthz/outbound")
        openapi = await http.get("/v1.0/openapi.json")
    assert refused.status_code == wrong.status_code == openapi.status_code == 401
    assert refused.json() == {"errorCode": "ERR_UNAUTHORIZED", "message": "invalid api token"}
    assert accepted.status_code == 200
    assert health.status_code == outbound.status_code == 204


async def test_openapi_lists_every_operation(sidecar: Sidecar) -> None:
    async with client(sidecar) as http:
        document = (await http.get("/v1.0/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    schema = document["components"]["schemas"]["InvokeBindingRequest"]
    assert "migrate-process-instance" in schema["properties"]["operation"]["enum"]
    assert set(document["paths"]["/v1.0/bindings/{name}"]) == {"parameters", "post", "put"}


async def test_unknown_routes_and_methods_answer_json(sidecar: Sidecar) -> None:
    async with client(sidecar) as http:
        missing = await http.get("/v1.0/state/x")
        method = await http.get("/v1.0/bindings/echo")
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "ERR_NOT_FOUND")
    assert (method.status_code, method.json()["errorCode"]) == (405, "ERR_METHOD_NOT_ALLOWED")
