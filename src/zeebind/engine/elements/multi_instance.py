"""Multi-instance activities: the body, its inner instances, output collection, completion."""

from __future__ import annotations

from typing import Any

from zeebind.bpmn.model import FlowNode, LoopCharacteristics
from zeebind.engine.behaviors import compensation, flow, messages, variables
from zeebind.engine.behaviors.expressions import (
    Failure,
    ScopeVariables,
    evaluate_any,
    evaluate_boolean,
)
from zeebind.engine.behaviors.incidents import raise_incident
from zeebind.engine.context import Context
from zeebind.engine.elements import activities
from zeebind.engine.elements.lifecycle import Intent, event, fail
from zeebind.engine.state import ElementInstance
from zeebind.feel import to_json, type_name
from zeebind.protocol.intent import ProcessInstanceIntent
from zeebind.protocol.record import ValueType

_PI = ValueType.PROCESS_INSTANCE


def _loop(element: FlowNode) -> LoopCharacteristics:
    assert element.loop is not None
    return element.loop


def _input_collection(
    ctx: Context, body: ElementInstance, loop: LoopCharacteristics
) -> list[Any] | Failure:
    source = loop.input_collection.source
    value = evaluate_any(source, ScopeVariables(ctx.state, body.key))
    if isinstance(value, Failure):
        return value
    if not isinstance(value, list):
        return Failure(
            "EXTRACT_VALUE_ERROR",
            f"Expected result of the expression '{source}' to be 'ARRAY', but was "
            f"'{type_name(value)}'.",
        )
    return [to_json(item) for item in value]


def body(ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]) -> None:
    loop = _loop(element)
    items = _input_collection(ctx, instance, loop)
    if isinstance(items, Failure):
        fail(ctx, instance, items)
        return
    if not activities.open_events(ctx, instance, element):
        return
    event(ctx, instance, Intent.ELEMENT_ACTIVATED)
    if loop.output_collection:
        variables.set_local(ctx, instance.key, {loop.output_collection: [None] * len(items)})
    if not items:
        ctx.result.follow_up(
            _PI, ProcessInstanceIntent.COMPLETE_ELEMENT, instance.key, instance.value
        )
        return
    for counter, item in enumerate(items if not loop.is_sequential else items[:1], start=1):
        _activate_inner(ctx, instance, element, loop, counter, item)
    messages.correlate_buffered(ctx, instance)


def _activate_inner(
    ctx: Context,
    body_instance: ElementInstance,
    element: FlowNode,
    loop: LoopCharacteristics,
    counter: int,
    item: Any,
) -> None:
    loop_variables: dict[str, Any] = {"loopCounter": counter}
    if loop.input_element:
        loop_variables[loop.input_element] = item
    output = loop.output_element.source.strip() if loop.output_element else ""
    if output.isidentifier() and output not in loop_variables:
        # Worker results then land in the inner instance, where outputElement reads them.
        loop_variables[output] = None
    key = ctx.key()
    value = flow.element_value(body_instance, element)
    value["loopVariables"] = loop_variables
    ctx.result.follow_up(_PI, ProcessInstanceIntent.ACTIVATE_ELEMENT, key, value)


def complete_inner(
    ctx: Context,
    body_instance: ElementInstance,
    inner: ElementInstance,
    element: FlowNode,
    result: dict[str, Any] | None,
) -> None:
    """An inner instance completes: its outputs stay in its own scope; outputElement is
    collected at its loopCounter; then the body decides what comes next."""
    loop = _loop(element)
    if element.outputs:
        if result:
            variables.set_local(ctx, inner.key, result)
        document = variables.evaluate_outputs(ctx, inner.key, element.outputs)
        if isinstance(document, Failure):
            fail(ctx, inner, document)
            return
        variables.set_local(ctx, inner.key, document)
    elif result:
        variables.propagate(ctx, inner.key, result)
    if loop.output_collection and loop.output_element is not None:
        value = evaluate_any(loop.output_element.source, ScopeVariables(ctx.state, inner.key))
        if isinstance(value, Failure):
            fail(ctx, inner, value)
            return
        counter = ctx.state.variables[inner.key]["loopCounter"].value
        current = ctx.state.variables.get(body_instance.key, {}).get(loop.output_collection)
        collected = list(current.value) if current is not None else []
        if not 0 < counter <= len(collected):
            raise_incident(
                ctx,
                inner,
                "EXTRACT_VALUE_ERROR",
                f"Expected to update item at index {counter} of the multiInstanceBody output "
                f"collection '{loop.output_collection}', but it contains only {len(collected)} "
                "elements",
            )
            return
        collected[counter - 1] = to_json(value)
        variables.set_local(ctx, body_instance.key, {loop.output_collection: collected})
    compensation.activity_completed(ctx, inner, element)
    event(ctx, inner, Intent.ELEMENT_COMPLETED)
    _after_inner(ctx, body_instance, element, loop)


def _after_inner(
    ctx: Context, body_instance: ElementInstance, element: FlowNode, loop: LoopCharacteristics
) -> None:
    active = body_instance.active_children
    completed = body_instance.completed_children
    terminated = body_instance.terminated_children
    if loop.is_sequential:
        items = _input_collection(ctx, body_instance, loop)
        if isinstance(items, Failure):
            fail(ctx, body_instance, items)
            return
        total = len(items)
    else:
        items = []
        total = active + completed + terminated
    if loop.completion_condition is not None:
        counters = {
            "numberOfInstances": total,
            "numberOfActiveInstances": active,
            "numberOfCompletedInstances": completed,
            "numberOfTerminatedInstances": terminated,
        }
        done = evaluate_boolean(
            loop.completion_condition.source,
            ScopeVariables(ctx.state, body_instance.key, counters),
        )
        if isinstance(done, Failure):
            fail(ctx, body_instance, done)
            return
        if done:
            for child_key in list(body_instance.children):
                child = ctx.state.element_instances[child_key]
                ctx.result.follow_up(
                    _PI, ProcessInstanceIntent.TERMINATE_ELEMENT, child_key, child.value
                )
            if not body_instance.children:
                ctx.result.follow_up(
                    _PI,
                    ProcessInstanceIntent.COMPLETE_ELEMENT,
                    body_instance.key,
                    body_instance.value,
                )
            return
    if loop.is_sequential:
        counter = completed + terminated + 1
        if counter <= total:
            _activate_inner(ctx, body_instance, element, loop, counter, items[counter - 1])
            return
    if not body_instance.children:
        ctx.result.follow_up(
            _PI, ProcessInstanceIntent.COMPLETE_ELEMENT, body_instance.key, body_instance.value
        )


def complete_body(ctx: Context, body_instance: ElementInstance, element: FlowNode) -> None:
    """The body completes: the output collection goes to its flow scope, then the flows."""
    loop = _loop(element)
    if loop.output_collection:
        current = ctx.state.variables.get(body_instance.key, {}).get(loop.output_collection)
        collected = current.value if current is not None else []
        variables.propagate(ctx, body_instance.flow_scope_key, {loop.output_collection: collected})
    compensation.activity_completed(ctx, body_instance, element)
    event(ctx, body_instance, Intent.ELEMENT_COMPLETED)
    compensation.handler_completed(ctx, body_instance, element)  # a multi-instance handler
    if element.outgoing:
        flow.take_flows(ctx, body_instance, element.outgoing)
    else:
        flow.complete_scope_if_done(ctx, body_instance.flow_scope_key)
