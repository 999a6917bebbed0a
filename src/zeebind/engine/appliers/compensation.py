"""Appliers for COMPENSATION_SUBSCRIPTION events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import State
from zeebind.protocol.intent import CompensationSubscriptionIntent
from zeebind.protocol.record import Record, ValueType


def stored(state: State, record: Record) -> None:
    """CREATED / TRIGGERED: the subscription as the record has it."""
    state.compensation_subscriptions[record.key] = record.value


def removed(state: State, record: Record) -> None:
    """COMPLETED / DELETED."""
    state.compensation_subscriptions.pop(record.key, None)


_CS = ValueType.COMPENSATION_SUBSCRIPTION
APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (_CS, CompensationSubscriptionIntent.CREATED): stored,
    (_CS, CompensationSubscriptionIntent.TRIGGERED): stored,
    (_CS, CompensationSubscriptionIntent.COMPLETED): removed,
    (_CS, CompensationSubscriptionIntent.DELETED): removed,
}
