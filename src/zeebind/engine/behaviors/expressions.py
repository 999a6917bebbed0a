"""Evaluating model attributes (FEEL expressions or static values) with Zeebe's type checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zeebind.bpmn.model import Expression, ExpressionOrStatic, Static
from zeebind.engine.state import State
from zeebind.feel import EvaluationResult, compile_expression, to_json, type_name


@dataclass(frozen=True, slots=True)
class Failure:
    """An expression that could not give a usable value: becomes an incident of `error_type`."""

    error_type: str
    message: str


class ScopeVariables(Mapping[str, Any]):
    """The variables visible from a scope, looked up lazily along the scope chain."""

    def __init__(self, state: State, scope_key: int, overlay: Mapping[str, Any] | None = None):
        self._state = state
        self._scope_key = scope_key
        self._overlay = overlay if overlay is not None else {}
        self.now_ms: int | None = state.now_ms

    def __getitem__(self, name: str) -> Any:
        if name in self._overlay:
            return self._overlay[name]
        for key in self._state.scope_chain(self._scope_key):
            scope = self._state.variables.get(key)
            if scope is not None and name in scope:
                return scope[name].value
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        try:
            self[name]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def _all(self) -> dict[str, Any]:
        return {**self._state.visible_variables(self._scope_key), **self._overlay}

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def run(source: str, variables: Mapping[str, Any]) -> EvaluationResult:
    """Evaluates with the step's time for now() and today(): the command's timestamp."""
    now_ms = variables.now_ms if isinstance(variables, ScopeVariables) else None
    now = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC) if now_ms is not None else None
    return compile_expression(source).evaluate(variables, now=now)


def _warnings_suffix(warnings: list[str]) -> str:
    if not warnings:
        return ""
    return " The evaluation reported the following warnings:\n" + "\n".join(warnings)


def evaluate_any(source: str, variables: Mapping[str, Any]) -> Any | Failure:
    """Evaluates a FEEL expression; the FEEL value, or a Failure when the evaluation failed."""
    result = run(source, variables)
    if result.failure is not None:
        return Failure(
            "EXTRACT_VALUE_ERROR",
            f"Expected to evaluate expression '{source}', but {result.failure}"
            + _warnings_suffix(result.warnings),
        )
    return result.value


def _type_failure(source: str, expected: str, value: Any, warnings: list[str]) -> Failure:
    return Failure(
        "EXTRACT_VALUE_ERROR",
        f"Expected result of the expression '{source}' to be '{expected}', "
        f"but was '{type_name(value)}'." + _warnings_suffix(warnings),
    )


def evaluate_string(attribute: ExpressionOrStatic, variables: Mapping[str, Any]) -> str | Failure:
    if isinstance(attribute, Static):
        return attribute.value
    result = run(attribute.source, variables)
    if result.failure is not None:
        return Failure("EXTRACT_VALUE_ERROR", result.failure + _warnings_suffix(result.warnings))
    if not isinstance(result.value, str):
        return _type_failure(attribute.source, "STRING", result.value, result.warnings)
    return result.value


def evaluate_int(attribute: ExpressionOrStatic, variables: Mapping[str, Any]) -> int | Failure:
    if isinstance(attribute, Static):
        try:
            return int(attribute.value)
        except ValueError:
            return Failure(
                "EXTRACT_VALUE_ERROR", f"Expected a number but found '{attribute.value}'."
            )
    result = run(attribute.source, variables)
    if result.failure is not None:
        return Failure("EXTRACT_VALUE_ERROR", result.failure + _warnings_suffix(result.warnings))
    value = result.value
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return _type_failure(attribute.source, "NUMBER", value, result.warnings)
    return int(value)


def evaluate_boolean(source: str, variables: Mapping[str, Any]) -> bool | Failure:
    result = run(source, variables)
    if result.failure is not None:
        return Failure("EXTRACT_VALUE_ERROR", result.failure + _warnings_suffix(result.warnings))
    if not isinstance(result.value, bool):
        return _type_failure(source, "BOOLEAN", result.value, result.warnings)
    return result.value


def evaluate_correlation_key(expression: Expression, variables: Mapping[str, Any]) -> str | Failure:
    result = run(expression.source, variables)
    value = result.value
    if result.failure is None and isinstance(value, str):
        return value
    if result.failure is None and isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(to_json(value))
    return Failure(
        "EXTRACT_VALUE_ERROR",
        f"Failed to extract the correlation key for '{expression.source}': The value must be "
        f"either a string or a number, but was '{type_name(value)}'."
        + _warnings_suffix(result.warnings),
    )


def evaluate_mapping_source(
    attribute: ExpressionOrStatic | None, variables: Mapping[str, Any]
) -> Any | Failure:
    """A mapping source as a JSON value (static sources are literal strings)."""
    if attribute is None:
        return None
    if isinstance(attribute, Static):
        return attribute.value
    result = run(attribute.source, variables)
    if result.failure is not None:
        return Failure(
            "IO_MAPPING_ERROR",
            f"Failed to evaluate expression '{attribute.source}': {result.failure}"
            + _warnings_suffix(result.warnings),
        )
    return to_json(result.value)
