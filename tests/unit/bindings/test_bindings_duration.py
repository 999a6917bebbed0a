from datetime import timedelta

import pytest

from zeebind.bindings.duration import DurationSyntaxError, milliseconds, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("300ms", timedelta(milliseconds=300)),
        ("1.5h", timedelta(minutes=90)),
        ("2us", timedelta(microseconds=2)),
        ("-5s", timedelta(seconds=-5)),
        ("0", timedelta(0)),
        ("PT30S", timedelta(seconds=30)),
        ("pt1m", timedelta(minutes=1)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("P1W", timedelta(weeks=1)),
    ],
)
def test_go_and_iso_durations_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "PT", "P", "1x", "s", "10", "1h 30m", "P1Y"])
def test_anything_else_is_refused_with_the_text(text: str) -> None:
    with pytest.raises(DurationSyntaxError, match=f'invalid duration "{text}"'):
        parse_duration(text)


def test_milliseconds_are_whole() -> None:
    assert milliseconds(timedelta(minutes=5)) == 300_000
    assert milliseconds(timedelta(microseconds=1500)) == 1
