from datetime import timedelta

import pytest

from zeebind.bindings.command.payload import Payload
from zeebind.bindings.errors import PayloadError


def test_names_match_exactly_then_ignoring_case() -> None:
    data = Payload.parse(b'{"JOBKEY": 1, "jobKey": 2}')
    assert data.key("jobKey") == 2
    assert Payload.parse(b'{"JOBKEY": 1}').key("jobKey") == 1


def test_int64_keys_stay_exact() -> None:
    assert Payload.parse(b'{"jobKey": 9007199254740993}').key("jobKey") == 9007199254740993
    assert Payload.parse(b'{"jobKey": "9007199254740993"}').key("jobKey") == 9007199254740993


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "cannot parse data: it is empty; expected a JSON object"),
        (b"{", "cannot parse data as JSON: "),
        (b'"x"', "data must be a JSON object, not a string"),
        (b"[1]", "data must be a JSON object, not an array"),
        (b"null", "jobKey is a required attribute"),
        (b"{}", "jobKey is a required attribute"),
        (b'{"jobKey": null}', "jobKey is a required attribute"),
        (b'{"jobKey": "abc"}', "field 'jobKey' must be an integer \\(int64\\), not a string"),
        (b'{"jobKey": 1.5}', "field 'jobKey' must be an integer \\(int64\\), not a number"),
        (b'{"jobKey": true}', "field 'jobKey' must be an integer \\(int64\\), not a boolean"),
        (b'{"jobKey": 9223372036854775808}', "field 'jobKey' is out of range for int64"),
        (b"\xff", "not UTF-8"),
    ],
)
def test_bad_keys_name_the_field(data: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        Payload.parse(data).key("jobKey")


def test_zero_is_a_present_key() -> None:
    assert Payload.parse(b'{"jobKey": 0}').key("jobKey") == 0


def test_variables_are_re_encoded_exactly_in_order() -> None:
    data = Payload.parse('{"variables": {"z": 9007199254740993, "a": 0.1, "s": "<ü&>"}}'.encode())
    assert data.variables() == '{"z":9007199254740993,"a":0.1,"s":"<ü&>"}'


def test_variables_may_be_a_string_holding_an_object() -> None:
    assert Payload.parse(b'{"variables": "{\\"a\\": 1}"}').variables() == '{"a":1}'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"variables": [1]}', "field 'variables' must be a JSON object, not an array"),
        (b'{"variables": "[1]"}', "field 'variables' must be a JSON object, not a string holding"),
        (b'{"variables": "nope"}', "field 'variables' must be a JSON object, not a string"),
    ],
)
def test_variables_must_be_objects(data: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        Payload.parse(data).variables()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"30s"', timedelta(seconds=30)),
        ('"PT30S"', timedelta(seconds=30)),
        ("30000000000", timedelta(seconds=30)),
        ('"0s"', None),
        ("0", None),
        ("null", None),
        ('"-1s"', timedelta(seconds=-1)),
    ],
)
def test_durations(value: str, expected: timedelta | None) -> None:
    assert Payload.parse(f'{{"timeout": {value}}}'.encode()).duration("timeout") == expected


@pytest.mark.parametrize(
    ("value", "inner"),
    [
        ('"abc"', 'time: invalid duration "abc"'.removeprefix("time: ")),
        ("true", "invalid duration"),
    ],
)
def test_bad_durations_have_the_reference_format(value: str, inner: str) -> None:
    with pytest.raises(PayloadError) as caught:
        Payload.parse(f'{{"timeout": {value}}}'.encode()).duration("timeout")
    text = str(caught.value)
    assert text.startswith(
        f"invalid value {value} for field 'timeout' (expected a Go duration string"
    )
    assert text.endswith(f"): {inner}")


def test_nested_fields_carry_their_path() -> None:
    data = Payload.parse(b'{"plan": {"items": [{"x": 1}]}}')
    plan = data.object("plan")
    assert plan is not None
    [item] = plan.objects("items")
    with pytest.raises(PayloadError, match=r"plan\.items\[0\]\.elementId is a required attribute"):
        item.string("elementId", required=True)
