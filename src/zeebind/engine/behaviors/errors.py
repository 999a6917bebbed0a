"""BPMN errors: finding the catching boundary event, from the thrower outwards (§4.6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zeebind.bpmn.model import BoundaryEvent, BpmnElementType, BpmnEventType
from zeebind.engine.behaviors.messages import boundary_ids, trigger_event
from zeebind.engine.context import Context
from zeebind.engine.state import ElementInstance


@dataclass(frozen=True, slots=True)
class Catcher:
    instance: ElementInstance
    boundary: BoundaryEvent


def find_catcher(ctx: Context, start_key: int, error_code: str) -> Catcher | list[str]:
    """The nearest error boundary for `error_code` (a code match beats a catch-all at one level).

    Returns the catcher, or the codes of all error events seen on the way when none matches.
    """
    available: list[str] = []
    key = start_key
    while key > 0:
        instance = ctx.state.element_instances[key]
        if instance.element_type is BpmnElementType.PROCESS:
            # Uncaught in a child process instance: on to its call activity in the parent.
            key = instance.value["parentElementInstanceKey"]
            continue
        model = ctx.model(instance.process_definition_key)
        element = model.element(instance.element_id)
        catch_all: BoundaryEvent | None = None
        for boundary_id in boundary_ids(instance, element):
            boundary = model.element(boundary_id)
            if not isinstance(boundary, BoundaryEvent):
                continue
            if boundary.event_type is not BpmnEventType.ERROR:
                continue
            if boundary.error_code == error_code:
                return Catcher(instance, boundary)
            if boundary.error_code is None:
                catch_all = catch_all or boundary
            else:
                available.append(boundary.error_code)
        if catch_all is not None:
            return Catcher(instance, catch_all)
        key = instance.flow_scope_key
    return available


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
    """Throws from `start_key` outwards; a caught error interrupts the catcher's activity."""
    found = find_catcher(ctx, start_key, error_code)
    if isinstance(found, Catcher):
        trigger_event(ctx, found.instance.key, found.boundary.id, variables)
    return found
