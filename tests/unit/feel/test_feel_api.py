"""The public API of zeebind.feel: compile, evaluate, results, JSON conversion, type names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from zeebind.feel import (
    EvaluationResult,
    FeelSyntaxError,
    compile_expression,
    compile_unary_tests,
    to_json,
    type_name,
)


def test_compile_is_cached_by_text() -> None:
    assert compile_expression("a + 1") is compile_expression("a + 1")


def test_evaluate_returns_result() -> None:
    res = compile_expression("a.b + 1 > x").evaluate({"a": {"b": 2}, "x": 1})
    assert isinstance(res, EvaluationResult)
    assert res.value is True
    assert res.warnings == []
    assert res.failure is None


def test_syntax_error_has_message_and_position() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("1 + ")
    assert info.value.position == 4
    assert "unexpected end of expression" in str(info.value)
    assert "position 4" in str(info.value)


def test_syntax_error_on_unclosed_list() -> None:
    with pytest.raises(FeelSyntaxError, match="expected"):
        compile_expression("[1, 2")


def test_missing_variable_is_null_with_warning() -> None:
    res = compile_expression("x").evaluate({})
    assert res.value is None
    assert res.failure is None
    assert res.warnings == ["[NO_VARIABLE_FOUND] No variable found with name 'x'"]


def test_missing_context_entry_is_null_with_warning() -> None:
    res = compile_expression("a.c").evaluate({"a": {"b": 1}})
    assert res.value is None
    assert res.warnings == [
        "[NO_CONTEXT_ENTRY_FOUND] No context entry found with key 'c'. Available keys: 'b'"
    ]


def test_unknown_function_fails() -> None:
    res = compile_expression("f(1)").evaluate({})
    assert res.value is None
    assert res.failure == "no function found with name 'f' and 1 parameters"


def test_type_mismatch_is_null_with_warning() -> None:
    res = compile_expression('"a" + 1').evaluate({})
    assert res.value is None
    assert res.failure is None
    assert res.warnings
    assert res.warnings[0].startswith("[INVALID_TYPE]")


class LazyScope(Mapping[str, Any]):
    """A scope chain that only answers __getitem__/__contains__ (iteration would fail)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("must not iterate the scope")

    def __len__(self) -> int:
        raise AssertionError("must not take the length of the scope")


def test_lazy_mapping_variables() -> None:
    res = compile_expression("x + y.z").evaluate(LazyScope({"x": 1, "y": {"z": 2}}))
    assert res.value == Decimal(3)


def test_json_inputs_become_decimals() -> None:
    res = compile_expression("x * 2").evaluate({"x": 1.5})
    assert res.value == Decimal("3.0")
    assert isinstance(res.value, Decimal)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2"), 2),
        (Decimal("2.0"), 2),
        (Decimal("2.5"), 2.5),
        (Decimal(2**63 - 1), 2**63 - 1),
        (Decimal(2**63), float(2**63)),  # beyond a long: a double, as in Zeebe
        ("s", "s"),
        (None, None),
        (True, True),
        ([Decimal(1), {"a": Decimal("0.5")}], [1, {"a": 0.5}]),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.time(10, 30), "10:30:00"),
        (dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2024-01-02T03:04:05Z"),
        (dt.timedelta(days=1, hours=2), "P1DT2H"),
    ],
)
def test_to_json(value: Any, expected: Any) -> None:
    result = to_json(value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("null", "NULL"),
        ("true", "BOOLEAN"),
        ("1", "NUMBER"),
        ('"a"', "STRING"),
        ("[1]", "LIST"),
        ("{a: 1}", "CONTEXT"),
        ('date("2024-01-01")', "DATE"),
        ('time("10:00:00")', "TIME"),
        ('date and time("2024-01-01T10:00:00")', "DATE_TIME"),
        ('duration("P1D")', "DAYS_TIME_DURATION"),
        ('duration("P1Y")', "YEARS_MONTHS_DURATION"),
        ("function(x) x", "FUNCTION"),
        ("[1..2]", "RANGE"),
    ],
)
def test_type_name(expr: str, expected: str) -> None:
    assert type_name(compile_expression(expr).evaluate({}).value) == expected


def test_unary_tests_api() -> None:
    tests = compile_unary_tests("< 10, > 20")
    assert tests.matches(5).value is True
    assert tests.matches(15).value is False
    assert tests.matches(25, {}).value is True
