"""A Dapr app for the job worker tests, run as its own process by the tests.

    python jobworker_app.py --protocol http|grpc

Prints `app ready: port=<app port> control=<control port>` on stdout. The app port serves the
input binding (HTTP routes, or the gRPC AppCallback service through the official Dapr SDK's
generated stubs); the control port (HTTP, the same port in HTTP mode) takes
`POST /_control/configure` and answers `GET /_control/deliveries` and `GET /_control/probes`.

Behaviours, per route (HTTP) or binding name (gRPC), set with configure:
  {"reply": {...}}               200 with that JSON object
  {"calc": true}                 200 {"result": firstOperand * secondOperand}
  {"status": 204} / {"status": 200, "raw": ""}
  {"fail": "boom"}               500 (gRPC: INTERNAL) with that text
  {"fail_until_retries": "1"}    fail unless X-Zeebe-Retries is that value, then {}
  {"sleep": 1.5, "reply": {...}} wait first
  {"complete_self": {...}}       complete-job through the sidecar's command binding, then {}
  {"fail_self": "15s"}           fail-job (retries - 1, that backoff) through the sidecar, then 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import grpc
import httpx
import uvicorn
from dapr.proto.runtime.v1 import appcallback_pb2, appcallback_pb2_grpc
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class State:
    def __init__(self) -> None:
        self.routes: dict[str, dict[str, Any]] = {}
        self.bindings: list[str] = []
        self.sidecar = ""
        self.command = "zeebe-command"
        self.deliveries: list[dict[str, Any]] = []
        self.probes: list[str] = []
        self.inflight: dict[str, int] = {}
        self.http = httpx.AsyncClient(timeout=30)


state = State()


class Failed(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


async def behave(route: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """(status, body) for one delivery; raises Failed for an error answer."""
    spec = state.routes.get(route, {})
    state.inflight[route] = state.inflight.get(route, 0) + 1
    state.deliveries.append(
        {
            "route": route,
            "headers": headers,
            "body": body.decode(),
            "at": time.time(),
            "concurrent": state.inflight[route],
        }
    )
    try:
        return await _behave(spec, headers, body)
    finally:
        state.inflight[route] -= 1


async def _behave(spec: dict[str, Any], headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    if "sleep" in spec:
        await asyncio.sleep(spec["sleep"])
    retries = headers.get("x-zeebe-retries", "")
    job_key = int(headers.get("x-zeebe-job-key", "0"))
    if "fail" in spec:
        raise Failed(spec["fail"])
    if "fail_until_retries" in spec and retries != spec["fail_until_retries"]:
        raise Failed(f"not yet: retries {retries}")
    if "complete_self" in spec:
        await command("complete-job", {"jobKey": job_key, "variables": spec["complete_self"]})
        return 200, b"{}"
    if "fail_self" in spec:
        await command(
            "fail-job",
            {
                "jobKey": job_key,
                "retries": int(retries) - 1,
                "errorMessage": "failed by the app",
                "retryBackOff": spec["fail_self"],
            },
        )
        raise Failed("failed by the app")
    if "calc" in spec:
        variables = json.loads(body)
        return 200, json.dumps(
            {"result": variables["firstOperand"] * variables["secondOperand"]}
        ).encode()
    if "status" in spec:
        return spec["status"], spec.get("raw", "").encode()
    return 200, json.dumps(spec.get("reply", {})).encode()


async def command(operation: str, data: dict[str, Any]) -> None:
    reply = await state.http.post(
        f"{state.sidecar}/v1.0/bindings/{state.command}",
        json={"operation": operation, "data": data},
    )
    if reply.status_code != 200:
        raise Failed(f"{operation} through the sidecar: {reply.status_code} {reply.text}")


async def configure(request: Request) -> Response:
    spec = await request.json()
    state.routes.update(spec.get("routes", {}))
    state.bindings = spec.get("bindings", state.bindings)
    state.sidecar = spec.get("sidecar", state.sidecar)
    state.command = spec.get("command", state.command)
    return JSONResponse({})


async def deliveries(request: Request) -> Response:
    return JSONResponse(state.deliveries)


async def probes(request: Request) -> Response:
    return JSONResponse(state.probes)


async def binding(request: Request) -> Response:
    route = request.path_params["route"]
    if request.method == "OPTIONS":
        state.probes.append(route)
        return Response(status_code=200 if route in state.routes else 404)
    headers = {key: value for key, value in request.headers.items()}
    headers["raw-names"] = json.dumps([key.decode() for key, _ in request.headers.raw])
    try:
        status, body = await behave(route, headers, await request.body())
    except Failed as err:
        return Response(err.text, status_code=500)
    return Response(body, status_code=status, media_type="application/json")


CONTROL = [
    Route("/_control/configure", configure, methods=["POST"]),
    Route("/_control/deliveries", deliveries, methods=["GET"]),
    Route("/_control/probes", probes, methods=["GET"]),
]


class AppCallback(appcallback_pb2_grpc.AppCallbackServicer):
    async def ListInputBindings(self, request: Any, context: Any) -> Any:
        state.probes.extend(state.bindings)
        return appcallback_pb2.ListInputBindingsResponse(bindings=state.bindings)

    async def OnBindingEvent(self, request: Any, context: Any) -> Any:
        headers = {key.lower(): value for key, value in request.metadata.items()}
        headers["raw-names"] = json.dumps(list(request.metadata))
        try:
            status, body = await behave(request.name, headers, request.data)
        except Failed as err:
            await context.abort(grpc.StatusCode.INTERNAL, err.text)
            raise
        return appcallback_pb2.BindingEventResponse(data=body if status != 204 else b"")


async def serve(protocol: str) -> None:
    routes = [*CONTROL]
    if protocol == "http":
        routes.append(Route("/{route:path}", binding, methods=["POST", "OPTIONS"]))
    config = uvicorn.Config(
        Starlette(routes=routes), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    control = server.servers[0].sockets[0].getsockname()[1]
    app_port = control
    grpc_server = None
    if protocol == "grpc":
        grpc_server = grpc.aio.server()
        appcallback_pb2_grpc.add_AppCallbackServicer_to_server(AppCallback(), grpc_server)
        app_port = grpc_server.add_insecure_port("127.0.0.1:0")
        await grpc_server.start()
    print(f"app ready: port={app_port} control={control}", flush=True)
    await task
    if grpc_server is not None:
        await grpc_server.stop(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocol", choices=("http", "grpc"), default="http")
    args = parser.parse_args()
    asyncio.run(serve(args.protocol))


if __name__ == "__main__":
    main()
