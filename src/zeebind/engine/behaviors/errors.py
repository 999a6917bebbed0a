"""Errors and escalations: finding the catching event, from the thrower outwards (§4.6, §4.15).

At each level — the element itself, then each enclosing scope, then through a call activity
into the parent process instance — the event subprocesses inside the scope come first, then the
boundary events attached to it. A code match wins over a catch-all at the same level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    FlowNode,
    Process,
    StartEvent,
    Static,
    SubProcess,
)
from zeebind.engine.behaviors.messages import boundary_ids, trigger_event
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance


@dataclass(frozen=True, slots=True)
class Catcher:
    """Where a thrown error/escalation lands: `event` is a boundary event or an ESP start."""

    instance: ElementInstance
    event: BoundaryEvent | StartEvent

    @property
    def is_interrupting(self) -> bool:
        if isinstance(self.event, BoundaryEvent):
            return self.event.cancel_activity
        return self.event.is_interrupting


def _caught_code(event: FlowNode, event_type: BpmnEventType) -> tuple[bool, str | None]:
    """(catches this kind, its code or None for catch-all)."""
    if event.event_type is not event_type:
        return False, None
    if event_type is BpmnEventType.ERROR:
        return True, getattr(event, "error_code", None)
    escalation = event.events.escalation if hasattr(event, "events") else None
    code = escalation.code if escalation is not None else None
    return True, code.value if isinstance(code, Static) else None


def _candidates(ctx: Context, instance: ElementInstance) -> list[BoundaryEvent | StartEvent]:
    model = ctx.model(instance.process_definition_key)
    scope: FlowNode | Process
    if instance.element_type is BpmnElementType.PROCESS:
        scope = model
    else:
        scope = model.element(instance.element_id)
    found: list[BoundaryEvent | StartEvent] = []
    for esp_id in getattr(scope, "event_sub_process_ids", []):
        esp = model.element(esp_id)
        assert isinstance(esp, SubProcess)
        found.extend(
            start for s in esp.start_event_ids if isinstance(start := model.element(s), StartEvent)
        )
    if isinstance(scope, FlowNode):
        found.extend(
            b
            for b_id in boundary_ids(instance, scope)
            if isinstance(b := model.element(b_id), BoundaryEvent)
        )
    return found


def find(ctx: Context, start_key: int, event_type: BpmnEventType, code: str) -> Catcher | list[str]:
    """The nearest catcher of `code`, or the codes of the catch events seen on the way."""
    available: list[str] = []
    key = start_key
    while key > 0:
        instance = ctx.state.element_instances[key]
        catch_all: BoundaryEvent | StartEvent | None = None
        for candidate in _candidates(ctx, instance):
            catches, caught = _caught_code(candidate, event_type)
            if not catches:
                continue
            if caught == code:
                return Catcher(instance, candidate)
            if caught is None:
                catch_all = catch_all or candidate
            else:
                available.append(caught)
        if catch_all is not None:
            return Catcher(instance, catch_all)
        if instance.element_type is BpmnElementType.PROCESS:
            # Uncaught in a child process instance: on to its call activity in the parent.
            key = instance.value["parentElementInstanceKey"]
        else:
            key = instance.flow_scope_key
    return available


def find_catcher(ctx: Context, start_key: int, error_code: str) -> Catcher | list[str]:
    return find(ctx, start_key, BpmnEventType.ERROR, error_code)


def unhandled_message(error_code: str, error_message: str, available: list[str]) -> str:
    text = f"Expected to throw an error event with the code '{error_code}'"
    if error_message:
        text += f" with message '{error_message}'"
    text += ", but it was not caught."
    if available:
        text += " Available error events are [" + ", ".join(available) + "]"
    else:
        text += " No error events are available in the scope."
    return text


def throw(
    ctx: Context, start_key: int, error_code: str, variables: dict[str, Any]
) -> Catcher | list[str]:
    """Throws from `start_key` outwards; a caught error interrupts the catcher's scope."""
    found = find_catcher(ctx, start_key, error_code)
    if isinstance(found, Catcher):
        trigger_event(ctx, found.instance.key, found.event.id, variables)
    return found
