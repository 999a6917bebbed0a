"""The FEEL built-in function library (DMN 1.5 standard functions and Camunda extensions).

Each implementation takes the ``EvalContext`` first and the argument values after it. Arguments of
the wrong type raise ``InvocationError``: the call then yields null plus a
``FUNCTION_INVOCATION_FAILURE`` warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zeebind.feel import temporal
from zeebind.feel.values import (
    NUMBER_CONTEXT,
    FeelFunction,
    InvocationError,
    Overload,
    YearsMonthsDuration,
    format_value,
    to_string,
    type_name,
)

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext

C = NUMBER_CONTEXT
BUILTINS: dict[str, FeelFunction] = {}

Impl = Callable[..., Any]


def builtin(
    name: str, params: str = "", required: int = -1, variadic: bool = False
) -> Callable[[Impl], Impl]:
    """Registers an overload of built-in ``name``; ``params`` are comma-separated names."""

    def register(fn: Impl) -> Impl:
        function = BUILTINS.setdefault(name, FeelFunction(name, [], builtin=True))
        names = tuple(p.strip() for p in params.split(",")) if params else ()
        function.overloads.append(Overload(names, fn, required, variadic))
        return fn

    return register


def alias(name: str, target: str) -> None:
    BUILTINS[name] = FeelFunction(name, BUILTINS[target].overloads, builtin=True)


# --- argument checks ------------------------------------------------------------------------------


def num(value: Any, what: str = "argument") -> Decimal:
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return value
    raise InvocationError(f"expected number but found '{format_value(value)}' for {what}")


def integer(value: Any, what: str = "argument") -> int:
    n = num(value, what)
    if n != n.to_integral_value():
        raise InvocationError(f"expected an integer but found '{format_value(value)}' for {what}")
    return int(n)


def text(value: Any, what: str = "argument") -> str:
    if isinstance(value, str):
        return value
    raise InvocationError(f"expected string but found '{format_value(value)}' for {what}")


def boolean(value: Any, what: str = "argument") -> bool:
    if isinstance(value, bool):
        return value
    raise InvocationError(f"expected boolean but found '{format_value(value)}' for {what}")


def items(value: Any, what: str = "list") -> list[Any]:
    if isinstance(value, list):
        return value
    raise InvocationError(f"expected list but found '{format_value(value)}' for {what}")


def context(value: Any, what: str = "context") -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise InvocationError(f"expected context but found '{format_value(value)}' for {what}")


def function(value: Any, what: str = "function") -> FeelFunction:
    if isinstance(value, FeelFunction):
        return value
    raise InvocationError(f"expected function but found '{format_value(value)}' for {what}")


def varargs_list(args: tuple[Any, ...]) -> list[Any]:
    """``f(list)`` or ``f(a, b, c)``: the items either way."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    return list(args)


# --- boolean --------------------------------------------------------------------------------------


@builtin("not", "negand")
def _not(ctx: EvalContext, negand: Any) -> Any:
    return (not negand) if isinstance(negand, bool) else None


@builtin("is defined", "value")
def _is_defined(ctx: EvalContext, value: Any) -> Any:
    return True


@builtin("get or else", "value, default")
def _get_or_else(ctx: EvalContext, value: Any, default: Any) -> Any:
    return default if value is None else value


# --- conversion -----------------------------------------------------------------------------------


@builtin("string", "from")
def _string(ctx: EvalContext, value: Any) -> Any:
    if value is None:
        return None
    return to_string(value)


def _parse_number(raw: str, grouping: str | None, decimal_sep: str | None) -> Decimal | None:
    if grouping is not None and grouping not in (" ", ",", "."):
        raise InvocationError(f"invalid grouping separator '{grouping}'")
    if decimal_sep is not None and decimal_sep not in (",", "."):
        raise InvocationError(f"invalid decimal separator '{decimal_sep}'")
    if grouping is not None and grouping == decimal_sep:
        raise InvocationError("the grouping and decimal separators must differ")
    value = raw
    if grouping:
        value = value.replace(grouping, "")
    if decimal_sep and decimal_sep != ".":
        if "." in value:
            return None
        value = value.replace(decimal_sep, ".")
    value = value.strip()
    if not value or not all(c in "0123456789.+-eE" for c in value):
        return None
    try:
        result = Decimal(value)
    except ArithmeticError:
        return None
    return result if result.is_finite() else None


@builtin("number", "from, grouping separator, decimal separator", required=1)
def _number(ctx: EvalContext, value: Any, grouping: Any = None, decimal_sep: Any = None) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return value
    raw = text(value, "from")
    if grouping is not None:
        text(grouping, "grouping separator")
    if decimal_sep is not None:
        text(decimal_sep, "decimal separator")
    return _parse_number(raw, grouping, decimal_sep)


# --- temporal conversion ------------------------------------------------------------------------


def _temporal(parse: Callable[[str], Any], value: str) -> Any:
    try:
        return parse(value)
    except (temporal.TemporalError, ValueError, OverflowError) as err:
        raise InvocationError(str(err)) from None


@builtin("date", "from")
def _date(ctx: EvalContext, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _temporal(temporal.parse_date, text(value, "from"))


@builtin("date", "year, month, day")
def _date3(ctx: EvalContext, year: Any, month: Any, day: Any) -> Any:
    try:
        return dt.date(integer(year, "year"), integer(month, "month"), integer(day, "day"))
    except ValueError as err:
        raise InvocationError(str(err)) from None


@builtin("time", "from")
def _time(ctx: EvalContext, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.timetz()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.date):
        return dt.time(0, 0, tzinfo=None)
    return _temporal(temporal.parse_time, text(value, "from"))


@builtin("time", "hour, minute, second, offset", required=3)
def _time4(ctx: EvalContext, hour: Any, minute: Any, second: Any, offset: Any = None) -> Any:
    sec = num(second, "second")
    whole = int(sec.to_integral_value(rounding="ROUND_FLOOR"))
    micros = int(((sec - whole) * 1_000_000).to_integral_value())
    tz: dt.tzinfo | None = None
    if offset is not None:
        if not isinstance(offset, dt.timedelta):
            raise InvocationError(f"expected a duration offset but found '{format_value(offset)}'")
        if abs(offset) > dt.timedelta(hours=18):
            raise InvocationError("offset out of range")
        tz = dt.UTC if not offset else dt.timezone(offset)
    try:
        return dt.time(integer(hour, "hour"), integer(minute, "minute"), whole, micros, tzinfo=tz)
    except ValueError as err:
        raise InvocationError(str(err)) from None


@builtin("date and time", "from")
def _date_and_time(ctx: EvalContext, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return _temporal(temporal.parse_date_time, text(value, "from"))


@builtin("date and time", "date, time")
def _date_and_time2(ctx: EvalContext, date: Any, time: Any) -> Any:
    if not isinstance(date, dt.date):
        raise InvocationError(f"expected a date but found '{format_value(date)}'")
    if isinstance(time, str):
        try:
            tz = temporal.zone(time)
        except temporal.TemporalError as err:
            raise InvocationError(str(err)) from None
        if isinstance(date, dt.datetime):
            if date.tzinfo is None:
                return date.replace(tzinfo=tz)
            return date.astimezone(tz)
        return dt.datetime(date.year, date.month, date.day, tzinfo=tz)
    if isinstance(time, dt.datetime):
        time = time.timetz()
    if not isinstance(time, dt.time):
        raise InvocationError(f"expected a time but found '{format_value(time)}'")
    return dt.datetime.combine(
        dt.date(date.year, date.month, date.day), time.replace(tzinfo=None), tzinfo=time.tzinfo
    )


@builtin("duration", "from")
def _duration(ctx: EvalContext, value: Any) -> Any:
    if isinstance(value, dt.timedelta | YearsMonthsDuration):
        return value
    return _temporal(temporal.parse_duration, text(value, "from"))


@builtin("years and months duration", "from, to")
def _years_and_months(ctx: EvalContext, start: Any, end: Any) -> Any:
    for v, what in ((start, "from"), (end, "to")):
        if not isinstance(v, dt.date):
            raise InvocationError(f"expected a date but found '{format_value(v)}' for {what}")
    a, b = start, end
    if (
        isinstance(a, dt.datetime)
        and isinstance(b, dt.datetime)
        and a.tzinfo is not None
        and b.tzinfo is not None
    ):
        b = b.astimezone(a.tzinfo)
    return YearsMonthsDuration(temporal.months_between(a, b))


@builtin("now")
def _now(ctx: EvalContext) -> Any:
    return ctx.now()


@builtin("today")
def _today(ctx: EvalContext) -> Any:
    return ctx.now().date()


# --- strings --------------------------------------------------------------------------------------


@builtin("upper case", "string")
def _upper_case(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").upper()


@builtin("lower case", "string")
def _lower_case(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").lower()


@builtin("string length", "string")
def _string_length(ctx: EvalContext, value: Any) -> Any:
    return Decimal(len(text(value, "string")))


def _code_points(value: str) -> list[str]:
    return list(value)


@builtin("substring", "string, start position, length", required=2)
def _substring(ctx: EvalContext, value: Any, start: Any, length: Any = None) -> Any:
    chars = _code_points(text(value, "string"))
    start_n = num(start, "start position")
    if start_n != start_n.to_integral_value():
        start_n = start_n.to_integral_value()
    s = int(start_n)
    n = len(chars)
    if s > 0:
        begin = s - 1
    elif s < 0:
        begin = max(n + s, 0)
    else:
        begin = 0
    if length is None:
        return "".join(chars[begin:])
    count = num(length, "length")
    count_i = int(count.to_integral_value())
    if count_i < 0:
        raise InvocationError("length must not be negative")
    return "".join(chars[begin : begin + count_i])


@builtin("contains", "string, match")
def _contains(ctx: EvalContext, value: Any, match: Any) -> Any:
    return text(match, "match") in text(value, "string")


@builtin("starts with", "string, match")
def _starts_with(ctx: EvalContext, value: Any, match: Any) -> Any:
    return text(value, "string").startswith(text(match, "match"))


@builtin("ends with", "string, match")
def _ends_with(ctx: EvalContext, value: Any, match: Any) -> Any:
    return text(value, "string").endswith(text(match, "match"))


@builtin("substring before", "string, match")
def _substring_before(ctx: EvalContext, value: Any, match: Any) -> Any:
    s, m = text(value, "string"), text(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[:i]


@builtin("substring after", "string, match")
def _substring_after(ctx: EvalContext, value: Any, match: Any) -> Any:
    s, m = text(value, "string"), text(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[i + len(m) :]


@builtin("trim", "string")
def _trim(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").strip()


@builtin("is blank", "string")
def _is_blank(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").strip() == ""


@builtin("uuid")
def _uuid(ctx: EvalContext) -> Any:
    return ctx.new_uuid()


# --- lists ----------------------------------------------------------------------------------------


@builtin("count", "list")
def _count(ctx: EvalContext, value: Any) -> Any:
    return Decimal(len(items(value)))


@builtin("list contains", "list, element")
def _list_contains(ctx: EvalContext, value: Any, element: Any) -> Any:
    from zeebind.feel.operators import equal

    return any(equal(item, element) is True for item in items(value))


@builtin("sum", "list", variadic=True)
def _sum(ctx: EvalContext, *args: Any) -> Any:
    values = varargs_list(args)
    if not values:
        return None
    total = Decimal(0)
    for v in values:
        total = C.add(total, num(v, "list item"))
    return total


__all__ = ["BUILTINS", "builtin", "type_name"]
