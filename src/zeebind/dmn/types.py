"""Types of DMN values: built-in FEEL types and item definitions; conformance and coercion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from zeebind.dmn.model import Definitions, ItemDefinition
from zeebind.feel import (
    FeelFunction,
    Range,
    YearsMonthsDuration,
    compile_unary_tests,
    format_value,
)

BUILT_IN_TYPES: dict[str, Callable[[Any], bool]] = {
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


def type_mismatch(type_ref: str | None, value: Any) -> str | None:
    """Zeebe's (dmn-scala's) check of a value against a built-in FEEL type: the failure text."""
    if type_ref is None or value is None or type_ref in ("Any", "any"):
        return None
    check = BUILT_IN_TYPES.get(type_ref)
    if check is None or check(value):
        return None
    return f"expected '{type_ref}' but found '{format_value(value)}'"


class TypeChecker:
    """Conformance of values to the type references of a DRG (and its imports).

    `checks` are the item definitions as `instance of` checks for FEEL; `coerce` applies the
    standard's conversions in strict mode and is the identity in Zeebe mode.
    """

    def __init__(
        self,
        definitions: Definitions,
        imports: Mapping[str, Definitions],
        names: frozenset[str],
        *,
        strict: bool,
    ) -> None:
        self.imports = imports
        self.names = names
        self.strict = strict
        self.checks: dict[str, Callable[[Any], bool]] = {
            name: self._checker(model, item)
            for model in (*imports.values(), definitions)
            for name, item in model.items.items()
        }

    def _checker(self, model: Definitions, item: ItemDefinition) -> Callable[[Any], bool]:
        return lambda value: self.conforms_item(model, value, item, check_allowed=False)

    def conforms(self, model: Definitions, value: Any, type_ref: str | None) -> bool:
        if type_ref is None or value is None:
            return True
        item = self._item(model, type_ref)
        if item is not None:
            return self.conforms_item(model, value, item)
        check = BUILT_IN_TYPES.get(type_ref)
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
            if tests.matches(value, {}, types=self.checks).value is not True:
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
