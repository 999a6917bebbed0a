"""The direct input-entry matchers agree with FEEL unary tests wherever they decide."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from zeebind.dmn.simple_tests import simple_test
from zeebind.feel import compile_unary_tests

ENTRIES = [
    '"a"',
    '"a", "b"',
    '""',
    "5",
    "-2.5",
    "< 5",
    "<= 5",
    "> -1",
    ">= 5.0",
    "[1..5]",
    "(1..5)",
    "]1..5[",
    "[1..5)",
]
INPUTS: list[Any] = [
    "a",
    "b",
    "",
    Decimal(5),
    Decimal("5.0"),
    Decimal(1),
    Decimal("-2.5"),
    Decimal(0),
    Decimal(7),
    None,
    True,
    [Decimal(5)],
]


@pytest.mark.parametrize(("entry", "value"), list(itertools.product(ENTRIES, INPUTS)))
def test_agrees_with_feel(entry: str, value: Any) -> None:
    matcher = simple_test(entry)
    assert matcher is not None
    decided = matcher(value)
    if decided is not None:
        assert decided is compile_unary_tests(entry).matches(value).value


@pytest.mark.parametrize("entry", ["x", "not(5)", '"a\\"b"', "< x", "[1..x]", 'date("2020-01-01")'])
def test_other_entries_are_left_to_feel(entry: str) -> None:
    assert simple_test(entry) is None


def test_only_inputs_of_the_entrys_type_are_decided() -> None:
    matcher = simple_test('"a"')
    assert matcher is not None
    assert matcher(None) is None
    assert matcher(Decimal(1)) is None
