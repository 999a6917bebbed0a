"""Decision tables: input values, rule matching, hit policies and aggregations, the audit.

Zeebe's results (dmn-scala): one output gives the value itself, several a context by output name;
UNIQUE, FIRST, ANY, PRIORITY and COLLECT with an aggregation give one value, RULE ORDER, OUTPUT
ORDER and COLLECT a list. No matching rule gives the default output entries, else null (strict
mode: the standard's empty list for multi-hit tables, 0 for COUNT).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zeebind.dmn.model import Aggregation, DecisionTable, HitPolicy, OutputClause, Rule
from zeebind.dmn.results import (
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    LogicFailure,
    MatchedRule,
)
from zeebind.dmn.simple_tests import Matcher, simple_test
from zeebind.feel import (
    FeelSyntaxError,
    UnaryTests,
    compile_unary_tests,
    format_value,
    to_string,
)
from zeebind.feel.operators import equal

_SINGLE_RESULT = {HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.PRIORITY, HitPolicy.ANY}
# (FEEL text, variables) -> value, raising LogicFailure; (value, typeRef) -> the coerced value.
Feel = Callable[[str, Mapping[str, Any]], Any]
Coerce = Callable[[Any, str | None], Any]


@dataclass(slots=True)
class _Entry:
    """A rule's input entry to test: its column, text, direct matcher, compiled unary tests."""

    position: int
    text: str
    simple: Matcher | None
    tests: UnaryTests | None = None


def _scala_text(value: Any) -> str:
    """A value as dmn-scala prints it in hit policy failures: List(Map(name -> value), ...)."""
    if isinstance(value, list):
        return "List(" + ", ".join(_scala_text(v) for v in value) + ")"
    if isinstance(value, Mapping):
        return "Map(" + ", ".join(f"{k} -> {_scala_text(v)}" for k, v in value.items()) + ")"
    if value is None:
        return "null"
    return to_string(value)


def _found(table: DecisionTable, rows: list[tuple[int, Rule, list[Any]]]) -> str:
    return _scala_text(
        [
            {c.name or c.label: v for c, v in zip(table.outputs, outputs, strict=False)}
            for _, _, outputs in rows
        ]
    )


class TableEvaluator:
    """Evaluates the decision tables of one DRG; the rules are prepared once per table."""

    def __init__(
        self,
        names: frozenset[str],
        checks: Mapping[str, Callable[[Any], bool]],
        *,
        strict: bool,
        now: dt.datetime | None,
    ) -> None:
        self.names = names
        self.checks = checks
        self.strict = strict
        self.now = now
        self._plans: dict[int, list[tuple[Rule, list[_Entry]]]] = {}

    def plan(self, table: DecisionTable) -> list[tuple[Rule, list[_Entry]]]:
        """The table's rules with their non-trivial input entries, prepared once per table."""
        plan = self._plans.get(id(table))
        if plan is None:
            plan = []
            for rule in table.rules:
                entries = []
                for position, text in enumerate(rule.input_entries):
                    stripped = text.strip()
                    if stripped and stripped != "-":
                        entries.append(_Entry(position, stripped, simple_test(stripped)))
                plan.append((rule, entries))
            self._plans[id(table)] = plan
        return plan

    def evaluate(
        self,
        table: DecisionTable,
        scope: dict[str, Any],
        audit: EvaluatedDecision | None,
        feel: Feel,
        coerce: Coerce,
    ) -> Any:
        """The table's result in `scope`; the inputs and matched rules go to `audit`."""
        return _TableRun(self, feel, coerce).evaluate(table, scope, audit)


@dataclass(slots=True)
class _TableRun:
    tables: TableEvaluator
    feel: Feel
    coerce: Coerce

    def evaluate(
        self, table: DecisionTable, scope: dict[str, Any], audit: EvaluatedDecision | None
    ) -> Any:
        tables = self.tables
        values: list[Any] = []
        for clause in table.inputs:
            value = self.feel(clause.expression, scope) if clause.expression.strip() else None
            if tables.strict:
                value = self.coerce(value, clause.type_ref)
                self._check_allowed(clause.input_values, value, scope, f"input '{clause.label}'")
            values.append(value)
            if audit is not None:
                audit.evaluated_inputs.append(EvaluatedInput(clause.id, clause.label, value))
        matched: list[tuple[int, Rule]] = []
        for index, (rule, entries) in enumerate(tables.plan(table), start=1):
            if self._matches(rule, entries, values, scope):
                matched.append((index, rule))
                if table.hit_policy is HitPolicy.FIRST:
                    break
        rows: list[tuple[int, Rule, list[Any]]] = []
        for index, rule in matched:
            outputs = []
            for output, text in zip(table.outputs, rule.output_entries, strict=False):
                value = self.feel(text, scope) if text.strip() else None
                if tables.strict:
                    value = self.coerce(value, output.type_ref)
                    label = f"output '{output.name or output.label}'"
                    self._check_allowed(output.output_values, value, scope, label)
                outputs.append(value)
            rows.append((index, rule, outputs))
        if audit is None:
            return self._hit_policy(table, rows, scope)
        try:
            return self._hit_policy(table, rows, scope)
        finally:  # a failing hit policy still reports the rules that matched
            for index, rule, outputs in self._reported(table, rows):
                audit.matched_rules.append(
                    MatchedRule(
                        rule.id,
                        index,
                        tuple(
                            EvaluatedOutput(c.id, c.name or c.label, v)
                            for c, v in zip(table.outputs, outputs, strict=False)
                        ),
                    )
                )

    def _check_allowed(
        self, allowed: str | None, value: Any, scope: Mapping[str, Any], what: str
    ) -> None:
        if not allowed or not allowed.strip() or value is None:
            return
        tests = compile_unary_tests(allowed, self.tables.names)
        if tests.matches(value, scope, types=self.tables.checks).value is not True:
            raise LogicFailure(
                f"the value '{format_value(value)}' of {what} is not one of the allowed values "
                f"'{allowed.strip()}'"
            )

    def _matches(
        self, rule: Rule, entries: list[_Entry], values: list[Any], scope: Mapping[str, Any]
    ) -> bool:
        tables = self.tables
        for entry in entries:
            value = values[entry.position] if entry.position < len(values) else None
            if entry.simple is not None:
                decided = entry.simple(value)
                if decided is False:
                    return False
                if decided is True:
                    continue
            if entry.tests is None:
                try:
                    entry.tests = compile_unary_tests(entry.text, tables.names)
                except FeelSyntaxError as err:
                    raise LogicFailure(
                        f"failed to parse the input entry '{entry.text}' of rule '{rule.id}': {err}"
                    ) from None
            result = entry.tests.matches(value, scope, now=tables.now, types=tables.checks)
            if result.failure is not None:
                raise LogicFailure(
                    f"failed to evaluate the input entry '{entry.text}' of rule '{rule.id}': "
                    f"{result.failure}"
                )
            if result.value is not True:
                return False
        return True

    def _shape(self, table: DecisionTable, outputs: list[Any]) -> Any:
        if len(table.outputs) == 1:
            return outputs[0]
        for clause in table.outputs:
            if not clause.name:
                raise LogicFailure(
                    f"the output '{clause.id}' has no name, but a table with several outputs "
                    "needs the names as the keys of its result"
                )
        return {c.name: v for c, v in zip(table.outputs, outputs, strict=False)}

    def _priority(self, table: DecisionTable, outputs: list[Any]) -> tuple[int, ...]:
        ranks = []
        for clause, value in zip(table.outputs, outputs, strict=False):
            allowed = self._output_values(clause)
            rank = next((i for i, v in enumerate(allowed) if equal(v, value) is True), len(allowed))
            ranks.append(rank)
        return tuple(ranks)

    def _output_values(self, clause: OutputClause) -> list[Any]:
        if not clause.output_values or not clause.output_values.strip():
            return []
        values = self.feel(f"[{clause.output_values}]", {})
        return values if isinstance(values, list) else []

    def _hit_policy(
        self, table: DecisionTable, rows: list[tuple[int, Rule, list[Any]]], scope: dict[str, Any]
    ) -> Any:
        policy = table.hit_policy
        if not rows:
            return self._no_match(table, scope)
        shaped = [self._shape(table, outputs) for _, _, outputs in rows]
        if policy is HitPolicy.UNIQUE:
            if len(rows) > 1:
                raise LogicFailure(
                    "multiple values aren't allowed for UNIQUE hit policy. found: "
                    f"'{_found(table, rows)}'"
                )
            return shaped[0]
        if policy is HitPolicy.FIRST:
            return shaped[0]
        if policy is HitPolicy.ANY:
            if any(equal(s, shaped[0]) is not True for s in shaped[1:]):
                raise LogicFailure(
                    "different values aren't allowed for ANY hit policy. found: "
                    f"'{_found(table, rows)}'"
                )
            return shaped[0]
        if policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER):
            order = sorted(
                range(len(rows)), key=lambda i: self._priority(table, rows[i][2])
            )  # stable: rule order among equal priorities
            if policy is HitPolicy.PRIORITY:
                return shaped[order[0]]
            return [shaped[i] for i in order]
        if policy is HitPolicy.RULE_ORDER or table.aggregation is None:
            return shaped
        return self._aggregate(table, shaped)

    def _aggregate(self, table: DecisionTable, values: list[Any]) -> Any:
        aggregation = table.aggregation
        if aggregation is Aggregation.COUNT:
            return Decimal(len([v for v in values if v is not None]))
        if len(table.outputs) > 1:
            raise LogicFailure(
                f"multiple values aren't allowed for the {aggregation} aggregation: the table "
                "must have one output"
            )
        present = [v for v in values if v is not None]
        for v in present:
            numeric = isinstance(v, Decimal) and not isinstance(v, bool)
            if not numeric and (aggregation is Aggregation.SUM or not self.tables.strict):
                raise LogicFailure(f"expected number but found '{format_value(v)}'")
        if not present:
            return None
        if aggregation is Aggregation.SUM:
            return sum(present, Decimal(0))
        try:
            return min(present) if aggregation is Aggregation.MIN else max(present)
        except TypeError:
            raise LogicFailure(f"cannot compare the values '{format_value(present)}'") from None

    def _no_match(self, table: DecisionTable, scope: dict[str, Any]) -> Any:
        if any(c.default is not None and c.default.strip() for c in table.outputs):
            defaults = [
                self.feel(c.default, scope) if c.default and c.default.strip() else None
                for c in table.outputs
            ]
            value = self._shape(table, defaults)
            if table.hit_policy in _SINGLE_RESULT or table.aggregation is not None:
                return value
            return [value]
        if not self.tables.strict:
            return None
        if table.aggregation is Aggregation.COUNT:
            return Decimal(0)
        if table.hit_policy in _SINGLE_RESULT or table.aggregation is not None:
            return None
        return []

    def _reported(
        self, table: DecisionTable, rows: list[tuple[int, Rule, list[Any]]]
    ) -> list[tuple[int, Rule, list[Any]]]:
        """The matched rules Zeebe reports: the chosen one for PRIORITY, else all matches."""
        if table.hit_policy is HitPolicy.PRIORITY and rows:
            best = min(range(len(rows)), key=lambda i: self._priority(table, rows[i][2]))
            return [rows[best]]
        return rows
