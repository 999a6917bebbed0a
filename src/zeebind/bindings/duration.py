"""Durations as Dapr components and Zeebe payloads write them: Go strings (`30s`, `1h30m`) and
ISO-8601 (`PT30S`).

The reference binding accepts only Go strings; ISO-8601 is accepted as well because Zeebe and
Camunda write
durations that way. A bare number means seconds in component metadata (as Dapr's kit does) and
nanoseconds
in a JSON payload (as the reference's `metadata.Duration` does); both are kept for compatibility.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

_GO_UNITS_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_GO_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_ISO = re.compile(
    r"(?P<sign>[-+]?)P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
_ISO_UNITS_NS = {
    "weeks": 604_800_000_000_000,
    "days": 86_400_000_000_000,
    "hours": 3_600_000_000_000,
    "minutes": 60_000_000_000,
    "seconds": 1_000_000_000,
}


class DurationSyntaxError(ValueError):
    """The text is neither a Go duration nor an ISO-8601 duration."""


def parse_duration(text: str) -> timedelta:
    """A Go duration string or an ISO-8601 duration; raises DurationSyntaxError otherwise."""
    nanoseconds = _go_nanoseconds(text)
    if nanoseconds is None:
        nanoseconds = _iso_nanoseconds(text)
    if nanoseconds is None:
        raise DurationSyntaxError(f'invalid duration "{text}"')
    return from_nanoseconds(nanoseconds)


def from_nanoseconds(nanoseconds: int) -> timedelta:
    """Microsecond resolution; a negative value stays negative (-1 ns is negative, not 0)."""
    if nanoseconds >= 0:
        return timedelta(microseconds=nanoseconds // 1000)
    return -timedelta(microseconds=-(nanoseconds // 1000))


def milliseconds(value: timedelta) -> int:
    """Whole milliseconds, as Zeebe's requests carry them."""
    return (value.days * 86_400 + value.seconds) * 1000 + value.microseconds // 1000


def _go_nanoseconds(text: str) -> int | None:
    body = text
    sign = 1
    if body[:1] in "+-" and body:
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if body == "0":
        return 0
    if not body:
        return None
    total = Decimal(0)
    position = 0
    while position < len(body):
        match = _GO_PART.match(body, position)
        if match is None:
            return None
        total += Decimal(match.group(1)) * _GO_UNITS_NS[match.group(2)]
        position = match.end()
    return sign * int(total)


def _iso_nanoseconds(text: str) -> int | None:
    match = _ISO.fullmatch(text.strip())
    if match is None or text.strip().upper().endswith("T"):
        return None
    parts = {unit: match.group(unit) for unit in _ISO_UNITS_NS if match.group(unit) is not None}
    if not parts:
        return None
    try:
        total = sum(
            (
                Decimal(value.replace(",", ".")) * _ISO_UNITS_NS[unit]
                for unit, value in parts.items()
            ),
            Decimal(0),
        )
    except InvalidOperation:
        return None
    return (-1 if match.group("sign") == "-" else 1) * int(total)
