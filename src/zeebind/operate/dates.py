"""Operate's date format (`2023-03-21T08:25:04.499+0000`) and its date-math rounding filters."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_PATTERN = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
# Elasticsearch date math rounding, as Operate passes it through: `<date>||/d` = that day.
_ROUNDING = ("y", "M", "w", "d", "h", "m", "s")
_STEPS = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000}  # ms; all in UTC


def format_date(epoch_ms: int) -> str:
    """Epoch milliseconds as Operate writes dates (always UTC, colon-less offset)."""
    moment = dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}+0000"


def parse_date(text: str) -> int:
    """Operate's date format (also with `Z`, `+00:00` or no offset) as epoch ms; ValueError."""
    match = _PATTERN.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a date like 2023-03-21T08:25:04.499+0000")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or "0").ljust(3, "0")[:3]
    offset = match.group(8) or "Z"
    moment = dt.datetime(year, month, day, hour, minute, second, int(fraction) * 1000, dt.UTC)
    if offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment -= sign * delta
    return int(calendar.timegm(moment.timetuple())) * 1000 + moment.microsecond // 1000


def date_range(text: str) -> tuple[int, int]:
    """The [start, end) epoch-ms range a date filter matches: one instant, or a rounded unit."""
    base, _, rounding = text.partition("||/")
    start = parse_date(base)
    if not rounding:
        return start, start + 1
    if rounding not in _ROUNDING:
        raise ValueError(f"'{rounding}' is not a date rounding; use one of y, M, w, d, h, m, s")
    moment = dt.datetime.fromtimestamp(start / 1000, dt.UTC)
    if rounding == "y":
        low = moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        high = low.replace(year=low.year + 1)
    elif rounding == "M":
        low = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        high = (
            low.replace(year=low.year + 1, month=1)
            if low.month == 12
            else low.replace(month=low.month + 1)
        )
    elif rounding == "w":
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        low = day - dt.timedelta(days=day.weekday())
        high = low + dt.timedelta(weeks=1)
    else:
        step = _STEPS[rounding]
        low = dt.datetime.fromtimestamp((start // step) * step / 1000, dt.UTC)
        high = low + dt.timedelta(milliseconds=step)
    return _ms(low), _ms(high)


def _ms(moment: dt.datetime) -> int:
    return int(calendar.timegm(moment.timetuple())) * 1000 + moment.microsecond // 1000
