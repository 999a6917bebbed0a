"""Syntax tree of FEEL expressions and unary tests (produced by the parser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Node:
    pos: int


@dataclass(slots=True)
class Literal(Node):
    value: Any  # Decimal, str, bool or None


@dataclass(slots=True)
class TemporalLiteral(Node):
    text: str


@dataclass(slots=True)
class Name(Node):
    name: str


@dataclass(slots=True)
class Path(Node):
    target: Node
    name: str


@dataclass(slots=True)
class Filter(Node):
    target: Node
    condition: Node


@dataclass(slots=True)
class Call(Node):
    callee: Node
    args: list[Node]
    named: list[tuple[str, Node]] | None = None


@dataclass(slots=True)
class Negate(Node):
    operand: Node


@dataclass(slots=True)
class Binary(Node):
    op: str  # + - * / ** = != < <= > >=
    left: Node
    right: Node


@dataclass(slots=True)
class And(Node):
    left: Node
    right: Node


@dataclass(slots=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(slots=True)
class UnaryCompare(Node):
    """``< 5``, ``>= x``, ``!= 3``, ``= 2``: compares the tested value with an operand."""

    op: str
    operand: Node


@dataclass(slots=True)
class In(Node):
    value: Node
    tests: list[Node]  # each a UnaryCompare or an expression (value, list or range)


@dataclass(slots=True)
class TypeSpec:
    name: str  # "number", "list", "context", "function", "range", "Any", a user type...
    args: list[TypeSpec] = field(default_factory=list)
    entries: list[tuple[str, TypeSpec]] = field(default_factory=list)  # context<a: number>
    result: TypeSpec | None = None  # function<...> -> result


@dataclass(slots=True)
class InstanceOf(Node):
    value: Node
    type: TypeSpec


@dataclass(slots=True)
class ListLiteral(Node):
    items: list[Node]


@dataclass(slots=True)
class ContextLiteral(Node):
    entries: list[tuple[str, Node]]


@dataclass(slots=True)
class RangeLiteral(Node):
    start: Node | None
    end: Node | None
    start_included: bool
    end_included: bool


@dataclass(slots=True)
class Iteration:
    name: str
    source: Node
    range_end: Node | None = None  # `for i in 1..3`


@dataclass(slots=True)
class For(Node):
    iterations: list[Iteration]
    body: Node


@dataclass(slots=True)
class Quantified(Node):
    every: bool
    iterations: list[Iteration]
    condition: Node


@dataclass(slots=True)
class FunctionDefinition(Node):
    params: list[tuple[str, TypeSpec | None]]
    body: Node
    external: bool = False


@dataclass(slots=True)
class UnaryTests(Node):
    """Entry point of a decision-table cell: ``-``, ``a, b``, ``not(a, b)``."""

    tests: list[Node]
    negated: bool = False
    any: bool = False
