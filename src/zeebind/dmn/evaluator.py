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
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zeebind.dmn.model import (
    Aggregation,
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
    HitPolicy,
    Invocation,
    ItemDefinition,
    Iteration,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Ref,
    Relation,
    Rule,
)
from zeebind.dmn.simple_tests import Matcher, simple_test
from zeebind.feel import (
    FeelEvaluationError,
    FeelFunction,
    FeelSyntaxError,
    Range,
    UnaryTests,
    YearsMonthsDuration,
    compile_expression,
    compile_unary_tests,
    format_value,
    from_python,
    to_json,
    to_string,
)
from zeebind.feel.evaluator import EvalContext, invoke
from zeebind.feel.operators import equal
from zeebind.feel.values import InvocationError, Overload

# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvaluatedInput:
    input_id: str
    input_name: str
    value: Any


@dataclass(frozen=True, slots=True)
class EvaluatedOutput:
    output_id: str
    output_name: str
    value: Any


@dataclass(frozen=True, slots=True)
class MatchedRule:
    rule_id: str
    rule_index: int  # 1-based
    evaluated_outputs: tuple[EvaluatedOutput, ...]


@dataclass(slots=True)
class EvaluatedDecision:
    """The audit of one decision: what Zeebe's `evaluatedDecisions[]` entries hold."""

    decision_id: str
    decision_name: str
    decision_type: DecisionType
    output: Any = None
    matched_rules: list[MatchedRule] = field(default_factory=list)
    evaluated_inputs: list[EvaluatedInput] = field(default_factory=list)


@dataclass(slots=True)
class DecisionResult:
    decision_id: str
    decision_name: str
    output: Any
    evaluated_decisions: list[EvaluatedDecision]
    failed_decision_id: str = ""
    failure_message: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.failure_message)


def json_text(value: Any) -> str:
    """A FEEL value as compact JSON text (temporal values as their FEEL strings)."""
    return json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False)


class DecisionEvaluationError(Exception):
    """A decision failed; `decision_id` names the decision that failed first."""

    def __init__(self, decision_id: str, message: str) -> None:
        super().__init__(message)
        self.decision_id = decision_id
        self.message = message


class _Failure(Exception):
    """A failure inside a decision's logic, before the decision is known."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class _Entry:
    """A rule's input entry to test: its column, text, direct matcher, compiled unary tests."""

    position: int
    text: str
    simple: Matcher | None
    tests: UnaryTests | None = None


# --- types ----------------------------------------------------------------------------------

_BUILT_IN_TYPES: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: isinstance(v, Decimal) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
    "time": lambda v: isinstance(v, dt.time),
    "dateTime": lambda v: isinstance(v, dt.datetime),
    "date and time": lambda v: isinstance(v, dt.datetime),
    "dayTimeDuration": lambda v: isinstance(v, dt.timedelta),
    "days and time duration": lambda v: isinstance(v, dt.timedelta),
    "duration": lambda v: isinstance(v, dt.timedelta | YearsMonthsDuration),
    "yearMonthDuration": lambda v: isinstance(v, YearsMonthsDuration),
    "years and months duration": lambda v: isinstance(v, YearsMonthsDuration),
    "context": lambda v: isinstance(v, Mapping),
    "list": lambda v: isinstance(v, list),
    "function": lambda v: isinstance(v, FeelFunction),
    "range": lambda v: isinstance(v, Range),
    "Any": lambda v: True,
    "any": lambda v: True,
}

_DECISION_TYPES: dict[type, DecisionType] = {
    DecisionTable: DecisionType.DECISION_TABLE,
    LiteralExpression: DecisionType.LITERAL_EXPRESSION,
    Context: DecisionType.CONTEXT,
    ListExpression: DecisionType.LIST,
    Relation: DecisionType.RELATION,
    Invocation: DecisionType.INVOCATION,
}

_SINGLE_RESULT = {HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.PRIORITY, HitPolicy.ANY}


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


def _type_mismatch(type_ref: str | None, value: Any) -> str | None:
    """Zeebe's (dmn-scala's) check of a value against a built-in FEEL type: the failure text."""
    if type_ref is None or value is None or type_ref in ("Any", "any"):
        return None
    check = _BUILT_IN_TYPES.get(type_ref)
    if check is None or check(value):
        return None
    return f"expected '{type_ref}' but found '{format_value(value)}'"


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
        self._plans: dict[int, list[tuple[Rule, list[_Entry]]]] = {}
        self._types: dict[str, Callable[[Any], bool]] = {
            name: self._checker(model, item)
            for model in (*self.imports.values(), definitions)
            for name, item in model.items.items()
        }

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

    # -- types --

    def _checker(self, model: Definitions, item: ItemDefinition) -> Callable[[Any], bool]:
        return lambda value: self.conforms_item(model, value, item, check_allowed=False)

    def conforms(self, model: Definitions, value: Any, type_ref: str | None) -> bool:
        if type_ref is None or value is None:
            return True
        item = self._item(model, type_ref)
        if item is not None:
            return self.conforms_item(model, value, item)
        check = _BUILT_IN_TYPES.get(type_ref)
        if check is not None:
            return check(value)
        if type_ref.startswith("list<") and type_ref.endswith(">"):
            inner = type_ref[5:-1].strip()
            return isinstance(value, list) and all(self.conforms(model, v, inner) for v in value)
        return True  # unknown types (e.g. FEEL type syntax not modelled) are not checked

    def _item(self, model: Definitions, type_ref: str) -> ItemDefinition | None:
        item = model.items.get(type_ref)
        if item is not None:
            return item
        prefix, dot, rest = type_ref.partition(".")
        if dot:
            for imported in model.imports:
                if imported.name == prefix and imported.namespace in self.imports:
                    return self.imports[imported.namespace].items.get(rest)
        return None

    def conforms_item(
        self, model: Definitions, value: Any, item: ItemDefinition, *, check_allowed: bool = True
    ) -> bool:
        if value is None:
            return True
        if item.is_collection:
            if not isinstance(value, list):
                return False
            element = ItemDefinition(
                item.name,
                item.type_ref,
                False,
                item.components,
                item.allowed_values,
                item.is_function,
                item.function_parameters,
                item.function_output,
            )
            return all(
                self.conforms_item(model, v, element, check_allowed=check_allowed) for v in value
            )
        if item.is_function:
            return isinstance(value, FeelFunction)
        if item.components:
            if not isinstance(value, Mapping):
                return False
            return all(
                c.name in value
                and self.conforms_item(model, value[c.name], c, check_allowed=check_allowed)
                for c in item.components
            )
        if item.type_ref is not None and not self.conforms(model, value, item.type_ref):
            return False
        if item.allowed_values and check_allowed:
            tests = compile_unary_tests(item.allowed_values, self.names)
            if tests.matches(value, {}, types=self._types).value is not True:
                return False
        return True

    def is_collection(self, model: Definitions, type_ref: str) -> bool:
        item = self._item(model, type_ref)
        if item is None:
            return type_ref == "list" or type_ref.startswith("list<")
        if item.is_collection:
            return True
        if item.type_ref and item.type_ref != type_ref:
            return self.is_collection(model, item.type_ref)
        return False

    def coerce(self, model: Definitions, value: Any, type_ref: str | None) -> Any:
        """Strict mode: the value as the declared type (singleton lists unwrapped or wrapped), or
        null when it does not conform. Zeebe mode keeps every value."""
        if not self.strict or type_ref is None or value is None:
            return value
        if self.conforms(model, value, type_ref):
            return value
        collection = self.is_collection(model, type_ref)
        if (
            isinstance(value, list)
            and len(value) == 1
            and not collection
            and self.conforms(model, value[0], type_ref)
        ):
            return value[0]
        if collection and not isinstance(value, list) and self.conforms(model, [value], type_ref):
            return [value]
        return None


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
            raise _Failure(f"no model imported for namespace '{ref.namespace}'")
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
                return self.evaluator.coerce(model, value, element.type_ref)
        return value

    def scope_of(self, requirements: Any, *, all_variables: bool) -> dict[str, Any]:
        """A decision's or BKM's variables: its requirements (and, Zeebe mode, all variables)."""
        evaluator = self.evaluator
        scope: dict[str, Any] = dict(self.variables) if all_variables else {}
        for ref in requirements.inputs:
            model, prefix = self._resolve(ref)
            element = model.inputs.get(ref.id)
            if element is None:
                raise _Failure(f"no input data found with id '{ref.id}'")
            source = self.variables
            if prefix is not None:
                nested = self.variables.get(prefix)
                source = nested if isinstance(nested, Mapping) else {}
            if element.name not in source and model.namespace in self.by_namespace:
                source = self.by_namespace[model.namespace]
            value = evaluator.coerce(model, source.get(element.name), element.type_ref)
            self._put(scope, prefix, element.name, value)
        for ref in requirements.decisions:
            model, prefix = self._resolve(ref)
            required = model.decisions.get(ref.id)
            if required is None:
                raise _Failure(f"no decision found with id '{ref.id}'")
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
                raise _Failure(f"no business knowledge model found with id '{ref.id}'")
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
        except _Failure as err:
            raise DecisionEvaluationError(decision.id, err.message) from None
        finally:
            self._active.discard(decision.id)
        entry = EvaluatedDecision(decision.id, decision.name, decision_type(decision))
        try:
            if decision.logic is None:
                value = self.variables.get(decision.variable)
            elif isinstance(decision.logic, DecisionTable):
                value = self.decision_table(decision.logic, scope, entry)
            else:
                value = self.expression(decision.logic, scope)
        except _Failure as err:
            self.audit.append(entry)
            raise DecisionEvaluationError(decision.id, err.message) from None
        value = self.evaluator.coerce(self.model, value, decision.type_ref)
        if isinstance(decision.logic, LiteralExpression) and not self.evaluator.strict:
            mismatch = _type_mismatch(decision.type_ref, value)
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
            raise _Failure(f"the business knowledge model '{bkm.name}' has no logic")
        resolved: list[dict[str, Any]] = []

        def scope() -> dict[str, Any]:
            if not resolved:
                try:
                    resolved.append(self.scope_of(bkm.requirements, all_variables=False))
                except (_Failure, DecisionEvaluationError) as err:
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
                raise _Failure(f"the decision service '{service.name}' refers to '{ref.id}'")
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
                raise _Failure(f"the decision service '{service.name}' outputs '{ref.id}'")
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
                values[name] = evaluator.coerce(input_model, given, declared)
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
            return evaluator.coerce(model, result, service.type_ref)

        # Strict arity (unlike BKMs): a service called with too few arguments fails.
        return FeelFunction(service.name, [Overload(tuple(names), call)], builtin=True)

    # -- boxed expressions --

    def feel(self, text: str, scope: Mapping[str, Any]) -> Any:
        evaluator = self.evaluator
        try:
            expression = compile_expression(text, evaluator.names)
        except FeelSyntaxError as err:
            raise _Failure(f"failed to parse expression '{text.strip()}': {err}") from None
        result = expression.evaluate(scope, now=evaluator.now, types=evaluator._types)
        if result.failure is not None:
            raise _Failure(f"failed to evaluate expression '{text.strip()}': {result.failure}")
        return result.value

    def expression(self, node: BoxedExpression, scope: dict[str, Any]) -> Any:
        if isinstance(node, LiteralExpression):
            if not node.text.strip():
                return None
            literal = self.feel(node.text, scope)
            return self.evaluator.coerce(self.model, literal, node.type_ref)
        value: Any
        if isinstance(node, DecisionTable):
            value = self.decision_table(node, scope, None)
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
        return self.evaluator.coerce(self.model, value, node.type_ref)

    def context(self, node: Context, scope: dict[str, Any]) -> Any:
        inner = dict(scope)
        result: dict[str, Any] = {}
        for entry in node.entries:
            value = self.expression(entry.value, inner) if entry.value is not None else None
            if entry.name is None:
                return value
            value = self.evaluator.coerce(self.model, value, entry.type_ref)
            result[entry.name] = value
            inner[entry.name] = value
        return result

    def invocation(self, node: Invocation, scope: dict[str, Any]) -> Any:
        function = self.expression(node.callee, scope)
        if not isinstance(function, FeelFunction):
            raise _Failure(f"expected a function to invoke, but found '{format_value(function)}'")
        named = {
            b.parameter: self.expression(b.value, scope) if b.value is not None else None
            for b in node.bindings
        }
        if not self.evaluator.strict and not function.builtin and function.overloads:
            for parameter in function.overloads[0].params:
                if parameter not in named:
                    raise _Failure(f"no parameter found with name '{parameter}'")
        ctx = EvalContext(self.evaluator.now, None, self.evaluator._types)
        try:
            return invoke(ctx, function, [], named)
        except FeelEvaluationError as err:
            raise _Failure(err.message) from None

    def function(
        self,
        node: FunctionDefinition,
        scope: dict[str, Any] | Callable[[], dict[str, Any]],
        name: str,
        type_ref: str | None,
    ) -> FeelFunction:
        """A FEEL function of the definition; `scope` may be given lazily (a callable)."""
        if node.kind != "FEEL":
            raise _Failure(f"functions of kind '{node.kind}' are not supported")
        body = node.body
        parameters = node.parameters
        evaluator = self.evaluator
        model = self.model

        def call(ctx: EvalContext, *args: Any) -> Any:
            inner = dict(scope() if callable(scope) else scope)
            for parameter, arg in zip(parameters, args, strict=False):
                mismatch = None if evaluator.strict else _type_mismatch(parameter.type_ref, arg)
                if mismatch:
                    raise FeelEvaluationError(mismatch)
                if (
                    evaluator.strict
                    and arg is not None
                    and not evaluator.conforms(model, arg, parameter.type_ref)
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
            except _Failure as err:
                raise FeelEvaluationError(err.message) from None
            return evaluator.coerce(model, value, type_ref)

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

    # -- decision tables --

    def decision_table(
        self, table: DecisionTable, scope: dict[str, Any], audit: EvaluatedDecision | None
    ) -> Any:
        evaluator = self.evaluator
        values: list[Any] = []
        for clause in table.inputs:
            value = self.feel(clause.expression, scope) if clause.expression.strip() else None
            if evaluator.strict:
                value = evaluator.coerce(self.model, value, clause.type_ref)
                self._check_allowed(clause.input_values, value, scope, f"input '{clause.label}'")
            values.append(value)
            if audit is not None:
                audit.evaluated_inputs.append(EvaluatedInput(clause.id, clause.label, value))
        matched: list[tuple[int, Rule]] = []
        for index, (rule, entries) in enumerate(evaluator.plan(table), start=1):
            if self._matches(rule, entries, values, scope):
                matched.append((index, rule))
                if table.hit_policy is HitPolicy.FIRST:
                    break
        rows: list[tuple[int, Rule, list[Any]]] = []
        for index, rule in matched:
            outputs = []
            for output, text in zip(table.outputs, rule.output_entries, strict=False):
                value = self.feel(text, scope) if text.strip() else None
                if evaluator.strict:
                    value = evaluator.coerce(self.model, value, output.type_ref)
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
        tests = compile_unary_tests(allowed, self.evaluator.names)
        if tests.matches(value, scope, types=self.evaluator._types).value is not True:
            raise _Failure(
                f"the value '{format_value(value)}' of {what} is not one of the allowed values "
                f"'{allowed.strip()}'"
            )

    def _matches(
        self, rule: Rule, entries: list[_Entry], values: list[Any], scope: Mapping[str, Any]
    ) -> bool:
        evaluator = self.evaluator
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
                    entry.tests = compile_unary_tests(entry.text, evaluator.names)
                except FeelSyntaxError as err:
                    raise _Failure(
                        f"failed to parse the input entry '{entry.text}' of rule '{rule.id}': {err}"
                    ) from None
            result = entry.tests.matches(value, scope, now=evaluator.now, types=evaluator._types)
            if result.failure is not None:
                raise _Failure(
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
                raise _Failure(
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
                raise _Failure(
                    "multiple values aren't allowed for UNIQUE hit policy. found: "
                    f"'{_found(table, rows)}'"
                )
            return shaped[0]
        if policy is HitPolicy.FIRST:
            return shaped[0]
        if policy is HitPolicy.ANY:
            if any(equal(s, shaped[0]) is not True for s in shaped[1:]):
                raise _Failure(
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
            raise _Failure(
                f"multiple values aren't allowed for the {aggregation} aggregation: the table "
                "must have one output"
            )
        present = [v for v in values if v is not None]
        for v in present:
            numeric = isinstance(v, Decimal) and not isinstance(v, bool)
            if not numeric and (aggregation is Aggregation.SUM or not self.evaluator.strict):
                raise _Failure(f"expected number but found '{format_value(v)}'")
        if not present:
            return None
        if aggregation is Aggregation.SUM:
            return sum(present, Decimal(0))
        try:
            return min(present) if aggregation is Aggregation.MIN else max(present)
        except TypeError:
            raise _Failure(f"cannot compare the values '{format_value(present)}'") from None

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
        if not self.evaluator.strict:
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
