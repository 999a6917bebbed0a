"""Conversion built-ins: string, number, date, time, date and time, duration, JSON."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zeebind.feel import ast, temporal
from zeebind.feel.builtins import (
    InvocationError,
    builtin,
    integer,
    num,
    parameter_names,
    text,
)
from zeebind.feel.errors import FeelSyntaxError
from zeebind.feel.values import (
    FeelFunction,
    Range,
    YearsMonthsDuration,
    format_date_time,
    format_value,
    to_string,
)

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext


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
    if grouping is not None:
        text(grouping, "grouping separator")
    if decimal_sep is not None:
        text(decimal_sep, "decimal separator")
    if grouping is not None and grouping == decimal_sep:
        raise InvocationError("the grouping and decimal separators must differ")
    if value is None:
        return None
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return value
    raw = text(value, "from")
    result = _parse_number(raw, grouping, decimal_sep)
    if result is None:
        raise InvocationError(f"Can't parse '{raw}' as a number")
    return result


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
        return dt.time(0, 0, tzinfo=dt.UTC)
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
    a = start.date() if isinstance(start, dt.datetime) else start
    b = end.date() if isinstance(end, dt.datetime) else end
    return YearsMonthsDuration(temporal.months_between(a, b))


def _from_json(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    return value


@builtin("from json", "value")
def _from_json_fn(ctx: EvalContext, value: Any) -> Any:
    raw = text(value, "value")
    try:
        return json.loads(raw, parse_float=Decimal, parse_int=Decimal, object_hook=None)
    except (json.JSONDecodeError, ValueError):
        raise InvocationError(f"Failed to parse JSON from '{raw}'") from None


def _json_ready(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, FeelFunction):
        return format_value(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return format_date_time(value, zone_style="java")  # 2023-06-14T14:55:00+02:00[Zone]
    return to_string(value)


def _dump(value: Any) -> str:
    if isinstance(value, Decimal):
        text_value = format(value, "f")
        return text_value
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(json.dumps(k) + ":" + _dump(v) for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


@builtin("to json", "value")
def _to_json_fn(ctx: EvalContext, value: Any) -> Any:
    return _dump(_json_ready(value))


@builtin("to base64", "value")
def _to_base64(ctx: EvalContext, value: Any) -> Any:
    return base64.b64encode(text(value, "value").encode()).decode("ascii")


@builtin("from base64", "value")
def _from_base64(ctx: EvalContext, value: Any) -> Any:
    try:
        return base64.b64decode(text(value, "value"), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvocationError(f"Invalid Base64 value '{value}'") from None


@builtin("fromAi", "value, description, type, schema, options", required=1)
def _from_ai(ctx: EvalContext, value: Any, *rest: Any) -> Any:
    return value


@builtin("range", "from")
def _range(ctx: EvalContext, value: Any) -> Any:
    from zeebind.feel.evaluator import Compiler, Scope
    from zeebind.feel.parser import parse_expression

    source = text(value, "from")
    try:
        node = parse_expression(source)
    except FeelSyntaxError as err:
        raise InvocationError(f"invalid range '{source}': {err}") from None
    if not _literal_range(node):
        raise InvocationError(f"invalid range '{source}'")
    result = Compiler(source).compile(node)(Scope(ctx, {}))
    if not isinstance(result, Range) or result.start is None or result.end is None:
        raise InvocationError(f"invalid range '{source}'")
    return result


def _literal_range(node: Any) -> bool:
    if isinstance(node, ast.RangeLiteral):
        ends = [node.start, node.end]
    else:
        return False
    return all(e is None or _endpoint(e) for e in ends)


def _endpoint(node: Any) -> bool:
    if isinstance(node, ast.Literal | ast.TemporalLiteral):
        return True
    if isinstance(node, ast.Call) and isinstance(node.callee, ast.Name):
        return node.callee.name in (
            "date",
            "time",
            "date and time",
            "duration",
        ) and all(isinstance(a, ast.Literal) for a in node.args)
    return False


parameter_names("date and time", "date, timezone")
