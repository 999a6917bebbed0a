"""Compiles a FEEL syntax tree into nested Python closures and runs them.

A compiled node is a function ``Scope -> value``. Missing variables, missing context entries and
type mismatches yield ``None`` plus a warning on the ``EvalContext``; hard failures raise
``FeelEvaluationError``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from zeebind.feel import ast, operators, temporal
from zeebind.feel.builtins import BUILTINS
from zeebind.feel.conformance import conforms
from zeebind.feel.errors import FeelEvaluationError
from zeebind.feel.operators import OperationError, compare, equal
from zeebind.feel.properties import path_get
from zeebind.feel.values import (
    FeelFunction,
    InvocationError,
    Overload,
    Range,
    format_value,
    from_python,
)

Compiled = Callable[["Scope"], Any]
MISSING: Any = object()

# Warnings that mean "this name or entry does not exist" (used by `is defined`).
_MISSING_KINDS = ("[NO_VARIABLE_FOUND]", "[NO_CONTEXT_ENTRY_FOUND]")


class EvalContext:
    """Per-evaluation state: warnings, the injected clock and uuid source, type definitions."""

    __slots__ = (
        "_now",
        "builtins",
        "expression",
        "now_source",
        "types",
        "uuid_source",
        "warnings",
    )

    def __init__(
        self,
        now: dt.datetime | Callable[[], dt.datetime] | None = None,
        uuid: Callable[[], str] | None = None,
        types: Mapping[str, Callable[[Any], bool]] | None = None,
    ) -> None:
        self.warnings: list[str] = []
        self.expression = ""  # the text being evaluated (for failure messages)
        self.now_source = now
        self.uuid_source = uuid
        self._now: dt.datetime | None = None
        self.types = types or {}
        self.builtins = BUILTINS

    def warn(self, kind: str, message: str) -> None:
        self.warnings.append(f"[{kind}] {message}")

    def now(self) -> dt.datetime:
        """The evaluation's current time (one value per evaluation, from the injected clock)."""
        if self._now is None:
            source = self.now_source
            if source is None:
                value = dt.datetime.now(dt.UTC)
            elif isinstance(source, dt.datetime):
                value = source
            else:
                value = source()
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            self._now = value
        return self._now

    def new_uuid(self) -> str:
        if self.uuid_source is not None:
            return self.uuid_source()
        import uuid

        return str(uuid.uuid4())


class Scope:
    __slots__ = ("cache", "ctx", "parent", "root", "vars")

    def __init__(
        self, ctx: EvalContext, vars: Mapping[str, Any], parent: Scope | None = None
    ) -> None:
        self.ctx = ctx
        self.vars = vars
        self.parent = parent
        self.root = parent is None
        # the root holds the caller's (JSON) variables: each is read and converted once
        self.cache: dict[str, Any] | None = {} if parent is None else None

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            variables = scope.vars
            cache = scope.cache
            if cache is not None:
                if name in cache:
                    return cache[name]
                # one __getitem__ (a lazy scope chain walks once); KeyError means "not there"
                try:
                    value = from_python(variables[name])
                except KeyError:
                    value = MISSING
                cache[name] = value
                return value
            if name in variables:
                return variables[name]
            scope = scope.parent
        return MISSING

    def child(self, vars: Mapping[str, Any]) -> Scope:
        return Scope(self.ctx, vars, self)


# --- invocation -----------------------------------------------------------------------------------


def _select(fn: FeelFunction, count: int) -> Overload | None:
    for overload in fn.overloads:
        if overload.accepts(count):
            return overload
    return None


def invoke(
    ctx: EvalContext, fn: FeelFunction, args: list[Any], named: dict[str, Any] | None
) -> Any:
    if named is not None:
        overload = None
        positional: list[Any] = []
        for candidate in fn.overloads:
            params = candidate.params
            if not set(named) <= set(params):
                continue
            required = len(params) if candidate.required < 0 else candidate.required
            last = max(params.index(k) for k in named) if named else -1
            last = max(last, required - 1)
            positional = [named.get(p) for p in params[: last + 1]]
            if candidate.variadic and isinstance(positional[-1], list):
                positional = positional[:-1] + list(positional[-1])
            overload = candidate
            break
        if overload is None:
            if not fn.builtin and fn.overloads:
                unknown = set(named) - set(fn.overloads[0].params)
                if not unknown:
                    params = fn.overloads[0].params
                    return _call(ctx, fn, fn.overloads[0], [named.get(p) for p in params])
            raise FeelEvaluationError(
                f"no function found with name '{fn.name}' and parameters {', '.join(sorted(named))}"
            )
        return _call(ctx, fn, overload, positional)
    overload = _select(fn, len(args))
    if overload is None:
        if not fn.builtin and fn.overloads:
            overload = fn.overloads[0]
            if len(args) < len(overload.params):
                return _call(ctx, fn, overload, args + [None] * (len(overload.params) - len(args)))
        raise FeelEvaluationError(
            f"no function found with name '{fn.name}' and {len(args)} parameters"
        )
    return _call(ctx, fn, overload, args)


def _call(ctx: EvalContext, fn: FeelFunction, overload: Overload, args: list[Any]) -> Any:
    try:
        return overload.fn(ctx, *args)
    except InvocationError as err:
        ctx.warn("FUNCTION_INVOCATION_FAILURE", f"Failed to invoke function '{fn.name}': {err}")
        return None
    except (OperationError, decimal.DecimalException, OverflowError, ValueError) as err:
        ctx.warn("FUNCTION_INVOCATION_FAILURE", f"Failed to invoke function '{fn.name}': {err}")
        return None


# --- ranges and unary tests -----------------------------------------------------------------------


def _cmp(a: Any, b: Any) -> int | None:
    try:
        return compare(a, b)
    except OperationError:
        return None


def range_contains(r: Range, x: Any) -> bool | None:
    if r.test:
        eq = equal(x, r.start)
        return eq if r.test == "=" or eq is None else not eq
    if x is None:
        return None
    if not r.start_unbounded:
        c = _cmp(x, r.start)
        if c is None:
            return None
        if c < 0 or (c == 0 and not r.start_included):
            return False
    if not r.end_unbounded:
        c = _cmp(x, r.end)
        if c is None:
            return None
        if c > 0 or (c == 0 and not r.end_included):
            return False
    return True


def compare_op(op: str, a: Any, b: Any) -> bool | None:
    if op == "=" or op == "!=":
        r = equal(a, b)
        if r is None:
            raise OperationError(
                "NOT_COMPARABLE", f"Can't compare '{format_value(a)}' with '{format_value(b)}'"
            )
        return r if op == "=" else not r
    c = compare(a, b)
    if op == "<":
        return c < 0
    if op == "<=":
        return c <= 0
    if op == ">":
        return c > 0
    return c >= 0


def unary_range(op: str, operand: Any) -> Range:
    if op in ("=", "!="):
        return Range(operand, operand, True, True, test=op)
    if op in ("<", "<="):
        return Range(None, operand, False, op == "<=", start_unbounded=True)
    return Range(operand, None, op == ">=", False, end_unbounded=True)


def test_value(x: Any, v: Any) -> bool | None:
    """Does input ``x`` satisfy the positive unary test whose value is ``v``?"""
    if isinstance(v, Range):
        return range_contains(v, x)
    if isinstance(v, list) and not isinstance(x, list):
        for item in v:
            r = test_value(x, item) if isinstance(item, Range) else equal(x, item)
            if r is True:
                return True
        return False
    if isinstance(v, list) and isinstance(x, list):
        if equal(x, v) is True:
            return True
        return any(equal(x, item) is True for item in v)
    return equal(x, v)


def any_of(results: Iterator[bool | None]) -> bool | None:
    seen_null = False
    for r in results:
        if r is True:
            return True
        if r is None:
            seen_null = True
    return None if seen_null else False


# --- compiler -------------------------------------------------------------------------------------


class Compiler:
    def __init__(self, text: str) -> None:
        self.text = text

    def compile(self, node: ast.Node) -> Compiled:
        method = getattr(self, "c_" + type(node).__name__)
        result: Compiled = method(node)
        return result

    # literals and names

    def c_Literal(self, node: ast.Literal) -> Compiled:
        value = node.value
        return lambda scope: value

    def c_TemporalLiteral(self, node: ast.TemporalLiteral) -> Compiled:
        try:
            value = temporal.parse_temporal(node.text)
        except (temporal.TemporalError, ValueError, OverflowError) as err:
            message = f'Failed to parse temporal literal @"{node.text}": {err}'

            def invalid(scope: Scope) -> Any:
                scope.ctx.warn("INVALID_TYPE", message)
                return None

            return invalid
        return lambda scope: value

    def c_Name(self, node: ast.Name) -> Compiled:
        name = node.name

        dotted = name.split(".") if "." in name else None

        def run(scope: Scope) -> Any:
            value = scope.lookup(name)
            if value is MISSING:
                builtin = scope.ctx.builtins.get(name)
                if builtin is not None:
                    return builtin
                if dotted is not None:
                    # a declared name such as `Person.Gender` that is not in scope: a path
                    head = scope.lookup(dotted[0])
                    if head is not MISSING:
                        for part in dotted[1:]:
                            head = path_get(scope.ctx, head, part)
                        return head
                scope.ctx.warn("NO_VARIABLE_FOUND", f"No variable found with name '{name}'")
                return None
            return value

        return run

    def c_Path(self, node: ast.Path) -> Compiled:
        target = self.compile(node.target)
        name = node.name

        def run(scope: Scope) -> Any:
            return path_get(scope.ctx, target(scope), name)

        return run

    def c_Filter(self, node: ast.Filter) -> Compiled:
        target = self.compile(node.target)
        condition = self.compile(node.condition)
        static_index = isinstance(node.condition, ast.Literal) or (
            isinstance(node.condition, ast.Negate)
            and isinstance(node.condition.operand, ast.Literal)
        )

        def run(scope: Scope) -> Any:
            value = target(scope)
            if value is None:
                return None
            items = value if isinstance(value, list) else [value]  # a value is a singleton list
            if static_index:
                return _index(items, condition(scope))
            if not items:
                return []
            # the condition is evaluated per item (with `item` and the item's entries in scope);
            # if it gives a number for the first item, the filter is an index instead
            first = condition(_item_scope(scope, items[0]))
            if isinstance(first, Decimal):
                return _index(items, first)
            result = [items[0]] if first is True else []
            for item in items[1:]:
                if condition(_item_scope(scope, item)) is True:
                    result.append(item)
            return result

        return run

    def c_Call(self, node: ast.Call) -> Compiled:
        args = [self.compile(a) for a in node.args]
        named = [(k, self.compile(v)) for k, v in node.named] if node.named else None
        callee_node = node.callee
        if isinstance(callee_node, ast.Name):
            name = callee_node.name
            if name == "is defined" and len(args) == 1 and named is None:
                return self._is_defined(args[0])
            return self._named_call(name, args, named)
        callee = self.compile(callee_node)

        def run(scope: Scope) -> Any:
            fn = callee(scope)
            if not isinstance(fn, FeelFunction):
                if fn is None:
                    return None
                raise FeelEvaluationError(f"expected a function but found '{format_value(fn)}'")
            return _invoke_compiled(scope, fn, args, named)

        return run

    def _named_call(
        self, name: str, args: list[Compiled], named: list[tuple[str, Compiled]] | None
    ) -> Compiled:
        def run(scope: Scope) -> Any:
            fn = scope.lookup(name)
            if not isinstance(fn, FeelFunction):
                fn = scope.ctx.builtins.get(name)
                if fn is None:
                    count = len(named) if named else len(args)
                    raise FeelEvaluationError(
                        f"no function found with name '{name}' and {count} parameters"
                    )
            return _invoke_compiled(scope, fn, args, named)

        return run

    def _is_defined(self, arg: Compiled) -> Compiled:
        """``is defined(x)``: false for null and for missing names, without their warnings."""

        def run(scope: Scope) -> Any:
            ctx = scope.ctx
            mark = len(ctx.warnings)
            value = arg(scope)
            if any(w.startswith(_MISSING_KINDS) for w in ctx.warnings[mark:]):
                del ctx.warnings[mark:]
                return False
            return value is not None

        return run

    # operators

    def c_Negate(self, node: ast.Negate) -> Compiled:
        operand = self.compile(node.operand)

        def run(scope: Scope) -> Any:
            try:
                return operators.negate(operand(scope))
            except OperationError as err:
                scope.ctx.warn(err.kind, err.message)
                return None

        return run

    def c_Binary(self, node: ast.Binary) -> Compiled:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        arithmetic = operators.ARITHMETIC.get(op)
        if arithmetic is not None:
            fn = arithmetic

            def run_arithmetic(scope: Scope) -> Any:
                a = left(scope)
                b = right(scope)
                try:
                    return fn(a, b)
                except OperationError as err:
                    scope.ctx.warn(err.kind, err.message)
                    return None
                except (decimal.DecimalException, OverflowError):
                    scope.ctx.warn("INVALID_TYPE", f"number out of range in '{op}'")
                    return None

            return run_arithmetic

        def run_compare(scope: Scope) -> Any:
            a = left(scope)
            b = right(scope)
            try:
                return compare_op(op, a, b)
            except OperationError as err:
                scope.ctx.warn(err.kind, err.message)
                return None

        return run_compare

    def c_And(self, node: ast.And) -> Compiled:
        left = self.compile(node.left)
        right = self.compile(node.right)

        def run(scope: Scope) -> Any:
            a = left(scope)
            if a is False:
                return False
            b = right(scope)
            if b is False:
                return False
            if a is True and b is True:
                return True
            return None

        return run

    def c_Or(self, node: ast.Or) -> Compiled:
        left = self.compile(node.left)
        right = self.compile(node.right)

        def run(scope: Scope) -> Any:
            a = left(scope)
            if a is True:
                return True
            b = right(scope)
            if b is True:
                return True
            if a is False and b is False:
                return False
            return None

        return run

    def c_If(self, node: ast.If) -> Compiled:
        condition = self.compile(node.condition)
        then = self.compile(node.then)
        otherwise = self.compile(node.otherwise)

        def run(scope: Scope) -> Any:
            if condition(scope) is True:
                return then(scope)
            return otherwise(scope)

        return run

    def c_Between(self, node: ast.Between) -> Compiled:
        value = self.compile(node.value)
        low = self.compile(node.low)
        high = self.compile(node.high)

        def run(scope: Scope) -> Any:
            x, a, b = value(scope), low(scope), high(scope)
            try:
                r1: bool | None = compare(x, a) >= 0
            except OperationError as err:
                scope.ctx.warn(err.kind, err.message)
                r1 = None
            try:
                r2: bool | None = compare(x, b) <= 0
            except OperationError as err:
                scope.ctx.warn(err.kind, err.message)
                r2 = None
            if r1 is False or r2 is False:
                return False
            if r1 is None or r2 is None:
                return None
            return True

        return run

    def c_UnaryCompare(self, node: ast.UnaryCompare) -> Compiled:
        operand = self.compile(node.operand)
        op = node.op
        return lambda scope: unary_range(op, operand(scope))

    def compile_test(self, node: ast.Node) -> Callable[[Scope, Any], bool | None]:
        """A positive unary test: ``(scope, input) -> bool | None``."""
        if isinstance(node, ast.UnaryCompare):
            operand = self.compile(node.operand)
            op = node.op

            def run_compare(scope: Scope, x: Any) -> bool | None:
                v = operand(scope)
                try:
                    return compare_op(op, x, v)
                except OperationError as err:
                    scope.ctx.warn(err.kind, err.message)
                    return None

            return run_compare
        expr = self.compile(node)

        def run_value(scope: Scope, x: Any) -> bool | None:
            return test_value(x, expr(scope))

        return run_value

    def compile_unary_test(self, node: ast.Node) -> Callable[[Scope, Any], bool | None]:
        """A decision-table test: like ``compile_test`` but a boolean expression decides itself.

        A test that mentions ``?`` must be a boolean expression (``? > 5``); a test whose value is
        a boolean while the input is not (``x > 5`` on some other variable) is that boolean.
        """
        if isinstance(node, ast.UnaryCompare):
            return self.compile_test(node)
        expr = self.compile(node)
        if uses_input(node):

            def run_boolean(scope: Scope, x: Any) -> bool | None:
                v = expr(scope)
                # a test that mentions `?` is a condition: anything but a boolean is null
                return v if isinstance(v, bool) else None

            return run_boolean

        def run_value(scope: Scope, x: Any) -> bool | None:
            v = expr(scope)
            if isinstance(v, bool) and x is not None and not isinstance(x, bool):
                return v
            return test_value(x, v)

        return run_value

    def c_In(self, node: ast.In) -> Compiled:
        value = self.compile(node.value)
        tests = [self.compile_test(t) for t in node.tests]
        with_input = any(uses_input(t) for t in node.tests)
        if with_input:
            tests = [self.compile_unary_test(t) for t in node.tests]

        def run(scope: Scope) -> Any:
            x = value(scope)
            inner = scope.child({"?": x}) if with_input else scope
            return any_of(t(inner, x) for t in tests)

        return run

    def c_InstanceOf(self, node: ast.InstanceOf) -> Compiled:
        value = self.compile(node.value)
        spec = node.type

        def run(scope: Scope) -> Any:
            return conforms(scope.ctx, value(scope), spec)

        return run

    # structures

    def c_ListLiteral(self, node: ast.ListLiteral) -> Compiled:
        items = [self.compile(i) for i in node.items]
        return lambda scope: [item(scope) for item in items]

    def c_ContextLiteral(self, node: ast.ContextLiteral) -> Compiled:
        entries = [(k, self.compile(v)) for k, v in node.entries]

        def run(scope: Scope) -> Any:
            result: dict[str, Any] = {}
            inner = scope.child(result)
            for key, fn in entries:
                result[key] = fn(inner)
            return result

        return run

    def c_RangeLiteral(self, node: ast.RangeLiteral) -> Compiled:
        start = self.compile(node.start) if node.start is not None else None
        end = self.compile(node.end) if node.end is not None else None
        start_included, end_included = node.start_included, node.end_included

        def run(scope: Scope) -> Any:
            a = start(scope) if start is not None else None
            b = end(scope) if end is not None else None
            if a is not None and b is not None:
                order = _cmp(a, b)
                if operators._kind(a) != operators._kind(b) or order is None or order > 0:
                    scope.ctx.warn(
                        "INVALID_TYPE",
                        f"Can't build a range from '{format_value(a)}' to '{format_value(b)}'",
                    )
                    return None
            return Range(a, b, start_included, end_included)

        return run

    def _iterations(self, iterations: list[ast.Iteration]) -> list[tuple[str, Compiled, Any]]:
        return [
            (it.name, self.compile(it.source), self.compile(it.range_end) if it.range_end else None)
            for it in iterations
        ]

    def c_For(self, node: ast.For) -> Compiled:
        iterations = self._iterations(node.iterations)
        body = self.compile(node.body)

        def run(scope: Scope) -> Any:
            results: list[Any] = []
            frame: dict[str, Any] = {"partial": results}
            inner = scope.child(frame)
            ok = _bind_iterations(inner, frame, iterations, 0, lambda: results.append(body(inner)))
            return results if ok else None

        return run

    def c_Quantified(self, node: ast.Quantified) -> Compiled:
        iterations = self._iterations(node.iterations)
        condition = self.compile(node.condition)
        every = node.every

        def run(scope: Scope) -> Any:
            frame: dict[str, Any] = {}
            inner = scope.child(frame)
            outcomes: list[Any] = []
            ok = _bind_iterations(
                inner, frame, iterations, 0, lambda: outcomes.append(condition(inner))
            )
            if not ok:
                return None
            if every:
                if any(o is False for o in outcomes):
                    return False
                if all(o is True for o in outcomes):
                    return True
                return None
            if any(o is True for o in outcomes):
                return True
            if all(o is False for o in outcomes):
                return False
            return None

        return run

    def c_FunctionDefinition(self, node: ast.FunctionDefinition) -> Compiled:
        if node.external:

            def external(scope: Scope) -> Any:
                raise FeelEvaluationError("external functions are not supported")

            return external
        body = self.compile(node.body)
        names = tuple(name for name, _ in node.params)
        types = [spec for _, spec in node.params]

        def run(scope: Scope) -> Any:
            def call(ctx: EvalContext, *args: Any) -> Any:
                for arg, spec in zip(args, types, strict=False):
                    if spec is not None and arg is not None and conforms(ctx, arg, spec) is False:
                        raise InvocationError(
                            f"parameter value '{format_value(arg)}' does not conform to {spec.name}"
                        )
                frame = dict(zip(names, args, strict=False))
                return body(Scope(ctx, frame, scope))

            return FeelFunction("anonymous function", [Overload(names, call)])

        return run


def uses_input(node: Any) -> bool:
    """Does the syntax tree refer to the unary-test input ``?``?"""
    if isinstance(node, ast.Name):
        return node.name == "?"
    if isinstance(node, ast.Node | ast.Iteration):
        return any(uses_input(getattr(node, f.name)) for f in dataclasses.fields(node))
    if isinstance(node, list | tuple):
        return any(uses_input(item) for item in node)
    return False


def _invoke_compiled(
    scope: Scope,
    fn: FeelFunction,
    args: list[Compiled],
    named: list[tuple[str, Compiled]] | None,
) -> Any:
    if named is not None:
        return invoke(scope.ctx, fn, [], {k: v(scope) for k, v in named})
    return invoke(scope.ctx, fn, [a(scope) for a in args], None)


def _item_scope(scope: Scope, item: Any) -> Scope:
    if isinstance(item, Mapping):
        frame = {"item": item}
        frame.update(item)
        return scope.child(frame)
    return scope.child({"item": item})


def _index(items: list[Any], index: Any) -> Any:
    if not isinstance(index, Decimal) or isinstance(index, bool):
        if index is True:
            return items
        if index is False or index is None:
            return []
        return None
    if index != index.to_integral_value():
        return None
    i = int(index)
    if i > 0 and i <= len(items):
        return items[i - 1]
    if i < 0 and -i <= len(items):
        return items[i]
    return None


def _iteration_values(scope: Scope, source: Compiled, range_end: Compiled | None) -> Any:
    value = source(scope)
    if range_end is not None:
        end = range_end(scope)
        return _integer_range(value, end, True, True)
    if isinstance(value, Range):
        if value.start_unbounded or value.end_unbounded:
            return None
        start, end = value.start, value.end
        values = _integer_range(start, end, value.start_included, value.end_included)
        return values
    if not isinstance(value, list):
        return None  # iterating over a non-list (or null) gives null, as in feel-scala
    return value


def _integer_range(start: Any, end: Any, start_inc: bool, end_inc: bool) -> Any:
    if type(start) is dt.date and type(end) is dt.date:
        days = []
        step = 1 if end >= start else -1
        current = start
        delta = dt.timedelta(days=step)
        while (current <= end) if step > 0 else (current >= end):
            days.append(current)
            current = current + delta
        if not start_inc and days:
            days = days[1:]
        if not end_inc and days and days[-1] == end:
            days = days[:-1]
        return days
    if not isinstance(start, Decimal) or not isinstance(end, Decimal):
        return None
    if start != start.to_integral_value() or end != end.to_integral_value():
        return None
    a, b = int(start), int(end)
    step = 1 if b >= a else -1
    values = [Decimal(i) for i in range(a, b + step, step)]
    if not start_inc and values:
        values = values[1:]
    if not end_inc and values and values[-1] == end:
        values = values[:-1]
    return values


def _bind_iterations(
    scope: Scope,
    frame: dict[str, Any],
    iterations: list[tuple[str, Compiled, Any]],
    index: int,
    action: Callable[[], None],
) -> bool:
    if index == len(iterations):
        action()
        return True
    name, source, range_end = iterations[index]
    values = _iteration_values(scope, source, range_end)
    if values is None:
        return False
    for value in values:
        frame[name] = value
        if not _bind_iterations(scope, frame, iterations, index + 1, action):
            return False
    return True


__all__ = [
    "Compiler",
    "EvalContext",
    "Scope",
    "any_of",
    "conforms",
    "invoke",
    "path_get",
    "range_contains",
    "test_value",
]
