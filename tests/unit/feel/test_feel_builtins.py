"""Built-in functions: one or more golden cases per function (DMN 1.5 + Camunda extensions)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zeebind.feel import compile_expression, to_json


def feel(expr: str, variables: dict[str, Any] | None = None) -> Any:
    """Evaluate and return the JSON form of the value; fails the test on a hard failure."""
    result = compile_expression(expr).evaluate(variables or {})
    assert result.failure is None, result.failure
    return to_json(result.value)


CASES: dict[str, list[tuple[str, Any]]] = {
    "boolean": [
        ("not(false)", True),
        ("not(1)", None),
        ("is defined(1)", True),
        ("get or else(null, 5)", 5),
        ("assert(1, true)", 1),
        ("is(1, 1)", True),
        ('is(date("2020-01-01"), date and time("2020-01-01T00:00:00"))', False),
    ],
    "conversion": [
        ("string(1.1)", "1.1"),
        ("string(true)", "true"),
        ("string(null)", None),
        ('string(date("2020-01-02"))', "2020-01-02"),
        ('string(duration("P1DT2H"))', "P1DT2H"),
        ("string([1, 2])", "[1, 2]"),
        ('string({a: "x", b: 1})', '{a:"x", b:1}'),  # feel-scala's form
        ('string(duration("PT0S"))', "P0D"),
        ('string(duration("P0M"))', "P0Y"),
        ('number("1,000.5", ",", ".")', 1000.5),
        ('number("1.000,5", ".", ",")', 1000.5),
        ('number("1 000", " ")', 1000),
        ('number("abc")', None),
        ('date("2020-02-29")', "2020-02-29"),
        ('date("2021-02-29")', None),
        ("date(2020, 1, 31)", "2020-01-31"),
        ('date(date and time("2020-01-31T10:00:00"))', "2020-01-31"),
        ('time("10:30:00")', "10:30:00"),
        ('time("10:30:00+02:00")', "10:30:00+02:00"),
        ('time("10:30:00@Europe/Paris")', "10:30:00@Europe/Paris"),
        ("time(10, 30, 15)", "10:30:15"),
        ('time(10, 30, 15, duration("PT1H"))', "10:30:15+01:00"),
        ('date and time("2020-01-01T10:00:00")', "2020-01-01T10:00:00"),
        ('date and time("2020-01-01T10:00:00Z")', "2020-01-01T10:00:00Z"),
        ('date and time("2020-01-01T10:00:00@Europe/Berlin")', "2020-01-01T10:00:00@Europe/Berlin"),
        ('date and time(date("2020-01-01"), time("10:00:00"))', "2020-01-01T10:00:00"),
        (
            'date and time(date and time("2020-01-01T10:00:00Z"), "Europe/Berlin")',
            "2020-01-01T11:00:00@Europe/Berlin",
        ),
        ('duration("P2DT3H4M5.5S")', "P2DT3H4M5.5S"),
        ('duration("-PT1H")', "-PT1H"),
        ('duration("P1Y2M")', "P1Y2M"),
        ('duration("P14M")', "P1Y2M"),
        ('duration("x")', None),
        ('years and months duration(date("2020-01-15"), date("2021-03-14"))', "P1Y1M"),
        ('from json("{\\"a\\": [1, 2.5, null, true]}")', {"a": [1, 2.5, None, True]}),
        ('to json({a: [1, "x", null]})', '{"a":[1,"x",null]}'),
        ('to json(date("2020-01-01"))', '"2020-01-01"'),
        (
            'to json(@"2023-06-14T14:55:00@Europe/Berlin")',
            '"2023-06-14T14:55:00+02:00[Europe/Berlin]"',
        ),
        ("context merge({a: 1}, {b: 2})", {"a": 1, "b": 2}),
        ('to base64("FEEL")', "RkVFTA=="),
        ('from base64("RkVFTA==")', "FEEL"),
        ('range("[1..5)") = [1..5)', True),
    ],
    "string": [
        ('substring("foobar", 3)', "obar"),
        ('substring("foobar", -3, 2)', "ba"),
        ('string length("foo")', 3),
        ('string length("😀")', 1),
        ('upper case("aBc")', "ABC"),
        ('lower case("aBc")', "abc"),
        ('substring before("foobar", "bar")', "foo"),
        ('substring after("foobar", "ob")', "ar"),
        ('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', "[1=ab][2=]cd"),
        ('replace("Abc", "b", "X", "i")', "AXc"),
        ('contains("foobar", "of")', False),
        ('starts with("foobar", "fo")', True),
        ('ends with("foobar", "r")', True),
        ('matches("foobar", "^fo*b")', True),
        ('matches("FooBar", "foobar", "i")', True),
        ('split("John Doe", "\\s")', ["John", "Doe"]),
        ('split("a;b;;c", ";")', ["a", "b", "", "c"]),
        ('extract("a1b22c333", "[0-9]+")', ["1", "22", "333"]),
        ('trim("  x  ")', "x"),
        ('is blank("  ")', True),
        ('is blank("a")', False),
        ('string join(["a", "b"], ", ")', "a, b"),
        ('string join(["a", null, "b"])', "ab"),
        ('string join(["a", "b"], ", ", "[", "]")', "[a, b]"),
    ],
    "list": [
        ("list contains([1, 2], 2)", True),
        ("list contains([1, null], null)", True),
        ("count([1, 2, 3])", 3),
        ("min([3, 1, 2])", 1),
        ("min(3, 1, 2)", 1),
        ("max([3, 1, 2])", 3),
        ('max(["a", "c", "b"])', "c"),
        ("min([])", None),
        ("sum([1, 2.5])", 3.5),
        ("product([2, 3, 4])", 24),
        ("mean([1, 2, 3, 4])", 2.5),
        ("median([3, 1, 2])", 2),
        ("median([1, 2, 3, 4])", 2.5),
        ("stddev([2, 4, 7, 5])", 2.0816659994661326),
        ("mode([6, 3, 9, 6, 6])", [6]),
        ("mode([6, 1, 9, 6, 1])", [1, 6]),
        ("all([true, false])", False),
        ("all([true, null])", None),
        ("all([])", True),
        ("any([false, true])", True),
        ("any([])", False),
        ("and([true, true])", True),
        ("or([false, false])", False),
        ("sublist([1, 2, 3], 2)", [2, 3]),
        ("sublist([1, 2, 3], 1, 2)", [1, 2]),
        ("append([1], 2, 3)", [1, 2, 3]),
        ("concatenate([1, 2], [3])", [1, 2, 3]),
        ("insert before([1, 3], 2, 2)", [1, 2, 3]),
        ("remove([1, 2, 3], 2)", [1, 3]),
        ("reverse([1, 2, 3])", [3, 2, 1]),
        ("index of([1, 2, 3, 2], 2)", [2, 4]),
        ("union([1, 2], [2, 3])", [1, 2, 3]),
        ("distinct values([1, 2, 3, 2, 1])", [1, 2, 3]),
        ("duplicate values([1, 2, 3, 2, 1])", [1, 2]),
        ("flatten([[1, 2], [[3]], 4])", [1, 2, 3, 4]),
        ("sort([3, 1, 2])", [1, 2, 3]),
        ("sort([3, 1, 2], function(x, y) x > y)", [3, 2, 1]),
        ("sort(list: [3, 1, 2], precedes: function(x, y) x < y)", [1, 2, 3]),
        ("is empty([])", True),
        ("partition([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]),
        ("list replace([1, 2, 3], 2, 9)", [1, 9, 3]),
        ("list replace([1, 2, 3], function(item, newItem) item > 1, 0)", [1, 0, 0]),
    ],
    "numeric": [
        ("decimal(1/3, 2)", 0.33),
        ("decimal(1.5, 0)", 2),
        ("decimal(2.5, 0)", 2),
        ('decimal(2.5, 0, "HALF_UP")', 3),
        ("floor(1.5)", 1),
        ("floor(-1.5)", -2),
        ("floor(1.56, 1)", 1.5),
        ("ceiling(1.5)", 2),
        ("ceiling(-1.56, 1)", -1.5),
        ("round up(5.5, 0)", 6),
        ("round up(-5.5, 0)", -6),
        ("round down(5.5, 0)", 5),
        ("round half up(5.5, 0)", 6),
        ("round half up(-5.5, 0)", -6),
        ("round half down(5.5, 0)", 5),
        ("abs(-3)", 3),
        ('abs(duration("-P1D"))', "P1D"),
        ("modulo(12, 5)", 2),
        ("modulo(-12, 5)", 3),
        ("modulo(12, -5)", -3),
        ("modulo(10.1, 4.5)", 1.1),
        ("sqrt(16)", 4),
        ("sqrt(-1)", None),
        ("log(1)", 0),
        ("exp(0)", 1),
        ("odd(5)", True),
        ("even(5)", False),
        ("even(2.5)", None),
    ],
    "context": [
        ("get entries({a: 1})", [{"key": "a", "value": 1}]),
        ('get value({a: 1}, "a")', 1),
        ('get value({a: {b: 2}}, ["a", "b"])', 2),
        ('get value({a: 1}, "z")', None),
        ('context put({a: 1}, "b", 2)', {"a": 1, "b": 2}),
        ('context put({a: {b: 1}}, ["a", "c"], 2)', {"a": {"b": 1, "c": 2}}),
        ('context put({x: 1, y: 2}, ["y", "z"], 2)', {"x": 1, "y": {"z": 2}}),  # feel-scala
        ("context merge([{a: 1}, {a: 2, b: 3}])", {"a": 2, "b": 3}),
        ('context([{key: "a", value: 1}])', {"a": 1}),
        ('put({a: 1}, "a", 2)', {"a": 2}),
        ("put all({a: 1}, {b: 2})", {"a": 1, "b": 2}),
    ],
    "temporal": [
        ('day of year(date("2020-12-31"))', 366),
        ('day of week(date("2024-01-01"))', "Monday"),
        ('month of year(date("2024-03-01"))', "March"),
        ('week of year(date("2021-01-01"))', 53),
        ('last day of month(date("2024-02-10"))', "2024-02-29"),
        ('cycle(duration("PT1H"))', "R/PT1H"),
        ('cycle(3, duration("P1D"))', "R3/P1D"),
    ],
    "range": [
        ("before(1, 10)", True),
        ("before([1..5], 5)", False),
        ("before([1..5), 5)", True),
        ("after(10, [1..5])", True),
        ("meets([1..5], [5..10])", True),
        ("met by([5..10], [1..5])", True),
        ("overlaps([1..5], [3..8])", True),
        ("overlaps([1..5], (5..8])", False),
        ("overlaps before([1..5], [3..8])", True),
        ("overlaps after([3..8], [1..5])", True),
        ("finishes(5, [1..5])", True),
        ("finished by([1..5], 5)", True),
        ("includes([1..10], 5)", True),
        ("includes([1..10], [4..6])", True),
        ("during(5, [1..10])", True),
        ("starts(1, [1..5])", True),
        ("started by([1..5], 1)", True),
        ("coincides([1..5], [1..5])", True),
    ],
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [case for group in CASES.values() for case in group],
)
def test_builtin(expr: str, expected: Any) -> None:
    value = feel(expr)
    if isinstance(expected, float):
        assert value == pytest.approx(expected)
    else:
        assert value == expected


def test_now_and_today_use_the_injected_clock() -> None:
    import datetime as dt

    clock = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    assert to_json(compile_expression("now()").evaluate({}, now=clock).value) == (
        "2024-05-06T07:08:09Z"
    )
    assert to_json(compile_expression("today()").evaluate({}, now=lambda: clock).value) == (
        "2024-05-06"
    )


def test_now_is_stable_within_one_evaluation() -> None:
    calls = []

    def clock() -> Any:
        import datetime as dt

        calls.append(1)
        return dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=len(calls))

    assert compile_expression("now() = now()").evaluate({}, now=clock).value is True
    assert len(calls) == 1


def test_uuid_uses_the_injected_source() -> None:
    result = compile_expression("uuid()").evaluate({}, uuid=lambda: "00000000-0000-4000-8000-0")
    assert result.value == "00000000-0000-4000-8000-0"
    default = compile_expression("uuid()").evaluate({}).value
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", default
    )


def test_assert_fails_the_evaluation() -> None:
    result = compile_expression('assert(x, x > 3, "x must be > 3")').evaluate({"x": 1})
    assert result.value is None
    assert result.failure is not None
    assert result.failure == (
        "Assertion failure on evaluate the expression 'assert(x, x > 3, \"x must be > 3\")': "
        "x must be > 3"
    )


def test_wrong_argument_types_give_null_and_warning() -> None:
    result = compile_expression("upper case(1)").evaluate({})
    assert result.value is None
    assert result.failure is None
    assert result.warnings[0].startswith("[FUNCTION_INVOCATION_FAILURE] Failed to invoke function")


def test_wrong_arity_fails() -> None:
    result = compile_expression("abs(1, 2)").evaluate({})
    assert result.failure == "no function found with name 'abs' and 2 parameters"


def test_named_arguments() -> None:
    assert feel('substring(string: "foobar", start position: 3, length: 2)') == "ob"
    assert feel("round half up(n: 2.345, scale: 2)") == 2.35
    # both the DMN spec's and Camunda's parameter names are accepted
    assert feel("abs(n: -2)") == feel("abs(number: -2)") == 2  # spec and feel-scala names
    assert feel('get value(m: {a: 1}, key: "a")') == feel('get value(context: {a: 1}, key: "a")')
    assert feel("before(point: 1, range: [2..3])") is True


def test_random_number_is_between_zero_and_one() -> None:
    value = feel("random number()")
    assert 0 <= value < 1
