"""Errors of the bindings.

ZeebindError
 ├── ComponentError    a component YAML cannot be used; names the file, the component and the field
 └── BindingError      one invocation failed; its text follows `error invoking output binding
 <name>: `
      └── PayloadError   the request's data or metadata is missing a field or has a wrong one
"""

from __future__ import annotations

from pathlib import Path

from zeebind.errors import ZeebindError


class ComponentError(ZeebindError):
    """A component definition that stops the sidecar from starting."""

    def __init__(
        self,
        problem: str,
        *,
        source: Path | None = None,
        component: str | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.component = component
        self.field = field
        parts = []
        if source is not None:
            parts.append(str(source))
        if component is not None:
            parts.append(f"component '{component}'")
        if field is not None:
            parts.append(f"field '{field}'")
        super().__init__(": ".join([*parts, problem]))

    def located(
        self, *, source: Path | None = None, component: str | None = None
    ) -> ComponentError:
        """The same problem, with the file and the component filled in where they were unknown."""
        return ComponentError(
            self.problem,
            source=self.source or source,
            component=self.component or component,
            field=self.field,
        )


class BindingError(ZeebindError):
    """An invocation failed; `str(err)` is the component error of Dapr's message."""


class PayloadError(BindingError):
    """The request does not fit the operation (a missing field, a wrong type, a bad duration)."""
