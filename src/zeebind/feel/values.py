"""The FEEL value model and conversions from/to JSON-compatible Python values.

FEEL value          Python representation
------------------  -----------------------------------------------------------------------------
null                ``None``
boolean             ``bool``
number              ``decimal.Decimal`` (34 significant digits, half-even; see ``NUMBER_CONTEXT``)
string              ``str``
list                ``list``
context             ``dict[str, value]`` (insertion ordered)
date                ``datetime.date``
time                ``datetime.time`` (naive = local time; tzinfo = offset or zone id)
date and time       ``datetime.datetime`` (naive = local date-time; tzinfo = offset or zone id)
days-time duration  ``datetime.timedelta``
years-months dur.   ``YearsMonthsDuration``
range               ``Range``
function            ``FeelFunction``
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext

NUMBER_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


@dataclass(frozen=True, slots=True)
class YearsMonthsDuration:
    months: int

    def __str__(self) -> str:
        return format_years_months(self)


@dataclass(frozen=True, slots=True)
class Range:
    start: Any  # None with start_included=False and unbounded=True: open start
    end: Any
    start_included: bool
    end_included: bool
    start_unbounded: bool = False
    end_unbounded: bool = False
    test: str = ""  # "=" or "!=": the unary test `= x` / `!= x` as a value


class InvocationError(Exception):
    """A built-in rejected its arguments: the call yields null and a warning."""


@dataclass(slots=True)
class Overload:
    params: tuple[str, ...]
    fn: Callable[..., Any]  # fn(ctx, *args)
    required: int = -1  # number of required params (-1: all)
    variadic: bool = False  # the last parameter collects the remaining positional arguments

    def accepts(self, count: int) -> bool:
        required = len(self.params) if self.required < 0 else self.required
        if self.variadic:
            return count >= required
        return required <= count <= len(self.params)


@dataclass(slots=True)
class FeelFunction:
    name: str
    overloads: list[Overload] = field(default_factory=list)
    builtin: bool = False

    def __repr__(self) -> str:
        return f"FeelFunction({self.name!r})"


def type_name(value: Any) -> str:
    """The Zeebe-style type name of a FEEL value (``'NUMBER'``, ``'DATE_TIME'``, ...)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, Decimal | int | float):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list | tuple):
        return "LIST"
    if isinstance(value, dict):
        return "CONTEXT"
    if isinstance(value, dt.datetime):
        return "DATE_TIME"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, dt.time):
        return "TIME"
    if isinstance(value, dt.timedelta):
        return "DAYS_TIME_DURATION"
    if isinstance(value, YearsMonthsDuration):
        return "YEARS_MONTHS_DURATION"
    if isinstance(value, FeelFunction):
        return "FUNCTION"
    if isinstance(value, Range):
        return "RANGE"
    if isinstance(value, Mapping):
        return "CONTEXT"
    return "UNKNOWN"


def number(value: int | float | Decimal | str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def from_python(value: Any) -> Any:
    """A JSON-compatible (or already FEEL) Python value as a FEEL value."""
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return Decimal(repr(value))
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not any(
            _needs_conversion(v) for v in value.values()
        ):
            return value
        return {str(k): from_python(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if isinstance(value, list) and not any(_needs_conversion(v) for v in value):
            return value
        return [from_python(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): from_python(value[k]) for k in value}
    return value


def _needs_conversion(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | tuple):
        return True
    if isinstance(value, dict):
        return any(_needs_conversion(v) for v in value.values())
    if isinstance(value, list):
        return any(_needs_conversion(v) for v in value)
    return isinstance(value, Mapping)


def to_json(value: Any) -> Any:
    """A FEEL value as JSON-compatible Python (numbers as int/float, temporals as FEEL strings)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value == value.to_integral_value():
            whole = int(value)
            if -(2**63) <= whole < 2**63:  # a Java long, as Zeebe writes it; else a double
                return whole
        return float(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, FeelFunction):
        return None
    return to_string(value)


# --- string forms ---------------------------------------------------------------------------------


def format_number(value: Decimal) -> str:
    """Plain notation, never an exponent (``1E+2`` is ``100``)."""
    if not value.is_finite():
        return str(value)
    return format(value, "f")


def format_offset(offset: dt.timedelta) -> str:
    if offset == dt.timedelta(0):
        return "Z"
    total = int(offset.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    if seconds:
        text += f":{seconds:02d}"
    return text


def zone_key(tz: dt.tzinfo | None) -> str | None:
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else None


def format_time_of_day(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def format_date(value: dt.date) -> str:
    year = value.year
    if year > 9999:
        return f"+{year}-{value.month:02d}-{value.day:02d}"
    return f"{year:04d}-{value.month:02d}-{value.day:02d}"


def format_time(value: dt.time) -> str:
    text = format_time_of_day(value)
    if value.tzinfo is None:
        return text
    key = zone_key(value.tzinfo)
    if key is not None:
        return f"{text}@{key}"
    offset = value.utcoffset()
    return text + (format_offset(offset) if offset is not None else "")


def format_date_time(value: dt.datetime, zone_style: str = "@") -> str:
    text = f"{format_date(value)}T{format_time_of_day(value)}"
    if value.tzinfo is None:
        return text
    key = zone_key(value.tzinfo)
    offset = value.utcoffset()
    if key is not None:
        if zone_style == "@":
            return f"{text}@{key}"
        return f"{text}{format_offset(offset or dt.timedelta(0))}[{key}]"
    return text + (format_offset(offset) if offset is not None else "")


def format_days_time(value: dt.timedelta) -> str:
    micros = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    seconds, frac = divmod(micros, 1_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = "P"
    if days:
        text += f"{days}D"
    time_part = ""
    if hours:
        time_part += f"{hours}H"
    if minutes:
        time_part += f"{minutes}M"
    if seconds or frac:
        time_part += str(seconds)
        if frac:
            time_part += f".{frac:06d}".rstrip("0")
        time_part += "S"
    if time_part:
        text += "T" + time_part
    if text == "P":
        return "P0D"
    return sign + text


def format_years_months(value: YearsMonthsDuration) -> str:
    months = value.months
    sign = "-" if months < 0 else ""
    years, months = divmod(abs(months), 12)
    if not years and not months:
        return "P0Y"
    text = "P"
    if years:
        text += f"{years}Y"
    if months:
        text += f"{months}M"
    return sign + text


def to_string(value: Any) -> str:
    """The FEEL ``string()`` form of a value (strings unquoted)."""
    if isinstance(value, str):
        return value
    return format_value(value)


def format_value(value: Any) -> str:
    """The FEEL text form of a value, as used in messages (strings quoted)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}:{format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, dt.datetime):
        return format_date_time(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return format_time(value)
    if isinstance(value, dt.timedelta):
        return format_days_time(value)
    if isinstance(value, YearsMonthsDuration):
        return format_years_months(value)
    if isinstance(value, Range):
        return format_range(value)
    if isinstance(value, FeelFunction):
        params = value.overloads[0].params if value.overloads else ()
        return f"function({', '.join(params)})"
    return str(value)


def format_range(value: Range) -> str:
    if value.test:
        return f"{value.test} {format_value(value.start)}"
    if value.start_unbounded:
        return ("<=" if value.end_included else "<") + " " + format_value(value.end)
    if value.end_unbounded:
        return (">=" if value.start_included else ">") + " " + format_value(value.start)
    opener = "[" if value.start_included else "("
    closer = "]" if value.end_included else ")"
    return f"{opener}{format_value(value.start)}..{format_value(value.end)}{closer}"


def call_function(ctx: EvalContext, fn: FeelFunction, args: list[Any]) -> Any:
    from zeebind.feel.evaluator import invoke

    return invoke(ctx, fn, args, None)
