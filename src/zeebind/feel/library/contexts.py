"""Context built-ins: get entries, get value, context put, context merge, context, put, put all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zeebind.feel.builtins import (
    InvocationError,
    alias,
    builtin,
    context,
    items,
    parameter_names,
    text,
)
from zeebind.feel.values import format_value

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext


@builtin("get entries", "m")
def _get_entries(ctx: EvalContext, m: Any) -> Any:
    return [{"key": k, "value": v} for k, v in context(m, "m").items()]


def _keys(value: Any) -> list[str]:
    keys = items(value, "keys")
    if not keys:
        raise InvocationError("keys must not be empty")
    return [text(k, "key") for k in keys]


@builtin("get value", "m, key")
def _get_value(ctx: EvalContext, m: Any, key: Any) -> Any:
    current: Any = context(m, "m")
    path = _keys(key) if isinstance(key, list) else [text(key, "key")]
    for k in path:
        if not isinstance(current, Mapping) or k not in current:
            return None
        current = current[k]
    return current


def _put(m: Mapping[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    result = dict(m)
    head = path[0]
    if len(path) == 1:
        result[head] = value
        return result
    inner = result.get(head)
    if not isinstance(inner, Mapping):
        inner = {}  # a missing or non-context entry is replaced by a new context
    result[head] = _put(inner, path[1:], value)
    return result


@builtin("context put", "context, keys, value")
def _context_put_keys(ctx: EvalContext, m: Any, keys: Any, value: Any) -> Any:
    base = context(m, "context")
    path = _keys(keys) if isinstance(keys, list) else [text(keys, "key")]
    return _put(base, path, value)


@builtin("context put", "context, key, value")
def _context_put(ctx: EvalContext, m: Any, key: Any, value: Any) -> Any:
    if not isinstance(key, str):
        raise InvocationError(f"expected string but found '{format_value(key)}' for key")
    return _put(context(m, "context"), [key], value)


@builtin("context merge", "contexts", variadic=True)
def _context_merge(ctx: EvalContext, *contexts: Any) -> Any:
    values = contexts[0] if len(contexts) == 1 and isinstance(contexts[0], list) else contexts
    result: dict[str, Any] = {}
    for c in values:
        result.update(context(c, "context"))
    return result


@builtin("context", "entries")
def _context(ctx: EvalContext, entries: Any) -> Any:
    result: dict[str, Any] = {}
    for entry in items(entries, "entries"):
        if not isinstance(entry, Mapping) or "key" not in entry or "value" not in entry:
            raise InvocationError(f"expected an entry with key and value: '{format_value(entry)}'")
        key = text(entry["key"], "key")
        if key in result:
            raise InvocationError(f"duplicate key '{key}'")
        result[key] = entry["value"]
    return result


@builtin("put all", "contexts", variadic=True)
def _put_all(ctx: EvalContext, *contexts: Any) -> Any:
    values = contexts[0] if len(contexts) == 1 and isinstance(contexts[0], list) else contexts
    result: dict[str, Any] = {}
    for c in values:
        result.update(context(c, "context"))
    return result


alias("put", "context put")


parameter_names("get value", "context, key", "context, keys")
parameter_names("get entries", "context")
