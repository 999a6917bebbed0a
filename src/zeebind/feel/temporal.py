"""Parsing and arithmetic of FEEL dates, times, date-times and durations."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any

from zeebind.feel.values import YearsMonthsDuration

_DATE = re.compile(r"(-?\d{4,9})-(\d{2})-(\d{2})")
_TIME = re.compile(
    r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|z|[+-]\d{2}:\d{2}(?::\d{2})?|[+-]\d{4}|@[A-Za-z][A-Za-z0-9_+\-/]*|\[[A-Za-z][A-Za-z0-9_+\-/]*\])?"
)
_DATE_TIME_START = re.compile(r"-?\d{4,9}-\d{2}-\d{2}T")
_OFFSET_ZONE = re.compile(r"([+-]\d{2}:\d{2})\[([A-Za-z][A-Za-z0-9_+\-/]*)\]")
_DURATION = re.compile(
    r"(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d*))?S)?)?"
)


class TemporalError(ValueError):
    pass


@lru_cache(maxsize=256)
def zone(key: str) -> dt.tzinfo:
    if key in ("Z", "UTC", "z"):
        return dt.UTC if key != "UTC" else zoneinfo.ZoneInfo("UTC")
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise TemporalError(f"unknown time zone '{key}'") from err


def offset_zone(text: str) -> dt.tzinfo:
    sign = -1 if text[0] == "-" else 1
    body = text[1:].replace(":", "")
    hours, minutes = int(body[0:2]), int(body[2:4])
    seconds = int(body[4:6]) if len(body) >= 6 else 0
    if hours > 18 or minutes > 59 or seconds > 59:
        raise TemporalError(f"invalid offset '{text}'")
    delta = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if delta == dt.timedelta(0):
        return dt.UTC
    return dt.timezone(sign * delta)


def _tz(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text in ("Z", "z"):
        return dt.UTC
    if text[0] == "@":
        return zone(text[1:])
    if text[0] == "[":
        return zone(text[1:-1])
    return offset_zone(text)


def _micros(fraction: str | None) -> int:
    if not fraction:
        return 0
    return int((fraction + "000000")[:6])


def parse_date(text: str) -> dt.date:
    m = _DATE.fullmatch(text)
    if not m:
        raise TemporalError(f"invalid date '{text}'")
    year = int(m.group(1))
    if len(m.group(1).lstrip("-")) > 4 and m.group(1).lstrip("-")[0] == "0":
        raise TemporalError(f"invalid date '{text}'")
    try:
        return dt.date(year, int(m.group(2)), int(m.group(3)))
    except ValueError as err:
        raise TemporalError(f"invalid date '{text}': {err}") from None


def parse_time(text: str) -> dt.time:
    m = _TIME.fullmatch(text)
    if not m or m.group(3) is None:
        raise TemporalError(f"invalid time '{text}'")
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if hour == 24 and minute == 0 and second == 0 and not m.group(4):
        hour = 0
    try:
        return dt.time(hour, minute, second, _micros(m.group(4)), tzinfo=_tz(m.group(5)))
    except ValueError as err:
        raise TemporalError(f"invalid time '{text}': {err}") from None


def parse_date_time(text: str) -> dt.datetime:
    if "T" not in text:
        if _DATE.fullmatch(text):
            date = parse_date(text)
            return dt.datetime(date.year, date.month, date.day)
        raise TemporalError(f"invalid date and time '{text}'")
    date_text, time_text = text.split("T", 1)
    date = parse_date(date_text)
    m = _OFFSET_ZONE.search(time_text)
    if m:  # 2020-01-01T10:00:00+01:00[Europe/Paris]: the zone wins
        time_text = time_text[: m.start()] + "[" + m.group(2) + "]"
    m2 = _TIME.fullmatch(time_text)
    if not m2 or m2.group(3) is None:
        raise TemporalError(f"invalid date and time '{text}'")
    hour, minute, second = int(m2.group(1)), int(m2.group(2)), int(m2.group(3))
    extra_day = False
    if hour == 24 and minute == 0 and second == 0 and not m2.group(4):
        hour, extra_day = 0, True
    try:
        value = dt.datetime(
            date.year,
            date.month,
            date.day,
            hour,
            minute,
            second,
            _micros(m2.group(4)),
            tzinfo=_tz(m2.group(5)),
        )
    except ValueError as err:
        raise TemporalError(f"invalid date and time '{text}': {err}") from None
    if extra_day:
        value += dt.timedelta(days=1)
    return value


def parse_duration(text: str) -> dt.timedelta | YearsMonthsDuration:
    m = _DURATION.fullmatch(text)
    if not m:
        raise TemporalError(f"invalid duration '{text}'")
    sign, years, months, weeks, days, hours, minutes, seconds, fraction = m.groups()
    negative = sign == "-"
    if years is not None or months is not None:
        if any(g is not None for g in (weeks, days, hours, minutes, seconds)):
            raise TemporalError(f"invalid duration '{text}': mixes years/months with days/time")
        total = int(years or 0) * 12 + int(months or 0)
        return YearsMonthsDuration(-total if negative else total)
    try:
        value = dt.timedelta(
            weeks=int(weeks or 0),
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=_micros(fraction),
        )
    except OverflowError:
        raise TemporalError(f"duration out of range '{text}'") from None
    return -value if negative else value


def parse_temporal(text: str) -> Any:
    """The value of an ``@"..."`` literal."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if _DATE_TIME_START.match(text):
        return parse_date_time(text)
    if _DATE.fullmatch(text):
        return parse_date(text)
    return parse_time(text)


# --- arithmetic -----------------------------------------------------------------------------------


def add_months(value: dt.date, months: int) -> dt.date:
    """Java-style ``plusMonths``: the day is clamped to the length of the target month."""
    index = value.year * 12 + (value.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise TemporalError("date out of range")
    day = min(value.day, calendar.monthrange(year, month0 + 1)[1])
    return value.replace(year=year, month=month0 + 1, day=day)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (Java ``Period.between`` semantics)."""
    total = (end.year - start.year) * 12 + (end.month - start.month)
    end_day = (end.day, _time_key(end))
    start_day = (start.day, _time_key(start))
    if total > 0 and end_day < start_day:
        total -= 1
    elif total < 0 and end_day > start_day:
        total += 1
    return total


def _time_key(value: dt.date) -> tuple[int, ...]:
    if isinstance(value, dt.datetime):
        return (value.hour, value.minute, value.second, value.microsecond)
    return (0,)


def time_to_seconds(value: dt.time) -> Decimal:
    return Decimal(value.hour * 3600 + value.minute * 60 + value.second) + Decimal(
        value.microsecond
    ) / Decimal(1_000_000)


def time_offset(value: dt.time) -> dt.timedelta | None:
    tz = value.tzinfo
    if tz is None:
        return None
    offset = tz.utcoffset(dt.datetime(1970, 1, 1, value.hour, value.minute, tzinfo=tz))
    return offset


def time_as_utc_seconds(value: dt.time) -> float:
    base = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    offset = time_offset(value)
    if offset is not None:
        base -= offset.total_seconds()
    return base


def add_to_time(value: dt.time, delta: dt.timedelta) -> dt.time:
    anchor = dt.datetime(2000, 1, 1, value.hour, value.minute, value.second, value.microsecond)
    moved = anchor + delta
    return moved.time().replace(tzinfo=value.tzinfo)


def last_day_of_month(value: dt.date) -> dt.date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def duration_seconds(value: dt.timedelta) -> Decimal:
    return Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds) / Decimal(
        1_000_000
    )


def seconds_to_duration(seconds: Decimal) -> dt.timedelta:
    micros = int((seconds * 1_000_000).to_integral_value())
    return dt.timedelta(microseconds=micros)
