"""Appliers for SIGNAL_SUBSCRIPTION events (signals themselves are not buffered)."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import SignalSubscription, State
from zeebind.protocol.intent import SignalSubscriptionIntent
from zeebind.protocol.record import Record, ValueType


def created(state: State, record: Record) -> None:
    v = record.value
    state.signal_subscriptions[record.key] = SignalSubscription(key=record.key, value=v)
    state.signal_subscriptions_by_name.setdefault((v["signalName"], v["tenantId"]), {})[
        record.key
    ] = None
    if v["catchEventInstanceKey"] > 0:
        state.signal_subscriptions_by_element.setdefault(v["catchEventInstanceKey"], {})[
            record.key
        ] = None


def deleted(state: State, record: Record) -> None:
    subscription = state.signal_subscriptions.pop(record.key, None)
    if subscription is None:
        return
    v = subscription.value
    name = (v["signalName"], v["tenantId"])
    by_name = state.signal_subscriptions_by_name.get(name)
    if by_name is not None:
        by_name.pop(record.key, None)
        if not by_name:
            del state.signal_subscriptions_by_name[name]
    owned = state.signal_subscriptions_by_element.get(v["catchEventInstanceKey"])
    if owned is not None:
        owned.pop(record.key, None)
        if not owned:
            del state.signal_subscriptions_by_element[v["catchEventInstanceKey"]]


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.CREATED): created,
    (ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.DELETED): deleted,
}
