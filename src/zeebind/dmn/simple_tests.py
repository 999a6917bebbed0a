"""Simple input entries decided without the FEEL evaluator: the common shapes of real tables.

String literals and lists of them, number literals, comparisons with a number and number
intervals are decided directly when the input has the entry's type (a string, a number). Any
other input, and any other entry, returns "undecided" and goes through FEEL unary tests, so the
results are always those of FEEL.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

# A matcher answers True/False, or None when it cannot decide (FEEL decides then).
Matcher = Callable[[Any], bool | None]

_STRINGS = re.compile(r'\s*"[^"\\]*"(?:\s*,\s*"[^"\\]*")*\s*')
_STRING = re.compile(r'"([^"\\]*)"')
_NUMBER = r"-?\d+(?:\.\d+)?"
_NUMBER_LITERAL = re.compile(rf"\s*({_NUMBER})\s*")
_COMPARISON = re.compile(rf"\s*(<=|>=|<|>)\s*({_NUMBER})\s*")
_INTERVAL = re.compile(rf"\s*([\[(\]])\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*([\])\[])\s*")
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _strings(values: frozenset[str]) -> Matcher:
    def match(value: Any) -> bool | None:
        return value in values if type(value) is str else None

    return match


def _number(number: Decimal) -> Matcher:
    def match(value: Any) -> bool | None:
        return value == number if type(value) is Decimal else None

    return match


def _comparison(compare: Callable[[Any, Any], bool], number: Decimal) -> Matcher:
    def match(value: Any) -> bool | None:
        return compare(value, number) if type(value) is Decimal else None

    return match


def _interval(low: Decimal, high: Decimal, low_in: bool, high_in: bool) -> Matcher:
    def match(value: Any) -> bool | None:
        if type(value) is not Decimal:
            return None
        above = value >= low if low_in else value > low
        below = value <= high if high_in else value < high
        return above and below

    return match


@lru_cache(maxsize=4096)
def simple_test(text: str) -> Matcher | None:
    """A direct matcher for the input entry, or None when FEEL must evaluate it."""
    if _STRINGS.fullmatch(text):
        return _strings(frozenset(_STRING.findall(text)))
    found = _NUMBER_LITERAL.fullmatch(text)
    if found:
        return _number(Decimal(found.group(1)))
    found = _COMPARISON.fullmatch(text)
    if found:
        return _comparison(_OPERATORS[found.group(1)], Decimal(found.group(2)))
    found = _INTERVAL.fullmatch(text)
    if found:
        opener, low, high, closer = found.groups()
        return _interval(Decimal(low), Decimal(high), opener == "[", closer == "]")
    return None
