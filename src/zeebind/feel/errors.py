"""Errors raised by the FEEL package."""

from __future__ import annotations


class FeelSyntaxError(Exception):
    """An expression (or unary test) that cannot be parsed.

    ``position`` is the 0-based character offset in the expression text where the problem was found.
    """

    def __init__(self, message: str, position: int, text: str = "") -> None:
        self.message = message
        self.position = position
        self.text = text
        super().__init__(message, position)

    def __str__(self) -> str:
        where = f"at position {self.position}"
        if self.text:
            line = self.text.count("\n", 0, self.position) + 1
            column = self.position - (self.text.rfind("\n", 0, self.position) + 1) + 1
            where = f"at line {line}, column {column} (position {self.position})"
        return f"{self.message} {where}"


class FeelEvaluationError(Exception):
    """A hard evaluation failure (an ``assert``, an unknown function...): the whole result fails."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message
