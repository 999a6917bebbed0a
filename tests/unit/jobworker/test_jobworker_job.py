"""A job as the app receives it, and the app's answer as the variables Zeebe gets."""

from __future__ import annotations

import json

import pytest

from zeebind.bindings.jobworker.job import (
    JOB_HEADERS,
    JobFormatError,
    delivery,
    result_variables,
)
from zeebind.gateway.protocol import pb
from zeebind.sidecar.app_channel import header_name, http_headers


def job(**fields: object) -> object:
    values: dict[str, object] = {
        "key": 2251799813685260,
        "type": "calc",
        "processInstanceKey": 2251799813685254,
        "bpmnProcessId": "calc",
        "processDefinitionVersion": 1,
        "processDefinitionKey": 2251799813685253,
        "elementId": "exec",
        "elementInstanceKey": 2251799813685259,
        "customHeaders": '{"process-header-1":"1","X-Zeebe-Retries":"99"}',
        "worker": "w",
        "retries": 3,
        "deadline": 1796156845666,
        "variables": '{"big":9007199254740993}',
        **fields,
    }
    return pb.ActivatedJob(**values)


def test_data_is_the_variables_text_and_metadata_the_headers() -> None:
    data, metadata = delivery(job(), autocomplete=False)
    assert data == b'{"big":9007199254740993}'
    assert set(metadata) == {"process-header-1", *JOB_HEADERS}
    assert metadata["X-Zeebe-Retries"] == "3"  # the job's field wins over a custom header
    assert metadata["X-Zeebe-Job-Key"] == "2251799813685260"
    assert metadata["X-Zeebe-Deadline"] == "1796156845666"
    assert metadata["X-Zeebe-Autocomplete"] == "false"


def test_no_variables_are_an_empty_object() -> None:
    data, _ = delivery(job(variables="", customHeaders=""), autocomplete=True)
    assert data == b"{}"


def test_custom_headers_that_are_no_object_fail() -> None:
    with pytest.raises(JobFormatError):
        delivery(job(customHeaders="[1]"), autocomplete=True)


@pytest.mark.parametrize(
    ("answer", "variables"),
    [
        (None, "{}"),
        (b"", "{}"),
        (b"  \n", "{}"),
        (b"null", "{}"),
        (b'{"result": 12}', '{"result": 12}'),
        (b'{"n": 9007199254740993}', '{"n": 9007199254740993}'),
    ],
)
def test_answers_that_complete(answer: bytes | None, variables: str) -> None:
    assert result_variables(answer) == variables
    assert isinstance(json.loads(result_variables(answer)), dict)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (b"[1]", "a JSON array, not an object"),
        (b'"OK"', "a JSON string, not an object"),
        (b"OK", "not JSON"),
    ],
)
def test_answers_that_fail(answer: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        result_variables(answer)


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("process-header-1", "Process-Header-1"),
        ("X-Zeebe-Job-Key", "X-Zeebe-Job-Key"),
        ("io.camunda.zeebe:formKey", "Io.camunda.zeebe-Formkey"),
        ("with space", "With-Space"),
        ("größe", "Gr--E"),
    ],
)
def test_header_names_are_tokens_in_go_case(name: str, header: str) -> None:
    assert header_name(name) == header


def test_reserved_and_colliding_headers() -> None:
    headers = http_headers(
        {"content-length": "5", "host": "x", "x-zeebe-job-key": "custom", "X-Zeebe-Job-Key": "1"}
    )
    assert headers == [(b"content-type", b"application/json"), (b"X-Zeebe-Job-Key", b"1")]
    [_, (_, value)] = http_headers({"note": "line\r\nbreak ünïcode"})
    assert value == "line  break ünïcode".encode()
