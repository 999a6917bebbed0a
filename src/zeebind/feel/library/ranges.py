"""Range built-ins (DMN 1.4 ch. 10.3.4.11): before, after, meets, overlaps, includes, ...

Each takes points or ranges; a point ``p`` behaves as the range ``[p..p]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zeebind.feel.builtins import InvocationError, builtin, parameter_names
from zeebind.feel.operators import OperationError, compare
from zeebind.feel.values import Range, format_value

if TYPE_CHECKING:
    from zeebind.feel.evaluator import EvalContext


def _cmp(a: Any, b: Any) -> int:
    try:
        return compare(a, b)
    except OperationError as err:
        raise InvocationError(err.message) from None


def _as_range(v: Any) -> Range:
    if v is None:
        raise InvocationError("expected a point or a range but found 'null'")
    if isinstance(v, Range):
        return v
    return Range(v, v, True, True)


# Bounds: (value, included, unbounded)
def _lt_end_start(a: Range, b: Range) -> bool:
    """a ends before b starts (strictly, considering inclusion)."""
    if a.end_unbounded or b.start_unbounded:
        return False
    c = _cmp(a.end, b.start)
    return c < 0 or (c == 0 and not (a.end_included and b.start_included))


def _before(a: Range, b: Range) -> bool:
    return _lt_end_start(a, b)


def _meets(a: Range, b: Range) -> bool:
    if a.end_unbounded or b.start_unbounded:
        return False
    return a.end_included and b.start_included and _cmp(a.end, b.start) == 0


def _start_cmp(a: Range, b: Range) -> int:
    """Order of the start bounds (-1: a starts earlier)."""
    if a.start_unbounded or b.start_unbounded:
        return 0 if a.start_unbounded and b.start_unbounded else (-1 if a.start_unbounded else 1)
    c = _cmp(a.start, b.start)
    if c != 0:
        return c
    if a.start_included == b.start_included:
        return 0
    return -1 if a.start_included else 1


def _end_cmp(a: Range, b: Range) -> int:
    """Order of the end bounds (1: a ends later)."""
    if a.end_unbounded or b.end_unbounded:
        return 0 if a.end_unbounded and b.end_unbounded else (1 if a.end_unbounded else -1)
    c = _cmp(a.end, b.end)
    if c != 0:
        return c
    if a.end_included == b.end_included:
        return 0
    return 1 if a.end_included else -1


def _overlaps(a: Range, b: Range) -> bool:
    return not _lt_end_start(a, b) and not _lt_end_start(b, a)


def _includes(a: Range, b: Range) -> bool:
    return _start_cmp(a, b) <= 0 and _end_cmp(a, b) >= 0


def _check(a: Any, b: Any) -> tuple[Range, Range]:
    ra, rb = _as_range(a), _as_range(b)
    for x in (ra.start, ra.end):
        for y in (rb.start, rb.end):
            if x is not None and y is not None:
                _cmp(x, y)
    return ra, rb


@builtin("before", "point1, point2")
def _before_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    ra, rb = _check(a, b)
    return _before(ra, rb)


@builtin("after", "point1, point2")
def _after_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    ra, rb = _check(a, b)
    return _before(rb, ra)


@builtin("meets", "range1, range2")
def _meets_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    ra, rb = _check(a, b)
    _require_ranges(a, b)
    return _meets(ra, rb)


@builtin("met by", "range1, range2")
def _met_by_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    ra, rb = _check(a, b)
    _require_ranges(a, b)
    return _meets(rb, ra)


def _require_ranges(*values: Any) -> None:
    for v in values:
        if not isinstance(v, Range):
            raise InvocationError(f"expected a range but found '{format_value(v)}'")


@builtin("overlaps", "range1, range2")
def _overlaps_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(a, b)
    ra, rb = _check(a, b)
    return _overlaps(ra, rb)


def _overlaps_before(r1: Range, r2: Range) -> bool:
    """DMN 1.5 table 78 ("overlaps before")."""
    if r1.start_unbounded or r2.start_unbounded or r1.end_unbounded or r2.end_unbounded:
        return _start_cmp(r1, r2) < 0 and _overlaps(r1, r2) and _end_cmp(r1, r2) <= 0
    s = _cmp(r1.start, r2.start)
    starts = s < 0 or (s == 0 and r1.start_included and not r2.start_included)
    e = _cmp(r1.end, r2.start)
    reaches = e > 0 or (e == 0 and r1.end_included and r2.start_included)
    f = _cmp(r1.end, r2.end)
    ends = f < 0 or (f == 0 and (not r1.end_included or r2.end_included))
    return starts and reaches and ends


@builtin("overlaps before", "range1, range2")
def _overlaps_before_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(a, b)
    ra, rb = _check(a, b)
    return _overlaps_before(ra, rb)


@builtin("overlaps after", "range1, range2")
def _overlaps_after_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(a, b)
    ra, rb = _check(a, b)
    return _overlaps_before(rb, ra)


@builtin("finishes", "point, range")
def _finishes_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(b)
    ra, rb = _check(a, b)
    return _end_cmp(ra, rb) == 0 and _start_cmp(ra, rb) >= 0


@builtin("finished by", "range, point")
def _finished_by_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(a)
    ra, rb = _check(a, b)
    return _end_cmp(rb, ra) == 0 and _start_cmp(rb, ra) >= 0


@builtin("includes", "range, point")
def _includes_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(a)
    ra, rb = _check(a, b)
    return _includes(ra, rb)


@builtin("during", "point, range")
def _during_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(b)
    ra, rb = _check(a, b)
    return _includes(rb, ra)


@builtin("starts", "point, range")
def _starts_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(b)
    ra, rb = _check(a, b)
    return _start_cmp(ra, rb) == 0 and _end_cmp(ra, rb) <= 0


@builtin("started by", "range, point")
def _started_by_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    _require_ranges(a)
    ra, rb = _check(a, b)
    return _start_cmp(rb, ra) == 0 and _end_cmp(rb, ra) <= 0


@builtin("coincides", "point1, point2")
def _coincides_fn(ctx: EvalContext, a: Any, b: Any) -> Any:
    ra, rb = _check(a, b)
    return _start_cmp(ra, rb) == 0 and _end_cmp(ra, rb) == 0


for _name in ("before", "after"):
    parameter_names(_name, "point, range", "range, point", "range1, range2")
for _name in ("finishes", "during", "starts"):
    parameter_names(_name, "range1, range2")
for _name in ("finished by", "includes", "started by"):
    parameter_names(_name, "range1, range2")
parameter_names("coincides", "range1, range2")
parameter_names("meets", "point1, point2")
