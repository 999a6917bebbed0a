"""Boolean built-ins: not, is defined, get or else, assert, is."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from zeebind.feel.builtins import (
    builtin,
)
from zeebind.feel.errors import FeelEvaluationError
from zeebind.feel.operators import equal
from zeebind.feel.values import to_string, type_name, zone_key

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext


# --- boolean --------------------------------------------------------------------------------------


@builtin("not", "negand")
def _not(ctx: EvalContext, negand: Any) -> Any:
    return (not negand) if isinstance(negand, bool) else None


@builtin("is defined", "value")
def _is_defined(ctx: EvalContext, value: Any) -> Any:
    return value is not None


@builtin("get or else", "value, default")
def _get_or_else(ctx: EvalContext, value: Any, default: Any) -> Any:
    return default if value is None else value


@builtin("assert", "value, condition, cause", required=2)
def _assert(ctx: EvalContext, value: Any, condition: Any, cause: Any = None) -> Any:
    if condition is True:
        return value
    reason = "The condition is not fulfilled" if cause is None else to_string(cause)
    raise FeelEvaluationError(
        f"Assertion failure on evaluate the expression '{ctx.expression}': {reason}"
    )


@builtin("is", "value1, value2")
def _is(ctx: EvalContext, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return a is None and b is None
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, dt.datetime | dt.time):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        if a.tzinfo is not None and (
            a.utcoffset() != b.utcoffset() or zone_key(a.tzinfo) != zone_key(b.tzinfo)
        ):
            return False
        if isinstance(a, dt.time):
            return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return equal(a, b) is True
