"""Appliers for TIMER events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import State, Timer
from zeebind.protocol.intent import TimerIntent
from zeebind.protocol.record import Record, ValueType


def created(state: State, record: Record) -> None:
    timer = Timer(key=record.key, value=record.value)
    state.timers[record.key] = timer
    if timer.element_instance_key > 0:
        state.timers_by_element.setdefault(timer.element_instance_key, {})[record.key] = None
    state.push_timer(record.value["dueDate"], record.key)


def removed(state: State, record: Record) -> None:
    """TRIGGERED / CANCELED: the timer is gone (a cycle is created anew)."""
    timer = state.timers.pop(record.key, None)
    if timer is None:
        return
    owned = state.timers_by_element.get(timer.element_instance_key)
    if owned is not None:
        owned.pop(record.key, None)
        if not owned:
            del state.timers_by_element[timer.element_instance_key]


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.TIMER, TimerIntent.CREATED): created,
    (ValueType.TIMER, TimerIntent.TRIGGERED): removed,
    (ValueType.TIMER, TimerIntent.CANCELED): removed,
}
