"""One activated job as the app receives it, and the app's answer as Zeebe variables.

Data is the job's variables, the JSON object text exactly as Zeebe sent it. Metadata is the task's
custom headers and then the `X-Zeebe-*` fields, which win over a custom header of the same name.
"""

from __future__ import annotations

import json
from typing import Any

JOB_HEADERS = (
    "X-Zeebe-Job-Key",
    "X-Zeebe-Job-Type",
    "X-Zeebe-Process-Instance-Key",
    "X-Zeebe-Bpmn-Process-Id",
    "X-Zeebe-Process-Definition-Version",
    "X-Zeebe-Process-Definition-Key",
    "X-Zeebe-Element-Id",
    "X-Zeebe-Element-Instance-Key",
    "X-Zeebe-Worker",
    "X-Zeebe-Retries",
    "X-Zeebe-Deadline",
    "X-Zeebe-Autocomplete",
)


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


class JobFormatError(ValueError):
    """The job's custom headers are not a JSON object (the reference fails such a job)."""


def delivery(job: Any, *, autocomplete: bool) -> tuple[bytes, dict[str, str]]:
    """(data, metadata) of the binding event for an `ActivatedJob`."""
    metadata = custom_headers(job.customHeaders)
    metadata.update(
        zip(
            JOB_HEADERS,
            (
                str(job.key),
                job.type,
                str(job.processInstanceKey),
                job.bpmnProcessId,
                str(job.processDefinitionVersion),
                str(job.processDefinitionKey),
                job.elementId,
                str(job.elementInstanceKey),
                job.worker,
                str(job.retries),
                str(job.deadline),
                "true" if autocomplete else "false",
            ),
            strict=True,
        )
    )
    variables: str = job.variables or "{}"
    return variables.encode(), metadata


def custom_headers(text: str) -> dict[str, str]:
    if not text:
        return {}
    try:
        headers = json.loads(text)
    except ValueError as err:
        raise JobFormatError(f"cannot parse custom headers of job: {err}") from None
    if not isinstance(headers, dict):
        raise JobFormatError("cannot parse custom headers of job: not a JSON object")
    return {
        str(name): value if isinstance(value, str) else json.dumps(value)
        for name, value in headers.items()
    }


def result_variables(data: bytes | None) -> str:
    """The variables to complete with: the app's JSON object, or `{}` for an empty answer.

    Raises ValueError with the reason for anything else (an array, a string, text that is not
    JSON): the reference fails such a job, and so does zeebind.
    """
    if data is None or not data.strip():
        return "{}"
    try:
        text = data.decode("utf-8-sig")
        value = json.loads(text)
    except ValueError as err:
        raise ValueError(f"the app's answer is not JSON ({err})") from None
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        kind = _JSON_KINDS.get(type(value), "value")
        raise ValueError(f"the app's answer is a JSON {kind}, not an object")
    return text
