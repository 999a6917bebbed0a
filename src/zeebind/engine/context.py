"""What a processor works with: the state to read, the result to write, and inline processing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zeebind.bpmn.model import Process
from zeebind.engine.model_cache import process_model
from zeebind.engine.result import ResultBuilder
from zeebind.engine.state import State
from zeebind.protocol.record import Record


@dataclass(slots=True)
class Context:
    state: State
    result: ResultBuilder
    # The engine's processing of one command (a function of the context, not a closure over
    # it: a context that refers to itself would keep the step's records alive until the
    # garbage collector finds the cycle).
    processor: Callable[[Context, Record], None]

    def process_now(self, command: Record) -> None:
        """Processes `command` at once, inside the current one (where ordering must not wait)."""
        self.processor(self, command)

    @property
    def now(self) -> int:
        return self.result.timestamp

    def model(self, process_definition_key: int) -> Process:
        return process_model(self.state, process_definition_key)

    def key(self) -> int:
        return self.state.next_key()

    def value_of(self, instance_key: int) -> dict[str, Any]:
        return self.state.element_instances[instance_key].value


Processor = Callable[[Context, Record], None]
