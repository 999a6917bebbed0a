"""Appliers for MESSAGE, MESSAGE_SUBSCRIPTION and MESSAGE_START_EVENT_SUBSCRIPTION events."""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import Message, MessageStartSubscription, MessageSubscription, State
from zeebind.protocol.intent import (
    MessageIntent,
    MessageStartEventSubscriptionIntent,
    MessageSubscriptionIntent,
)
from zeebind.protocol.record import Record, ValueType


def published(state: State, record: Record) -> None:
    v = record.value
    state.messages[record.key] = Message(key=record.key, value=v)
    index = (v["name"], v["correlationKey"], v["tenantId"])
    state.messages_by_name.setdefault(index, {})[record.key] = None
    if v["messageId"]:
        state.message_ids[(v["name"], v["correlationKey"], v["messageId"], v["tenantId"])] = (
            record.key
        )
    if v["timeToLive"] > 0:
        state.push_message_deadline(v["deadline"], record.key)


def expired(state: State, record: Record) -> None:
    message = state.messages.pop(record.key, None)
    if message is None:
        return
    v = message.value
    index = (v["name"], v["correlationKey"], v["tenantId"])
    keys = state.messages_by_name.get(index)
    if keys is not None:
        keys.pop(record.key, None)
        if not keys:
            del state.messages_by_name[index]
    if v["messageId"]:
        state.message_ids.pop((v["name"], v["correlationKey"], v["messageId"], v["tenantId"]), None)


def subscription_created(state: State, record: Record) -> None:
    v = record.value
    subscription = MessageSubscription(key=record.key, value=v)
    state.subscriptions[record.key] = subscription
    index = (v["messageName"], v["correlationKey"], v["tenantId"])
    state.subscriptions_by_name.setdefault(index, {})[record.key] = None
    state.subscriptions_by_element.setdefault(v["elementInstanceKey"], {})[record.key] = None


def subscription_correlated(state: State, record: Record) -> None:
    v = record.value
    subscription = state.subscriptions.get(record.key)
    if subscription is not None and v["interrupting"]:
        subscription.is_closed = True
    owner = state.element_instances.get(v["elementInstanceKey"])
    if owner is not None and owner.value["bpmnElementType"] == "EVENT_BASED_GATEWAY":
        # The first event decides an event-based gateway: its other subscriptions are moot.
        for other in state.subscriptions_by_element.get(owner.key, {}):
            state.subscriptions[other].is_closed = True
    message = state.messages.get(v["messageKey"])
    if message is not None:
        message.correlated_processes.append(v["bpmnProcessId"])


def subscription_deleted(state: State, record: Record) -> None:
    subscription = state.subscriptions.pop(record.key, None)
    if subscription is None:
        return
    v = subscription.value
    index = (v["messageName"], v["correlationKey"], v["tenantId"])
    keys = state.subscriptions_by_name.get(index)
    if keys is not None:
        keys.pop(record.key, None)
        if not keys:
            del state.subscriptions_by_name[index]
    owned = state.subscriptions_by_element.get(v["elementInstanceKey"])
    if owned is not None:
        owned.pop(record.key, None)
        if not owned:
            del state.subscriptions_by_element[v["elementInstanceKey"]]


def start_subscription_created(state: State, record: Record) -> None:
    state.start_subscriptions[record.key] = MessageStartSubscription(
        key=record.key, value=record.value
    )


def start_subscription_deleted(state: State, record: Record) -> None:
    state.start_subscriptions.pop(record.key, None)


def start_subscription_correlated(state: State, record: Record) -> None:
    v = record.value
    message = state.messages.get(v["messageKey"])
    if message is not None:
        message.correlated_processes.append(v["bpmnProcessId"])
    if v["correlationKey"]:
        lock = (v["bpmnProcessId"], v["correlationKey"], v["tenantId"])
        state.message_started[lock] = v["processInstanceKey"]
        state.message_started_by_instance[v["processInstanceKey"]] = lock


_MS = ValueType.MESSAGE_SUBSCRIPTION
_MSS = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION
APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.MESSAGE, MessageIntent.PUBLISHED): published,
    (ValueType.MESSAGE, MessageIntent.EXPIRED): expired,
    (_MS, MessageSubscriptionIntent.CREATED): subscription_created,
    (_MS, MessageSubscriptionIntent.CORRELATED): subscription_correlated,
    (_MS, MessageSubscriptionIntent.DELETED): subscription_deleted,
    (_MSS, MessageStartEventSubscriptionIntent.CREATED): start_subscription_created,
    (_MSS, MessageStartEventSubscriptionIntent.DELETED): start_subscription_deleted,
    (_MSS, MessageStartEventSubscriptionIntent.CORRELATED): start_subscription_correlated,
}
