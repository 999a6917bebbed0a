"""Parser: precedence, names with spaces, comments, strings, ranges, types, syntax errors."""

from __future__ import annotations

from typing import Any

import pytest

from zeebind.feel import FeelSyntaxError, compile_expression, to_json


def feel(expr: str, variables: dict[str, Any] | None = None, names: tuple[str, ...] = ()) -> Any:
    result = compile_expression(expr, names).evaluate(variables or {})
    assert result.failure is None, result.failure
    return to_json(result.value)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 + 2 * 3 ** 2", 19),
        ("2 ** 3 ** 2", 64),  # left-associative (TCK 0075)
        ("-2 ** 2", 4),  # unary minus binds tighter than **
        ("1 < 2 and 2 < 3 or false", True),
        ("not(1 > 2) and true", True),
        ("1 + 1 = 2", True),
        ("if 1 > 2 then 1 else 2 + 3", 5),
        ("for x in [1, 2] return x + 1", [2, 3]),
        ("some x in [1, 2] satisfies x > 1 and x < 3", True),
        ("1 in [1, 2] and 3 in [1, 2]", False),
        ("5 between 1 + 1 and 2 * 3", True),
        ("[1, 2, 3][item > 1][1]", 2),
        ('{"a b": {c: 1}}."a b".c', 1),
    ],
)
def test_precedence(expr: str, expected: Any) -> None:
    assert feel(expr) == expected


def test_names_with_spaces() -> None:
    assert feel("Monthly Salary * 12", {"Monthly Salary": 1000}) == 12000
    assert feel("{first name: 1, last name: 2}.last name") == 2
    assert feel("`a-b` + 1", {"a-b": 1}) == 2


def test_names_with_operator_characters_when_declared() -> None:
    assert feel("a-b + 1", {"a-b": 1}, names=("a-b",)) == 2
    assert feel("a-b + 1", {"a": 5, "b": 1}) == 5


def test_names_containing_keywords() -> None:
    assert feel('date and time("2020-01-01T00:00:00").year') == 2020
    assert feel("get or else(null, 1)") == 1
    assert feel("x instance of years and months duration", {"x": 1}) is False


def test_comments_and_whitespace() -> None:
    assert feel("1 + // one\n 2 /* two */ + 3") == 6


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (r'"a\nb"', "a\nb"),
        (r'"tab\there"', "tab\there"),
        (r'"quote \" here"', 'quote " here'),
        (r'"\u00e9"', "é"),
        (r'"\ud83d\ude00"', "😀"),
        ('"日本"', "日本"),
    ],
)
def test_strings(expr: str, expected: str) -> None:
    assert feel(expr) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("5 in [1..5]", True),
        ("5 in [1..5)", False),
        ("1 in (1..5]", False),
        ("1 in ]1..5]", False),
        ("5 in [1..5[", False),
        ("5 in <= 5", True),
        ("5 in > 5", False),
        ("[1..5] = [1..5]", True),
        ("[1..5].start", 1),
        ("(1..5].start included", False),
        ("(<= 10).end", 10),
        ('date("2020-01-05") in [date("2020-01-01")..date("2020-01-31")]', True),
        ("for i in 1..3 return i", [1, 2, 3]),
        ("for i in 3..1 return i", [3, 2, 1]),
        ("[3..1]", None),
    ],
)
def test_ranges(expr: str, expected: Any) -> None:
    assert feel(expr) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 instance of number", True),
        ('"a" instance of string', True),
        ("null instance of Any", False),
        ("[1, 2] instance of list<number>", True),
        ('[1, "a"] instance of list<number>', False),
        ("{a: 1} instance of context<a: number>", True),
        ("{a: 1} instance of context", True),
        ('date("2020-01-01") instance of date', True),
        ('@"2020-01-01T10:00:00" instance of date and time', True),
        ('duration("P1D") instance of days and time duration', True),
        ("[1..2] instance of range<number>", True),
        ("(function(x) x) instance of function<Any> -> Any", True),
    ],
)
def test_instance_of(expr: str, expected: bool) -> None:
    assert feel(expr) is expected


def test_functions() -> None:
    assert feel("(function(a, b) a - b)(5, 2)") == 3
    assert feel("(function(a, b) a - b)(b: 5, a: 2)") == -3
    assert feel("{f: function(x) x * 2, r: f(3)}.r") == 6
    assert feel("{fact: function(n) if n <= 1 then 1 else n * fact(n - 1), r: fact(5)}.r") == 120


def test_for_partial() -> None:
    assert feel("for i in 1..5 return if i = 1 then 1 else i * partial[-1]") == [1, 2, 6, 24, 120]


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("1 +", 3, "unexpected end of expression"),
        ("(1 + 2", 6, "expected ')'"),
        ("[1, 2", 5, "expected ']'"),
        ("{a 1}", 3, "expected ':' after a context key"),
        ("{a: 1, a: 2}", 7, "duplicate context key 'a'"),
        ('"abc', 0, "unterminated string"),
        ("if x then 1", 11, "expected 'else'"),
        ("for x [1]", 6, "expected 'in'"),
        ("1 2", 2, "unexpected '2'"),
        ("x # y", 2, "unexpected character '#'"),
        ("", 0, "empty expression"),
        ("x == 1", 3, "FEEL compares with a single '='"),
        ("x && y", 2, "FEEL uses 'and'"),
        ("'text'", 0, "FEEL strings use double quotes"),
    ],
)
def test_syntax_errors(text: str, position: int, message: str) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(text)
    assert info.value.position == position
    assert message in str(info.value)


@pytest.mark.parametrize(
    "text", ["(" * 5000 + "1" + ")" * 5000, "-" * 5000 + "1", "[" * 3000, "1" + " + 1" * 20000]
)
def test_deep_nesting_is_a_syntax_error(text: str) -> None:
    with pytest.raises(FeelSyntaxError, match="nested too deeply"):
        compile_expression(text)


def test_moderate_nesting_works() -> None:
    assert feel("(" * 100 + "1" + ")" * 100) == 1
    assert feel("1" + " + 1" * 300) == 301


def test_declared_dotted_name_falls_back_to_a_path() -> None:
    # `Person.Gender` declared as a name (a BKM parameter) but absent: read as a path
    assert feel("Person.Gender", {"Person": {"Gender": "m"}}, names=("Person.Gender",)) == "m"
    assert feel("Person.Gender", {"Person.Gender": "f"}, names=("Person.Gender",)) == "f"


def test_declared_names_with_keywords_and_numbers() -> None:
    assert feel("Order or Return + 1", {"Order or Return": 1}, names=("Order or Return",)) == 2
    assert feel("Order or Return", {"Order": False, "Return": True}) is True
    assert (
        feel("Extra days case 1 * 2", {"Extra days case 1": 3}, names=("Extra days case 1",)) == 6
    )


def test_invalid_temporal_literal_is_null_with_warning() -> None:
    result = compile_expression('@"2023-02-29"').evaluate({})
    assert result.value is None
    assert result.failure is None
    assert result.warnings[0].startswith("[INVALID_TYPE] Failed to parse temporal literal")


def test_names_keep_their_spacing() -> None:
    assert feel("{foo   bar: 2}.`foo   bar`") == 2
    assert feel("{ friend+of+mine: 2, how_are_you?: 3 }.`how_are_you?`") == 3
