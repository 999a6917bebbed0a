"""Applier for PROCESS_INSTANCE_MODIFICATION MODIFIED.

The element instances a modification activates (the elements and the flow scopes created for
them) were not reached by a sequence flow: they are marked, so that their ELEMENT_ACTIVATING
consumes no token of their flow scope.
"""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import State
from zeebind.protocol.intent import ProcessInstanceModificationIntent
from zeebind.protocol.record import Record, ValueType


def modified(state: State, record: Record) -> None:
    for instruction in record.value["activateInstructions"]:
        created = [k for k in instruction["ancestorScopeKeys"] if k not in state.element_instances]
        for key in [*created, instruction["elementInstanceKey"]]:
            state.activations_without_flow[key] = None


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        ProcessInstanceModificationIntent.MODIFIED,
    ): modified
}
