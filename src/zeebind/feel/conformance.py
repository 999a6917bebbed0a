"""``instance of`` and typed parameters: does a value conform to a FEEL type?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zeebind.feel import ast
from zeebind.feel.errors import FeelEvaluationError
from zeebind.feel.values import FeelFunction, Range, YearsMonthsDuration

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext

_SIMPLE_TYPES: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: isinstance(v, Decimal) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
    "time": lambda v: isinstance(v, dt.time),
    "date and time": lambda v: isinstance(v, dt.datetime),
    "dateTime": lambda v: isinstance(v, dt.datetime),
    "days and time duration": lambda v: isinstance(v, dt.timedelta),
    "dayTimeDuration": lambda v: isinstance(v, dt.timedelta),
    "years and months duration": lambda v: isinstance(v, YearsMonthsDuration),
    "yearMonthDuration": lambda v: isinstance(v, YearsMonthsDuration),
    "list": lambda v: isinstance(v, list),
    "context": lambda v: isinstance(v, Mapping),
    "function": lambda v: isinstance(v, FeelFunction),
    "range": lambda v: isinstance(v, Range),
    "Any": lambda v: v is not None,
    "Null": lambda v: v is None,
}


def conforms(ctx: EvalContext, value: Any, spec: ast.TypeSpec) -> bool:
    name = spec.name
    if name == "Null":
        return value is None
    if value is None:
        return False
    if name == "list" and (spec.args or spec.entries):
        if not isinstance(value, list):
            return False
        return all(item is None or conforms(ctx, item, spec.args[0]) for item in value)
    if name == "context" and spec.entries:
        if not isinstance(value, Mapping):
            return False
        return all(
            k in value and (value[k] is None or conforms(ctx, value[k], t)) for k, t in spec.entries
        )
    if name == "range" and spec.args:
        if not isinstance(value, Range):
            return False
        return all(b is None or conforms(ctx, b, spec.args[0]) for b in (value.start, value.end))
    if name == "function" and (spec.args or spec.result is not None):
        return isinstance(value, FeelFunction)
    check = _SIMPLE_TYPES.get(name)
    if check is not None:
        return check(value)
    custom = ctx.types.get(name)
    if custom is not None:
        return custom(value)
    raise FeelEvaluationError(f"unknown type '{name}'")
