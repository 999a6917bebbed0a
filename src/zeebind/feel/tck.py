"""DMN TCK runner for the FEEL engine.

Usage: ``python -m zeebind.feel.tck [TCK_DIR] [--folder SUBSTRING] [--verbose]``

Loads each test folder's models (item definitions, input data, decisions, BKMs, decision services),
evaluates the decisions named by the result nodes (literal expressions, boxed contexts, decision
tables, invocations, lists, relations, conditionals, filters, iterations, function definitions)
and prints pass counts per folder and in total. It is a conformance harness, not a DMN engine.

Known gaps and deliberate differences (zeebind follows Camunda's feel-scala where they disagree):
* years outside 1..9999 and sub-microsecond precision (Python ``datetime``);
* external Java functions (``function(...) external``) are refused, as in Zeebe;
* ``string()`` of contexts and zero durations use feel-scala's forms (``{a:1}``, ``P0D``, ``P0Y``)
  where non-compliant/0079 expects ``{a: 1}``, ``PT0S``, ``P0M``;
* ``context put`` replaces a non-context entry on its path (1146 nested009 expects null);
* ``abs`` accepts feel-scala's ``number`` as well as the spec's ``n`` (0050 expects null).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from zeebind.feel import temporal
from zeebind.feel.errors import FeelEvaluationError, FeelSyntaxError
from zeebind.feel.evaluator import EvalContext
from zeebind.feel.expression import compile_expression, compile_unary_tests
from zeebind.feel.operators import compare, equal
from zeebind.feel.values import (
    FeelFunction,
    Overload,
    Range,
    YearsMonthsDuration,
    format_value,
)

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


class DecisionError(Exception):
    """The decision failed as a whole (syntax error, failure, unsupported construct)."""


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def child_text(el: ET.Element, name: str) -> str | None:
    c = child(el, name)
    return None if c is None else (c.text or "")


_EXPRESSION_KINDS = (
    "literalExpression",
    "context",
    "decisionTable",
    "invocation",
    "list",
    "relation",
    "functionDefinition",
    "conditional",
    "filter",
    "for",
    "some",
    "every",
)


def expression_of(el: ET.Element) -> ET.Element | None:
    for c in el:
        if local(c.tag) in _EXPRESSION_KINDS:
            return c
    return None


# --- types ----------------------------------------------------------------------------------------

_BASE_TYPES: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: isinstance(v, Decimal),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
    "time": lambda v: isinstance(v, dt.time),
    "dateTime": lambda v: isinstance(v, dt.datetime),
    "date and time": lambda v: isinstance(v, dt.datetime),
    "dayTimeDuration": lambda v: isinstance(v, dt.timedelta),
    "days and time duration": lambda v: isinstance(v, dt.timedelta),
    "yearMonthDuration": lambda v: isinstance(v, YearsMonthsDuration),
    "years and months duration": lambda v: isinstance(v, YearsMonthsDuration),
    "context": lambda v: isinstance(v, Mapping),
    "list": lambda v: isinstance(v, list),
    "function": lambda v: isinstance(v, FeelFunction),
    "range": lambda v: isinstance(v, Range),
    "Any": lambda v: True,
}


@dataclass
class ItemDefinition:
    name: str
    type_ref: str | None = None
    collection: bool = False
    components: list[ItemDefinition] = field(default_factory=list)
    allowed: str | None = None
    function_output: str | None = None
    is_function: bool = False


def parse_item_definition(el: ET.Element) -> ItemDefinition:
    item = ItemDefinition(el.get("name", ""))
    item.type_ref = (child_text(el, "typeRef") or "").strip() or None
    item.collection = el.get("isCollection") == "true"
    allowed = child(el, "allowedValues")
    if allowed is not None:
        item.allowed = child_text(allowed, "text")
    for comp in children(el, "itemComponent"):
        item.components.append(parse_item_definition(comp))
    fn = child(el, "functionItem")
    if fn is not None:
        item.is_function = True
        item.function_output = fn.get("outputTypeRef")
    return item


# --- models ---------------------------------------------------------------------------------------


@dataclass
class Model:
    namespace: str
    name: str
    decisions: dict[str, ET.Element] = field(default_factory=dict)
    bkms: dict[str, ET.Element] = field(default_factory=dict)
    services: dict[str, ET.Element] = field(default_factory=dict)
    inputs: dict[str, ET.Element] = field(default_factory=dict)
    items: dict[str, ItemDefinition] = field(default_factory=dict)
    by_id: dict[str, ET.Element] = field(default_factory=dict)
    imports: dict[str, Model] = field(default_factory=dict)  # import name -> model
    import_refs: list[tuple[str, str]] = field(default_factory=list)  # (name, namespace)


def load_model(path: Path) -> Model:
    root = ET.parse(path).getroot()
    model = Model(root.get("namespace", ""), root.get("name", ""))
    for el in root:
        kind = local(el.tag)
        name = el.get("name", "")
        if el.get("id"):
            model.by_id[el.get("id", "")] = el
        if kind == "decision":
            model.decisions[name] = el
        elif kind == "businessKnowledgeModel":
            model.bkms[name] = el
        elif kind == "decisionService":
            model.services[name] = el
        elif kind == "inputData":
            model.inputs[name] = el
        elif kind == "itemDefinition":
            model.items[name] = parse_item_definition(el)
        elif kind == "import":
            model.import_refs.append((name, el.get("namespace", "")))
    return model


class Evaluator:
    """Evaluates the decisions of one model for one test case."""

    def __init__(self, model: Model, inputs: dict[str, Any]) -> None:
        self.model = model
        self.inputs = inputs
        self.cache: dict[str, Any] = {}
        self.names = self._known_names()
        self.types = {name: self._checker(name) for name in model.items}
        self.check_allowed = True

    def _known_names(self) -> frozenset[str]:
        m = self.model
        names = set(m.decisions) | set(m.bkms) | set(m.inputs) | set(m.services) | set(m.imports)
        for item in m.items.values():
            names.update(c.name for c in item.components)
        for el in m.decisions.values():
            for ctx_entry in el.iter():
                if local(ctx_entry.tag) in ("variable", "formalParameter", "parameter"):
                    names.add(ctx_entry.get("name", ""))
                if local(ctx_entry.tag) == "output":
                    names.add(ctx_entry.get("name", ""))
        for el in m.bkms.values():
            for sub in el.iter():
                if local(sub.tag) in ("variable", "formalParameter", "parameter"):
                    names.add(sub.get("name", ""))
        return frozenset(n for n in names if n)

    # -- types --

    def _checker(self, name: str) -> Callable[[Any], bool]:
        def check(value: Any) -> bool:
            saved, self.check_allowed = self.check_allowed, False
            try:
                return self.conforms(value, name)
            finally:
                self.check_allowed = saved

        return check

    def conforms(self, value: Any, type_ref: str | None) -> bool:
        if type_ref is None or value is None:
            return True
        type_ref = type_ref.strip()
        if type_ref.startswith("feel:"):
            type_ref = type_ref[5:]
        item = self.model.items.get(type_ref)
        if item is not None:
            return self.conforms_item(value, item)
        check = _BASE_TYPES.get(type_ref)
        if check is not None:
            return check(value)
        return True

    def conforms_item(self, value: Any, item: ItemDefinition) -> bool:
        if value is None:
            return True
        if item.collection:
            if not isinstance(value, list):
                return False
            single = ItemDefinition(
                item.name, item.type_ref, False, item.components, item.allowed, None, False
            )
            return all(self.conforms_item(v, single) for v in value)
        if item.is_function:
            return isinstance(value, FeelFunction)
        if item.components:
            if not isinstance(value, Mapping):
                return False
            for comp in item.components:
                if comp.name not in value:
                    return False
                if not self.conforms_item(value[comp.name], comp):
                    return False
            return True
        if item.type_ref is not None and not self.conforms(value, item.type_ref):
            return False
        if item.allowed and self.check_allowed:
            tests = compile_unary_tests(item.allowed)
            if tests.matches(value).value is not True:
                return False
        return True

    def coerce(self, value: Any, type_ref: str | None) -> Any:
        if type_ref is None or value is None:
            return value
        if self.conforms(value, type_ref):
            return value
        is_collection = self._is_collection(type_ref)
        if (
            isinstance(value, list)
            and len(value) == 1
            and not is_collection
            and self.conforms(value[0], type_ref)
        ):
            return value[0]
        if is_collection and not isinstance(value, list) and self.conforms([value], type_ref):
            return [value]
        return None

    def _is_collection(self, type_ref: str) -> bool:
        item = self.model.items.get(type_ref.strip())
        if item is None:
            return type_ref.strip() == "list"
        if item.collection:
            return True
        if item.type_ref and item.type_ref != type_ref:
            return self._is_collection(item.type_ref)
        return False

    # -- scopes --

    def scope_for(self, el: ET.Element) -> dict[str, Any]:
        scope: dict[str, Any] = {}
        for req in children(el, "informationRequirement"):
            for kind in ("requiredDecision", "requiredInput"):
                ref = child(req, kind)
                if ref is None:
                    continue
                href = ref.get("href", "")
                self._require(scope, href, kind)
        for req in children(el, "knowledgeRequirement"):
            ref = child(req, "requiredKnowledge")
            if ref is not None:
                self._require(scope, ref.get("href", ""), "requiredKnowledge")
        return scope

    def _resolve(self, href: str) -> tuple[Model, ET.Element | None, str | None]:
        namespace, _, ident = href.partition("#")
        model = self.model
        prefix = None
        if namespace and namespace != model.namespace:
            for name, imported in model.imports.items():
                if imported.namespace == namespace:
                    model, prefix = imported, name
                    break
        return model, model.by_id.get(ident), prefix

    def _require(self, scope: dict[str, Any], href: str, kind: str) -> None:
        model, el, prefix = self._resolve(href)
        if el is None:
            return
        name = el.get("name", "")
        if kind == "requiredInput":
            value = self.inputs.get(name)
            if prefix is not None:
                value = (
                    self.inputs.get(prefix, {}).get(name)
                    if isinstance(self.inputs.get(prefix), dict)
                    else None
                )
        elif local(el.tag) == "decision":
            if model is not self.model:
                sub = Evaluator(model, self.inputs.get(prefix or "", {}) or {})
                value = sub.decision(name)
            else:
                value = self.decision(name)
        elif local(el.tag) == "decisionService":
            value = self.service_function(el)
        else:
            value = (
                self.bkm_function(el)
                if model is self.model
                else Evaluator(model, {}).bkm_function(el)
            )
        if prefix is not None:
            inner = scope.setdefault(prefix, {})
            if isinstance(inner, dict):
                inner[name] = value
        else:
            scope[name] = value

    # -- decisions --

    def decision(self, name: str) -> Any:
        if name in self.cache:
            return self.cache[name]
        el = self.model.decisions.get(name)
        if el is None:
            raise DecisionError(f"no decision named {name!r}")
        expr = expression_of(el)
        if expr is None:
            value = self.inputs.get(name)
        else:
            scope = self.scope_for(el)
            value = self.evaluate(expr, scope)
        variable = child(el, "variable")
        type_ref = variable.get("typeRef") if variable is not None else None
        value = self.coerce(value, type_ref)
        self.cache[name] = value
        return value

    def bkm_function(self, el: ET.Element) -> FeelFunction:
        logic = child(el, "encapsulatedLogic")
        if logic is None:
            raise DecisionError("BKM without logic")
        scope = self.scope_for(el)
        fn = self.function_definition(logic, scope, el.get("name", "bkm"))
        scope.setdefault(el.get("name", "bkm"), fn)  # recursion
        return fn

    def service_function(self, el: ET.Element) -> FeelFunction:
        inputs = [ref.get("href", "") for ref in children(el, "inputData")]
        input_decisions = [ref.get("href", "") for ref in children(el, "inputDecision")]
        outputs = [ref.get("href", "") for ref in children(el, "outputDecision")]
        params: list[str] = []
        param_types: list[str | None] = []
        for href in inputs + input_decisions:
            _, target, _ = self._resolve(href)
            if target is not None:
                params.append(target.get("name", ""))
                variable = child(target, "variable")
                param_types.append(variable.get("typeRef") if variable is not None else None)
        output_type = None
        service_variable = child(el, "variable")
        if service_variable is not None and service_variable.get("typeRef"):
            item = self.model.items.get(service_variable.get("typeRef", ""))
            if item is not None and item.is_function:
                output_type = item.function_output
        output_names = []
        for href in outputs:
            _, target, _ = self._resolve(href)
            if target is not None:
                output_names.append(target.get("name", ""))

        def call(ctx: EvalContext, *args: Any) -> Any:
            values = {
                name: self.coerce(arg, type_ref)
                for name, type_ref, arg in zip(params, param_types, args, strict=False)
            }
            sub = Evaluator(self.model, values)
            for name in params:
                sub.cache[name] = values.get(name)
            results = {name: sub.decision(name) for name in output_names}
            result: Any = results
            if len(results) == 1:
                result = next(iter(results.values()))
            return self.coerce(result, output_type)

        # exact arity: a decision service invoked with too few or too many arguments fails
        return FeelFunction(el.get("name", "service"), [Overload(tuple(params), call)], True)

    def invoke_service(self, name: str) -> Any:
        el = self.model.services[name]
        fn = self.service_function(el)
        args = [self.inputs.get(p) for p in fn.overloads[0].params]
        return fn.overloads[0].fn(EvalContext(), *args)

    def function_definition(
        self, el: ET.Element, scope: dict[str, Any], name: str = "function"
    ) -> FeelFunction:
        formals = children(el, "formalParameter")
        params = tuple(p.get("name", "") for p in formals)
        types = [p.get("typeRef") for p in formals]
        body = expression_of(el)
        if body is None:
            raise DecisionError("function without body")
        kind = el.get("kind")
        if kind not in (None, "FEEL"):
            raise DecisionError(f"unsupported function kind {kind}")
        evaluator = self

        def call(ctx: EvalContext, *args: Any) -> Any:
            inner = dict(scope)
            for param, type_ref, arg in zip(params, types, args, strict=False):
                value = evaluator.coerce(arg, type_ref)
                if arg is not None and value is None:
                    return None  # an argument that does not conform to the parameter's type
                inner[param] = value
            try:
                return evaluator.evaluate(body, inner)
            except DecisionError:
                return None

        return FeelFunction(name, [Overload(params, call)])

    def feel(self, text: str, scope: Mapping[str, Any]) -> Any:
        try:
            expr = compile_expression(text, self.names)
        except FeelSyntaxError as err:
            raise DecisionError(f"syntax error: {err}") from None
        result = expr.evaluate(scope, now=_NOW, types=self.types)
        if result.failure is not None:
            raise DecisionError(result.failure)
        return result.value

    def evaluate(self, el: ET.Element, scope: dict[str, Any]) -> Any:
        kind = local(el.tag)
        type_ref = el.get("typeRef")
        if kind == "literalExpression":
            text = child_text(el, "text")
            if text is None or not text.strip():
                return None
            value = self.feel(text, scope)
        elif kind == "context":
            value = self.context(el, scope)
        elif kind == "decisionTable":
            value = self.decision_table(el, scope)
        elif kind == "invocation":
            value = self.invocation(el, scope)
        elif kind == "list":
            value = [self.evaluate(e, scope) for e in el if local(e.tag) in _EXPRESSION_KINDS]
        elif kind == "relation":
            columns = [c.get("name", "") for c in children(el, "column")]
            value = []
            for row in children(el, "row"):
                cells = [e for e in row if local(e.tag) in _EXPRESSION_KINDS]
                value.append(
                    {c: self.evaluate(e, scope) for c, e in zip(columns, cells, strict=False)}
                )
        elif kind == "functionDefinition":
            value = self.function_definition(el, scope)
        elif kind == "conditional":
            value = self.conditional(el, scope)
        elif kind == "filter":
            value = self.filter(el, scope)
        elif kind in ("for", "some", "every"):
            value = self.iterate(el, scope, kind)
        else:
            raise DecisionError(f"unsupported expression {kind}")
        if type_ref:
            value = self.coerce(value, type_ref)
        return value

    def _sub(self, el: ET.Element, name: str) -> ET.Element:
        part = child(el, name)
        expr = expression_of(part) if part is not None else None
        if expr is None:
            raise DecisionError(f"missing {name}")
        return expr

    def conditional(self, el: ET.Element, scope: dict[str, Any]) -> Any:
        condition = self.evaluate(self._sub(el, "if"), scope)
        if condition is True:
            return self.evaluate(self._sub(el, "then"), scope)
        if condition is not None and condition is not False:
            return None  # a boxed condition that is not a boolean
        return self.evaluate(self._sub(el, "else"), scope)

    def filter(self, el: ET.Element, scope: dict[str, Any]) -> Any:
        source = self.evaluate(self._sub(el, "in"), scope)
        if source is None:
            return None
        items = source if isinstance(source, list) else [source]
        match = self._sub(el, "match")
        out = []
        for item in items:
            inner = dict(scope)
            if isinstance(item, Mapping):
                inner.update(item)
            inner["item"] = item
            hit = self.evaluate(match, inner)
            if hit is True:
                out.append(item)
            elif hit is not False and hit is not None:
                return None  # a boxed filter whose match is not a boolean
        return out

    def iterate(self, el: ET.Element, scope: dict[str, Any], kind: str) -> Any:
        var = el.get("iteratorVariable", "item")
        source = self.evaluate(self._sub(el, "in"), scope)
        if source is None:
            return None
        items = source if isinstance(source, list) else [source]
        body = self._sub(el, "return" if kind == "for" else "satisfies")
        results: list[Any] = []
        for item in items:
            inner = dict(scope)
            inner[var] = item
            if kind == "for":
                inner["partial"] = list(results)
            results.append(self.evaluate(body, inner))
        if kind == "for":
            return results
        if any(r is not True and r is not False for r in results):
            return None  # a boxed quantifier whose condition is not a boolean
        if kind == "some":
            return any(r is True for r in results)
        return all(r is True for r in results)

    def context(self, el: ET.Element, scope: dict[str, Any]) -> Any:
        result: dict[str, Any] = {}
        inner = dict(scope)
        final: Any = None
        has_final = False
        for entry in children(el, "contextEntry"):
            variable = child(entry, "variable")
            expr = expression_of(entry)
            value = self.evaluate(expr, inner) if expr is not None else None
            if variable is None:
                final, has_final = value, True
                continue
            name = variable.get("name", "")
            value = self.coerce(value, variable.get("typeRef"))
            result[name] = value
            inner[name] = value
        return final if has_final else result

    def invocation(self, el: ET.Element, scope: dict[str, Any]) -> Any:
        callee_el = expression_of(el)
        if callee_el is None:
            raise DecisionError("invocation without function")
        fn = self.evaluate(callee_el, scope)
        if not isinstance(fn, FeelFunction):
            raise DecisionError("invocation of a non-function")
        named = {}
        for binding in children(el, "binding"):
            param = child(binding, "parameter")
            expr = expression_of(binding)
            if param is None:
                continue
            named[param.get("name", "")] = self.evaluate(expr, scope) if expr is not None else None
        from zeebind.feel.evaluator import invoke

        try:
            return invoke(EvalContext(), fn, [], named)
        except FeelEvaluationError as err:
            raise DecisionError(str(err)) from None

    def decision_table(self, el: ET.Element, scope: dict[str, Any]) -> Any:
        hit_policy = el.get("hitPolicy", "UNIQUE")
        aggregation = el.get("aggregation")
        inputs = children(el, "input")
        outputs = children(el, "output")
        input_values: list[Any] = []
        for inp in inputs:
            expr = child(inp, "inputExpression")
            text = child_text(expr, "text") if expr is not None else None
            value = self.feel(text, scope) if text else None
            allowed = child(inp, "inputValues")
            if allowed is not None and value is not None:
                allowed_text = child_text(allowed, "text")
                if allowed_text and (
                    compile_unary_tests(allowed_text, self.names).matches(value, scope).value
                    is not True
                ):
                    raise DecisionError("input value not allowed")
            input_values.append(value)
        matched: list[dict[str, Any]] = []
        for rule in children(el, "rule"):
            entries = children(rule, "inputEntry")
            ok = True
            for value, entry in zip(input_values, entries, strict=False):
                text = (child_text(entry, "text") or "").strip() or "-"
                try:
                    tests = compile_unary_tests(text, self.names)
                except FeelSyntaxError as err:
                    raise DecisionError(str(err)) from None
                res = tests.matches(value, scope, now=_NOW, types=self.types)
                if res.failure is not None:
                    raise DecisionError(res.failure)
                if res.value is not True:
                    ok = False
                    break
            if not ok:
                continue
            out: dict[str, Any] = {}
            for output, entry in zip(outputs, children(rule, "outputEntry"), strict=False):
                text = child_text(entry, "text") or "null"
                out[output.get("name", "")] = self.feel(text, scope)
            matched.append(out)
        names = [o.get("name", "") for o in outputs]
        single = len(outputs) == 1

        def shape(row: dict[str, Any]) -> Any:
            return row[names[0]] if single else row

        if not matched and any(child(o, "defaultOutputEntry") is not None for o in outputs):
            return self._defaults(outputs, scope, single)
        if hit_policy in ("COLLECT", "C"):
            rows = [shape(r) for r in matched]
            if aggregation is None:
                return rows
            nums = [r for r in rows if r is not None]
            if aggregation == "COUNT":
                return Decimal(len(nums))
            if not nums:
                return None
            if aggregation == "SUM":
                return sum(nums, Decimal(0))
            if aggregation == "MIN":
                return min(nums)
            if aggregation == "MAX":
                return max(nums)
            raise DecisionError(f"unknown aggregation {aggregation}")
        if hit_policy in ("RULE ORDER", "R"):
            return [shape(r) for r in matched]
        if hit_policy in ("OUTPUT ORDER", "O", "PRIORITY", "P"):
            ordered = self._priority_sort(matched, outputs)
            if hit_policy in ("PRIORITY", "P"):
                return shape(ordered[0]) if ordered else self._defaults(outputs, scope, single)
            return [shape(r) for r in ordered]
        if not matched:
            return self._defaults(outputs, scope, single)
        if hit_policy in ("FIRST", "F"):
            return shape(matched[0])
        if hit_policy in ("UNIQUE", "U") and len(matched) > 1:
            raise DecisionError("more than one rule matched a UNIQUE table")
        if hit_policy in ("ANY", "A") and any(equal(m, matched[0]) is not True for m in matched):
            raise DecisionError("ANY table rules disagree")
        return shape(matched[0])

    def _defaults(self, outputs: list[ET.Element], scope: dict[str, Any], single: bool) -> Any:
        values = {}
        for output in outputs:
            default = child(output, "defaultOutputEntry")
            text = child_text(default, "text") if default is not None else None
            values[output.get("name", "")] = self.feel(text, scope) if text else None
        if all(v is None for v in values.values()):
            return None
        return next(iter(values.values())) if single else values

    def _priority_sort(
        self, rows: list[dict[str, Any]], outputs: list[ET.Element]
    ) -> list[dict[str, Any]]:
        def key(row: dict[str, Any]) -> list[int]:
            ranks = []
            for output in outputs:
                allowed = child(output, "outputValues")
                text = child_text(allowed, "text") if allowed is not None else None
                if not text:
                    ranks.append(0)
                    continue
                values = self.feel(f"[{text}]", {})
                value = row.get(output.get("name", ""))
                rank = next(
                    (i for i, v in enumerate(values) if equal(v, value) is True), len(values)
                )
                ranks.append(rank)
            return ranks

        return sorted(rows, key=key)


# --- test files -----------------------------------------------------------------------------------


def parse_value(el: ET.Element) -> Any:
    """A ``valueType`` element (``<value>``, ``<component>``s or ``<list>``) as a FEEL value."""
    value = child(el, "value")
    components = children(el, "component")
    lst = child(el, "list")
    if components:
        return {c.get("name", ""): parse_value(c) for c in components}
    if lst is not None:
        return [parse_value(item) for item in children(lst, "item")]
    if value is None:
        if el.get(XSI + "nil") == "true":
            return None
        return None
    return parse_simple(value)


@dataclass(frozen=True)
class Unrepresentable:
    """An expected value outside the engine's value space (e.g. a year before 1): never equal."""

    text: str


def parse_simple(value: ET.Element) -> Any:
    try:
        return _parse_simple(value)
    except (temporal.TemporalError, ValueError, OverflowError):
        return Unrepresentable(value.text or "")


def _parse_simple(value: ET.Element) -> Any:
    if value.get(XSI + "nil") == "true":
        return None
    text = value.text or ""
    kind = (value.get(XSI + "type") or "").split(":")[-1]
    if kind in ("decimal", "double", "integer", "int", "long", "float", "short"):
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            return None
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return temporal.parse_date(text.strip())
    if kind == "time":
        return temporal.parse_time(text.strip())
    if kind == "dateTime":
        return temporal.parse_date_time(text.strip())
    if kind == "duration":
        return temporal.parse_duration(text.strip())
    comps = children(value, "component")
    if comps:
        return {c.get("name", ""): parse_value(c) for c in comps}
    lst = child(value, "list")
    if lst is not None:
        return [parse_value(item) for item in children(lst, "item")]
    return text


def same(expected: Any, actual: Any) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, Decimal):
        if not isinstance(actual, Decimal) or isinstance(actual, bool):
            return False
        try:
            return bool(abs(expected - actual) < Decimal("1e-8"))
        except InvalidOperation:
            return False
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, Mapping)
            and set(expected) == set(actual)
            and all(same(expected[k], actual[k]) for k in expected)
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, dt.datetime) and isinstance(actual, dt.datetime):
        if (expected.tzinfo is None) != (actual.tzinfo is None):
            return False
        return expected == actual and _zone_equal(expected, actual)
    if isinstance(expected, dt.time) and isinstance(actual, dt.time):
        if (expected.tzinfo is None) != (actual.tzinfo is None):
            return False
        try:
            return compare(expected, actual) == 0
        except Exception:
            return False
    if type(expected) is not type(actual):
        return False
    return bool(expected == actual)


def _zone_equal(a: dt.datetime, b: dt.datetime) -> bool:
    return a.utcoffset() == b.utcoffset()


@dataclass
class Outcome:
    folder: str
    case: str
    node: str
    passed: bool
    message: str = ""


def run_folder(folder: Path) -> Iterator[Outcome]:
    test_files = sorted(folder.glob("*-test-*.xml"))
    models = {p.name: load_model(p) for p in sorted(folder.glob("*.dmn"))}
    by_namespace = {m.namespace: m for m in models.values()}
    for model in models.values():
        for name, namespace in model.import_refs:
            if namespace in by_namespace:
                model.imports[name] = by_namespace[namespace]
    for test_file in test_files:
        root = ET.parse(test_file).getroot()
        model_name = (child_text(root, "modelName") or "").strip()
        model = models.get(model_name) or next(iter(models.values()))
        for case in children(root, "testCase"):
            inputs = {}
            for node in children(case, "inputNode"):
                inputs[node.get("name", "")] = parse_value(node)
            case_type = case.get("type", "decision")
            for result in children(case, "resultNode"):
                name = result.get("name", "")
                expected_el = child(result, "expected")
                expected = parse_value(expected_el) if expected_el is not None else None
                error_expected = result.get("errorResult") == "true"
                yield _check(
                    folder.name, case, model, inputs, case_type, name, expected, error_expected
                )


def _check(
    folder: str,
    case: ET.Element,
    model: Model,
    inputs: dict[str, Any],
    case_type: str,
    name: str,
    expected: Any,
    error_expected: bool,
) -> Outcome:
    case_id = case.get("id", "")
    evaluator = Evaluator(model, inputs)
    try:
        if case_type == "decisionService":
            actual = evaluator.invoke_service(case.get("invocableName", name))
            if isinstance(actual, dict) and name in actual and not isinstance(expected, dict):
                actual = actual[name]
        else:
            actual = evaluator.decision(name)
    except (DecisionError, RecursionError) as err:
        if error_expected or expected is None:
            return Outcome(folder, case_id, name, True)
        return Outcome(folder, case_id, name, False, f"error: {err}{_source(model, name)}")
    except Exception as err:  # a crash of the engine: always a failure, with its type
        return Outcome(folder, case_id, name, False, f"CRASH {type(err).__name__}: {err}")
    ok = actual is None if error_expected else same(expected, actual)
    message = "" if ok else f"expected {format_value(expected)} got {format_value(actual)}"
    if not ok:
        message += _source(model, name)
    return Outcome(folder, case_id, name, ok, message)


def _source(model: Model, name: str) -> str:
    el = model.decisions.get(name)
    expr = expression_of(el) if el is not None else None
    if expr is not None and local(expr.tag) == "literalExpression":
        return f" | {(child_text(expr, 'text') or '').strip()}"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zeebind.feel.tck", description=__doc__)
    default = Path(__file__).resolve().parents[3] / ".." / "shared" / "dmn-tck"
    parser.add_argument("tck", nargs="?", default=str(default), help="the dmn-tck directory")
    parser.add_argument("--folder", help="only folders whose name contains this text")
    parser.add_argument("--verbose", "-v", action="store_true", help="print each failure")
    args = parser.parse_args(argv)
    base = Path(args.tck)
    cases = base / "TestCases" if (base / "TestCases").is_dir() else base
    if not cases.is_dir():
        print(f"error: no TCK test cases at {cases}", file=sys.stderr)
        return 1
    totals: dict[str, list[int]] = {}
    for level in ("compliance-level-2", "compliance-level-3", "non-compliant"):
        level_dir = cases / level
        if not level_dir.is_dir():
            continue
        for folder in sorted(p for p in level_dir.iterdir() if p.is_dir()):
            if args.folder and args.folder not in folder.name:
                continue
            outcomes = list(run_folder(folder))
            passed = sum(o.passed for o in outcomes)
            print(f"{level}/{folder.name}: {passed}/{len(outcomes)}")
            if args.verbose:
                for o in outcomes:
                    if not o.passed:
                        print(f"    FAIL {o.case} {o.node}: {o.message}")
            feel = "-feel-" in folder.name
            for key in (level, "total", *(["feel " + level, "feel total"] if feel else [])):
                bucket = totals.setdefault(key, [0, 0])
                bucket[0] += passed
                bucket[1] += len(outcomes)
    print()
    for key, (passed, count) in sorted(totals.items()):
        share = 100.0 * passed / count if count else 0.0
        print(f"{key}: {passed}/{count} result nodes pass ({share:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
