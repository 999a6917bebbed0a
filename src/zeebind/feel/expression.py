"""Compiled FEEL expressions and unary tests: the entry points of the package."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from zeebind.feel import ast, builtins
from zeebind.feel.errors import FeelEvaluationError, FeelSyntaxError
from zeebind.feel.evaluator import Compiler, EvalContext, Scope, any_of
from zeebind.feel.parser import parse_expression, parse_unary_tests
from zeebind.feel.values import from_python

builtins.load()

Clock = dt.datetime | Callable[[], dt.datetime]
_EMPTY: Mapping[str, Any] = {}


@dataclass(slots=True)
class EvaluationResult:
    """The outcome of one evaluation.

    ``value`` is the FEEL value (``None`` for null or on failure); ``warnings`` are Zeebe-style
    messages such as ``[NO_VARIABLE_FOUND] No variable found with name 'x'``; ``failure`` is set
    when the evaluation failed as a whole (``assert``, an unknown function...).
    """

    value: Any
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def _run(
    text: str,
    fn: Callable[[Scope], Any],
    variables: Mapping[str, Any] | None,
    now: Clock | None,
    uuid: Callable[[], str] | None,
    types: Mapping[str, Callable[[Any], bool]] | None,
) -> EvaluationResult:
    ctx = EvalContext(now, uuid, types)
    ctx.expression = text
    scope = Scope(ctx, variables if variables is not None else _EMPTY)
    try:
        value = fn(scope)
    except FeelEvaluationError as err:
        return EvaluationResult(None, ctx.warnings, err.message)
    except RecursionError:
        return EvaluationResult(None, ctx.warnings, "the expression is nested too deeply")
    except (decimal.DecimalException, OverflowError) as err:
        return EvaluationResult(None, ctx.warnings, f"arithmetic failure: {err!r}")
    except Exception as err:  # a bug in the engine must not take the caller down
        return EvaluationResult(
            None, ctx.warnings, f"internal error in the FEEL engine: {type(err).__name__}: {err}"
        )
    return EvaluationResult(value, ctx.warnings)


class Expression:
    """A parsed and compiled FEEL expression; evaluate it as often as needed."""

    __slots__ = ("_fn", "node", "text")

    def __init__(self, text: str, node: ast.Node) -> None:
        self.text = text
        self.node = node
        self._fn = Compiler(text).compile(node)

    def evaluate(
        self,
        variables: Mapping[str, Any] | None = None,
        *,
        now: Clock | None = None,
        uuid: Callable[[], str] | None = None,
        types: Mapping[str, Callable[[Any], bool]] | None = None,
    ) -> EvaluationResult:
        """Evaluate with ``variables`` (JSON or FEEL values; only ``in`` and ``[]`` are used).

        ``now`` (a datetime or a callable returning one) is the clock of ``now()``/``today()``;
        ``uuid`` the source of ``uuid()``; ``types`` extra type checks for ``instance of``.
        """
        return _run(self.text, self._fn, variables, now, uuid, types)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


class UnaryTests:
    """Parsed unary tests (a decision-table input entry); ``?`` is the tested input value."""

    __slots__ = ("_tests", "node", "text")

    def __init__(self, text: str, node: ast.UnaryTests) -> None:
        self.text = text
        self.node = node
        compiler = Compiler(text)
        self._tests = [compiler.compile_unary_test(t) for t in node.tests]

    def matches(
        self,
        input_value: Any,
        variables: Mapping[str, Any] | None = None,
        *,
        now: Clock | None = None,
        uuid: Callable[[], str] | None = None,
        types: Mapping[str, Callable[[Any], bool]] | None = None,
    ) -> EvaluationResult:
        """``value`` is True when the input satisfies the tests, False otherwise (never null)."""
        node = self.node
        tests = self._tests
        x = from_python(input_value)

        def run(scope: Scope) -> Any:
            if node.any:
                return True
            inner = scope.child({"?": x})
            result = any_of(test(inner, x) for test in tests)
            if node.negated:
                return result is False
            return result is True

        return _run(self.text, run, variables, now, uuid, types)

    def __repr__(self) -> str:
        return f"UnaryTests({self.text!r})"


def _too_deep(text: str) -> FeelSyntaxError:
    return FeelSyntaxError("the expression is nested too deeply", 0, text)


@lru_cache(maxsize=4096)
def _compile_expression(text: str, known_names: frozenset[str]) -> Expression:
    try:
        return Expression(text, parse_expression(text, known_names))
    except RecursionError:
        raise _too_deep(text) from None


@lru_cache(maxsize=4096)
def _compile_unary_tests(text: str, known_names: frozenset[str]) -> UnaryTests:
    try:
        return UnaryTests(text, parse_unary_tests(text, known_names))
    except RecursionError:
        raise _too_deep(text) from None


def compile_expression(text: str, known_names: Iterable[str] = ()) -> Expression:
    """Parse and compile a FEEL expression (cached by text). Raises ``FeelSyntaxError``.

    ``known_names`` declares variable names that contain operator characters
    (``a-b``, ``x+y``) so that they are read as one name; names with spaces need no declaration.
    """
    return _compile_expression(text, frozenset(known_names))


def compile_unary_tests(text: str, known_names: Iterable[str] = ()) -> UnaryTests:
    """Parse and compile FEEL unary tests (cached by text). Raises ``FeelSyntaxError``."""
    return _compile_unary_tests(text, frozenset(known_names))
