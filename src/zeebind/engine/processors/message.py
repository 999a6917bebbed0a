"""MESSAGE PUBLISH and EXPIRE: buffering, correlation to subscriptions and message start events."""

from __future__ import annotations

from zeebind.engine.behaviors.instances import create_instance
from zeebind.engine.behaviors.messages import correlate
from zeebind.engine.context import Context, Processor
from zeebind.engine.state import Message
from zeebind.protocol.intent import MessageIntent, MessageStartEventSubscriptionIntent
from zeebind.protocol.record import Record, RejectionType, ValueType


def publish(ctx: Context, command: Record) -> None:
    v = command.value
    name = str(v.get("name", ""))
    correlation_key = str(v.get("correlationKey", ""))
    message_id = str(v.get("messageId", ""))
    tenant_id = v.get("tenantId") or "<default>"
    ttl = int(v.get("timeToLive", 0))
    variables = v.get("variables") or {}
    if message_id and (name, correlation_key, message_id, tenant_id) in ctx.state.message_ids:
        ctx.result.reject(
            command,
            RejectionType.ALREADY_EXISTS,
            f"Expected to publish a new message with id '{message_id}', but a message with that "
            "id was already published",
        )
        return
    key = ctx.key()
    value = {
        "name": name,
        "correlationKey": correlation_key,
        "timeToLive": ttl,
        "messageId": message_id,
        "variables": variables,
        "deadline": ctx.now + max(ttl, 0),
        "tenantId": tenant_id,
    }
    event = ctx.result.append_event(ValueType.MESSAGE, MessageIntent.PUBLISHED, key, value)
    ctx.result.respond(event)
    message = ctx.state.messages[key]
    _correlate_to_subscriptions(ctx, message)
    _start_instances(ctx, message)
    if ttl <= 0:
        ctx.result.append_event(ValueType.MESSAGE, MessageIntent.EXPIRED, key, value)


def _correlate_to_subscriptions(ctx: Context, message: Message) -> None:
    v = message.value
    index = (v["name"], v["correlationKey"], v["tenantId"])
    for sub_key in list(ctx.state.subscriptions_by_name.get(index, {})):
        subscription = ctx.state.subscriptions.get(sub_key)
        if subscription is None or subscription.is_closed:
            continue
        if subscription.value["bpmnProcessId"] in message.correlated_processes:
            continue  # one message per process
        correlate(ctx, subscription, message)


def _start_instances(ctx: Context, message: Message) -> None:
    v = message.value
    for subscription in list(ctx.state.start_subscriptions.values()):
        s = subscription.value
        if s["messageName"] != v["name"] or s["tenantId"] != v["tenantId"]:
            continue
        bpmn_process_id = s["bpmnProcessId"]
        if bpmn_process_id in message.correlated_processes:
            continue
        if v["correlationKey"] and (
            (bpmn_process_id, v["correlationKey"], v["tenantId"]) in ctx.state.message_started
        ):
            continue  # an instance started by this correlation key is still active
        definition = ctx.state.processes[s["processDefinitionKey"]]
        instance_key = ctx.key()
        ctx.result.append_event(
            ValueType.MESSAGE_START_EVENT_SUBSCRIPTION,
            MessageStartEventSubscriptionIntent.CORRELATED,
            subscription.key,
            {
                **s,
                "processInstanceKey": instance_key,
                "correlationKey": v["correlationKey"],
                "messageKey": message.key,
                "variables": v["variables"],
            },
        )
        create_instance(
            ctx,
            definition,
            {},
            start_element_id=s["startEventId"],
            start_variables=v["variables"],
            process_instance_key=instance_key,
        )


def expire(ctx: Context, command: Record) -> None:
    message = ctx.state.messages.get(command.key)
    if message is None or message.value["deadline"] > ctx.now:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to expire message with key '{command.key}', but it is not due",
        )
        return
    ctx.result.append_event(ValueType.MESSAGE, MessageIntent.EXPIRED, message.key, message.value)


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.MESSAGE, MessageIntent.PUBLISH): publish,
    (ValueType.MESSAGE, MessageIntent.EXPIRE): expire,
}
