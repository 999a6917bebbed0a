"""Expressions of the step-1 subset: literals, paths, filters, operators, logic, a few built-ins."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zeebind.feel import compile_expression, to_json

CASES: list[tuple[str, dict[str, Any], Any]] = [
    # literals
    ("1", {}, 1),
    ("-1.5", {}, -1.5),
    (".5", {}, 0.5),
    ('"a\\"b"', {}, 'a"b'),
    ('"\\u0041"', {}, "A"),
    ("true", {}, True),
    ("null", {}, None),
    ("[1, 2, 3]", {}, [1, 2, 3]),
    ("[]", {}, []),
    ('{a: 1, "b c": 2}', {}, {"a": 1, "b c": 2}),
    ("{a: 1, b: a + 1}", {}, {"a": 1, "b": 2}),
    # names and paths
    ("x", {"x": 5}, 5),
    ("a.b.c", {"a": {"b": {"c": "deep"}}}, "deep"),
    ("Monthly Salary * 12", {"Monthly Salary": 10}, 120),
    ("items.price", {"items": [{"price": 1}, {"price": 2}]}, [1, 2]),
    ("{a: {b: 3}}.a.b", {}, 3),
    # filters
    ("l[1]", {"l": [10, 20, 30]}, 10),
    ("l[-1]", {"l": [10, 20, 30]}, 30),
    ("l[4]", {"l": [10, 20, 30]}, None),
    ("l[i]", {"l": [10, 20, 30], "i": 2}, 20),
    ("l[item > 15]", {"l": [10, 20, 30]}, [20, 30]),
    ("items[price > 15].price", {"items": [{"price": 10}, {"price": 20}]}, [20]),
    ("items[item.price > 5]", {"items": [{"price": 10}]}, [{"price": 10}]),
    ("[1, 2, 3][item > 5]", {}, []),
    ("for i in x return i", {"x": 2}, None),
    ("some i in x satisfies i > 1", {"x": 2}, None),
    # comparisons
    ("1 = 1", {}, True),
    ("1 != 2", {}, True),
    ('"a" < "b"', {}, True),
    ("2 <= 2", {}, True),
    ("3 > 2", {}, True),
    ("3 >= 4", {}, False),
    ("x = null", {"x": None}, True),
    ("x = null", {}, True),
    ("1 = null", {}, False),
    ("[1, 2] = [1, 2]", {}, True),
    ("[1] = [true]", {}, False),
    ("{x: 1} = {x: true}", {}, False),
    ('1 = "a"', {}, None),
    ("{a: 1} = {a: 1}", {}, True),
    # arithmetic
    ("1 + 2 * 3", {}, 7),
    ("(1 + 2) * 3", {}, 9),
    ("10 / 4", {}, 2.5),
    ("2 ** 3", {}, 8),
    ("-3 ** 2", {}, 9),
    ("2 ** 3 ** 2", {}, 64),
    ("1 - 2 - 3", {}, -4),
    ("-x", {"x": 2}, -2),
    ("1.1 + 2.2 = 3.3", {}, True),
    ("1 / 0", {}, None),
    ("null + 1", {}, None),
    ('"foo" + "bar"', {}, "foobar"),
    ('"a" + 1', {}, None),
    # logic
    ("true and false", {}, False),
    ("true and null", {}, None),
    ("false and null", {}, False),
    ("true or null", {}, True),
    ("false or null", {}, None),
    ('x > 5 and y = "a"', {"x": 10, "y": "a"}, True),
    ("1 > 0 and 2 > 1", {}, True),
    ("not(true)", {}, False),
    ("not(null)", {}, None),
    ("if a then b else c", {"a": True, "b": 1, "c": 2}, 1),
    ("if a then b else c", {"a": None, "b": 1, "c": 2}, 2),
    ('if x > 1 then "big" else "small"', {"x": 0}, "small"),
    # between and in
    ("x between 1 and 5", {"x": 3}, True),
    ("x between 1 and 5", {"x": 6}, False),
    ("x in [1..5]", {"x": 5}, True),
    ("x in [1..5)", {"x": 5}, False),
    ("x in (1, 2, 3)", {"x": 2}, True),
    ("x in [1, 2, 3]", {"x": 4}, False),
    ("x in < 5", {"x": 4}, True),
    ("x in (> 5, < 2)", {"x": 1}, True),
    ('"b" in ["a", "b"]', {}, True),
    ("5 in ? < 10", {}, True),
    ("5 in ? < 3", {}, False),
    # built-ins
    ("string(1)", {}, "1"),
    ("string(1.50)", {}, "1.50"),
    ('"a" + string(1)', {}, "a1"),
    ('number("12.5")', {}, 12.5),
    ('number("x")', {}, None),
    ("count([1, 2])", {}, 2),
    ("sum([1, 2, 3])", {}, 6),
    ("sum(1, 2)", {}, 3),
    ("sum([])", {}, None),
    ('contains("foobar", "oba")', {}, True),
    ('upper case("abc")', {}, "ABC"),
    ('lower case("ABC")', {}, "abc"),
    ('substring("foobar", 3)', {}, "obar"),
    ('substring("foobar", 3, 3)', {}, "oba"),
    ('substring("foobar", -2, 1)', {}, "a"),
    ("is defined(x)", {}, False),
    ("is defined(x)", {"x": None}, False),  # feel-scala 1.17+: null is not defined
    ("is defined(x)", {"x": 0}, True),
    ("is defined(null)", {}, False),
    ("is defined(a.b)", {"a": {}}, False),
    ('get or else(x, "d")', {}, "d"),
    ('get or else(x, "d")', {"x": "v"}, "v"),
]


@pytest.mark.parametrize(("expr", "variables", "expected"), CASES)
def test_expression(expr: str, variables: dict[str, Any], expected: Any) -> None:
    result = compile_expression(expr).evaluate(variables)
    assert result.failure is None
    assert to_json(result.value) == expected


def test_numbers_are_34_digit_decimals() -> None:
    value = compile_expression("10 / 3").evaluate({}).value
    assert value == Decimal("3.333333333333333333333333333333333")
