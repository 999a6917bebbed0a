"""Evaluating the decisions of a DRG: decision tables, boxed expressions, BKMs, decision services.

`DrgEvaluator(definitions).evaluate(decision_id, variables)` evaluates the decision and, first,
the decisions it requires (in dependency order) and returns a `DecisionResult`: the output and,
per evaluated decision, the audit Zeebe reports (type, matched rules, evaluated inputs). A failure
is a result too (`failed_decision_id`, `failure_message`), never an exception.

Two scoping modes:
- Zeebe (default): a decision sees every variable it is evaluated with, plus the results of its
  required decisions (under their result name and id) and its required BKMs and services.
- strict (`strict=True`, the DMN standard, used by the TCK runner): a decision sees only what it
  requires, input data and results are coerced to their declared types (a value that does not
  conform becomes null), input and output values lists are enforced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from zeebind.dmn.model import (
    BoxedExpression,
    BusinessKnowledgeModel,
    Conditional,
    Context,
    Decision,
    DecisionService,
    DecisionTable,
    DecisionType,
    Definitions,
    Filter,
    FunctionDefinition,
    Invocation,
    Iteration,
    ListExpression,
    LiteralExpression,
    Ref,
    Relation,
)
from zeebind.dmn.results import (
    DecisionEvaluationError,
    DecisionResult,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    LogicFailure,
    MatchedRule,
    json_text,
)
from zeebind.dmn.tables import TableEvaluator
from zeebind.dmn.types import TypeChecker, type_mismatch
from zeebind.feel import (
    FeelEvaluationError,
    FeelFunction,
    FeelSyntaxError,
    compile_expression,
    format_value,
    from_python,
)
from zeebind.feel.evaluator import EvalContext, invoke
from zeebind.feel.values import InvocationError, Overload

__all__ = [
    "DecisionEvaluationError",
    "DecisionResult",
    "DrgEvaluator",
    "EvaluatedDecision",
    "EvaluatedInput",
    "EvaluatedOutput",
    "MatchedRule",
    "decision_type",
    "json_text",
    "known_names",
]

# --- decisions ----------------------------------------------------------------------------------

_DECISION_TYPES: dict[type, DecisionType] = {
    DecisionTable: DecisionType.DECISION_TABLE,
    LiteralExpression: DecisionType.LITERAL_EXPRESSION,
    Context: DecisionType.CONTEXT,
    ListExpression: DecisionType.LIST,
    Relation: DecisionType.RELATION,
    Invocation: DecisionType.INVOCATION,
}


def decision_type(decision: Decision) -> DecisionType:
    if decision.logic is None:
        return DecisionType.UNKNOWN
    return _DECISION_TYPES.get(type(decision.logic), DecisionType.UNKNOWN)


def known_names(definitions: Iterable[Definitions]) -> frozenset[str]:
    """Every name a FEEL text of the models may use: needed for names like `a-b` or `x+y`."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, tuple):
            for item in node:
                walk(item)
            return
        if not hasattr(node, "__dataclass_fields__"):
            return
        for name in ("name", "variable", "parameter"):
            value = getattr(node, name, None)
            if isinstance(value, str):
                names.add(value)
        if isinstance(node, Relation):
            names.update(node.columns)
        for f in node.__dataclass_fields__:
            value = getattr(node, f)
            if isinstance(value, tuple) or hasattr(value, "__dataclass_fields__"):
                walk(value)

    for model in definitions:
        names.update(i.name for i in model.imports)
        for group in (model.decisions, model.inputs, model.knowledge_models, model.services):
            for element in group.values():
                walk(element)
        for item in model.items.values():
            walk(item)
    return frozenset(n for n in names if n)


# --- the evaluator --------------------------------------------------------------------------


class DrgEvaluator:
    """Evaluates the decisions of one DRG. Reusable and cheap to call; holds no evaluation state.

    `imports` are further models by namespace (DMN imports); `now` fixes the clock of `now()`.
    """

    def __init__(
        self,
        definitions: Definitions,
        imports: Mapping[str, Definitions] | None = None,
        *,
        strict: bool = False,
        now: dt.datetime | None = None,
    ) -> None:
        self.definitions = definitions
        self.imports = dict(imports or {})
        self.strict = strict
        self.now = now
        self.names = known_names([definitions, *self.imports.values()])
        self.types = TypeChecker(definitions, self.imports, self.names, strict=strict)
        self.tables = TableEvaluator(self.names, self.types.checks, strict=strict, now=now)

    # -- public API --

    def evaluate(
        self,
        decision_id: str,
        variables: Mapping[str, Any],
        by_namespace: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> DecisionResult:
        """Evaluate the decision with this id (and the decisions it requires).

        `by_namespace` gives input data values of imported models by model namespace (the
        values of a nested import that no import name path reaches).
        """
        decision = self.definitions.decisions.get(decision_id)
        if decision is None:
            return DecisionResult(
                decision_id,
                decision_id,
                None,
                [],
                decision_id,
                f"Expected to evaluate decision '{decision_id}', but no decision found for id "
                f"'{decision_id}'",
            )
        run = _Run(self, self.definitions, from_python(dict(variables)))
        run.by_namespace = {ns: from_python(dict(v)) for ns, v in (by_namespace or {}).items()}
        try:
            output = run.decision(decision)
        except RecursionError:
            return DecisionResult(
                decision.id,
                decision.name,
                None,
                run.audit,
                decision.id,
                f"Expected to evaluate decision '{decision.id}', but the evaluation is nested "
                "too deeply (a recursion without end?)",
            )
        except DecisionEvaluationError as err:
            return DecisionResult(
                decision.id,
                decision.name,
                None,
                run.audit,
                err.decision_id,
                f"Expected to evaluate decision '{decision.id}', but {err.message}",
            )
        return DecisionResult(decision.id, decision.name, output, run.audit)

    def evaluate_by_name(
        self,
        name: str,
        variables: Mapping[str, Any],
        by_namespace: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> DecisionResult:
        decision = self.definitions.decision_by_name(name)
        return self.evaluate(decision.id if decision is not None else name, variables, by_namespace)

    def invoke_service(self, name: str, variables: Mapping[str, Any]) -> Any:
        """Invoke the decision service named `name` with its parameters taken from `variables`.
        Raises DecisionEvaluationError."""
        service = self.definitions.service_by_name(name)
        if service is None:
            raise DecisionEvaluationError(name, f"no decision service found with name '{name}'")
        variables = from_python(dict(variables))
        run = _Run(self, self.definitions, variables)
        function = run.service_function(service)
        overload = function.overloads[0]
        args = [
            run.input_value(variables, param, ref)
            for param, ref in zip(overload.params, run.service_params(service)[1], strict=True)
        ]
        try:
            return overload.fn(EvalContext(self.now), *args)
        except (FeelEvaluationError, InvocationError) as err:
            raise DecisionEvaluationError(service.id, str(err)) from None


class _Run:
    """One evaluation: results of decisions evaluated so far, and the audit in evaluation order."""

    def __init__(
        self,
        evaluator: DrgEvaluator,
        model: Definitions,
        variables: Mapping[str, Any],
        audit: list[EvaluatedDecision] | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.model = model
        self.variables = variables
        self.results: dict[str, Any] = {}
        self.audit: list[EvaluatedDecision] = [] if audit is None else audit
        self.by_namespace: Mapping[str, Mapping[str, Any]] = {}
        self._active: set[str] = set()
        self._functions: dict[str, FeelFunction] = {}

    # -- references --

    def _resolve(self, ref: Ref) -> tuple[Definitions, str | None]:
        """The model holding the reference's target, and its import name (None: this model)."""
        if not ref.namespace or ref.namespace == self.model.namespace:
            return self.model, None
        target = self.evaluator.imports.get(ref.namespace)
        if target is None:
            raise LogicFailure(f"no model imported for namespace '{ref.namespace}'")
        for imported in self.model.imports:
            if imported.namespace == ref.namespace:
                return target, imported.name
        return target, None

    def _sub_run(self, model: Definitions, prefix: str | None) -> _Run:
        variables = self.variables.get(prefix, {}) if prefix else self.variables
        if not isinstance(variables, Mapping):
            variables = {}
        run = _Run(self.evaluator, model, variables, self.audit)
        run.by_namespace = self.by_namespace
        return run

    def _put(self, scope: dict[str, Any], prefix: str | None, name: str, value: Any) -> None:
        if prefix is None:
            scope[name] = value
            return
        inner = scope.get(prefix)
        if not isinstance(inner, dict):
            inner = {}
            scope[prefix] = inner
        inner[name] = value

    def input_value(self, variables: Mapping[str, Any], name: str, ref: Ref | None = None) -> Any:
        value = variables.get(name)
        if ref is not None:
            model, _ = self._resolve(ref)
            element = model.inputs.get(ref.id)
            if element is not None:
                return self.evaluator.types.coerce(model, value, element.type_ref)
        return value

    def scope_of(self, requirements: Any, *, all_variables: bool) -> dict[str, Any]:
        """A decision's or BKM's variables: its requirements (and, Zeebe mode, all variables)."""
        evaluator = self.evaluator
        scope: dict[str, Any] = dict(self.variables) if all_variables else {}
        for ref in requirements.inputs:
            model, prefix = self._resolve(ref)
            element = model.inputs.get(ref.id)
            if element is None:
                raise LogicFailure(f"no input data found with id '{ref.id}'")
            source = self.variables
            if prefix is not None:
                nested = self.variables.get(prefix)
                source = nested if isinstance(nested, Mapping) else {}
            if element.name not in source and model.namespace in self.by_namespace:
                source = self.by_namespace[model.namespace]
            value = evaluator.types.coerce(model, source.get(element.name), element.type_ref)
            self._put(scope, prefix, element.name, value)
        for ref in requirements.decisions:
            model, prefix = self._resolve(ref)
            required = model.decisions.get(ref.id)
            if required is None:
                raise LogicFailure(f"no decision found with id '{ref.id}'")
            run = self if prefix is None else self._sub_run(model, prefix)
            value = run.decision(required)
            self._put(scope, prefix, required.variable, value)
            if prefix is None and not evaluator.strict and required.id not in scope:
                scope[required.id] = value
        for ref in requirements.knowledge:
            model, prefix = self._resolve(ref)
            run = self if prefix is None else self._sub_run(model, prefix)
            bkm = model.knowledge_models.get(ref.id)
            if bkm is not None:
                if bkm.logic is not None:  # a BKM without logic is ignored, as dmn-scala does
                    self._put(scope, prefix, bkm.name, run.bkm_function(bkm))
                continue
            service = model.services.get(ref.id)
            if service is None:
                raise LogicFailure(f"no business knowledge model found with id '{ref.id}'")
            self._put(scope, prefix, service.name, run.service_function(service))
        return scope

    # -- decisions --

    def decision(self, decision: Decision) -> Any:
        if decision.id in self.results:
            return self.results[decision.id]
        if decision.id in self._active:
            raise DecisionEvaluationError(
                decision.id, f"the decision '{decision.id}' requires itself (a cycle in the DRG)"
            )
        self._active.add(decision.id)
        try:
            scope = self.scope_of(decision.requirements, all_variables=not self.evaluator.strict)
        except LogicFailure as err:
            raise DecisionEvaluationError(decision.id, err.message) from None
        finally:
            self._active.discard(decision.id)
        entry = EvaluatedDecision(decision.id, decision.name, decision_type(decision))
        try:
            if decision.logic is None:
                value = self.variables.get(decision.variable)
            elif isinstance(decision.logic, DecisionTable):
                value = self._table(decision.logic, scope, entry)
            else:
                value = self.expression(decision.logic, scope)
        except LogicFailure as err:
            self.audit.append(entry)
            raise DecisionEvaluationError(decision.id, err.message) from None
        value = self.evaluator.types.coerce(self.model, value, decision.type_ref)
        if isinstance(decision.logic, LiteralExpression) and not self.evaluator.strict:
            mismatch = type_mismatch(decision.type_ref, value)
            if mismatch:
                self.audit.append(entry)
                raise DecisionEvaluationError(decision.id, mismatch)
        entry.output = value
        self.audit.append(entry)
        self.results[decision.id] = value
        return value

    def bkm_function(self, bkm: BusinessKnowledgeModel) -> FeelFunction:
        """The BKM as a function. Its own requirements are resolved on its first call, so BKMs
        may require each other (mutual recursion)."""
        function = self._functions.get(bkm.id)
        if function is not None:
            return function
        if bkm.logic is None:
            raise LogicFailure(f"the business knowledge model '{bkm.name}' has no logic")
        resolved: list[dict[str, Any]] = []

        def scope() -> dict[str, Any]:
            if not resolved:
                try:
                    resolved.append(self.scope_of(bkm.requirements, all_variables=False))
                except (LogicFailure, DecisionEvaluationError) as err:
                    raise FeelEvaluationError(err.message) from None
            return resolved[0]

        function = self.function(bkm.logic, scope, bkm.name, bkm.type_ref)
        self._functions[bkm.id] = function
        return function

    def service_params(self, service: DecisionService) -> tuple[list[str], list[Ref]]:
        names: list[str] = []
        refs: list[Ref] = []
        for ref in (*service.input_data, *service.input_decisions):
            model, _ = self._resolve(ref)
            element: Any = model.inputs.get(ref.id) or model.decisions.get(ref.id)
            if element is None:
                raise LogicFailure(f"the decision service '{service.name}' refers to '{ref.id}'")
            names.append(element.variable if isinstance(element, Decision) else element.name)
            refs.append(ref)
        return names, refs

    def service_function(self, service: DecisionService) -> FeelFunction:
        names, refs = self.service_params(service)
        outputs: list[Decision] = []
        for ref in service.output_decisions:
            model, _ = self._resolve(ref)
            target = model.decisions.get(ref.id)
            if target is None:
                raise LogicFailure(f"the decision service '{service.name}' outputs '{ref.id}'")
            outputs.append(target)
        evaluator = self.evaluator
        model = self.model

        def call(ctx: EvalContext, *args: Any) -> Any:
            values = dict(zip(names, args, strict=False))
            for name, ref in zip(names, refs, strict=True):
                input_model, _ = self._resolve(ref)
                element = input_model.inputs.get(ref.id) or input_model.decisions.get(ref.id)
                declared = element.type_ref if element is not None else None
                given = values.get(name)
                values[name] = evaluator.types.coerce(input_model, given, declared)
                if given is not None and values[name] is None:
                    raise InvocationError(
                        f"parameter '{name}' of decision service '{service.name}' does not "
                        f"conform to {declared}"
                    )
            run = _Run(evaluator, model, values)
            for name, ref in zip(names, refs, strict=True):
                if ref.id in model.decisions:
                    run.results[ref.id] = values.get(name)
            try:
                results = {d.name: run.decision(d) for d in outputs}
            except DecisionEvaluationError as err:
                raise FeelEvaluationError(err.message) from None
            if len(results) == 1:
                result: Any = next(iter(results.values()))
            else:
                result = results
            return evaluator.types.coerce(model, result, service.type_ref)

        # Strict arity (unlike BKMs): a service called with too few arguments fails.
        return FeelFunction(service.name, [Overload(tuple(names), call)], builtin=True)

    # -- boxed expressions --

    def feel(self, text: str, scope: Mapping[str, Any]) -> Any:
        evaluator = self.evaluator
        try:
            expression = compile_expression(text, evaluator.names)
        except FeelSyntaxError as err:
            raise LogicFailure(f"failed to parse expression '{text.strip()}': {err}") from None
        result = expression.evaluate(scope, now=evaluator.now, types=evaluator.types.checks)
        if result.failure is not None:
            raise LogicFailure(f"failed to evaluate expression '{text.strip()}': {result.failure}")
        return result.value

    def expression(self, node: BoxedExpression, scope: dict[str, Any]) -> Any:
        if isinstance(node, LiteralExpression):
            if not node.text.strip():
                return None
            literal = self.feel(node.text, scope)
            return self.evaluator.types.coerce(self.model, literal, node.type_ref)
        value: Any
        if isinstance(node, DecisionTable):
            value = self._table(node, scope, None)
        elif isinstance(node, Context):
            value = self.context(node, scope)
        elif isinstance(node, ListExpression):
            value = [self.expression(item, scope) for item in node.items]
        elif isinstance(node, Relation):
            value = [
                {c: self.expression(e, scope) for c, e in zip(node.columns, row, strict=False)}
                for row in node.rows
            ]
        elif isinstance(node, Invocation):
            value = self.invocation(node, scope)
        elif isinstance(node, FunctionDefinition):
            value = self.function(node, scope, "anonymous function", None)
        elif isinstance(node, Conditional):
            condition = self.expression(node.condition, scope)
            if condition is not None and not isinstance(condition, bool):
                value = None  # a non-boolean condition gives null
            else:
                value = self.expression(node.then if condition else node.otherwise, scope)
        elif isinstance(node, Filter):
            value = self.filter(node, scope)
        else:
            value = self.iteration(node, scope)
        return self.evaluator.types.coerce(self.model, value, node.type_ref)

    def context(self, node: Context, scope: dict[str, Any]) -> Any:
        inner = dict(scope)
        result: dict[str, Any] = {}
        for entry in node.entries:
            value = self.expression(entry.value, inner) if entry.value is not None else None
            if entry.name is None:
                return value
            value = self.evaluator.types.coerce(self.model, value, entry.type_ref)
            result[entry.name] = value
            inner[entry.name] = value
        return result

    def invocation(self, node: Invocation, scope: dict[str, Any]) -> Any:
        function = self.expression(node.callee, scope)
        if not isinstance(function, FeelFunction):
            raise LogicFailure(
                f"expected a function to invoke, but found '{format_value(function)}'"
            )
        named = {
            b.parameter: self.expression(b.value, scope) if b.value is not None else None
            for b in node.bindings
        }
        if not self.evaluator.strict and not function.builtin and function.overloads:
            for parameter in function.overloads[0].params:
                if parameter not in named:
                    raise LogicFailure(f"no parameter found with name '{parameter}'")
        ctx = EvalContext(self.evaluator.now, None, self.evaluator.types.checks)
        try:
            return invoke(ctx, function, [], named)
        except FeelEvaluationError as err:
            raise LogicFailure(err.message) from None

    def function(
        self,
        node: FunctionDefinition,
        scope: dict[str, Any] | Callable[[], dict[str, Any]],
        name: str,
        type_ref: str | None,
    ) -> FeelFunction:
        """A FEEL function of the definition; `scope` may be given lazily (a callable)."""
        if node.kind != "FEEL":
            raise LogicFailure(f"functions of kind '{node.kind}' are not supported")
        body = node.body
        parameters = node.parameters
        evaluator = self.evaluator
        model = self.model

        def call(ctx: EvalContext, *args: Any) -> Any:
            inner = dict(scope() if callable(scope) else scope)
            for parameter, arg in zip(parameters, args, strict=False):
                mismatch = None if evaluator.strict else type_mismatch(parameter.type_ref, arg)
                if mismatch:
                    raise FeelEvaluationError(mismatch)
                if (
                    evaluator.strict
                    and arg is not None
                    and not evaluator.types.conforms(model, arg, parameter.type_ref)
                ):
                    raise InvocationError(
                        f"parameter '{parameter.name}' value '{format_value(arg)}' does not "
                        f"conform to {parameter.type_ref}"
                    )
                inner[parameter.name] = arg
            if body is None:
                return None
            try:
                value = self.expression(body, inner)
            except LogicFailure as err:
                raise FeelEvaluationError(err.message) from None
            return evaluator.types.coerce(model, value, type_ref)

        return FeelFunction(name, [Overload(tuple(p.name for p in parameters), call)])

    def filter(self, node: Filter, scope: dict[str, Any]) -> Any:
        source = self.expression(node.source, scope)
        if not isinstance(source, list):
            return None  # no singleton-list coercion for a boxed filter
        kept = []
        for item in source:
            inner = dict(scope)
            if isinstance(item, Mapping):
                inner.update(item)
            inner["item"] = item
            matched = self.expression(node.match, inner)
            if matched is not None and not isinstance(matched, bool):
                return None
            if matched is True:
                kept.append(item)
        return kept

    def iteration(self, node: Iteration, scope: dict[str, Any]) -> Any:
        source = self.expression(node.source, scope)
        if not isinstance(source, list):
            return None  # no singleton-list coercion for boxed iterations
        results: list[Any] = []
        for item in source:
            inner = dict(scope)
            inner[node.variable] = item
            if node.kind == "for":
                inner["partial"] = list(results)
            results.append(self.expression(node.body, inner))
        if node.kind == "for":
            return results
        if any(r is not None and not isinstance(r, bool) for r in results):
            return None
        if node.kind == "some":
            return any(r is True for r in results)
        return all(r is True for r in results)

    def _table(
        self, table: DecisionTable, scope: dict[str, Any], audit: EvaluatedDecision | None
    ) -> Any:
        model = self.model
        types = self.evaluator.types
        return self.evaluator.tables.evaluate(
            table,
            scope,
            audit,
            self.feel,
            lambda value, type_ref: types.coerce(model, value, type_ref),
        )
