"""Unary tests (decision-table input entries): `?`, comparisons, ranges, lists, not(), `-`."""

from __future__ import annotations

from typing import Any

import pytest

from zeebind.feel import FeelSyntaxError, compile_unary_tests


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("< 10", 5, True),
        ("< 10", 10, False),
        ("<= 10", 10, True),
        ("> x", 5, True),
        ("[1..5]", 3, True),
        ("[1..5)", 5, False),
        ('"a", "b"', "b", True),
        ('"a", "b"', "c", False),
        ('not("x")', "y", True),
        ('not("x")', "x", False),
        ("not(1, 2)", 3, True),
        ("not(1, 2)", 2, False),
        ("-", 42, True),
        ("-", None, True),
        (">= 10, < 2", 1, True),
        ("? > 5", 6, True),
        ("? > 5", 4, False),
        ("null", None, True),
        ("null", 1, False),
        ("1", None, False),
        ("x", 1, True),
        ("[1, 2, 3]", 2, True),
        ("count(?) > 1", [1, 2], True),
        ("? < 10", None, False),  # null, i.e. no match
        ("abs(?)", 5, False),  # a test using `?` must be a condition
        ('starts with(?, "a")', "abc", True),
        ("true", True, True),
        ("true", None, False),
        ("false", True, False),
        ('date("2020-01-01")', "2020-01-01", False),
        ("< 10", "a", False),
        ("!= 5", 4, True),
        ("= 5", 5, True),
    ],
)
def test_unary_tests(tests: str, value: Any, expected: bool) -> None:
    result = compile_unary_tests(tests).matches(value, {"x": 1})
    assert result.failure is None
    assert result.value is expected


def test_unary_tests_use_variables() -> None:
    tests = compile_unary_tests("[low..high]")
    assert tests.matches(5, {"low": 1, "high": 10}).value is True
    assert tests.matches(50, {"low": 1, "high": 10}).value is False


def test_unary_syntax_error() -> None:
    with pytest.raises(FeelSyntaxError):
        compile_unary_tests("< ")
