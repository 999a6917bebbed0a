"""Deploy-time checks of a DRG's decision logic: every FEEL text must parse (as Zeebe requires)."""

from __future__ import annotations

from zeebind.bpmn.findings import Findings
from zeebind.dmn.evaluator import known_names
from zeebind.dmn.model import (
    BoxedExpression,
    Conditional,
    Context,
    DecisionTable,
    Definitions,
    Filter,
    FunctionDefinition,
    Invocation,
    Iteration,
    ListExpression,
    LiteralExpression,
    Relation,
)
from zeebind.feel import FeelSyntaxError, compile_expression, compile_unary_tests


class _Checker:
    def __init__(self, definitions: Definitions, findings: Findings) -> None:
        self.names = known_names([definitions])
        self.findings = findings

    def text(self, path: str, text: str | None, *, unary: bool = False) -> None:
        if text is None or not text.strip() or (unary and text.strip() == "-"):
            return
        try:
            if unary:
                compile_unary_tests(text, self.names)
            else:
                compile_expression(text, self.names)
        except FeelSyntaxError as err:
            kind = "FEEL unary-tests" if unary else "FEEL expression"
            self.findings.add(path, f"{kind}: failed to parse expression '{text.strip()}': {err}")

    def expression(self, path: str, node: BoxedExpression | None) -> None:
        if node is None:
            return
        if isinstance(node, LiteralExpression):
            self.text(path, node.text)
        elif isinstance(node, DecisionTable):
            self.table(path, node)
        elif isinstance(node, Context):
            for entry in node.entries:
                self.expression(path, entry.value)
        elif isinstance(node, ListExpression):
            for item in node.items:
                self.expression(path, item)
        elif isinstance(node, Relation):
            for row in node.rows:
                for cell in row:
                    self.expression(path, cell)
        elif isinstance(node, Invocation):
            self.expression(path, node.callee)
            for binding in node.bindings:
                self.expression(path, binding.value)
        elif isinstance(node, FunctionDefinition):
            self.expression(path, node.body)
        elif isinstance(node, Conditional):
            for part in (node.condition, node.then, node.otherwise):
                self.expression(path, part)
        elif isinstance(node, Filter):
            self.expression(path, node.source)
            self.expression(path, node.match)
        elif isinstance(node, Iteration):
            self.expression(path, node.source)
            self.expression(path, node.body)

    def table(self, path: str, table: DecisionTable) -> None:
        for clause in table.inputs:
            if not clause.expression.strip():
                where = clause.expression_id or clause.id or path
                self.findings.add(where, f"The expression '{where}' must not be empty.")
            self.text(clause.id or path, clause.expression)
            self.text(clause.id or path, clause.input_values, unary=True)
        for output in table.outputs:
            if len(table.outputs) > 1 and not output.name:
                label = output.label or output.id
                self.findings.add(output.id or path, f"no output name defined for `{label}`")
            self.text(output.id or path, output.output_values, unary=True)
            self.text(output.id or path, output.default)
        for rule in table.rules:
            for entry in rule.input_entries:
                self.text(rule.id, entry, unary=True)
            for entry in rule.output_entries:
                self.text(rule.id, entry)


def _has_cycle(edges: dict[str, list[str]]) -> bool:
    """Is there a cycle in the graph (node -> the nodes it requires)?"""
    done: set[str] = set()
    for start in edges:
        if start in done:
            continue
        path: set[str] = {start}
        stack = [(start, iter(edges.get(start, ())))]
        while stack:
            node, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                stack.pop()
                path.discard(node)
                done.add(node)
            elif following in path:
                return True
            elif following not in done and following in edges:
                path.add(following)
                stack.append((following, iter(edges.get(following, ()))))
    return False


def check_requirements(definitions: Definitions, findings: Findings) -> None:
    """The requirements between decisions, and between BKMs, must not form a cycle."""
    decisions = {
        d.id: [r.id for r in d.requirements.decisions if not r.namespace]
        for d in definitions.decisions.values()
    }
    if _has_cycle(decisions):
        findings.add(
            definitions.id, "Invalid DMN model: Cyclic dependencies between decisions detected."
        )
    knowledge = {
        k.id: [r.id for r in k.requirements.knowledge if not r.namespace]
        for k in definitions.knowledge_models.values()
    }
    if _has_cycle(knowledge):
        findings.add(
            definitions.id, "Invalid DMN model: Cyclic dependencies between BKMs detected."
        )


def check_logic(definitions: Definitions, findings: Findings) -> None:
    """Adds a problem for every FEEL text of a decision or BKM that does not parse."""
    check_requirements(definitions, findings)
    checker = _Checker(definitions, findings)
    for path, language in definitions.other_languages:
        findings.add(path, f"Expression language '{language}' is not supported")
    for decision in definitions.decisions.values():
        checker.expression(decision.id, decision.logic)
    for bkm in definitions.knowledge_models.values():
        if bkm.logic is not None:
            checker.expression(bkm.id, bkm.logic.body)
