"""Collects the problems and the expressions met while a resource is parsed."""

from __future__ import annotations

from dataclasses import dataclass, field

from zeebind.bpmn.errors import BpmnValidationError, Problem
from zeebind.bpmn.model import Expression, ExpressionOrStatic, Static

NOT_PRESENT = "Attribute '{}' must be present and not empty"


def expected_expression(value: str) -> str:
    return (
        f"Expected expression but found static value '{value}'. "
        f"An expression must start with '=' (e.g. '={value}')."
    )


@dataclass(slots=True)
class Findings:
    """Problems in first-seen order (duplicates dropped) and every expression to syntax-check."""

    problems: list[Problem] = field(default_factory=list)
    expressions: list[tuple[str, Expression]] = field(default_factory=list)

    def add(self, element_path: str, message: str) -> None:
        problem = Problem(element_path, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def value(self, element_path: str, text: str) -> ExpressionOrStatic:
        """Static vs expression: a leading '=' makes the rest (stripped) a FEEL expression."""
        if text.startswith("="):
            expression = Expression(text[1:].strip())
            self.expressions.append((element_path, expression))
            return expression
        return Static(text)

    def expression(self, element_path: str, text: str) -> Expression | None:
        """An expression-only attribute: a static value is a problem."""
        value = self.value(element_path, text)
        if isinstance(value, Static):
            self.add(element_path, expected_expression(text))
            return None
        return value

    def raise_if_any(self, resource_name: str) -> None:
        if self.problems:
            raise BpmnValidationError(resource_name, self.problems)
