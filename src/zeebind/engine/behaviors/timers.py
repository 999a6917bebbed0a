"""Timers: evaluating timer definitions, scheduling, cancelling, and re-arming cycles (§4.13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zeebind.bpmn.model import FlowNode, Static, TimerDefinition, TimerKind
from zeebind.bpmn.timer import (
    INFINITE,
    Cycle,
    Duration,
    epoch_ms,
    first_due,
    next_due,
    parse_cycle,
    parse_date_time,
    parse_duration,
)
from zeebind.engine.behaviors.expressions import Failure, ScopeVariables, run
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance, Timer
from zeebind.feel import YearsMonthsDuration, to_string, type_name
from zeebind.protocol.intent import TimerIntent
from zeebind.protocol.record import ValueType


@dataclass(frozen=True, slots=True)
class PlannedTimer:
    element_id: str
    due_date: int
    repetitions: int


def _text(definition: TimerDefinition, variables: Any) -> Any | Failure:
    if isinstance(definition.value, Static):
        return definition.value.value
    result = run(definition.value.source, variables)
    if result.failure is not None:
        return Failure("EXTRACT_VALUE_ERROR", result.failure)
    return result.value


def evaluate(definition: TimerDefinition, variables: Any, now_ms: int) -> tuple[int, int] | Failure:
    """(due date, repetitions) of a timer definition, evaluated now; or why it has none."""
    value = _text(definition, variables)
    if isinstance(value, Failure):
        return value
    source = definition.value.source if not isinstance(definition.value, Static) else ""
    suffix = f" for expression '{source}'." if source else "."
    try:
        if definition.kind is TimerKind.DURATION:
            if isinstance(value, dt.timedelta):
                return Duration(0, value).due(now_ms), 1
            if isinstance(value, YearsMonthsDuration):
                return Duration(value.months).due(now_ms), 1
            if isinstance(value, str):
                return parse_duration(value).due(now_ms), 1
            return Failure(
                "EXTRACT_VALUE_ERROR",
                f"Invalid duration format '{to_string(value)}'{suffix}",
            )
        if definition.kind is TimerKind.DATE:
            if isinstance(value, dt.datetime):
                moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
                return epoch_ms(moment), 1
            if isinstance(value, str):
                return epoch_ms(parse_date_time(value)), 1
            return Failure(
                "EXTRACT_VALUE_ERROR",
                f"Invalid date-time format '{to_string(value)}'{suffix}",
            )
        if not isinstance(value, str):
            return Failure(
                "EXTRACT_VALUE_ERROR",
                f"Expected result of the expression '{source}' to be 'STRING', but was "
                f"'{type_name(value)}'.",
            )
        cycle = parse_cycle(value)
    except ValueError as err:
        return Failure("EXTRACT_VALUE_ERROR", f"{err}{suffix}")
    due = first_due(cycle, now_ms)
    if due is None:
        return Failure("EXTRACT_VALUE_ERROR", f"The time cycle '{value}' never fires{suffix}")
    return due, cycle.repetitions


def cycle_of(definition: TimerDefinition, variables: Any) -> Cycle | None:
    value = _text(definition, variables)
    if not isinstance(value, str):
        return None
    try:
        return parse_cycle(value)
    except ValueError:
        return None


def plan(
    ctx: Context, instance: ElementInstance, targets: list[FlowNode]
) -> list[PlannedTimer] | Failure:
    """Due dates of the timers of `targets` (the element itself, boundaries, gateway targets)."""
    variables = ScopeVariables(ctx.state, instance.key)
    planned = []
    for target in targets:
        definition = getattr(target, "events", None)
        timer = definition.timer if definition is not None else None
        if timer is None:
            continue
        evaluated = evaluate(timer, variables, ctx.now)
        if isinstance(evaluated, Failure):
            return evaluated
        planned.append(PlannedTimer(target.id, *evaluated))
    return planned


def schedule(
    ctx: Context,
    *,
    element_instance_key: int,
    process_instance_key: int,
    process_definition_key: int,
    tenant_id: str,
    target_element_id: str,
    due_date: int,
    repetitions: int,
) -> None:
    ctx.result.append_event(
        ValueType.TIMER,
        TimerIntent.CREATED,
        ctx.key(),
        {
            "elementInstanceKey": element_instance_key,
            "processInstanceKey": process_instance_key,
            "processDefinitionKey": process_definition_key,
            "targetElementId": target_element_id,
            "dueDate": due_date,
            "repetitions": repetitions,
            "tenantId": tenant_id,
        },
    )


def open_planned(ctx: Context, instance: ElementInstance, planned: list[PlannedTimer]) -> None:
    v = instance.value
    for item in planned:
        schedule(
            ctx,
            element_instance_key=instance.key,
            process_instance_key=v["processInstanceKey"],
            process_definition_key=v["processDefinitionKey"],
            tenant_id=v["tenantId"],
            target_element_id=item.element_id,
            due_date=item.due_date,
            repetitions=item.repetitions,
        )


def cancel(ctx: Context, instance: ElementInstance, only: set[str] | None = None) -> None:
    """Cancels the timers the instance owns (`only`: those of these target elements)."""
    for key in list(ctx.state.timers_by_element.get(instance.key, {})):
        timer = ctx.state.timers[key]
        if only is not None and timer.value["targetElementId"] not in only:
            continue
        ctx.result.append_event(ValueType.TIMER, TimerIntent.CANCELED, key, timer.value)


def rearm(ctx: Context, timer: Timer, definition: TimerDefinition, variables: Any) -> None:
    """A cycle fired: schedule its next occurrence while repetitions are left."""
    repetitions = timer.value["repetitions"]
    if definition.kind is not TimerKind.CYCLE or repetitions in (0, 1):
        return
    cycle = cycle_of(definition, variables)
    if cycle is None:
        return
    due = next_due(cycle, timer.value["dueDate"], ctx.now)
    if due is None:
        return
    schedule(
        ctx,
        element_instance_key=timer.value["elementInstanceKey"],
        process_instance_key=timer.value["processInstanceKey"],
        process_definition_key=timer.value["processDefinitionKey"],
        tenant_id=timer.value["tenantId"],
        target_element_id=timer.value["targetElementId"],
        due_date=due,
        repetitions=repetitions if repetitions == INFINITE else repetitions - 1,
    )
