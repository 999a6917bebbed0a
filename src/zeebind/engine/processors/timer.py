"""TIMER TRIGGER: a due timer completes its catch event, fires its boundary or starts a process."""

from __future__ import annotations

from zeebind.bpmn.model import BoundaryEvent, StartEvent
from zeebind.engine.behaviors import timers
from zeebind.engine.behaviors.expressions import ScopeVariables
from zeebind.engine.behaviors.instances import create_instance
from zeebind.engine.behaviors.messages import trigger_event
from zeebind.engine.context import Context, Processor
from zeebind.protocol.intent import TimerIntent
from zeebind.protocol.record import Record, RejectionType, ValueType


def trigger(ctx: Context, command: Record) -> None:
    timer = ctx.state.timers.get(command.key)
    if timer is None or timer.value["dueDate"] > ctx.now:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to trigger timer with key '{command.key}', but no such timer is due",
        )
        return
    ctx.result.append_event(ValueType.TIMER, TimerIntent.TRIGGERED, timer.key, timer.value)
    v = timer.value
    model = ctx.model(v["processDefinitionKey"])
    target = model.element(v["targetElementId"])
    if v["elementInstanceKey"] < 0:
        definition = ctx.state.processes[v["processDefinitionKey"]]
        assert isinstance(target, StartEvent)
        assert target.events.timer is not None
        create_instance(ctx, definition, {}, start_element_id=target.id)
        timers.rearm(ctx, timer, target.events.timer, {})
        return
    instance = ctx.state.element_instances.get(v["elementInstanceKey"])
    if instance is None:
        return
    repeats = (isinstance(target, BoundaryEvent) and not target.cancel_activity) or (
        isinstance(target, StartEvent) and not target.is_interrupting
    )
    timer_definition = getattr(getattr(target, "events", None), "timer", None)
    if repeats and timer_definition is not None:
        timers.rearm(ctx, timer, timer_definition, ScopeVariables(ctx.state, instance.key))
    trigger_event(ctx, instance.key, target.id, {})


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.TIMER, TimerIntent.TRIGGER): trigger,
}
