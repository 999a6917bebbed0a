"""Appliers for VARIABLE events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import State, Variable
from zeebind.protocol.intent import VariableIntent
from zeebind.protocol.json import loads
from zeebind.protocol.record import Record, ValueType


def variable_set(state: State, record: Record) -> None:
    v = record.value
    text = v["value"]
    state.variables.setdefault(v["scopeKey"], {})[v["name"]] = Variable(
        key=record.key, text=text, value=loads(text)
    )


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.VARIABLE, VariableIntent.CREATED): variable_set,
    (ValueType.VARIABLE, VariableIntent.UPDATED): variable_set,
}
