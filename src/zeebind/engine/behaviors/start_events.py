"""The start events of a process version: message subscriptions, start timers, signal starts.

Only the latest version of a process listens: deploying a new version moves them to it, and
deleting the latest version gives them back to the one before.
"""

from __future__ import annotations

from zeebind.engine.behaviors import signals, timers
from zeebind.engine.behaviors.expressions import Failure
from zeebind.engine.context import Context
from zeebind.engine.state import ProcessDefinition
from zeebind.protocol.intent import MessageStartEventSubscriptionIntent, TimerIntent
from zeebind.protocol.record import ValueType

_MSS = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION


def close(ctx: Context, process_definition_key: int) -> None:
    """The version stops listening: its message and signal starts and start timers go."""
    state = ctx.state
    for subscription in list(state.start_subscriptions.values()):
        if subscription.value["processDefinitionKey"] == process_definition_key:
            ctx.result.append_event(
                _MSS,
                MessageStartEventSubscriptionIntent.DELETED,
                subscription.key,
                subscription.value,
            )
    for scheduled in list(state.timers.values()):
        v = scheduled.value
        if v["processDefinitionKey"] == process_definition_key and v["elementInstanceKey"] < 0:
            ctx.result.append_event(ValueType.TIMER, TimerIntent.CANCELED, scheduled.key, v)
    signals.close_start_subscriptions(ctx, process_definition_key)


def open_(ctx: Context, definition: ProcessDefinition) -> None:
    """The version listens: a subscription per message start, a timer per timer start, a
    subscription per signal start (names and timer values evaluated without variables)."""
    model = ctx.model(definition.key)
    for start_id in model.message_start_event_ids:
        message = getattr(model.element(start_id), "message", None)
        name = getattr(getattr(message, "name", None), "value", None)
        if name is None:  # pragma: no cover - the parser requires a static start message name
            continue
        ctx.result.append_event(
            _MSS,
            MessageStartEventSubscriptionIntent.CREATED,
            ctx.key(),
            {
                "processDefinitionKey": definition.key,
                "bpmnProcessId": definition.bpmn_process_id,
                "startEventId": start_id,
                "messageName": name,
                "processInstanceKey": -1,
                "correlationKey": "",
                "messageKey": -1,
                "variables": {},
                "tenantId": definition.tenant_id,
            },
        )
    for start_id in model.timer_start_event_ids:
        timer = getattr(getattr(model.element(start_id), "events", None), "timer", None)
        if timer is None:  # pragma: no cover - the parser sets it on timer start events
            continue
        evaluated = timers.evaluate(timer, {}, ctx.now)
        if isinstance(evaluated, Failure):
            continue  # validated at parse time; a start timer cannot need instance variables
        due_date, repetitions = evaluated
        timers.schedule(
            ctx,
            element_instance_key=-1,
            process_instance_key=-1,
            process_definition_key=definition.key,
            tenant_id=definition.tenant_id,
            target_element_id=start_id,
            due_date=due_date,
            repetitions=repetitions,
        )
    signals.open_start_subscriptions(ctx, definition, model)
