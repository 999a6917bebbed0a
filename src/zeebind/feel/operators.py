"""FEEL operators on values: equality, ordering and (temporal) arithmetic.

Operations on values of the wrong types raise ``OperationError``; the evaluator turns it into
``null`` plus a warning (Camunda 1.17+ null-friendly semantics).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from zeebind.feel import temporal
from zeebind.feel.values import (
    NUMBER_CONTEXT,
    FeelFunction,
    Range,
    YearsMonthsDuration,
    format_value,
)

C = NUMBER_CONTEXT


class OperationError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)


def _is_number(v: Any) -> bool:
    return isinstance(v, Decimal) and not isinstance(v, bool)


def _kind(v: Any) -> str:
    """A comparability class: values of different classes are never equal/ordered."""
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, Decimal):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dt.datetime):
        return "date-time"
    if isinstance(v, dt.date):
        return "date"
    if isinstance(v, dt.time):
        return "time"
    if isinstance(v, dt.timedelta):
        return "dt-duration"
    if isinstance(v, YearsMonthsDuration):
        return "ym-duration"
    if isinstance(v, list):
        return "list"
    if isinstance(v, Mapping):
        return "context"
    if isinstance(v, Range):
        return "range"
    if isinstance(v, FeelFunction):
        return "function"
    return type(v).__name__


def _not_comparable(a: Any, b: Any) -> OperationError:
    return OperationError(
        "NOT_COMPARABLE", f"Can't compare '{format_value(a)}' with '{format_value(b)}'"
    )


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``=``: ``None`` when the values are of different, non-null types."""
    if a is None or b is None:
        return a is None and b is None
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        # a date and a date-time compare as date-times at midnight (feel-scala); otherwise null
        if {ka, kb} == {"date", "date-time"}:
            return False
        return None
    if ka == "number":
        return bool(a == b)
    if ka in ("string", "boolean", "date", "ym-duration", "dt-duration"):
        return bool(a == b)
    if ka == "date-time":
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        return bool(a == b)
    if ka == "time":
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        if a.tzinfo is None:
            return bool(a == b)
        return temporal.time_as_utc_seconds(a) == temporal.time_as_utc_seconds(b)
    if ka == "list":
        if len(a) != len(b):
            return False
        # entries of different types make the lists unequal (not null), as in feel-scala
        return all(equal(x, y) is True for x, y in zip(a, b, strict=True))
    if ka == "context":
        if set(a.keys()) != set(b.keys()):
            return False
        return all(equal(a[k], b[k]) is True for k in a)
    if ka == "range":
        return (
            a.test == b.test
            and a.start_included == b.start_included
            and a.end_included == b.end_included
            and a.start_unbounded == b.start_unbounded
            and a.end_unbounded == b.end_unbounded
            and equal(a.start, b.start) is True
            and equal(a.end, b.end) is True
        )
    if ka == "function":
        return a is b
    return bool(a == b)


def compare(a: Any, b: Any) -> int:
    """Order two values (-1, 0, 1); raises ``OperationError`` when they are not comparable."""
    if a is None or b is None:
        raise _not_comparable(a, b)
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        raise _not_comparable(a, b)
    if ka in ("number", "string", "date", "ym-duration", "dt-duration"):
        if ka == "ym-duration":
            a, b = a.months, b.months
        return -1 if a < b else (1 if a > b else 0)
    if ka == "date-time":
        if (a.tzinfo is None) != (b.tzinfo is None):
            raise _not_comparable(a, b)
        return -1 if a < b else (1 if a > b else 0)
    if ka == "time":
        if (a.tzinfo is None) != (b.tzinfo is None):
            raise _not_comparable(a, b)
        x = temporal.time_as_utc_seconds(a)
        y = temporal.time_as_utc_seconds(b)
        return -1 if x < y else (1 if x > y else 0)
    raise _not_comparable(a, b)


def _invalid(op: str, a: Any, b: Any) -> OperationError:
    verbs = {
        "+": ("add", "to"),
        "-": ("subtract", "from"),
        "*": ("multiply", "by"),
        "/": ("divide", "by"),
        "**": ("exponentiate", "by"),
    }
    verb, prep = verbs[op]
    if op == "+" or op == "-":
        first, second = (b, a)
    else:
        first, second = (a, b)
    return OperationError(
        "INVALID_TYPE", f"Can't {verb} '{format_value(first)}' {prep} '{format_value(second)}'"
    )


def add(a: Any, b: Any) -> Any:
    if a is None or b is None:
        if a is None and b is None:
            return None
        raise _invalid("+", a, b)
    if _is_number(a) and _is_number(b):
        return C.add(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    return _temporal_add(a, b, "+")


def subtract(a: Any, b: Any) -> Any:
    if a is None or b is None:
        if a is None and b is None:
            return None
        raise _invalid("-", a, b)
    if _is_number(a) and _is_number(b):
        return C.subtract(a, b)
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            raise _invalid("-", a, b)
        if a.tzinfo is not None:
            # on the time line (Python would use wall-clock time within one zone across DST)
            return a.astimezone(dt.UTC) - b.astimezone(dt.UTC)
        return a - b
    if (isinstance(a, dt.datetime) and type(b) is dt.date) or (
        type(a) is dt.date and isinstance(b, dt.datetime)
    ):
        # the date is midnight UTC; a local date-time has no place on the time line
        other = a if isinstance(a, dt.datetime) else b
        if not isinstance(other, dt.datetime) or other.tzinfo is None:
            raise _invalid("-", a, b)
        return _as_date_time(a) - _as_date_time(b)
    if type(a) is dt.date and type(b) is dt.date:
        return dt.timedelta(days=(a - b).days)
    if isinstance(a, dt.time) and isinstance(b, dt.time):
        if (a.tzinfo is None) != (b.tzinfo is None):
            raise _invalid("-", a, b)
        if a.tzinfo is None:
            sa = temporal.time_to_seconds(a)
            sb = temporal.time_to_seconds(b)
        else:
            sa = Decimal(repr(temporal.time_as_utc_seconds(a)))
            sb = Decimal(repr(temporal.time_as_utc_seconds(b)))
        return temporal.seconds_to_duration(sa - sb)
    return _temporal_add(a, b, "-")


def _as_date_time(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _temporal_add(a: Any, b: Any, op: str) -> Any:
    sign = 1 if op == "+" else -1
    try:
        if isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta):
            return a + b if sign > 0 else a - b
        if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
            return YearsMonthsDuration(a.months + sign * b.months)
        # temporal +/- duration (and duration + temporal for '+')
        if op == "+" and isinstance(a, dt.timedelta | YearsMonthsDuration):
            a, b = b, a
        if isinstance(b, YearsMonthsDuration):
            if isinstance(a, dt.datetime):
                return temporal.add_months(a, sign * b.months)
            if isinstance(a, dt.date):
                return temporal.add_months(a, sign * b.months)
        if isinstance(b, dt.timedelta):
            if isinstance(a, dt.datetime):
                return _add_exact(a, sign * b)
            if isinstance(a, dt.date):
                moved = dt.datetime(a.year, a.month, a.day) + sign * b
                return moved.date()
            if isinstance(a, dt.time):
                return temporal.add_to_time(a, sign * b)
    except (OverflowError, temporal.TemporalError):
        raise OperationError("INVALID_TYPE", "temporal value out of range") from None
    raise _invalid(op, a, b)


def _add_exact(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Adds an exact duration (zoned date-times move on the time line, like Java)."""
    tz = value.tzinfo
    if tz is None or isinstance(tz, dt.timezone):
        return value + delta
    return (value.astimezone(dt.UTC) + delta).astimezone(tz)


def multiply(a: Any, b: Any) -> Any:
    if a is None or b is None:
        if a is None and b is None:
            return None
        raise _invalid("*", a, b)
    if _is_number(a) and _is_number(b):
        return C.multiply(a, b)
    if _is_number(a) and isinstance(b, dt.timedelta | YearsMonthsDuration):
        a, b = b, a
    if isinstance(a, dt.timedelta) and _is_number(b):
        return temporal.seconds_to_duration(C.multiply(temporal.duration_seconds(a), b))
    if isinstance(a, YearsMonthsDuration) and _is_number(b):
        months = C.multiply(Decimal(a.months), b)
        return YearsMonthsDuration(int(months.to_integral_value(rounding=decimal.ROUND_DOWN)))
    raise _invalid("*", a, b)


def divide(a: Any, b: Any) -> Any:
    if a is None or b is None:
        if a is None and b is None:
            return None
        raise _invalid("/", a, b)
    if _is_number(a) and _is_number(b):
        if b == 0:
            raise OperationError("INVALID_TYPE", f"Can't divide '{format_value(a)}' by zero")
        return C.divide(a, b)
    if isinstance(a, dt.timedelta) and _is_number(b):
        if b == 0:
            raise OperationError("INVALID_TYPE", "Can't divide a duration by zero")
        return temporal.seconds_to_duration(C.divide(temporal.duration_seconds(a), b))
    if isinstance(a, YearsMonthsDuration) and _is_number(b):
        if b == 0:
            raise OperationError("INVALID_TYPE", "Can't divide a duration by zero")
        months = C.divide(Decimal(a.months), b)
        return YearsMonthsDuration(int(months.to_integral_value(rounding=decimal.ROUND_DOWN)))
    if isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta):
        if not b:
            raise OperationError("INVALID_TYPE", "Can't divide a duration by zero")
        return C.divide(temporal.duration_seconds(a), temporal.duration_seconds(b))
    if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
        if not b.months:
            raise OperationError("INVALID_TYPE", "Can't divide a duration by zero")
        return C.divide(Decimal(a.months), Decimal(b.months))
    raise _invalid("/", a, b)


def power(a: Any, b: Any) -> Any:
    if a is None or b is None:
        if a is None and b is None:
            return None
        raise _invalid("**", a, b)
    if _is_number(a) and _is_number(b):
        try:
            if b == b.to_integral_value():
                exponent = int(b)
                if abs(exponent) > 999_999_999:
                    raise OperationError("INVALID_TYPE", "exponent out of range")
                if a == 0 and exponent < 0:
                    raise OperationError("INVALID_TYPE", "Can't divide by zero")
                return C.power(a, exponent)
            if a < 0:
                raise OperationError("INVALID_TYPE", "Can't raise a negative number to a fraction")
            return C.power(a, b)
        except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
            raise OperationError("INVALID_TYPE", "number out of range") from None
    raise _invalid("**", a, b)


def negate(a: Any) -> Any:
    if a is None:
        return None
    if _is_number(a):
        return C.minus(a)
    if isinstance(a, dt.timedelta):
        return -a
    if isinstance(a, YearsMonthsDuration):
        return YearsMonthsDuration(-a.months)
    raise OperationError("INVALID_TYPE", f"Can't negate '{format_value(a)}'")


ARITHMETIC = {"+": add, "-": subtract, "*": multiply, "/": divide, "**": power}
