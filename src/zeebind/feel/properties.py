"""Paths into values: context entries, lists of contexts, temporal and range properties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zeebind.feel import temporal
from zeebind.feel.values import Range, YearsMonthsDuration, format_value, type_name

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext


def _time_offset(value: dt.time | dt.datetime) -> Any:
    if value.tzinfo is None:
        return None
    if isinstance(value, dt.datetime):
        return value.utcoffset()
    return temporal.time_offset(value)


def _timezone(value: dt.time | dt.datetime) -> Any:
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    return None


def _seconds(value: dt.time | dt.datetime) -> Decimal:
    return Decimal(value.second)


_DATE_PROPS: dict[str, Callable[[Any], Any]] = {
    "year": lambda v: Decimal(v.year),
    "month": lambda v: Decimal(v.month),
    "day": lambda v: Decimal(v.day),
    "weekday": lambda v: Decimal(v.isoweekday()),
}
_TIME_PROPS: dict[str, Callable[[Any], Any]] = {
    "hour": lambda v: Decimal(v.hour),
    "minute": lambda v: Decimal(v.minute),
    "second": _seconds,
    "time offset": _time_offset,
    "timezone": _timezone,
}
_DATE_TIME_PROPS = {**_DATE_PROPS, **_TIME_PROPS}


def _dt_props(v: dt.timedelta) -> dict[str, Any]:
    total = v.days * 86400 + v.seconds
    sign = -1 if total < 0 or (total == 0 and v.microseconds < 0) else 1
    total = abs(total)
    return {
        "days": Decimal(sign * (total // 86400)),
        "hours": Decimal(sign * (total % 86400 // 3600)),
        "minutes": Decimal(sign * (total % 3600 // 60)),
        "seconds": Decimal(sign * (total % 60)),
    }


def properties(value: Any) -> dict[str, Callable[[Any], Any]] | None:
    if isinstance(value, dt.datetime):
        return _DATE_TIME_PROPS
    if isinstance(value, dt.date):
        return _DATE_PROPS
    if isinstance(value, dt.time):
        return _TIME_PROPS
    return None


# property names in the order feel-scala lists them in its "Available properties" message
_AVAILABLE = {
    "DATE": ("year", "month", "day", "weekday"),
    "TIME": ("timezone", "second", "time offset", "minute", "hour"),
    "DATE_TIME": (
        "timezone",
        "year",
        "second",
        "month",
        "day",
        "time offset",
        "weekday",
        "minute",
        "hour",
    ),
    "DAYS_TIME_DURATION": ("days", "hours", "minutes", "seconds"),
    "YEARS_MONTHS_DURATION": ("years", "months"),
    "RANGE": ("start", "end", "start included", "end included"),
}


def path_get(ctx: EvalContext, value: Any, name: str) -> Any:
    if value is None:
        ctx.warn(
            "NO_CONTEXT_ENTRY_FOUND",
            f"No context entry found with key '{name}'. The context is null",
        )
        return None
    if isinstance(value, Mapping):
        if name in value:
            return value[name]
        keys = ", ".join(f"'{k}'" for k in value)
        detail = f"Available keys: {keys}" if keys else "The context is empty"
        ctx.warn("NO_CONTEXT_ENTRY_FOUND", f"No context entry found with key '{name}'. {detail}")
        return None
    if isinstance(value, list):
        return [path_get(ctx, item, name) for item in value]
    props = properties(value)
    if props is not None:
        getter = props.get(name)
        if getter is not None:
            return getter(value)
    elif isinstance(value, dt.timedelta):
        entries = _dt_props(value)
        if name in entries:
            return entries[name]
    elif isinstance(value, YearsMonthsDuration):
        sign = -1 if value.months < 0 else 1
        if name == "years":
            return Decimal(sign * (abs(value.months) // 12))
        if name == "months":
            return Decimal(sign * (abs(value.months) % 12))
    elif isinstance(value, Range):
        if name == "start":
            return value.start
        if name == "end":
            return value.end
        if name == "start included":
            return value.start_included
        if name == "end included":
            return value.end_included
    message = f"No property found with name '{name}' of value '{format_value(value)}'"
    available = _AVAILABLE.get(type_name(value))
    if available:
        message += ". Available properties: " + ", ".join(f"'{p}'" for p in available)
    ctx.warn("NO_PROPERTY_FOUND", message)
    return None
