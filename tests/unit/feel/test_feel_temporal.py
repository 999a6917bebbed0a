"""Dates, times, date-times, durations: literals, arithmetic, comparison, properties."""

from __future__ import annotations

from typing import Any

import pytest

from zeebind.feel import compile_expression, to_json


def feel(expr: str) -> Any:
    result = compile_expression(expr).evaluate({})
    assert result.failure is None, result.failure
    return to_json(result.value)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('@"2020-01-01"', "2020-01-01"),
        ('@"10:30:00"', "10:30:00"),
        ('@"2020-01-01T10:30:00+01:00"', "2020-01-01T10:30:00+01:00"),
        ('@"2020-01-01T10:30:00[Europe/Paris]"', "2020-01-01T10:30:00@Europe/Paris"),
        ('@"P1Y"', "P1Y"),
        ('@"PT90M"', "PT1H30M"),
        ('date("2024-01-01") + duration("P1D")', "2024-01-02"),
        ('date("2024-01-31") + duration("P1M")', "2024-02-29"),
        ('date("2024-03-01") - date("2024-02-01")', "P29D"),
        ('date and time("2024-01-01T10:00:00") + duration("PT1H")', "2024-01-01T11:00:00"),
        ('date and time("2024-01-01T10:00:00Z") - date and time("2024-01-01T09:00:00Z")', "PT1H"),
        ('date and time("2024-01-01T10:00:00") - date and time("2024-01-01T10:00:00Z")', None),
        ('time("23:00:00") + duration("PT2H")', "01:00:00"),
        ('time("10:00:00") - time("09:30:00")', "PT30M"),
        ('duration("P1D") + duration("PT1H")', "P1DT1H"),
        ('duration("P1Y") + duration("P2M")', "P1Y2M"),
        ('duration("P1Y") + duration("P1D")', None),
        ('duration("PT1H") * 2', "PT2H"),
        ('duration("P1D") / duration("PT1H")', 24),
        ('duration("P1Y") / 2', "P6M"),
        ('date("2020-01-01") < date("2020-01-02")', True),
        ('time("10:00:00+01:00") = time("09:00:00Z")', True),
        ('duration("P1Y") = duration("P12M")', True),
        ('duration("P1D") = duration("PT24H")', True),
        ('duration("P1Y") = duration("P365D")', None),
        ('date and time("2020-01-01T00:00:00") = date("2020-01-01")', False),
        ('date("2024-03-15").month', 3),
        ('date("2024-03-15").weekday', 5),
        ('date and time("2024-03-15T10:20:30+02:00").time offset', "PT2H"),
        ('date and time("2024-03-15T10:20:30@Europe/Paris").timezone', "Europe/Paris"),
        ('time("10:20:30").hour', 10),
        ('duration("P2DT3H").hours', 3),
        ('duration("P2Y3M").years', 2),
        ('years and months duration(date("2020-01-01"), date("2021-03-01"))', "P1Y2M"),
    ],
)
def test_temporal(expr: str, expected: Any) -> None:
    assert feel(expr) == expected


def test_zoned_arithmetic_follows_the_time_line() -> None:
    # 2024-03-31 02:00 does not exist in Paris: one hour after 01:30 is 03:30 local
    assert feel('date and time("2024-03-31T01:30:00@Europe/Paris") + duration("PT1H")') == (
        "2024-03-31T03:30:00@Europe/Paris"
    )


def test_zoned_subtraction_is_elapsed_time() -> None:
    # the clocks in Paris jump from 02:00 to 03:00 on 2024-03-31: 01:00 -> 04:00 is two hours
    assert (
        feel('@"2024-03-31T04:00:00@Europe/Paris" - @"2024-03-31T01:00:00@Europe/Paris"') == "PT2H"
    )
