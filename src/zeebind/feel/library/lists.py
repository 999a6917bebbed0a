"""List built-ins."""

from __future__ import annotations

from decimal import Decimal
from functools import cmp_to_key
from typing import TYPE_CHECKING, Any

from zeebind.feel.builtins import (
    C,
    InvocationError,
    alias,
    builtin,
    function,
    integer,
    items,
    num,
    parameter_names,
    text,
    varargs_list,
)
from zeebind.feel.operators import OperationError, compare, equal
from zeebind.feel.values import (
    FeelFunction,
    call_function,
)

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext


# --- lists ----------------------------------------------------------------------------------------


@builtin("count", "list")
def _count(ctx: EvalContext, value: Any) -> Any:
    return Decimal(len(items(value)))


@builtin("list contains", "list, element")
def _list_contains(ctx: EvalContext, value: Any, element: Any) -> Any:
    return any(equal(item, element) is True for item in items(value))


@builtin("sum", "list", variadic=True)
def _sum(ctx: EvalContext, *args: Any) -> Any:
    values = varargs_list(args)
    if not values:
        return None
    total = Decimal(0)
    for v in values:
        total = C.add(total, num(v, "list item"))
    return total


def _numbers(args: tuple[Any, ...]) -> list[Decimal]:
    return [num(v, "list item") for v in varargs_list(args)]


def _ordered(args: tuple[Any, ...], pick: int) -> Any:
    values = varargs_list(args)
    if not values:
        return None
    best = values[0]
    for v in values[1:]:
        try:
            c = compare(v, best)
        except OperationError as err:
            raise InvocationError(err.message) from None
        if c * pick > 0:
            best = v
    if len(values) == 1:
        compare(best, best)
    return best


@builtin("min", "list", variadic=True)
def _min(ctx: EvalContext, *args: Any) -> Any:
    return _ordered(args, -1)


@builtin("max", "list", variadic=True)
def _max(ctx: EvalContext, *args: Any) -> Any:
    return _ordered(args, 1)


@builtin("product", "list", variadic=True)
def _product(ctx: EvalContext, *args: Any) -> Any:
    values = _numbers(args)
    if not values:
        return None
    total = Decimal(1)
    for v in values:
        total = C.multiply(total, v)
    return total


@builtin("mean", "list", variadic=True)
def _mean(ctx: EvalContext, *args: Any) -> Any:
    values = _numbers(args)
    if not values:
        return None
    total = Decimal(0)
    for v in values:
        total = C.add(total, v)
    return C.divide(total, Decimal(len(values)))


@builtin("median", "list", variadic=True)
def _median(ctx: EvalContext, *args: Any) -> Any:
    values = sorted(_numbers(args))
    if not values:
        return None
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return C.divide(C.add(values[mid - 1], values[mid]), Decimal(2))


@builtin("stddev", "list", variadic=True)
def _stddev(ctx: EvalContext, *args: Any) -> Any:
    values = _numbers(args)
    if len(values) < 2:
        return None
    mean = C.divide(sum(values, Decimal(0)), Decimal(len(values)))
    squares = sum((C.power(C.subtract(v, mean), 2) for v in values), Decimal(0))
    return C.sqrt(C.divide(squares, Decimal(len(values) - 1)))


@builtin("mode", "list", variadic=True)
def _mode(ctx: EvalContext, *args: Any) -> Any:
    values = _numbers(args)
    if not values:
        return []
    counts: dict[Decimal, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.values())
    return sorted(v for v, c in counts.items() if c == top)


def _booleans(args: tuple[Any, ...]) -> list[Any]:
    values = varargs_list(args)
    if len(args) == 1 and not isinstance(args[0], list):
        values = [args[0]]
    return values


@builtin("all", "list", variadic=True)
def _all(ctx: EvalContext, *args: Any) -> Any:
    values = _booleans(args)
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return None


@builtin("any", "list", variadic=True)
def _any(ctx: EvalContext, *args: Any) -> Any:
    values = _booleans(args)
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None


alias("and", "all")
alias("or", "any")


def _position(value: Any, size: int, insert: bool = False) -> int:
    p = integer(value, "position")
    limit = size + 1 if insert else size
    if p > 0 and p <= limit:
        return p - 1
    if p < 0 and -p <= size:
        return size + p
    raise InvocationError(f"position {p} out of range")


@builtin("sublist", "list, start position, length", required=2)
def _sublist(ctx: EvalContext, value: Any, start: Any, length: Any = None) -> Any:
    lst = items(value)
    begin = _position(start, len(lst))
    if length is None:
        return lst[begin:]
    n = integer(length, "length")
    if n < 0 or begin + n > len(lst):
        raise InvocationError("length out of range")
    return lst[begin : begin + n]


@builtin("append", "list, item", variadic=True)
def _append(ctx: EvalContext, value: Any, *new: Any) -> Any:
    return [*items(value), *new]


@builtin("concatenate", "lists", variadic=True, required=0)
def _concatenate(ctx: EvalContext, *lists: Any) -> Any:
    result: list[Any] = []
    for lst in lists:
        result.extend(items(lst, "list"))
    return result


@builtin("insert before", "list, position, newItem")
def _insert_before(ctx: EvalContext, value: Any, position: Any, new: Any) -> Any:
    lst = list(items(value))
    lst.insert(_position(position, len(lst)), new)
    return lst


@builtin("remove", "list, position")
def _remove(ctx: EvalContext, value: Any, position: Any) -> Any:
    lst = list(items(value))
    del lst[_position(position, len(lst))]
    return lst


@builtin("reverse", "list")
def _reverse(ctx: EvalContext, value: Any) -> Any:
    return list(reversed(items(value)))


@builtin("index of", "list, match")
def _index_of(ctx: EvalContext, value: Any, match: Any) -> Any:
    return [Decimal(i + 1) for i, v in enumerate(items(value)) if equal(v, match) is True]


def _distinct(values: list[Any]) -> list[Any]:
    result: list[Any] = []
    for v in values:
        if not any(equal(v, r) is True for r in result):
            result.append(v)
    return result


@builtin("union", "lists", variadic=True, required=0)
def _union(ctx: EvalContext, *lists: Any) -> Any:
    merged: list[Any] = []
    for lst in lists:
        merged.extend(items(lst, "list"))
    return _distinct(merged)


@builtin("distinct values", "list")
def _distinct_values(ctx: EvalContext, value: Any) -> Any:
    return _distinct(items(value))


@builtin("duplicate values", "list")
def _duplicate_values(ctx: EvalContext, value: Any) -> Any:
    values = items(value)
    return [v for v in _distinct(values) if sum(1 for w in values if equal(v, w) is True) > 1]


def _flatten(values: list[Any]) -> list[Any]:
    result: list[Any] = []
    for v in values:
        if isinstance(v, list):
            result.extend(_flatten(v))
        else:
            result.append(v)
    return result


@builtin("flatten", "list")
def _flatten_fn(ctx: EvalContext, value: Any) -> Any:
    return _flatten(items(value))


@builtin("sort", "list, precedes", required=1)
def _sort(ctx: EvalContext, value: Any, precedes: Any = None) -> Any:
    lst = list(items(value))
    if precedes is None:
        try:
            return sorted(lst, key=cmp_to_key(compare))
        except OperationError as err:
            raise InvocationError(err.message) from None
    fn = function(precedes, "precedes")

    def order(a: Any, b: Any) -> int:
        if call_function(ctx, fn, [a, b]) is True:
            return -1
        if call_function(ctx, fn, [b, a]) is True:
            return 1
        return 0

    return _merge_sort(lst, order)


def _merge_sort(values: list[Any], order: Any) -> list[Any]:
    if len(values) <= 1:
        return values
    mid = len(values) // 2
    left, right = _merge_sort(values[:mid], order), _merge_sort(values[mid:], order)
    out: list[Any] = []
    i = j = 0
    while i < len(left) and j < len(right):
        if order(right[j], left[i]) < 0:
            out.append(right[j])
            j += 1
        else:
            out.append(left[i])
            i += 1
    return out + left[i:] + right[j:]


@builtin("string join", "list, delimiter", required=1)
@builtin("string join", "list, delimiter, prefix, suffix")
def _string_join(
    ctx: EvalContext, value: Any, delimiter: Any = None, prefix: Any = None, suffix: Any = None
) -> Any:
    parts = []
    for v in items(value):
        if v is None:
            continue
        parts.append(text(v, "list item"))
    sep = "" if delimiter is None else text(delimiter, "delimiter")
    joined = sep.join(parts)
    if prefix is not None or suffix is not None:
        joined = (text(prefix, "prefix") if prefix is not None else "") + joined
        joined += text(suffix, "suffix") if suffix is not None else ""
    return joined


@builtin("is empty", "list")
def _is_empty(ctx: EvalContext, value: Any) -> Any:
    return not items(value)


@builtin("partition", "list, size")
def _partition(ctx: EvalContext, value: Any, size: Any) -> Any:
    lst = items(value)
    n = integer(size, "size")
    if n <= 0:
        raise InvocationError(f"'size' should be greater than zero but was '{n}'")
    return [lst[i : i + n] for i in range(0, len(lst), n)]


@builtin("list replace", "list, position, newItem")
def _list_replace(ctx: EvalContext, value: Any, position: Any, new: Any) -> Any:
    lst = list(items(value))
    if isinstance(position, FeelFunction):
        return _list_replace_match(ctx, lst, position, new)
    n = num(position, "position")
    lst[_position(n.to_integral_value(rounding="ROUND_DOWN"), len(lst))] = new
    return lst


@builtin("list replace", "list, match, newItem")
def _list_replace_by(ctx: EvalContext, value: Any, match: Any, new: Any) -> Any:
    return _list_replace_match(ctx, list(items(value)), function(match, "match"), new)


def _list_replace_match(ctx: EvalContext, lst: list[Any], match: FeelFunction, new: Any) -> Any:
    if not any(len(o.params) == 2 for o in match.overloads):
        raise InvocationError("the match function must take two parameters")
    result = []
    for item in lst:
        hit = call_function(ctx, match, [item, new])
        if hit is not True and hit is not False:
            raise InvocationError("the match function must return a boolean")
        result.append(new if hit else item)
    return result


parameter_names("append", "list, items")
parameter_names("union", "list")
