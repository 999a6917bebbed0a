"""Appliers for COMPENSATION_SUBSCRIPTION events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import State
from zeebind.protocol.intent import CompensationSubscriptionIntent
from zeebind.protocol.record import Record, ValueType


def stored(state: State, record: Record) -> None:
    """CREATED / TRIGGERED / MIGRATED: the subscription as the record has it."""
    state.compensation_subscriptions[record.key] = record.value
    instance_key = record.value["processInstanceKey"]
    state.compensation_by_instance.setdefault(instance_key, {})[record.key] = None


def removed(state: State, record: Record) -> None:
    """COMPLETED / DELETED."""
    value = state.compensation_subscriptions.pop(record.key, None)
    if value is None:
        return
    owned = state.compensation_by_instance.get(value["processInstanceKey"])
    if owned is not None:
        owned.pop(record.key, None)
        if not owned:
            del state.compensation_by_instance[value["processInstanceKey"]]


_CS = ValueType.COMPENSATION_SUBSCRIPTION
APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (_CS, CompensationSubscriptionIntent.CREATED): stored,
    (_CS, CompensationSubscriptionIntent.TRIGGERED): stored,
    (_CS, CompensationSubscriptionIntent.MIGRATED): stored,
    (_CS, CompensationSubscriptionIntent.COMPLETED): removed,
    (_CS, CompensationSubscriptionIntent.DELETED): removed,
}
