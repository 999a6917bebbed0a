"""Deploy-time validation errors of BPMN, DMN and form resources, in Zeebe's message format."""

from __future__ import annotations

from dataclasses import dataclass

from zeebind.errors import ZeebindError


@dataclass(frozen=True, slots=True)
class Problem:
    """One deploy-time problem.

    `element_path` starts at the nearest element with an id, e.g. `task > extensionElements >
    taskDefinition`. It is empty for problems of the whole resource (XML syntax, missing root).
    """

    element_path: str
    message: str


class BpmnValidationError(ZeebindError):
    """A resource cannot be deployed. Carries every problem found, not just the first one."""

    def __init__(self, resource_name: str, problems: list[Problem]) -> None:
        self.resource_name = resource_name
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        """Zeebe's format: `'<name>': - Element: <path>` then `    - ERROR: <message>` lines."""
        blocks: dict[str, list[str]] = {}
        for problem in self.problems:
            blocks.setdefault(problem.element_path, []).append(problem.message)
        lines: list[str] = []
        for path, messages in blocks.items():
            if not path:
                lines.extend(messages)
                continue
            lines.append(f"- Element: {path}")
            lines.extend(f"    - ERROR: {message}" for message in messages)
        return f"'{self.resource_name}': " + "\n".join(lines)

    def __str__(self) -> str:
        return self.render()
