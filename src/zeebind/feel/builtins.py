"""The FEEL built-in function library (DMN 1.5 standard functions and Camunda extensions).

Each implementation takes the ``EvalContext`` first and the argument values after it. Arguments of
the wrong type raise ``InvocationError``: the call then yields null plus a
``FUNCTION_INVOCATION_FAILURE`` warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zeebind.feel.values import (
    NUMBER_CONTEXT,
    FeelFunction,
    InvocationError,
    Overload,
    format_value,
    type_name,
)

if TYPE_CHECKING:
    pass

C = NUMBER_CONTEXT
BUILTINS: dict[str, FeelFunction] = {}

Impl = Callable[..., Any]


def builtin(
    name: str, params: str = "", required: int = -1, variadic: bool = False
) -> Callable[[Impl], Impl]:
    """Registers an overload of built-in ``name``; ``params`` are comma-separated names."""

    def register(fn: Impl) -> Impl:
        function = BUILTINS.setdefault(name, FeelFunction(name, [], builtin=True))
        names = tuple(p.strip() for p in params.split(",")) if params else ()
        function.overloads.append(Overload(names, fn, required, variadic))
        return fn

    return register


def alias(name: str, target: str) -> None:
    BUILTINS[name] = FeelFunction(name, BUILTINS[target].overloads, builtin=True)


def parameter_names(name: str, *alternatives: str) -> None:
    """Adds named-argument spellings (DMN spec vs Camunda docs) to the overloads of ``name``.

    Each alternative is a comma-separated parameter list; it reuses the first overload of the same
    arity, so positional calls are unaffected.
    """
    function = BUILTINS[name]
    for spelling in alternatives:
        names = tuple(p.strip() for p in spelling.split(","))
        base = next(o for o in function.overloads if len(o.params) == len(names))
        function.overloads.append(Overload(names, base.fn, base.required, base.variadic))


# --- argument checks ------------------------------------------------------------------------------


def single(value: Any) -> Any:
    """A singleton list stands for its element (DMN 10.3.2.9.4)."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def num(value: Any, what: str = "argument") -> Decimal:
    value = single(value)
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return value
    raise InvocationError(f"expected number but found '{format_value(value)}' for {what}")


def integer(value: Any, what: str = "argument") -> int:
    n = num(value, what)
    if n != n.to_integral_value():
        raise InvocationError(f"expected an integer but found '{format_value(value)}' for {what}")
    return int(n)


def text(value: Any, what: str = "argument") -> str:
    value = single(value)
    if isinstance(value, str):
        return value
    raise InvocationError(f"expected string but found '{format_value(value)}' for {what}")


def boolean(value: Any, what: str = "argument") -> bool:
    if isinstance(value, bool):
        return value
    raise InvocationError(f"expected boolean but found '{format_value(value)}' for {what}")


def items(value: Any, what: str = "list") -> list[Any]:
    """A list argument; a single non-null value stands for the singleton list (DMN 10.3.2.9.4)."""
    if isinstance(value, list):
        return value
    if value is not None:
        return [value]
    raise InvocationError(f"expected list but found '{format_value(value)}' for {what}")


def context(value: Any, what: str = "context") -> Mapping[str, Any]:
    value = single(value)
    if isinstance(value, Mapping):
        return value
    raise InvocationError(f"expected context but found '{format_value(value)}' for {what}")


def function(value: Any, what: str = "function") -> FeelFunction:
    if isinstance(value, FeelFunction):
        return value
    raise InvocationError(f"expected function but found '{format_value(value)}' for {what}")


def varargs_list(args: tuple[Any, ...]) -> list[Any]:
    """``f(list)`` or ``f(a, b, c)``: the items either way."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    return list(args)


def load() -> None:
    """Registers every built-in (imports the library modules once)."""
    from zeebind.feel.library import (  # noqa: F401
        boolean,
        calendar,
        contexts,
        conversion,
        lists,
        numeric,
        ranges,
        strings,
    )


__all__ = [
    "BUILTINS",
    "C",
    "InvocationError",
    "alias",
    "boolean",
    "builtin",
    "context",
    "function",
    "integer",
    "items",
    "load",
    "num",
    "parameter_names",
    "single",
    "text",
    "type_name",
    "varargs_list",
]
