"""JSON text for records and variables: compact, UTF-8, and the same text for equal values."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """Compact JSON text. Integers beyond 64 bits (valid JSON) fall back to the stdlib."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)
