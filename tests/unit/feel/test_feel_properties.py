"""Property tests: the parser only ever raises FeelSyntaxError; arithmetic/comparison laws hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zeebind.feel import FeelSyntaxError, compile_expression, to_json
from zeebind.feel.parser import parse_expression, parse_unary_tests

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    "1",
    "2.5",
    "-",
    "+",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "..",
    "?",
    '"s"',
    '@"2020-01-01"',
    "x",
    "a b",
    "item",
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "between",
    "instance of",
    "function",
    "null",
    "true",
    "date and time",
    "count",
    "sum",
    "string length",
    "// c\n",
    "/* c */",
    "`q`",
]

token_soup = st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join)


def _parse_or_syntax_error(text: str) -> None:
    for parse in (parse_expression, parse_unary_tests):
        error: FeelSyntaxError | None = None
        try:
            parse(text)
        except FeelSyntaxError as err:
            error = err
        if error is not None:
            assert isinstance(error.position, int)
            assert 0 <= error.position <= len(text)
            assert str(error)


@FAST
@given(st.text(max_size=40))
def test_parser_raises_only_syntax_errors_on_any_text(text: str) -> None:
    _parse_or_syntax_error(text)


@FAST
@given(token_soup)
def test_parser_raises_only_syntax_errors_on_token_soup(text: str) -> None:
    _parse_or_syntax_error(text)


@FAST
@given(token_soup)
def test_evaluation_never_raises(text: str) -> None:
    try:
        expr = compile_expression(text)
    except FeelSyntaxError:
        return
    result = expr.evaluate({"x": 1, "a b": [1, 2], "item": {"x": 2}})
    assert result.failure is None or isinstance(result.failure, str)
    to_json(result.value)


numbers = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=6
)


def ev(expr: str, **variables: Any) -> Any:
    result = compile_expression(expr).evaluate(variables)
    assert result.failure is None
    return result.value


@FAST
@given(numbers, numbers)
def test_addition_and_multiplication_commute(a: Decimal, b: Decimal) -> None:
    assert ev("a + b = b + a", a=a, b=b) is True
    assert ev("a * b = b * a", a=a, b=b) is True


@FAST
@given(numbers, numbers, numbers)
def test_addition_is_associative_and_subtraction_inverts(
    a: Decimal, b: Decimal, c: Decimal
) -> None:
    assert ev("(a + b) + c = a + (b + c)", a=a, b=b, c=c) is True
    assert ev("(a + b) - b = a", a=a, b=b) is True


@FAST
@given(numbers)
def test_identities(a: Decimal) -> None:
    assert ev("a + 0 = a and a * 1 = a and -(-a) = a and a ** 1 = a", a=a) is True


@FAST
@given(numbers, numbers)
def test_comparison_is_a_total_order(a: Decimal, b: Decimal) -> None:
    lt, eq, gt = ev("[a < b, a = b, a > b]", a=a, b=b)
    assert [lt, eq, gt].count(True) == 1
    assert ev("(a <= b) = not(a > b)", a=a, b=b) is True
    assert ev("(a != b) = not(a = b)", a=a, b=b) is True


@FAST
@given(numbers, numbers, numbers)
def test_between_matches_comparisons(x: Decimal, a: Decimal, b: Decimal) -> None:
    assert ev("(x between a and b) = (x >= a and x <= b)", x=x, a=a, b=b) is True
    assert ev("(x in [a..b]) = (x >= a and x <= b)", x=x, a=a, b=b) in (True, None)


@FAST
@given(st.text(max_size=20), st.text(max_size=20))
def test_string_concatenation_length(a: str, b: str) -> None:
    assert ev("string length(a + b) = string length(a) + string length(b)", a=a, b=b) is True


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(json_values)
def test_json_values_round_trip(value: Any) -> None:
    assert to_json(ev("x", x=value)) == value
    assert ev("x = y", x=value, y=value) is True


@FAST
@given(st.booleans() | st.none(), st.booleans() | st.none())
def test_three_valued_logic_de_morgan(a: bool | None, b: bool | None) -> None:
    assert ev("not(a and b)", a=a, b=b) == ev("not(a) or not(b)", a=a, b=b)
    assert ev("a and b", a=a, b=b) == ev("b and a", a=a, b=b)


ARGUMENTS = [
    "null",
    "1",
    "-2.5",
    "0",
    '"abc"',
    '""',
    "true",
    "[1, 2]",
    "[]",
    "{a: 1}",
    '@"2024-01-01"',
    '@"10:00:00"',
    '@"2024-01-01T10:00:00@Europe/Paris"',
    '@"P1D"',
    '@"P1Y"',
    "[1..5]",
    "function(x) x",
    '"[0-9]+"',
    "999999999999",
]


def _builtin_names() -> list[str]:
    from zeebind.feel.builtins import BUILTINS, load

    load()
    return sorted(BUILTINS)


@FAST
@given(st.sampled_from(_builtin_names()), st.lists(st.sampled_from(ARGUMENTS), max_size=4))
def test_builtins_never_fail_internally(name: str, args: list[str]) -> None:
    result = compile_expression(f"{name}({', '.join(args)})").evaluate({})
    assert result.failure is None or "internal error" not in result.failure, result.failure
