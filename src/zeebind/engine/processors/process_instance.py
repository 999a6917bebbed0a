"""PROCESS_INSTANCE commands: the element lifecycle (activate, complete, terminate) and CANCEL.

What each element type does on activation lives in `engine/elements/`; completion and
termination are shared (`elements/lifecycle.py`).
"""

from __future__ import annotations

from zeebind.bpmn.model import BpmnElementType, InclusiveGateway
from zeebind.engine.behaviors import flow, variables
from zeebind.engine.context import Context, Processor
from zeebind.engine.elements import ACTIVATE, activities, gateways, lifecycle
from zeebind.protocol.intent import ProcessInstanceIntent
from zeebind.protocol.record import Record, RejectionType, ValueType

_PI = ValueType.PROCESS_INSTANCE
Intent = ProcessInstanceIntent
_SCOPES = (
    BpmnElementType.PROCESS,
    BpmnElementType.SUB_PROCESS,
    BpmnElementType.EVENT_SUB_PROCESS,
    BpmnElementType.MULTI_INSTANCE_BODY,
)


def activate_element(ctx: Context, command: Record) -> None:
    if command.value.get("joinCheck"):
        _check_inclusive_join(ctx, command)
        return
    instance = ctx.state.element_instances.get(command.key)
    if instance is None:
        scope = ctx.state.element_instances.get(command.value["flowScopeKey"])
        if command.value["flowScopeKey"] > 0 and (scope is None or scope.interrupted):
            # Its flow scope ended (or a terminate end event ended it) while this token was in
            # flight: nothing starts there any more (Zeebe rejects the activation).
            return
        value = {name: command.value[name] for name in flow.ELEMENT_FIELDS}
        key = command.key if command.key > 0 else ctx.key()
        ctx.result.append_event(_PI, Intent.ELEMENT_ACTIVATING, key, value)
        instance = ctx.state.element_instances[key]
        loop_variables = command.value.get("loopVariables")
        if loop_variables:
            variables.set_local(ctx, instance.key, loop_variables)
    elif instance.state != Intent.ELEMENT_ACTIVATING:
        return  # already past activation: nothing to re-run
    element = flow.element_of(ctx, instance)
    behavior = ACTIVATE.get(instance.element_type, activities.pass_through)
    behavior(ctx, instance, element, command.value)


def _check_inclusive_join(ctx: Context, command: Record) -> None:
    scope = ctx.state.element_instances.get(command.value["flowScopeKey"])
    if scope is None or scope.state != Intent.ELEMENT_ACTIVATED:
        return
    gateway = ctx.model(scope.process_definition_key).element(command.value["elementId"])
    assert isinstance(gateway, InclusiveGateway)
    if gateways.inclusive_join_ready(ctx, scope, gateway):
        flow.activate(ctx, scope, gateway, now=True)


def complete_element(ctx: Context, command: Record) -> None:
    instance = ctx.state.element_instances.get(command.key)
    if instance is None or instance.state not in (
        Intent.ELEMENT_ACTIVATED,
        Intent.ELEMENT_COMPLETING,
    ):
        return
    if instance.element_type in _SCOPES and (
        instance.active_children or (instance.active_flows and not instance.interrupted)
    ):
        return  # work arrived in the scope meanwhile
    element = flow.element_of(ctx, instance)
    if instance.element_type is BpmnElementType.EVENT_BASED_GATEWAY:
        gateways.complete_event_based(ctx, instance, element, command.value)
        return
    lifecycle.complete(ctx, instance, element, command.value.get("variables"))


def terminate_element(ctx: Context, command: Record) -> None:
    instance = ctx.state.element_instances.get(command.key)
    if instance is None or instance.state == Intent.ELEMENT_TERMINATING:
        return
    lifecycle.terminate(ctx, instance)


def cancel(ctx: Context, command: Record) -> None:
    instance = ctx.state.element_instances.get(command.key)
    if instance is None or instance.element_type is not BpmnElementType.PROCESS:
        ctx.result.reject(
            command,
            RejectionType.NOT_FOUND,
            f"Expected to cancel a process instance with key '{command.key}', "
            "but no such process was found",
        )
        return
    if instance.value["parentProcessInstanceKey"] > 0:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to cancel a process instance with key '{command.key}', but it is created "
            "by a parent process instance. Cancel the root process instance "
            f"'{instance.value['parentProcessInstanceKey']}' instead.",
        )
        return
    if instance.state == Intent.ELEMENT_TERMINATING:
        ctx.result.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to cancel a process instance with key '{command.key}', "
            "but it is already being terminated",
        )
        return
    ctx.result.respond(lifecycle.terminate(ctx, instance))


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (_PI, Intent.ACTIVATE_ELEMENT): activate_element,
    (_PI, Intent.COMPLETE_ELEMENT): complete_element,
    (_PI, Intent.TERMINATE_ELEMENT): terminate_element,
    (_PI, Intent.CANCEL): cancel,
}
