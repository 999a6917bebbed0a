"""The Operate connector template (io.camunda:http-json:1) run against zeebind's own API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from html import escape

import httpx
import pytest
import uvicorn
from operate_scenarios import HEADER, scenario, wait_until
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from zeebind.connectors.http_json import HttpJsonWorker
from zeebind.protocol.intent import ProcessInstanceIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

URL = (
    "=authentication.operate_base_url + input.internal_endpoint + input.internal_operation + "
    '(if is defined(input.internal_key) then input.internal_key else "")'
)
SEARCH_BODY = (
    "={filter: if is defined(input.internal_filter) then input.internal_filter else null, "
    "sort: if is defined(input.internal_sort) then input.internal_sort else null, "
    "searchAfter: if is defined(input.internal_pagination) then input.internal_pagination "
    "else null, size: number(input.internal_results)}"
)


def operate_task(
    element_id: str,
    base_url: str,
    secret: str,
    inputs: dict[str, str],
    headers: dict[str, str],
    url: str = URL,
) -> str:
    """A service task exactly as the Operate connector template (v1, self-managed) writes it."""
    mapping = {
        "headers": '={"Content-Type":"application/json"}',
        "authentication.internal_deployment_type": "sm",
        "authentication.oauthTokenEndpoint": f"{base_url}/oauth/token",
        "authentication.operate_base_url": base_url,
        "authentication.type": "oauth-client-credentials-flow",
        "authentication.clientAuthentication": "credentialsBody",
        "authentication.clientId": "zeebind",
        "authentication.clientSecret": secret,
        "authentication.audience": "operate-api",
        **inputs,
        "url": url,
        "connectionTimeoutInSeconds": "20",
    }
    ios = "".join(
        f'<zeebe:input source="{escape(source)}" target="{target}"/>'
        for target, source in mapping.items()
    )
    task_headers = "".join(
        f'<zeebe:header key="{k}" value="{escape(v)}"/>' for k, v in headers.items()
    )
    return (
        f'<bpmn:serviceTask id="{element_id}" '
        'zeebe:modelerTemplate="io.camunda.connectors.CamundaOperate.v1" '
        'zeebe:modelerTemplateVersion="1"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="io.camunda:http-json:1"/>'
        f"<zeebe:ioMapping>{ios}</zeebe:ioMapping>"
        f"<zeebe:taskHeaders>{task_headers}</zeebe:taskHeaders>"
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def model(base_url: str, secret: str, *, chained: bool = True) -> str:
    """The template's own inputs, or (chained=False) the same request with `url` and `body`
    written out instead of built from the earlier inputs."""
    search_url, get_url, body = URL, URL, SEARCH_BODY
    if not chained:
        search_url = f"{base_url}/v1/process-instances/search"
        get_url = f'="{base_url}/v1/process-instances/" + string(operateResponse.items[1].key)'
        body = '={filter: {bpmnProcessId: "self-aware", state: "ACTIVE"}, size: 20}'
    search = operate_task(
        "find-me",
        base_url,
        secret,
        {
            "input.internal_endpoint": "/v1/process-instances",
            "input.internal_operation": "/search",
            "method": "post",
            "input.internal_filter": '={bpmnProcessId: "self-aware", state: "ACTIVE"}',
            "input.internal_results": "20",
            "body": body,
        },
        {"resultExpression": "={operateResponse: response.body}"},
        search_url,
    )
    get = operate_task(
        "get-me",
        base_url,
        secret,
        {
            "input.internal_endpoint": "/v1/process-instances",
            "input.internal_operation": "/",
            "method": "get",
            "input.internal_key": "=string(operateResponse.items[1].key)",
        },
        {"resultVariable": "me"},
        get_url,
    )
    return (
        HEADER + '<bpmn:process id="self-aware" isExecutable="true">'
        '<bpmn:startEvent id="start"/>' + search + get + '<bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="find-me"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="find-me" targetRef="get-me"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="get-me" targetRef="end"/>'
        "</bpmn:process></bpmn:definitions>"
    )


# Zeebe evaluates input mappings in order, each seeing the earlier targets; the template builds
# `url` and `body` that way (chained), or the model may spell them out.
@pytest.mark.parametrize("chained", [True, False])
async def test_a_process_with_the_operate_connector_fetches_its_own_instance(
    chained: bool,
) -> None:
    async with scenario(token="s3cret", connectors=True) as s:
        h = s.harness
        await h.deploy(("self-aware.bpmn", model(s.operate.url, "s3cret", chained=chained)))
        key = await h.create_instance("self-aware")

        async def finished() -> bool:
            incidents = h.records().of(ValueType.INCIDENT, "CREATED", processInstanceKey=key)
            return h.is_completed(key) or bool(incidents)

        await wait_until(finished)
        assert h.is_completed(key), h.records().of(ValueType.INCIDENT).describe()
        variables = {
            r.value["name"]: json.loads(r.value["value"])
            for r in h.records().of(ValueType.VARIABLE, processInstanceKey=key)
        }
        found = variables["operateResponse"]
        assert found["total"] == 1
        assert found["items"][0]["key"] == key
        assert found["items"][0]["state"] == "ACTIVE"
        me = variables["me"]
        assert me["status"] == 200
        assert me["headers"]["content-type"] == "application/json"
        assert me["body"]["key"] == key
        assert me["body"]["bpmnProcessId"] == "self-aware"


async def test_a_refused_request_fails_the_job_into_an_incident() -> None:
    async with scenario(token="s3cret", connectors=True) as s:
        h = s.harness
        await h.deploy(("self-aware.bpmn", model(s.operate.url, "wrong", chained=False)))
        key = await h.create_instance("self-aware")

        async def incident() -> bool:
            return bool(h.records().of(ValueType.INCIDENT, "CREATED", processInstanceKey=key))

        await wait_until(incident)
        created = h.records().of(ValueType.INCIDENT, "CREATED", processInstanceKey=key).only()
        assert created.value["errorType"] == "JOB_NO_RETRIES"
        assert "the OAuth token endpoint" in created.value["errorMessage"]
        assert "answered 401" in created.value["errorMessage"]
        await h.b.command(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=key)


async def test_error_expression_turns_a_status_into_a_bpmn_error() -> None:
    async with scenario(connectors=False) as s:
        worker = HttpJsonWorker(s.harness.b)
        job = {
            "retries": 3,
            "variables": {"url": f"{s.operate.url}/v1/incidents/1", "method": "get"},
            "customHeaders": {
                "errorExpression": (
                    '=if error.code = "404" then bpmnError("not-found", error.message) else null'
                )
            },
        }
        outcome = await worker.execute(job)
        assert outcome.error_code == "not-found"
        assert outcome.error_message == "No incidents found for key 1 "
        job["customHeaders"] = {"resultExpression": "={status: response.status}"}
        failed = await worker.execute(job)
        assert failed.failure == "404: No incidents found for key 1 "
        await worker.stop()


async def test_secrets_come_from_the_environment_and_bad_inputs_name_the_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with EngineHarness() as h:
        worker = HttpJsonWorker(h.b)
        with pytest.raises(Exception, match="input 'url' must be an http"):
            await worker.execute({"variables": {"url": "ftp://x"}})
        with pytest.raises(Exception, match="secret 'ZEEBIND_TEST_NOPE' is not set"):
            await worker.execute({"variables": {"url": "http://{{secrets.ZEEBIND_TEST_NOPE}}"}})
        monkeypatch.setenv("ZEEBIND_TEST_HOST", "127.0.0.1:1")
        with pytest.raises(httpx.ConnectError):
            await worker.execute({"variables": {"url": "http://{{secrets.ZEEBIND_TEST_HOST}}/"}})
        await worker.stop()


@contextlib.asynccontextmanager
async def echo_server() -> AsyncIterator[str]:
    """A real HTTP server that answers with what it received."""

    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        status = int(request.query_params.get("status", "200"))
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "authorization": request.headers.get("authorization"),
                "custom": request.headers.get("x-custom"),
                "body": json.loads(body) if body else None,
            },
            status_code=status,
        )

    app = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST", "PUT"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


@pytest.mark.parametrize(
    ("authentication", "expected"),
    [
        ({"type": "noAuth"}, None),
        ({"type": "basic", "username": "ada", "password": "pw"}, "Basic YWRhOnB3"),
        ({"type": "bearer", "token": "tok"}, "Bearer tok"),
    ],
)
async def test_the_request_carries_method_headers_query_body_and_authentication(
    authentication: dict[str, str], expected: str | None
) -> None:
    async with EngineHarness() as h, echo_server() as url:
        worker = HttpJsonWorker(h.b)
        outcome = await worker.execute(
            {
                "variables": {
                    "url": f"{url}/orders",
                    "method": "put",
                    "headers": {"X-Custom": "yes"},
                    "queryParameters": {"page": 2},
                    "body": {"id": 7},
                    "authentication": authentication,
                },
                "customHeaders": {
                    "resultVariable": "raw",
                    "resultExpression": "={echoed: response.body, code: status}",
                },
            }
        )
        await worker.stop()
        assert outcome.failure is None
        echoed = outcome.variables["echoed"]
        assert echoed == {
            "method": "PUT",
            "path": "/orders",
            "query": {"page": "2"},
            "authorization": expected,
            "custom": "yes",
            "body": {"id": 7},
        }
        assert outcome.variables["code"] == 200
        assert outcome.variables["raw"]["status"] == 200
        assert outcome.variables["raw"]["body"] == echoed


async def test_job_error_from_the_error_expression_sets_retries() -> None:
    async with EngineHarness() as h, echo_server() as url:
        worker = HttpJsonWorker(h.b)
        outcome = await worker.execute(
            {
                "retries": 3,
                "variables": {"url": f"{url}/x?status=503"},
                "customHeaders": {
                    "errorExpression": '=if error.code = "503" then jobError("busy", {}, 7) '
                    "else null"
                },
            }
        )
        await worker.stop()
        assert outcome.failure == "busy"
        assert outcome.retries == 7
