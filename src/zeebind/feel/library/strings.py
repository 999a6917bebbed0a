"""String built-ins."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zeebind.feel.builtins import (
    InvocationError,
    builtin,
    num,
    text,
)
from zeebind.feel.patterns import PatternError, compile_pattern, translate_replacement

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext


# --- strings --------------------------------------------------------------------------------------


@builtin("upper case", "string")
def _upper_case(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").upper()


@builtin("lower case", "string")
def _lower_case(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").lower()


@builtin("string length", "string")
def _string_length(ctx: EvalContext, value: Any) -> Any:
    return Decimal(len(text(value, "string")))


def _code_points(value: str) -> list[str]:
    return list(value)


@builtin("substring", "string, start position, length", required=2)
def _substring(ctx: EvalContext, value: Any, start: Any, length: Any = None) -> Any:
    chars = _code_points(text(value, "string"))
    s = int(num(start, "start position").to_integral_value(rounding="ROUND_DOWN"))
    n = len(chars)
    if s > 0:
        begin = s - 1
    elif s < 0:
        begin = max(n + s, 0)
    else:
        begin = 0
    if length is None:
        return "".join(chars[begin:])
    count = num(length, "length")
    count_i = int(count.to_integral_value(rounding="ROUND_DOWN"))
    if count_i < 0:
        raise InvocationError("length must not be negative")
    return "".join(chars[begin : begin + count_i])


@builtin("contains", "string, match")
def _contains(ctx: EvalContext, value: Any, match: Any) -> Any:
    return text(match, "match") in text(value, "string")


@builtin("starts with", "string, match")
def _starts_with(ctx: EvalContext, value: Any, match: Any) -> Any:
    return text(value, "string").startswith(text(match, "match"))


@builtin("ends with", "string, match")
def _ends_with(ctx: EvalContext, value: Any, match: Any) -> Any:
    return text(value, "string").endswith(text(match, "match"))


@builtin("substring before", "string, match")
def _substring_before(ctx: EvalContext, value: Any, match: Any) -> Any:
    s, m = text(value, "string"), text(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[:i]


@builtin("substring after", "string, match")
def _substring_after(ctx: EvalContext, value: Any, match: Any) -> Any:
    s, m = text(value, "string"), text(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[i + len(m) :]


@builtin("trim", "string")
def _trim(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").strip()


@builtin("is blank", "string")
def _is_blank(ctx: EvalContext, value: Any) -> Any:
    return text(value, "string").strip() == ""


@builtin("uuid")
def _uuid(ctx: EvalContext) -> Any:
    return ctx.new_uuid()


def _flags(value: Any) -> str:
    if value is None:
        return ""
    flags = text(value, "flags")
    for f in flags:
        if f not in "smixq":
            raise InvocationError(f"invalid flag '{f}'")
    return flags


def _pattern(pattern: Any, flags: Any = None) -> re.Pattern[str]:
    try:
        return compile_pattern(text(pattern, "pattern"), _flags(flags))
    except PatternError as err:
        raise InvocationError(str(err)) from None


@builtin("matches", "input, pattern, flags", required=2)
def _matches(ctx: EvalContext, value: Any, pattern: Any, flags: Any = None) -> Any:
    return _pattern(pattern, flags).search(text(value, "input")) is not None


@builtin("replace", "input, pattern, replacement, flags", required=3)
def _replace(
    ctx: EvalContext, value: Any, pattern: Any, replacement: Any, flags: Any = None
) -> Any:
    compiled = _pattern(pattern, flags)
    source = text(value, "input")
    if compiled.search("") is not None and compiled.pattern != "":
        raise InvocationError("the pattern matches the empty string")
    try:
        template = translate_replacement(
            text(replacement, "replacement"), _flags(flags), compiled.groups
        )
        return compiled.sub(template, source)
    except (PatternError, re.error) as err:
        raise InvocationError(str(err)) from None


@builtin("split", "string, delimiter")
def _split(ctx: EvalContext, value: Any, delimiter: Any) -> Any:
    compiled = _pattern(delimiter)
    source = text(value, "string")
    if compiled.search("") is not None:
        raise InvocationError("the delimiter matches the empty string")
    return compiled.split(source) if compiled.groups == 0 else _split_no_groups(compiled, source)


def _split_no_groups(compiled: re.Pattern[str], source: str) -> list[str]:
    parts: list[str] = []
    last = 0
    for m in compiled.finditer(source):
        parts.append(source[last : m.start()])
        last = m.end()
    parts.append(source[last:])
    return parts


@builtin("extract", "string, pattern")
def _extract(ctx: EvalContext, value: Any, pattern: Any) -> Any:
    compiled = _pattern(pattern)
    return [m.group(0) for m in compiled.finditer(text(value, "string"))]
