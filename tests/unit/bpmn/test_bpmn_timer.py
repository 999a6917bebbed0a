"""Timer values: ISO-8601 durations, date-times, repeating intervals and Spring cron."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zeebind.bpmn.timer import (
    INFINITE,
    Duration,
    epoch_ms,
    first_due,
    next_due,
    parse_cron,
    parse_cycle,
    parse_date_time,
    parse_duration,
)


def ms(text: str) -> int:
    return epoch_ms(parse_date_time(text))


def iso(epoch: int | None) -> str | None:
    if epoch is None:
        return None
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=epoch)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


@pytest.mark.parametrize(
    ("text", "months", "delta"),
    [
        ("PT5M", 0, timedelta(minutes=5)),
        ("PT1.5S", 0, timedelta(seconds=1.5)),
        ("P1D", 0, timedelta(days=1)),
        ("P2W", 0, timedelta(weeks=2)),
        ("P1Y2M", 14, timedelta(0)),
        ("P1Y2M3W4DT5H6M7S", 14, timedelta(days=25, hours=5, minutes=6, seconds=7)),
        ("P1DT12H", 0, timedelta(days=1, hours=12)),
        ("-PT5M", 0, timedelta(minutes=-5)),
        ("PT-5M", 0, timedelta(minutes=-5)),
        ("-P1M", -1, timedelta(0)),
        ("PT0S", 0, timedelta(0)),
        ("pt10s", 0, timedelta(seconds=10)),
    ],
)
def test_duration(text: str, months: int, delta: timedelta) -> None:
    assert parse_duration(text) == Duration(months, delta)


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "P1DT", "5M", "PT5", "P1H", "PT1D", "foo", "P1.5D"]
)
def test_invalid_duration_names_the_value(text: str) -> None:
    with pytest.raises(ValueError, match=f"^Invalid duration format '{text}'$"):
        parse_duration(text)


def test_duration_due_adds_months_clamped_then_the_exact_part() -> None:
    assert iso(parse_duration("PT10S").due(ms("2022-01-31T10:00:00Z"))) == "2022-01-31T10:00:10Z"
    assert iso(parse_duration("P1M").due(ms("2022-01-31T10:00:00Z"))) == "2022-02-28T10:00:00Z"
    assert iso(parse_duration("P1Y").due(ms("2024-02-29T00:00:00Z"))) == "2025-02-28T00:00:00Z"
    assert iso(parse_duration("P1MT1H").due(ms("2022-03-31T23:30:00Z"))) == "2022-05-01T00:30:00Z"
    assert parse_duration("-PT1S").due(1000) == 0


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2019-10-01T12:00:00Z", "2019-10-01T12:00:00Z"),
        ("2019-10-01T12:00Z", "2019-10-01T12:00:00Z"),
        ("2019-10-01T12:00:00.250Z", "2019-10-01T12:00:00Z"),
        ("2019-10-02T08:09:40+02:00", "2019-10-02T06:09:40Z"),
        ("2019-10-02T08:09:40-05:30", "2019-10-02T13:39:40Z"),
        ("2019-10-02T08:09:40+02:00[Europe/Berlin]", "2019-10-02T06:09:40Z"),
        ("2019-10-02T08:09:40Z[UTC]", "2019-10-02T08:09:40Z"),
    ],
)
def test_date_time(text: str, utc: str) -> None:
    moment = parse_date_time(text)
    assert moment.tzinfo is not None
    assert iso(epoch_ms(moment)) == utc


def test_date_time_keeps_its_zone_and_milliseconds() -> None:
    moment = parse_date_time("2019-10-02T08:09:40.123+02:00[Europe/Berlin]")
    assert str(moment.tzinfo) == "Europe/Berlin"
    assert epoch_ms(moment) % 1000 == 123


@pytest.mark.parametrize(
    "text",
    [
        "2019-10-01T12:00:00",  # no offset
        "2019-10-01T12:00:00[Europe/Berlin]",  # a zone without an offset, as Zeebe
        "2019-10-01",
        "2019-13-01T12:00:00Z",
        "2019-02-30T12:00:00Z",
        "2019-10-01T25:00:00Z",
        "2019-10-01T12:00:00+02:00[Mars/Olympus]",
        "tomorrow",
    ],
)
def test_invalid_date_time_names_the_value(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Invalid date-time format '"):
        parse_date_time(text)


def test_repeating_intervals() -> None:
    assert parse_cycle("R5/PT10S").repetitions == 5
    assert parse_cycle("R5/PT10S").interval == Duration(0, timedelta(seconds=10))
    assert parse_cycle("R/P1D").repetitions == INFINITE
    assert parse_cycle("R0/PT1S").repetitions == 0
    cycle = parse_cycle("R3/2022-04-27T17:20:00Z/P1D")
    assert cycle.repetitions == 3
    assert cycle.start == parse_date_time("2022-04-27T17:20:00Z")
    assert cycle.interval == Duration(0, timedelta(days=1))
    assert cycle.cron is None


@pytest.mark.parametrize(
    "text", ["R5", "R5/", "Rx/PT1S", "R5/PT", "R5/tomorrow/PT1S", "R-/PT1S", "foo", "* * * * *"]
)
def test_invalid_cycle_names_the_value(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"'{text}'")):
        parse_cycle(text)


def test_cycle_without_r_is_cron() -> None:
    cycle = parse_cycle("0 0 9-17 * * MON-FRI")
    assert cycle.repetitions == INFINITE
    assert cycle.cron is not None
    assert cycle.interval is None


def test_first_and_next_due_of_an_interval() -> None:
    now = ms("2022-01-01T00:00:00Z")
    cycle = parse_cycle("R3/PT1H")
    assert iso(first_due(cycle, now)) == "2022-01-01T01:00:00Z"
    assert iso(next_due(cycle, ms("2022-01-01T01:00:00Z"))) == "2022-01-01T02:00:00Z"
    # Missed cycles are re-anchored on now rather than fired in a burst.
    late = ms("2022-01-01T05:30:00Z")
    assert iso(next_due(cycle, ms("2022-01-01T01:00:00Z"), late)) == "2022-01-01T06:30:00Z"
    assert iso(next_due(cycle, ms("2022-01-01T01:00:00Z"), now)) == "2022-01-01T02:00:00Z"


def test_first_due_of_a_cycle_with_start() -> None:
    cycle = parse_cycle("R3/2022-04-27T17:20:00Z/P1D")
    assert iso(first_due(cycle, ms("2022-04-01T00:00:00Z"))) == "2022-04-27T17:20:00Z"
    # A start in the past is due at once.
    assert iso(first_due(cycle, ms("2022-05-01T00:00:00Z"))) == "2022-05-01T00:00:00Z"
    assert iso(next_due(cycle, ms("2022-04-27T17:20:00Z"))) == "2022-04-28T17:20:00Z"


def test_first_and_next_due_of_cron() -> None:
    cycle = parse_cycle("0 0 9-17 * * MON-FRI")
    saturday = ms("2026-12-05T10:00:00Z")
    assert iso(first_due(cycle, saturday)) == "2026-12-07T09:00:00Z"
    assert iso(next_due(cycle, ms("2026-12-07T09:00:00Z"))) == "2026-12-07T10:00:00Z"
    assert iso(next_due(cycle, ms("2026-12-07T09:00:00Z"), saturday + 86_400_000 * 3)) == (
        "2026-12-08T11:00:00Z"
    )


CRON_CASES = [
    # (expression, after, next)
    ("* * * * * *", "2022-01-01T00:00:00Z", "2022-01-01T00:00:01Z"),
    ("* * * * * *", "2022-01-01T00:00:59.500Z", "2022-01-01T00:01:00Z"),
    ("10 * * * * *", "2022-01-01T00:00:09Z", "2022-01-01T00:00:10Z"),
    ("10 * * * * *", "2022-01-01T00:00:10Z", "2022-01-01T00:01:10Z"),
    ("*/10 * * * * *", "2022-01-01T00:00:01Z", "2022-01-01T00:00:10Z"),
    ("5/20 * * * * *", "2022-01-01T00:00:26Z", "2022-01-01T00:00:45Z"),
    ("0 0/15 * * * *", "2022-01-01T00:16:00Z", "2022-01-01T00:30:00Z"),
    ("0 10-20/5 * * * *", "2022-01-01T00:16:00Z", "2022-01-01T00:20:00Z"),
    ("55 5 * * * *", "2022-01-01T00:04:54Z", "2022-01-01T00:05:55Z"),
    ("55 5 * * * *", "2022-01-01T00:05:55Z", "2022-01-01T01:05:55Z"),
    ("0 0 9-17 * * MON-FRI", "2026-12-01T17:00:00Z", "2026-12-02T09:00:00Z"),
    ("0 0 9-17 * * mon-fri", "2026-12-04T17:00:00Z", "2026-12-07T09:00:00Z"),
    ("0 0 12 * * SAT,SUN", "2026-12-01T00:00:00Z", "2026-12-05T12:00:00Z"),
    ("0 0 12 * * 0", "2026-12-01T00:00:00Z", "2026-12-06T12:00:00Z"),
    ("0 0 12 * * 7", "2026-12-01T00:00:00Z", "2026-12-06T12:00:00Z"),
    ("0 0 12 * * 0-1", "2026-12-01T00:00:00Z", "2026-12-06T12:00:00Z"),
    ("0 0 0 * * */2", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"),  # Mon, Wed, Fri, Sun
    ("0 0 0 1 JAN ?", "2022-06-01T00:00:00Z", "2023-01-01T00:00:00Z"),
    ("0 0 0 ? FEB-MAR MON", "2022-01-01T00:00:00Z", "2022-02-07T00:00:00Z"),
    ("0 0 0 1,15 * *", "2022-01-02T00:00:00Z", "2022-01-15T00:00:00Z"),
    ("0 0 0 31 * *", "2022-04-01T00:00:00Z", "2022-05-31T00:00:00Z"),
    ("0 0 0 29 2 *", "2022-01-01T00:00:00Z", "2024-02-29T00:00:00Z"),
    ("0 0 0 13 * FRI", "2022-01-01T00:00:00Z", "2022-05-13T00:00:00Z"),  # both must match
    ("0 0 * L * *", "2022-01-30T00:01:00Z", "2022-01-31T00:00:00Z"),
    ("0 0 * L * *", "2022-01-31T01:00:00Z", "2022-01-31T02:00:00Z"),
    ("0 0 0 L * *", "2024-02-01T00:00:00Z", "2024-02-29T00:00:00Z"),
    ("0 0 0 L-3 * *", "2022-01-10T00:00:00Z", "2022-01-28T00:00:00Z"),
    ("0 0 0 L-3 * *", "2022-01-28T00:00:00Z", "2022-02-25T00:00:00Z"),
    ("0 0 * 1W * *", "2022-06-29T00:01:00Z", "2022-07-01T00:00:00Z"),
    ("0 0 0 1W * *", "2022-09-15T00:00:00Z", "2022-10-03T00:00:00Z"),  # Oct 1st is a Saturday
    ("0 0 0 15W * *", "2022-01-01T00:00:00Z", "2022-01-14T00:00:00Z"),  # Jan 15th: Saturday
    ("0 0 0 16W * *", "2022-01-01T00:00:00Z", "2022-01-17T00:00:00Z"),  # Jan 16th: Sunday
    ("0 0 * LW * *", "2022-06-29T00:01:00Z", "2022-06-30T00:00:00Z"),
    ("0 0 0 LW * *", "2022-07-01T00:00:00Z", "2022-07-29T00:00:00Z"),  # Jul 31st: Sunday
    ("0 0 0 ? * MON#2", "2022-06-01T00:00:00Z", "2022-06-13T00:00:00Z"),
    ("0 0 0 ? * 5L", "2022-06-01T00:00:00Z", "2022-06-24T00:00:00Z"),
    ("0 0 0 ? * FRIL", "2022-06-25T00:00:00Z", "2022-07-29T00:00:00Z"),
    ("@hourly", "2022-01-01T00:30:00Z", "2022-01-01T01:00:00Z"),
    ("@daily", "2022-01-01T00:30:00Z", "2022-01-02T00:00:00Z"),
    ("@midnight", "2022-01-01T00:30:00Z", "2022-01-02T00:00:00Z"),
    ("@weekly", "2022-06-01T00:00:00Z", "2022-06-05T00:00:00Z"),
    ("@monthly", "2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z"),
    ("@yearly", "2022-06-01T00:00:00Z", "2023-01-01T00:00:00Z"),
    ("@annually", "2022-06-01T00:00:00Z", "2023-01-01T00:00:00Z"),
    ("59 59 23 31 12 *", "2022-12-31T23:59:59Z", "2023-12-31T23:59:59Z"),
]


@pytest.mark.parametrize(("expression", "after", "expected"), CRON_CASES)
def test_cron_next_fire(expression: str, after: str, expected: str) -> None:
    assert iso(parse_cron(expression).next_after(ms(after))) == expected


def test_cron_that_never_fires_has_no_next() -> None:
    assert parse_cron("0 0 0 30 2 *").next_after(ms("2022-01-01T00:00:00Z")) is None
    assert parse_cron("0 0 0 31 4,6,9,11 *").next_after(0) is None


def test_cron_next_fires_are_increasing_and_all_match() -> None:
    cron = parse_cron("*/7 3-50/11 1,13 ? * TUE-THU")
    fire = ms("2022-01-01T00:00:00Z")
    for _ in range(200):
        following = cron.next_after(fire)
        assert following is not None
        assert following > fire
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=following)
        assert moment.second % 7 == 0
        assert moment.minute in {3, 14, 25, 36, 47}
        assert moment.hour in {1, 13}
        assert moment.isoweekday() in {2, 3, 4}
        fire = following


def test_cron_agrees_with_a_brute_force_scan() -> None:
    """Every matching minute of a week, compared with checking each minute on its own."""
    cron = parse_cron("0 */20 8-10,22 ? * MON,WED-FRI")
    start = datetime(2022, 3, 1, tzinfo=UTC)
    expected = [
        moment
        for minute in range(7 * 24 * 60)
        if (moment := start + timedelta(minutes=minute)).minute % 20 == 0
        and moment.hour in {8, 9, 10, 22}
        and moment.isoweekday() in {1, 3, 4, 5}
    ]
    fire = epoch_ms(start) - 1000
    found = []
    while len(found) < len(expected):
        following = cron.next_after(fire)
        assert following is not None
        found.append(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=following))
        fire = following
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "*",
        "* * * * *",
        "* * * * * * *",
        "60 * * * * *",
        "20-10 * * * * *",
        "* 60 * * * *",
        "* * 24 * * *",
        "* * * 0 * *",
        "* * * 32 * *",
        "* * * * 0 *",
        "* * * * 13 *",
        "* * * * * 8",
        "* * * * * *SUN",
        "* * * * * SUN*",
        "*/0 * * * * *",
        "* * * * FOO *",
        "* * * ? * MON#6",
        "@reboot",
    ],
)
def test_invalid_cron_names_the_value(text: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(f"Invalid cron expression '{text}'")):
        parse_cron(text)


def _field(values: list[int]) -> str:
    return ",".join(str(v) for v in values) if values else "*"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    minutes=st.lists(st.integers(0, 59), max_size=3),
    hours=st.lists(st.integers(0, 23), max_size=3),
    days=st.lists(st.integers(1, 28), max_size=3),
    weekdays=st.lists(st.integers(0, 7), max_size=3),
    after=st.integers(0, 10 * 365 * 86_400).map(lambda s: (1_600_000_000 + s) * 1000 + 123),
)
def test_cron_matches_a_scan_of_every_minute(
    minutes: list[int], hours: list[int], days: list[int], weekdays: list[int], after: int
) -> None:
    expression = f"0 {_field(minutes)} {_field(hours)} {_field(days)} * {_field(weekdays)}"
    found = parse_cron(expression).next_after(after)

    def day_matches(moment: datetime) -> bool:
        iso_days = {7 if d == 0 else d for d in weekdays}
        return (not days or moment.day in days) and (
            not weekdays or moment.isoweekday() in iso_days
        )

    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=after)
    moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    expected = None
    for _ in range(24 * 60 * 120):
        if not day_matches(moment):
            moment = moment.replace(hour=0, minute=0) + timedelta(days=1)
            continue
        if (not hours or moment.hour in hours) and (not minutes or moment.minute in minutes):
            expected = epoch_ms(moment)
            break
        moment += timedelta(minutes=1)
    assert found == expected, expression


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    parts=st.tuples(*(st.integers(0, 400) for _ in range(7))),
    negative=st.booleans(),
)
def test_duration_parts_add_up(parts: tuple[int, ...], negative: bool) -> None:
    years, months, weeks, days, hours, minutes, seconds = parts
    text = ("-" if negative else "") + f"P{years}Y{months}M{weeks}W{days}D"
    text += f"T{hours}H{minutes}M{seconds}S"
    sign = -1 if negative else 1
    assert parse_duration(text) == Duration(
        sign * (years * 12 + months),
        sign * timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds),
    )


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    moment=st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
        ),
    )
)
def test_date_time_round_trips_through_iso_text(moment: datetime) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    assert parse_date_time(moment.isoformat()) == moment
    assert epoch_ms(parse_date_time(moment.isoformat())) == epoch_ms(moment)
