"""An operation's `data`: a JSON object read field by field, with the reference's names and
messages.

As Go's `encoding/json` does for the reference, names match exactly first and then ignoring case,
and unknown
names are ignored. Unlike the reference, integers stay exact (Python's JSON keeps int64 keys
whole), a key may
also be given as a decimal string (for JavaScript callers), and every type error names its field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from zeebind.bindings.duration import DurationSyntaxError, from_nanoseconds, parse_duration
from zeebind.bindings.errors import PayloadError

INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)
DURATION_HINT = (
    'expected a Go duration string, e.g. "30s", "5m", "1h30m", an ISO-8601 duration, e.g. "PT30S", '
    "or a plain integer nanoseconds value"
)


def decode(data: bytes) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise PayloadError("cannot parse data: it is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        if not data.strip():
            raise PayloadError("cannot parse data: it is empty; expected a JSON object") from None
        raise PayloadError(f"cannot parse data as JSON: {err}") from None


def encode(value: Any) -> str:
    """Compact JSON as Zeebe stores it; no HTML escaping, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Payload:
    """The decoded object; `null` (what HTTP sends for a missing `data`) reads as an empty
    object."""

    def __init__(self, value: Any, *, path: str = "") -> None:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            where = f"'{path}'" if path else "data"
            raise PayloadError(
                f"cannot parse data: {where} must be a JSON object, not {_kind(value)}"
            )
        self._values: dict[str, Any] = value
        self._path = path
        self._folded = {name.casefold(): name for name in reversed(list(value))}

    @classmethod
    def parse(cls, data: bytes) -> Payload:
        return cls(decode(data))

    def raw(self, name: str) -> Any:
        """The value under `name`, or None when it is absent or null."""
        if name in self._values:
            return self._values[name]
        real = self._folded.get(name.casefold())
        return None if real is None else self._values[real]

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    def field(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    def wrong(self, name: str, expected: str) -> PayloadError:
        return PayloadError(
            f"cannot parse data: field '{self.field(name)}' must be {expected}, "
            f"not {_kind(self.raw(name))}"
        )

    def missing(self, name: str) -> PayloadError:
        return PayloadError(f"{self.field(name)} is a required attribute")

    def integer(self, name: str, *, bits: int = 64, required: bool = False) -> int | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise self.missing(name)
            return None
        low, high = INT64 if bits == 64 else INT32
        kind = f"an integer (int{bits})"
        if isinstance(value, bool):
            raise self.wrong(name, kind)
        if isinstance(value, float):
            if not value.is_integer():
                raise self.wrong(name, kind)
            value = int(value)
        elif isinstance(value, str):
            text = value.strip()
            if not text.lstrip("-").isdigit():
                raise self.wrong(name, kind)
            value = int(text)
        elif not isinstance(value, int):
            raise self.wrong(name, kind)
        if not low <= value <= high:
            raise PayloadError(
                f"cannot parse data: field '{self.field(name)}' is out of range for int{bits}"
            )
        return value

    def key(self, name: str) -> int:
        value = self.integer(name, required=True)
        assert value is not None
        return value

    def string(self, name: str, *, required: bool = False) -> str | None:
        """A string; `""` counts as absent, as in the reference."""
        value = self.raw(name)
        if value is not None and not isinstance(value, str):
            raise self.wrong(name, "a string")
        if not value:
            if required:
                raise self.missing(name)
            return None
        return value

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.wrong(name, "a boolean")
        return value

    def strings(self, name: str) -> list[str] | None:
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.wrong(name, "an array of strings")
        return value

    def objects(self, name: str) -> list[Payload]:
        value = self.raw(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.wrong(name, "an array of objects")
        return [
            Payload(item, path=f"{self.field(name)}[{index}]") for index, item in enumerate(value)
        ]

    def object(self, name: str, *, required: bool = False) -> Payload | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise self.missing(name)
            return None
        return Payload(value, path=self.field(name))

    def variables(self, name: str = "variables", *, required: bool = False) -> str:
        """A JSON object re-encoded as Zeebe's variables document; `""` when absent.

        A string holding a JSON object is accepted too (the reference forwarded it and Zeebe
        refused it).
        """
        value = self.raw(name)
        if value is None:
            if required:
                raise self.missing(name)
            return ""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise self.wrong(name, "a JSON object") from None
            if not isinstance(value, dict):
                raise PayloadError(
                    f"cannot parse data: field '{self.field(name)}' must be a JSON object, "
                    f"not a string holding {_kind(value)}"
                )
        if not isinstance(value, Mapping):
            raise self.wrong(name, "a JSON object")
        return encode(value)

    def duration(self, name: str) -> timedelta | None:
        """A Go or ISO-8601 duration string, or a number of nanoseconds; absent, null and 0 mean
        not set."""
        value = self.raw(name)
        if value is None:
            return None
        token = json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self._bad_duration(name, token, "invalid duration")
        if isinstance(value, str):
            try:
                result = parse_duration(value.strip())
            except DurationSyntaxError as err:
                raise self._bad_duration(name, token, str(err)) from None
        elif isinstance(value, float) and not value.is_integer():
            raise self._bad_duration(name, token, "invalid duration")
        else:
            result = from_nanoseconds(int(value))
        return result or None

    def _bad_duration(self, name: str, token: str, inner: str) -> PayloadError:
        return PayloadError(
            f"invalid value {token} for field '{self.field(name)}' ({DURATION_HINT}): {inner}"
        )

    def tenant(self) -> str:
        return self.string("tenantId") or ""
