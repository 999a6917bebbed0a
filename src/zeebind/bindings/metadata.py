"""A component's `spec.metadata`, read strictly: case-insensitive names, and typed values that must
parse.

The reference decodes booleans with Dapr's `IsTruthy`, so `"ture"` silently means false. Here a
value that
is neither truthy nor falsy is an error naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

from zeebind.bindings.duration import DurationSyntaxError, parse_duration
from zeebind.bindings.errors import ComponentError

_TRUTHY = frozenset({"y", "yes", "true", "t", "on", "1"})
_FALSY = frozenset({"n", "no", "false", "f", "off", "0"})


class ComponentMetadata(Mapping[str, str]):
    """Name → value, looked up as Dapr does: an exact match first, then ignoring case."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self._folded: dict[str, str] = {}
        for name in self._values:
            folded = name.casefold()
            if folded in self._folded:
                raise ComponentError(
                    f"'{self._folded[folded]}' and '{name}' differ only in case", field=name
                )
            self._folded[folded] = name

    def __getitem__(self, name: str) -> str:
        if name in self._values:
            return self._values[name]
        return self._values[self._folded[name.casefold()]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._values or name.casefold() in self._folded)

    def string(self, name: str) -> str | None:
        """The value, or None when the field is absent. An empty value is returned as ""."""
        return self.get(name)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.string(name)
        if value is None or not value.strip():
            return default
        folded = value.strip().lower()
        if folded in _TRUTHY:
            return True
        if folded in _FALSY:
            return False
        raise ComponentError(
            f'"{value}" is not a boolean (use true/false, yes/no, on/off or 1/0)', field=name
        )

    def duration(self, name: str, default: timedelta) -> timedelta:
        """A Go duration (`45s`), an ISO-8601 duration (`PT45S`) or a whole number of seconds
        (`45`)."""
        value = self.string(name)
        if value is None or not value.strip():
            return default
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return timedelta(seconds=int(text))
        try:
            return parse_duration(text)
        except DurationSyntaxError:
            raise ComponentError(
                f'"{value}" is not a duration (expected e.g. "45s", "1h30m", "PT45S" or seconds)',
                field=name,
            ) from None

    def integer(self, name: str, default: int) -> int:
        """A whole number (`32`, or `0x20` as Go's base 0 allows); absent or empty: default."""
        value = self.string(name)
        if value is None or not value.strip():
            return default
        text = value.strip()
        try:
            return int(text, 0)
        except ValueError:
            try:
                return int(text, 10)  # "010": Python's base 0 refuses leading zeros
            except ValueError:
                raise ComponentError(f'"{value}" is not a whole number', field=name) from None

    def number(self, name: str, default: float) -> float:
        """A decimal number (`0.3`); absent or empty: default."""
        value = self.string(name)
        if value is None or not value.strip():
            return default
        try:
            number = float(value.strip())
        except ValueError:
            raise ComponentError(f'"{value}" is not a number', field=name) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ComponentError(f'"{value}" is not a finite number', field=name)
        return number
