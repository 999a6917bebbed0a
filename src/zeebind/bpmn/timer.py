"""Timer values of bpmn:timerEventDefinition: ISO-8601 durations, date-times, cycles and cron.

The parser calls these on static values at deploy time; the engine calls them at run time on the
string results of timer expressions. Every parse error is a ValueError whose text names the value,
e.g. "Invalid duration format 'x'" (Zeebe appends " for expression '<e>'" itself).

API (all instants are epoch milliseconds; calendar arithmetic happens in UTC, the zone of a
broker that runs with the default settings):

- `parse_duration(text) -> Duration`: `PnYnMnWnDTnHnMnS` (each part optional, at least one;
  fractional seconds; signs as java.time reads them, e.g. `-PT5M`, `P-1D`).
  `Duration.due(from_ms)` is the instant the duration ends: months first (the day is clamped to
  the month's length), then the exact part. Zero or negative durations give an instant at or
  before `from_ms`: the timer is due at once.
- `parse_date_time(text) -> datetime` (aware): `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with an offset
  (`Z`, `+02:00`), optionally followed by a zone id in brackets (`+02:00[Europe/Berlin]`). As in
  Zeebe the offset is required; the zone only changes how the instant is shown.
  `epoch_ms(moment)` turns it into the due date.
- `parse_cron(text) -> Cron`: a Spring 6-field cron `second minute hour day-of-month month
  day-of-week` with `*`, `?`, lists, ranges, steps (`*/5`, `10/5`, `1-30/2`), the names
  JAN-DEC and MON-SUN (0 or 7 is Sunday), `L`, `L-n`, `LW`, `nW` in day-of-month, `nL` and `n#k`
  in day-of-week, and the macros @yearly @annually @monthly @weekly @daily @midnight @hourly.
  Day-of-month and day-of-week must both match (Spring semantics, not Unix cron's "either").
  `Cron.next_after(after_ms)` is the first whole second strictly after `after_ms` that matches,
  or None when the expression never matches again (e.g. `0 0 0 30 2 *`).
- `parse_cycle(text) -> Cycle`: text starting with `R` is an ISO repeating interval
  (`R<n>/<duration>`, `R/<duration>` = infinite, `R<n>/<start date-time>/<duration>`), anything
  else a cron expression (infinite repetitions). `Cycle.repetitions` is -1 for infinite.
- `first_due(cycle, now_ms)`: when a cycle timer is first due: at its start date (at once if that
  is past), else one interval after `now_ms`, or the next cron match.
- `next_due(cycle, last_due_ms, now_ms=None)`: when it is due again after firing at
  `last_due_ms`: one interval later, or the next cron match. With `now_ms`, an occurrence that is
  already overdue (missed cycles) is re-anchored on `now_ms`, so the timer does not fire in a
  burst. Counting the repetitions is the caller's job.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

INFINITE = -1

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_NUMBER = r"([-+]?\d+)"
_DURATION = re.compile(
    rf"([-+]?)P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:([-+]?\d+)(?:[.,](\d{{0,9}}))?S)?)?",
    re.IGNORECASE,
)
_OFFSET = r"Z|[+-]\d{2}:\d{2}(?::\d{2})?"
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    rf"({_OFFSET})(?:\[([^\]]+)\])?"
)


# --- durations -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duration:
    """An ISO-8601 duration: whole months (years included) plus an exact part."""

    months: int = 0
    delta: timedelta = timedelta(0)

    def due(self, from_ms: int) -> int:
        """The instant this duration after `from_ms` (months in UTC, then the exact part)."""
        delta_ms = self.delta // _MS
        if not self.months:
            return from_ms + delta_ms
        moment = add_months(_EPOCH + timedelta(milliseconds=from_ms), self.months)
        return epoch_ms(moment) + delta_ms


def parse_duration(text: str) -> Duration:
    """`PnYnMnWnDTnHnMnS`; raises ValueError "Invalid duration format '<text>'"."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or not any(match.group(i) for i in (2, 3, 4, 5, 7, 8, 9)):
        raise ValueError(f"Invalid duration format '{text}'")
    if match.group(6) is not None and not any(match.group(i) for i in (7, 8, 9)):
        raise ValueError(f"Invalid duration format '{text}'")
    sign = -1 if match.group(1) == "-" else 1
    years, months, weeks, days, hours, minutes, seconds = (
        int(match.group(i) or 0) for i in (2, 3, 4, 5, 7, 8, 9)
    )
    fraction = match.group(10) or ""
    micros = int((fraction + "000000")[:6]) if fraction else 0
    if (match.group(9) or "").startswith("-"):
        micros = -micros
    try:
        delta = timedelta(
            weeks=weeks,
            days=days,
            hours=hours,
            minutes=minutes,
            seconds=seconds,
            microseconds=micros,
        )
    except OverflowError as err:
        raise ValueError(f"Invalid duration format '{text}'") from err
    return Duration(sign * (years * 12 + months), sign * delta)


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months later (or earlier); the day is clamped to the target month's length."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"Date out of range: {moment.isoformat()} plus {months} months")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


# --- date-times ----------------------------------------------------------------------------------


def parse_date_time(text: str) -> datetime:
    """An ISO-8601 date-time with offset (and optional zone id); raises ValueError
    "Invalid date-time format '<text>'".
    """
    match = _DATE_TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"Invalid date-time format '{text}'")
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = match.group(7) or ""
    micros = int((fraction + "000000")[:6]) if fraction else 0
    try:
        offset = _offset(match.group(8))
        moment = datetime(year, month, day, hour, minute, second, micros, tzinfo=offset)
        zone_text = match.group(9)
        if zone_text is not None:
            moment = moment.astimezone(_zone(zone_text))
    except (ValueError, ZoneInfoNotFoundError) as err:
        raise ValueError(f"Invalid date-time format '{text}'") from err
    return moment


def epoch_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return (moment - _EPOCH) // _MS


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    hours, minutes, seconds = [*parts, 0][:3]
    if hours > 18 or minutes > 59 or seconds > 59:
        raise ValueError(f"Invalid offset '{text}'")
    return timezone(sign * timedelta(hours=hours, minutes=minutes, seconds=seconds))


def _zone(text: str) -> tzinfo:
    if re.fullmatch(_OFFSET, text):
        return _offset(text)
    if text in {"UTC", "GMT", "UT"}:
        return UTC
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*", text):
        raise ValueError(f"Invalid zone '{text}'")
    return ZoneInfo(text)


# --- cron ----------------------------------------------------------------------------------------

_MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}
_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_DAY_NAMES = {
    name: number for number, name in enumerate(("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), 1)
}
_NO_NAMES: dict[str, int] = {}


@dataclass(frozen=True, slots=True)
class DayOfMonth:
    """The day-of-month field: plain days, `L`/`L-n` (offsets from the last day), `nW`, `LW`."""

    days: frozenset[int] = frozenset()
    last_offsets: frozenset[int] = frozenset()
    nearest_weekdays: frozenset[int] = frozenset()
    last_weekday: bool = False
    any: bool = False

    def matches(self, day: date) -> bool:
        if self.any or day.day in self.days:
            return True
        last = calendar.monthrange(day.year, day.month)[1]
        if any(day.day == last - offset for offset in self.last_offsets):
            return True
        if self.last_weekday and day.day == _nearest_weekday(day.year, day.month, last, last):
            return True
        return any(
            day.day == _nearest_weekday(day.year, day.month, n, last) for n in self.nearest_weekdays
        )


@dataclass(frozen=True, slots=True)
class DayOfWeek:
    """The day-of-week field (ISO numbers, 1 = Monday): plain days, `n#k`, `nL`."""

    days: frozenset[int] = frozenset()
    nth: frozenset[tuple[int, int]] = frozenset()
    last: frozenset[int] = frozenset()
    any: bool = False

    def matches(self, day: date) -> bool:
        weekday = day.isoweekday()
        if self.any or weekday in self.days:
            return True
        if (weekday, (day.day - 1) // 7 + 1) in self.nth:
            return True
        last = calendar.monthrange(day.year, day.month)[1]
        return weekday in self.last and day.day + 7 > last


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed Spring cron expression (see the module docstring)."""

    text: str
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: DayOfMonth
    months: frozenset[int]
    days_of_week: DayOfWeek

    def next_after(self, after_ms: int) -> int | None:
        """The first matching whole second strictly after `after_ms` (UTC), None if never."""
        moment = _EPOCH + timedelta(seconds=after_ms // 1000 + 1)
        limit = moment.year + 400  # the Gregorian calendar repeats itself every 400 years
        while moment.year <= limit:
            if moment.month not in self.months:
                year, month = divmod(moment.year * 12 + moment.month, 12)
                if year > 9999:
                    return None
                moment = datetime(year, month + 1, 1, tzinfo=UTC)
                continue
            day = moment.date()
            if not (self.days_of_month.matches(day) and self.days_of_week.matches(day)):
                moment = _next_day(moment)
                if moment.year > 9999:
                    return None
                continue
            hour = _next_value(self.hours, moment.hour)
            if hour is None:
                moment = _next_day(moment)
                continue
            if hour != moment.hour:
                moment = moment.replace(hour=hour, minute=0, second=0)
            minute = _next_value(self.minutes, moment.minute)
            if minute is None:
                moment = moment.replace(minute=0, second=0) + timedelta(hours=1)
                continue
            if minute != moment.minute:
                moment = moment.replace(minute=minute, second=0)
            second = _next_value(self.seconds, moment.second)
            if second is None:
                moment = moment.replace(second=0) + timedelta(minutes=1)
                continue
            return epoch_ms(moment.replace(second=second))
        return None


def parse_cron(text: str) -> Cron:
    """A Spring 6-field cron expression; raises ValueError "Invalid cron expression '<text>'..."."""
    source = _MACROS.get(text.strip().lower(), text.strip())
    fields = source.split()
    if len(fields) != 6:
        raise ValueError(
            f"Invalid cron expression '{text}': expected 6 fields "
            f"(second minute hour day-of-month month day-of-week) but found {len(fields)}"
        )
    second, minute, hour, day_of_month, month, day_of_week = fields
    try:
        return Cron(
            text=text,
            seconds=tuple(sorted(_bits(second, 0, 59, _NO_NAMES))),
            minutes=tuple(sorted(_bits(minute, 0, 59, _NO_NAMES))),
            hours=tuple(sorted(_bits(hour, 0, 23, _NO_NAMES))),
            days_of_month=_days_of_month(day_of_month),
            months=frozenset(_bits(month, 1, 12, _MONTH_NAMES)),
            days_of_week=_days_of_week(day_of_week),
        )
    except ValueError as err:
        raise ValueError(f"Invalid cron expression '{text}': {err}") from err


def _bits(field: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for item in field.split(","):
        values |= _range(item, low, high, names)
    return values


def _range(
    item: str, low: int, high: int, names: dict[str, int], *, least: int | None = None
) -> set[int]:
    """`*`, `n`, `a-b`, each optionally `/step`; `least` is a value below `low` that a number
    may still take (0 for Sunday in day-of-week, whose `*` runs 1-7).
    """
    range_text, slash, step_text = item.partition("/")
    floor = low if least is None else least
    if range_text in {"*", "?"}:
        start, end = low, high
    elif "-" in range_text:
        first, _, last = range_text.partition("-")
        start, end = _number(first, floor, high, names), _number(last, floor, high, names)
        if start > end:
            raise ValueError(f"range '{range_text}' runs backwards")
    else:
        start = _number(range_text, floor, high, names)
        end = high if slash else start
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) < 1:
            raise ValueError(f"step '{step_text}' must be a positive number")
        step = int(step_text)
    return set(range(start, end + 1, step))


def _number(text: str, low: int, high: int, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a number")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"value {value} is outside {low}-{high}")
    return value


def _days_of_month(field: str) -> DayOfMonth:
    if field in {"*", "?"}:
        return DayOfMonth(any=True)
    days: set[int] = set()
    offsets: set[int] = set()
    nearest: set[int] = set()
    last_weekday = False
    for item in field.split(","):
        upper = item.upper()
        if upper == "LW":
            last_weekday = True
        elif upper == "L":
            offsets.add(0)
        elif upper.startswith("L-"):
            offsets.add(_number(item[2:], 0, 30, _NO_NAMES))
        elif upper.endswith("W"):
            nearest.add(_number(item[:-1], 1, 31, _NO_NAMES))
        else:
            days |= _range(item, 1, 31, _NO_NAMES)
    return DayOfMonth(frozenset(days), frozenset(offsets), frozenset(nearest), last_weekday)


def _days_of_week(field: str) -> DayOfWeek:
    if field in {"*", "?"}:
        return DayOfWeek(any=True)
    days: set[int] = set()
    nth: set[tuple[int, int]] = set()
    last: set[int] = set()
    for item in field.split(","):
        day_text, hash_sign, ordinal = item.partition("#")
        if hash_sign:
            if not ordinal.isdigit() or not 1 <= int(ordinal) <= 5:
                raise ValueError(f"'{item}' needs an ordinal 1-5 after '#'")
            nth.add((_weekday(day_text), int(ordinal)))
        elif len(item) > 1 and item.upper().endswith("L"):
            last.add(_weekday(item[:-1]))
        else:
            days |= {_sunday_as_seven(d) for d in _range(item, 1, 7, _DAY_NAMES, least=0)}
    return DayOfWeek(frozenset(days), frozenset(nth), frozenset(last))


def _weekday(text: str) -> int:
    return _sunday_as_seven(_number(text, 0, 7, _DAY_NAMES))


def _sunday_as_seven(day: int) -> int:
    """Cron numbers Sunday 0 or 7; ISO numbers it 7."""
    return 7 if day in (0, 7) else day


def _nearest_weekday(year: int, month: int, day: int, last: int) -> int:
    """The weekday (Mon-Fri) nearest to `day` within the month (Quartz `W`); -1 if there is no
    such day in the month.
    """
    if day > last:
        return -1
    weekday = date(year, month, day).isoweekday()
    if weekday == 6:
        return day - 1 if day > 1 else day + 2
    if weekday == 7:
        return day + 1 if day < last else day - 2
    return day


def _next_value(values: tuple[int, ...], current: int) -> int | None:
    index = bisect_left(values, current)
    return values[index] if index < len(values) else None


def _next_day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC) + timedelta(days=1)


# --- cycles --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cycle:
    """A timeCycle: an ISO repeating interval (with an optional start) or a cron expression."""

    repetitions: int
    interval: Duration | None = None
    start: datetime | None = None
    cron: Cron | None = None


def parse_cycle(text: str) -> Cycle:
    """`R<n>/<duration>`, `R/<duration>`, `R<n>/<start>/<duration>` or a cron expression."""
    stripped = text.strip()
    if not stripped.startswith("R"):
        return Cycle(INFINITE, cron=parse_cron(stripped))
    head, slash, rest = stripped.partition("/")
    if not slash or not rest:
        raise ValueError(f"Invalid time cycle format '{text}': no interval given")
    if head == "R":
        repetitions = INFINITE
    elif head[1:].isdigit():
        repetitions = int(head[1:])
    else:
        raise ValueError(f"Invalid time cycle format '{text}': cannot parse repetitions count")
    start_text, slash, duration_text = rest.rpartition("/")
    try:
        start = parse_date_time(start_text) if slash else None
        interval = parse_duration(duration_text)
    except ValueError as err:
        raise ValueError(f"Invalid time cycle format '{text}': {err}") from err
    return Cycle(repetitions, interval=interval, start=start)


def first_due(cycle: Cycle, now_ms: int) -> int | None:
    """When a cycle timer is first due (see the module docstring); None if a cron never fires."""
    if cycle.cron is not None:
        return cycle.cron.next_after(now_ms)
    if cycle.start is not None:
        return max(epoch_ms(cycle.start), now_ms)
    assert cycle.interval is not None
    return cycle.interval.due(now_ms)


def next_due(cycle: Cycle, last_due_ms: int, now_ms: int | None = None) -> int | None:
    """When a cycle timer is due again after firing at `last_due_ms` (see the module docstring)."""
    if cycle.cron is not None:
        return cycle.cron.next_after(last_due_ms if now_ms is None else max(last_due_ms, now_ms))
    assert cycle.interval is not None
    natural = cycle.interval.due(last_due_ms)
    if now_ms is not None and natural <= now_ms:
        return cycle.interval.due(now_ms)
    return natural
