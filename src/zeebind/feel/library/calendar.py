"""Temporal built-ins: now, today, day of year, day of week, month of year, week of year, ..."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zeebind.feel import temporal
from zeebind.feel.builtins import InvocationError, builtin, integer
from zeebind.feel.values import YearsMonthsDuration, format_value

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    raise InvocationError(f"expected date but found '{format_value(value)}'")


@builtin("now")
def _now(ctx: EvalContext) -> Any:
    return ctx.now()


@builtin("today")
def _today(ctx: EvalContext) -> Any:
    return ctx.now().date()


@builtin("day of year", "date")
def _day_of_year(ctx: EvalContext, value: Any) -> Any:
    return Decimal(_date(value).timetuple().tm_yday)


@builtin("day of week", "date")
def _day_of_week(ctx: EvalContext, value: Any) -> Any:
    return _WEEKDAYS[_date(value).weekday()]


@builtin("month of year", "date")
def _month_of_year(ctx: EvalContext, value: Any) -> Any:
    return _MONTHS[_date(value).month - 1]


@builtin("week of year", "date")
def _week_of_year(ctx: EvalContext, value: Any) -> Any:
    return Decimal(_date(value).isocalendar()[1])


@builtin("last day of month", "date")
def _last_day_of_month(ctx: EvalContext, value: Any) -> Any:
    d = _date(value)
    day = temporal.last_day_of_month(d if not isinstance(d, dt.datetime) else d.date())
    return day


@builtin("cycle", "interval")
def _cycle(ctx: EvalContext, interval: Any) -> Any:
    """Zeebe's timer-cycle helper: ``cycle(duration("PT1H"))`` is ``"R/PT1H"``."""
    return "R/" + _interval(interval)


@builtin("cycle", "repetitions, interval")
def _cycle_n(ctx: EvalContext, repetitions: Any, interval: Any) -> Any:
    count = integer(repetitions, "repetitions")
    if count < 0:
        raise InvocationError("repetitions must not be negative")
    return f"R{count}/" + _interval(interval)


def _interval(value: Any) -> str:
    if isinstance(value, dt.timedelta | YearsMonthsDuration):
        return format_value(value)
    raise InvocationError(f"expected a duration but found '{format_value(value)}'")
