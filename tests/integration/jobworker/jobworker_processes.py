"""The job worker tests' processes: the app, `zeebind engine` and `zeebind run`, each a subprocess
whose stderr is read in the background (so that it never fills up) and can be waited on."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).parent
START_TIMEOUT_S = 30.0
SIDECAR_READY = re.compile(r"zeebind sidecar ready: HTTP on http://[^:]+:(?P<http>\d+)")
ENGINE_READY = re.compile(r"zeebind engine ready on [^\s]+:(?P<port>\d+) ")
APP_READY = re.compile(r"app ready: port=(?P<port>\d+) control=(?P<control>\d+)")


def wait_until(
    condition: Callable[[], object], timeout: float = 10.0, interval: float = 0.02
) -> Any:
    """The first truthy value of `condition()`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


class Process:
    def __init__(self, command: list[str], ready: re.Pattern[str], *, stream: str = "stderr"):
        self.command = command
        self.popen = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._read, args=(pipe,), daemon=True)
            for pipe in (self.popen.stdout, self.popen.stderr)
        ]
        for reader in self._readers:
            reader.start()
        try:
            self.match = self.wait_line(ready, timeout=START_TIMEOUT_S)
        except AssertionError:
            self.stop()
            raise AssertionError(f"{command[2:4]} did not start: {self.output()!r}") from None

    def _read(self, pipe: Any) -> None:
        for raw in iter(pipe.readline, b""):
            with self._lock:
                self.lines.append(raw.decode(errors="replace"))
        pipe.close()

    def output(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def wait_line(self, pattern: re.Pattern[str] | str, timeout: float = 10.0) -> re.Match[str]:
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern

        def found() -> re.Match[str] | None:
            with self._lock:
                for line in self.lines:
                    match = compiled.search(line)
                    if match:
                        return match
            if self.popen.poll() is not None:
                raise AssertionError(f"exited {self.popen.returncode}: {self.output()!r}")
            return None

        result: re.Match[str] = wait_until(found, timeout)
        return result

    def stop(self, timeout: float = 15.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        for reader in self._readers:
            reader.join(5)
        return self.popen.returncode


class App(Process):
    def __init__(self, protocol: str = "http") -> None:
        command = [sys.executable, str(HERE / "jobworker_app.py"), "--protocol", protocol]
        super().__init__(command, APP_READY)
        self.port = int(self.match["port"])
        self.control = f"http://127.0.0.1:{self.match['control']}"

    def configure(self, **spec: Any) -> None:
        httpx.post(f"{self.control}/_control/configure", json=spec, timeout=10).raise_for_status()

    def deliveries(self, route: str | None = None) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = httpx.get(
            f"{self.control}/_control/deliveries", timeout=10
        ).json()
        return [item for item in answer if route is None or item["route"] == route]

    def probes(self) -> list[str]:
        answer: list[str] = httpx.get(f"{self.control}/_control/probes", timeout=10).json()
        return answer

    def wait_deliveries(self, route: str, count: int, timeout: float = 10.0) -> list[Any]:
        def enough() -> list[Any] | None:
            found = self.deliveries(route)
            return found if len(found) >= count else None

        result: list[Any] = wait_until(enough, timeout, interval=0.05)
        return result


class Engine(Process):
    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "zeebind", "engine", *args]
        if "--data-dir" not in args:
            command.append("--in-memory")
        super().__init__(command, ENGINE_READY)
        self.port = int(self.match["port"])


class Sidecar(Process):
    def __init__(self, resources: Path, *args: str, app: App | None = None) -> None:
        command = [sys.executable, "-m", "zeebind", "run", "--resources-path", str(resources)]
        command += ["--dapr-http-port", "0", "--dapr-grpc-port", "0", *args]
        if "--gateway-port" not in args:
            command += ["--no-engine"]
        if "--data-dir" not in args:
            command += ["--in-memory"]
        if app is not None:
            command += ["--app-port", str(app.port)]
        super().__init__(command, SIDECAR_READY)
        self.http = f"http://127.0.0.1:{self.match['http']}"

    def invoke(self, binding: str, operation: str, data: Any = None) -> Any:
        reply = httpx.post(
            f"{self.http}/v1.0/bindings/{binding}",
            json={"operation": operation, "data": data},
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        return reply.json() if reply.content else None


@contextlib.contextmanager
def running(process: Process) -> Iterator[Process]:
    try:
        yield process
    finally:
        process.stop()


def component(name: str, kind: str, **metadata: str) -> str:
    items = "".join(
        f"  - name: {key}\n    value: {json.dumps(value)}\n" for key, value in metadata.items()
    )
    return (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: {name}\nspec:\n  type: bindings.zeebe.{kind}\n  version: v1\n"
        f"  metadata:\n{items}---\n"
    )


def write_components(folder: Path, *documents: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "components.yaml").write_text("".join(documents))
    return folder


Task = tuple[str, str, int, dict[str, str]]


def user_task(element: str, form_key: str) -> str:
    """A job-based user task: Zeebe gives its job the `io.camunda.zeebe:formKey` header."""
    return (
        f'<bpmn:userTask id="{element}"><bpmn:extensionElements>'
        f'<zeebe:formDefinition formKey="{form_key}" />'
        "</bpmn:extensionElements></bpmn:userTask>"
    )


def process_xml(process_id: str, *tasks: Task | str) -> str:
    """A straight line of tasks: (element id, job type, retries, custom headers) for a service
    task, or the XML of another element."""
    elements = ['<bpmn:startEvent id="start" />']
    previous = "start"
    flows = []
    for task in tasks:
        if isinstance(task, str):
            match = re.search(r'id="([^"]+)"', task)
            assert match is not None
            elements.append(task)
            flows.append((previous, match[1]))
            previous = match[1]
            continue
        element, job_type, retries, headers = task
        header_xml = "".join(
            f'<zeebe:header key="{key}" value="{value}" />' for key, value in headers.items()
        )
        elements.append(
            f'<bpmn:serviceTask id="{element}"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type="{job_type}" retries="{retries}" />'
            f"<zeebe:taskHeaders>{header_xml}</zeebe:taskHeaders>"
            "</bpmn:extensionElements></bpmn:serviceTask>"
        )
        flows.append((previous, element))
        previous = element
    elements.append('<bpmn:endEvent id="end" />')
    flows.append((previous, "end"))
    flow_xml = "".join(
        f'<bpmn:sequenceFlow id="f{index}" sourceRef="{a}" targetRef="{b}" />'
        for index, (a, b) in enumerate(flows)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" '
        'targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id="{process_id}" isExecutable="true">'
        + "".join(elements)
        + flow_xml
        + "</bpmn:process></bpmn:definitions>"
    )


def collect_jobs(sidecar: Sidecar, job_type: str, count: int, timeout: float = 10.0) -> list[Any]:
    """Activates jobs of `job_type` (through the sidecar's command binding) until `count` are in
    hand; each poll activates what it finds, so they are gathered across polls."""
    found: dict[int, Any] = {}

    def enough() -> bool:
        jobs = sidecar.invoke(
            "zeebe-command",
            "activate-jobs",
            {"jobType": job_type, "maxJobsToActivate": 100, "requestTimeout": "-1s"},
        )
        found.update((job["key"], job) for job in jobs)
        return len(found) >= count

    wait_until(enough, timeout, interval=0.05)
    return list(found.values())
