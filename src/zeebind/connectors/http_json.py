"""The built-in REST connector: a job worker for `io.camunda:http-json:1`.

The job's variables describe one HTTP request, as Camunda's REST connector (and the Operate
connector template built on it) writes them: `url`, `method`, `headers`, `queryParameters`,
`body`, `authentication` (`noAuth`, `basic`, `bearer`, `oauth-client-credentials-flow`),
`connectionTimeoutInSeconds`, `readTimeoutInSeconds`. The answer `{status, headers, body}` is
mapped through the task headers `resultVariable` and `resultExpression` (FEEL, with `response`
in scope) and `errorExpression` (FEEL; `bpmnError(code, message)` throws a BPMN error,
`jobError(message)` fails the job). Statuses from 400 on fail the job (or meet the error
expression as `error.code`, the status as text). `{{secrets.NAME}}` in string inputs reads the
environment variable NAME, as the self-managed connector runtime does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

from zeebind.broker import Broker, CommandRejected, JobStream
from zeebind.feel import FeelFunction, compile_expression, to_json
from zeebind.feel.errors import FeelSyntaxError
from zeebind.feel.values import Overload
from zeebind.protocol.intent import JobIntent
from zeebind.protocol.record import ValueType

log = logging.getLogger("zeebind.connectors.http_json")

JOB_TYPE = "io.camunda:http-json:1"
WORKER_NAME = "zeebind-http-json"
JOB_TIMEOUT_MS = 5 * 60_000
DEFAULT_TIMEOUT_S = 20.0
_SECRET = re.compile(r"\{\{\s*secrets\.([A-Za-z0-9_.\-]+)\s*\}\}")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class ConnectorInputError(Exception):
    """The job's variables do not describe a request; the message names the input."""


@dataclass
class Outcome:
    """What to do with the job: complete it, throw a BPMN error, or fail it."""

    variables: dict[str, Any]
    error_code: str | None = None
    error_message: str = ""
    failure: str | None = None
    retries: int | None = None


def _bpmn_error(ctx: Any, code: Any, message: Any, variables: Any = None) -> dict[str, Any]:
    return {"errorType": "bpmnError", "code": code, "message": message, "variables": variables}


def _job_error(
    ctx: Any, message: Any, variables: Any = None, retries: Any = None, timeout: Any = None
) -> dict[str, Any]:
    return {"errorType": "jobError", "message": message, "variables": variables, "retries": retries}


_FUNCTIONS = {
    "bpmnError": FeelFunction(
        "bpmnError", [Overload(("code", "message", "variables"), _bpmn_error, required=2)]
    ),
    "jobError": FeelFunction(
        "jobError",
        [Overload(("message", "variables", "retries", "timeout"), _job_error, required=1)],
    ),
}


def _resolve_secrets(value: Any) -> Any:
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            found = os.environ.get(name)
            if found is None:
                raise ConnectorInputError(f"secret '{name}' is not set (environment variable)")
            return found

        return _SECRET.sub(lookup, value)
    if isinstance(value, dict):
        return {k: _resolve_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_secrets(v) for v in value]
    return value


def _evaluate(source: str, header: str, variables: dict[str, Any]) -> Any:
    text = source.strip()
    text = text[1:] if text.startswith("=") else text
    try:
        result = compile_expression(text).evaluate({**_FUNCTIONS, **variables})
    except FeelSyntaxError as err:
        raise ConnectorInputError(f"task header '{header}' is not valid FEEL: {err}") from None
    if not result.ok:
        raise ConnectorInputError(f"task header '{header}' failed: {result.failure}")
    return to_json(result.value)


def _text(value: Any) -> str:
    """A query parameter as text: JSON for structures, `true`/`false` for booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _timeout(variables: dict[str, Any], name: str) -> float | None:
    raw = variables.get(name)
    if raw in (None, ""):
        return DEFAULT_TIMEOUT_S
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        raise ConnectorInputError(f"'{name}' must be a number of seconds, not {raw!r}") from None
    return None if seconds == 0 else seconds


class HttpJsonWorker:
    """Activates `io.camunda:http-json:1` jobs from the broker's job stream and runs them."""

    def __init__(self, broker: Broker, *, max_concurrent: int = 32) -> None:
        self.broker = broker
        self._client = httpx.AsyncClient(follow_redirects=True)
        self._slots = asyncio.Semaphore(max_concurrent)
        self._tokens: dict[tuple[str, str, str, str], tuple[str, float]] = {}
        self._stream: JobStream | None = None
        self._task: asyncio.Task[None] | None = None
        self._jobs: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._stream = self.broker.open_job_stream(
            job_type=JOB_TYPE, worker=WORKER_NAME, timeout=JOB_TIMEOUT_MS
        )
        self._task = asyncio.create_task(self._run(self._stream), name="zeebind-http-json")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for job in list(self._jobs):
            job.cancel()
        await asyncio.gather(*self._jobs, return_exceptions=True)
        if self._stream is not None:
            self._stream.close()
        await self._client.aclose()

    async def _run(self, stream: JobStream) -> None:
        async for job_key, job in stream:
            await self._slots.acquire()
            task = asyncio.create_task(self._handle(job_key, job))
            self._jobs.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._jobs.discard(task)
        self._slots.release()

    async def _handle(self, job_key: int, job: dict[str, Any]) -> None:
        try:
            outcome = await self.execute(job)
        except ConnectorInputError as err:
            outcome = Outcome({}, failure=str(err))
        except httpx.HTTPError as err:
            outcome = Outcome({}, failure=f"the HTTP request failed: {err!r}")
        except Exception as err:  # a bug must not leave the job hanging until its timeout
            log.exception("http-json job %d failed", job_key)
            outcome = Outcome({}, failure=f"the connector failed: {err!r}")
        try:
            await self._answer(job_key, job, outcome)
        except CommandRejected as err:  # canceled or timed out meanwhile
            log.info("http-json job %d: %s", job_key, err)
        except ConnectionAbortedError:
            pass

    async def _answer(self, job_key: int, job: dict[str, Any], outcome: Outcome) -> None:
        if outcome.failure is not None:
            retries = outcome.retries
            if retries is None:
                retries = max(int(job.get("retries", 1)) - 1, 0)
            await self.broker.command(
                ValueType.JOB,
                JobIntent.FAIL,
                {
                    "retries": retries,
                    "errorMessage": outcome.failure,
                    "retryBackoff": 0,
                    "variables": outcome.variables,
                },
                key=job_key,
            )
        elif outcome.error_code is not None:
            await self.broker.command(
                ValueType.JOB,
                JobIntent.THROW_ERROR,
                {
                    "errorCode": outcome.error_code,
                    "errorMessage": outcome.error_message,
                    "variables": outcome.variables,
                },
                key=job_key,
            )
        else:
            await self.broker.command(
                ValueType.JOB, JobIntent.COMPLETE, {"variables": outcome.variables}, key=job_key
            )

    async def execute(self, job: dict[str, Any]) -> Outcome:
        """Runs the request a job describes and maps its answer (no broker involved)."""
        variables = _resolve_secrets(dict(job.get("variables") or {}))
        headers_config = job.get("customHeaders") or {}
        response = await self._request(variables)
        error: dict[str, Any] | None = None
        if response["status"] >= 400:
            body = response["body"]
            message = body.get("message") if isinstance(body, dict) else None
            error = {
                "code": str(response["status"]),
                "message": message or f"HTTP {response['status']}",
                "response": response,
            }
        scope = {**response, "response": response, "error": error}
        error_expression = headers_config.get("errorExpression")
        if error_expression:
            decided = _evaluate(error_expression, "errorExpression", scope)
            if isinstance(decided, dict) and decided.get("errorType") == "bpmnError":
                return Outcome(
                    dict(decided.get("variables") or {}),
                    error_code=str(decided.get("code")),
                    error_message=str(decided.get("message") or ""),
                )
            if isinstance(decided, dict) and decided.get("errorType") == "jobError":
                retries = decided.get("retries")
                return Outcome(
                    dict(decided.get("variables") or {}),
                    failure=str(decided.get("message") or "job error"),
                    retries=int(retries) if isinstance(retries, int | float) else None,
                )
        if error is not None:
            return Outcome({}, failure=f"{error['code']}: {error['message']}")
        result: dict[str, Any] = {}
        result_variable = headers_config.get("resultVariable")
        if result_variable:
            result[result_variable] = response
        result_expression = headers_config.get("resultExpression")
        if result_expression:
            mapped = _evaluate(result_expression, "resultExpression", scope)
            if mapped is not None and not isinstance(mapped, dict):
                raise ConnectorInputError(
                    "task header 'resultExpression' must give a context (an object), "
                    f"not {type(mapped).__name__}"
                )
            result.update(mapped or {})
        return Outcome(result)

    async def _request(self, variables: dict[str, Any]) -> dict[str, Any]:
        url = variables.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConnectorInputError(f"input 'url' must be an http(s) URL, not {url!r}")
        method = str(variables.get("method") or "GET").upper()
        if method not in _METHODS:
            raise ConnectorInputError(f"input 'method' must be one of {', '.join(_METHODS)}")
        headers = variables.get("headers") or {}
        query = variables.get("queryParameters") or {}
        for name, value in (("headers", headers), ("queryParameters", query)):
            if not isinstance(value, dict):
                raise ConnectorInputError(f"input '{name}' must be a context (an object)")
        headers = {str(k): str(v) for k, v in headers.items()}
        auth = variables.get("authentication") or {}
        if not isinstance(auth, dict):
            raise ConnectorInputError("input 'authentication' must be a context (an object)")
        headers.update(await self._auth_headers(auth))
        connect = _timeout(variables, "connectionTimeoutInSeconds")
        read = _timeout(variables, "readTimeoutInSeconds")
        body = variables.get("body")
        content: dict[str, Any] = {}
        if body is not None and method not in ("GET", "HEAD"):
            if isinstance(body, str) and "json" not in headers.get("Content-Type", "json"):
                content["content"] = body
            else:
                content["json"] = body
        answer = await self._client.request(
            method,
            url,
            headers=headers,
            params={str(k): _text(v) for k, v in query.items()} or None,
            timeout=httpx.Timeout(read, connect=connect),
            **content,
        )
        try:
            parsed: Any = answer.json() if answer.content else None
        except ValueError:
            parsed = answer.text
        return {"status": answer.status_code, "headers": dict(answer.headers), "body": parsed}

    async def _auth_headers(self, auth: dict[str, Any]) -> dict[str, str]:
        kind = auth.get("type") or "noAuth"
        if kind == "noAuth":
            return {}
        if kind == "basic":
            pair = f"{auth.get('username', '')}:{auth.get('password', '')}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        if kind == "bearer":
            return {"Authorization": f"Bearer {auth.get('token', '')}"}
        if kind in ("oauth-client-credentials-flow", "oauth"):
            return {"Authorization": f"Bearer {await self._oauth_token(auth)}"}
        raise ConnectorInputError(
            f"input 'authentication.type' {kind!r} is not supported (noAuth, basic, bearer, "
            "oauth-client-credentials-flow)"
        )

    async def _oauth_token(self, auth: dict[str, Any]) -> str:
        endpoint = auth.get("oauthTokenEndpoint")
        if not isinstance(endpoint, str) or not endpoint:
            raise ConnectorInputError("input 'authentication.oauthTokenEndpoint' is required")
        client_id = str(auth.get("clientId") or "")
        secret = str(auth.get("clientSecret") or "")
        audience = str(auth.get("audience") or "")
        cache_key = (endpoint, client_id, secret, audience)
        cached = self._tokens.get(cache_key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        form = {"grant_type": "client_credentials"}
        if audience:
            form["audience"] = audience
        if auth.get("scopes"):
            form["scope"] = str(auth["scopes"])
        headers: dict[str, str] = {}
        if auth.get("clientAuthentication") == "basicAuthHeader":
            pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        else:
            form["client_id"], form["client_secret"] = client_id, secret
        answer = await self._client.post(endpoint, data=form, headers=headers)
        if answer.status_code >= 400:
            raise ConnectorInputError(
                f"the OAuth token endpoint {endpoint} answered {answer.status_code}"
            )
        try:
            token = answer.json()["access_token"]
            lifetime = float(answer.json().get("expires_in", 60))
        except (ValueError, KeyError, TypeError):
            raise ConnectorInputError(
                f"the OAuth token endpoint {endpoint} gave no access_token"
            ) from None
        self._tokens[cache_key] = (str(token), time.monotonic() + max(lifetime - 10, 1))
        return str(token)
