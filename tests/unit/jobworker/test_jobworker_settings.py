"""The job worker's component metadata: defaults as the reference has them, errors where it is
silent, each naming the field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zeebind.bindings.component import parse_components
from zeebind.bindings.errors import ComponentError
from zeebind.bindings.jobworker.settings import WorkerSettings
from zeebind.bindings.metadata import ComponentMetadata
from zeebind.bindings.registry import check

CLIENT = {"gatewayAddr": "zeebe:26500", "usePlainTextConnection": "true"}


def parse(**values: str) -> WorkerSettings:
    return WorkerSettings.parse("worker", ComponentMetadata({**CLIENT, **values}))


def test_defaults_are_the_reference_ones() -> None:
    settings = parse(jobType="calc")
    assert settings.job_type == "calc"
    assert settings.worker_name == "default"
    assert settings.worker_timeout == timedelta(minutes=5)
    assert settings.request_timeout == timedelta(seconds=10)
    assert (settings.max_jobs_active, settings.concurrency) == (32, 4)
    assert settings.poll_interval == timedelta(milliseconds=100)
    assert settings.poll_threshold == 0.3
    assert settings.threshold_jobs == 10
    assert settings.fetch_variables == ()
    assert settings.autocomplete is True
    assert settings.retry_backoff == timedelta(0)
    assert settings.stream_enabled is True
    assert (settings.route, settings.probe) == ("worker", True)
    assert settings.client.gateway_address == "zeebe:26500"


def test_every_field_is_read() -> None:
    settings = parse(
        jobType=" calc ",
        workerName="w1",
        workerTimeout="30s",
        requestTimeout="15",
        maxJobsActive="0x10",
        concurrency="2",
        pollInterval="PT0.5S",
        pollThreshold="0.5",
        fetchVariables=" a, b ,c",
        autocomplete="off",
        retryBackOff="10s",
        streamEnabled="no",
        route="/orders",
        direction="input",
    )
    assert settings.job_type == "calc"
    assert settings.worker_name == "w1"
    assert settings.worker_timeout == timedelta(seconds=30)
    assert settings.request_timeout == timedelta(seconds=15)
    assert (settings.max_jobs_active, settings.concurrency) == (16, 2)
    assert settings.poll_interval == timedelta(milliseconds=500)
    assert settings.threshold_jobs == 8
    assert settings.fetch_variables == ("a", "b", "c")
    assert settings.autocomplete is False
    assert settings.retry_backoff == timedelta(seconds=10)
    assert settings.stream_enabled is False
    assert (settings.route, settings.probe) == ("orders", False)


def test_zero_means_the_default_and_a_negative_request_timeout_no_long_polling() -> None:
    settings = parse(jobType="t", maxJobsActive="0", concurrency="0", requestTimeout="-1s")
    assert (settings.max_jobs_active, settings.concurrency) == (32, 4)
    assert settings.request_timeout is None


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({}, "jobType", "jobType is a required attribute"),
        ({"jobType": "  "}, "jobType", "jobType is a required attribute"),
        ({"maxJobsActive": "-1"}, "maxJobsActive", "must be positive, not -1"),
        ({"maxJobsActive": "many"}, "maxJobsActive", '"many" is not a whole number'),
        ({"concurrency": "-2"}, "concurrency", "must be positive, not -2"),
        ({"workerTimeout": "-1m"}, "workerTimeout", "must not be negative"),
        ({"workerTimeout": "soon"}, "workerTimeout", '"soon" is not a duration'),
        ({"pollInterval": "-100ms"}, "pollInterval", "must not be negative"),
        ({"pollThreshold": "1.5"}, "pollThreshold", "must be above 0 and at most 1, not 1.5"),
        ({"pollThreshold": "x"}, "pollThreshold", '"x" is not a number'),
        ({"fetchVariables": "a,,b"}, "fetchVariables", "has an empty variable name"),
        ({"autocomplete": "maybe"}, "autocomplete", '"maybe" is not a boolean'),
        ({"retryBackOff": "-5s"}, "retryBackOff", "must not be negative"),
        ({"direction": "output"}, "direction", "direction must include input"),
        ({"direction": "sideways"}, "direction", "is not a direction"),
    ],
)
def test_bad_values_name_the_field(fields: dict[str, str], field: str, problem: str) -> None:
    values = {"jobType": "t", **fields} if "jobType" not in fields and fields else fields
    with pytest.raises(ComponentError) as caught:
        parse(**values)
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_worker_fields_are_checked_before_the_client() -> None:
    with pytest.raises(ComponentError) as caught:
        WorkerSettings.parse("w", ComponentMetadata({"maxJobsActive": "x"}))
    assert caught.value.field == "maxJobsActive"
    with pytest.raises(ComponentError) as caught:
        WorkerSettings.parse("w", ComponentMetadata({"jobType": "t"}))
    assert caught.value.field == "gatewayAddr"


def test_the_registry_names_the_component() -> None:
    [component] = parse_components(
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: calc\n"
        "spec:\n  type: bindings.zeebe.jobworker\n  version: v1\n  metadata:\n"
        "  - name: gatewayAddr\n    value: zeebe:26500\n  - name: jobType\n    value: calc\n"
        "  - name: concurrency\n    value: -3\n"
    )
    with pytest.raises(ComponentError, match=r"component 'calc': field 'concurrency': must be"):
        check(component)
