"""Builders of start, intermediate, boundary and end events, and readers of their definitions."""

from __future__ import annotations

from zeebind.bpmn.activities import message_throw_job
from zeebind.bpmn.build import Build, Builder, bpmn_children, is_true
from zeebind.bpmn.document import XmlElement
from zeebind.bpmn.model import (
    BoundaryEvent,
    BpmnElementType,
    BpmnEventType,
    EndEvent,
    EscalationDefinition,
    EventDefinitions,
    ExpressionOrStatic,
    FlowNode,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    MessageDefinition,
    SignalDefinition,
    StartEvent,
    Static,
    TimerDefinition,
    TimerKind,
)
from zeebind.bpmn.timer import parse_cycle, parse_date_time, parse_duration
from zeebind.bpmn.zeebe_extensions import message_definition

_TIMER_CHECKS = {
    TimerKind.DURATION: ("duration", parse_duration),
    TimerKind.DATE: ("date", parse_date_time),
    TimerKind.CYCLE: ("cycle", parse_cycle),
}
INTERRUPTING_CYCLE = "Interrupting timer event with time cycle is not allowed."
NOT_INTERRUPTING = "Non-Interrupting event of this type is not allowed"


# --- event definition readers --------------------------------------------------------------------


def message(
    build: Build, ref_holder: XmlElement | None, node_id: str, *, needs_subscription: bool
) -> MessageDefinition | None:
    ref = ref_holder.get("messageRef") if ref_holder is not None else None
    if not ref:
        build.findings.add(node_id, "Must reference a message")
        return None
    message_xml = build.messages.get(ref)
    if message_xml is None:
        build.findings.add(node_id, f"Referenced message '{ref}' does not exist")
        return None
    return message_definition(message_xml, build.findings, needs_subscription=needs_subscription)


def timer(build: Build, definition: XmlElement | None, node_id: str) -> TimerDefinition | None:
    """timeDuration, timeDate or timeCycle (exactly one); a static value is checked here."""
    findings = build.findings
    found = [
        (kind, child)
        for kind in TimerKind
        for child in (bpmn_children(definition, kind.value) if definition is not None else [])
    ]
    if len(found) != 1:
        findings.add(
            node_id, "Must be exactly one type of timer: timeDuration, timeDate or timeCycle"
        )
        return None
    kind, child = found[0]
    text = (child.text or "").strip()
    value = findings.value(node_id, text)
    if isinstance(value, Static):
        label, check = _TIMER_CHECKS[kind]
        try:
            check(text)
        except ValueError as err:
            findings.add(
                node_id, f"Invalid timer {label} expression ({err} for expression '{text}')"
            )
    return TimerDefinition(kind, value)


def signal(build: Build, definition: XmlElement | None, node_id: str) -> SignalDefinition | None:
    ref = definition.get("signalRef") if definition is not None else None
    if not ref:
        build.findings.add(node_id, "Must reference a signal")
        return None
    signal_xml = build.signals.get(ref)
    if signal_xml is None:
        build.findings.add(node_id, f"Referenced signal '{ref}' does not exist")
        return None
    name_text = signal_xml.get("name") or ""
    if not name_text.strip():
        build.findings.add(ref, "Name must be present and not empty")
        return None
    return SignalDefinition(ref, build.findings.value(ref, name_text))


def thrown_escalation(
    build: Build, definition: XmlElement | None, node_id: str
) -> EscalationDefinition | None:
    """The escalation of a throw event: it must exist and have a (static or expression) code."""
    ref = definition.get("escalationRef") if definition is not None else None
    escalation_xml = build.escalations.get(ref) if ref else None
    if not ref:
        build.findings.add(node_id, "Must reference an escalation")
        return None
    if escalation_xml is None:
        build.findings.add(node_id, f"Referenced escalation '{ref}' does not exist")
        return None
    code = escalation_xml.get("escalationCode") or ""
    if not code.strip():
        build.findings.add(ref, "EscalationCode must be present and not empty")
        return None
    return EscalationDefinition(ref, build.findings.value(ref, code))


def caught_escalation(
    build: Build, definition: XmlElement | None, node_id: str
) -> EscalationDefinition:
    """The escalation of a catch event: a static code, or None (no ref / no code) = catch-all."""
    ref = definition.get("escalationRef") if definition is not None else None
    if not ref:
        return EscalationDefinition("", None)
    escalation_xml = build.escalations.get(ref)
    if escalation_xml is None:
        build.findings.add(node_id, f"Referenced escalation '{ref}' does not exist")
        return EscalationDefinition(ref, None)
    code = escalation_xml.get("escalationCode") or ""
    if code.startswith("="):
        build.findings.add(
            ref,
            "The escalationCode of the escalation catch event is not allowed to be an expression",
        )
        return EscalationDefinition(ref, None)
    return EscalationDefinition(ref, Static(code) if code.strip() else None)


def caught_error_code(build: Build, definition: XmlElement | None, node_id: str) -> str | None:
    """The static code of an error catch event; None (no ref / no code) = catch-all."""
    ref = definition.get("errorRef") if definition is not None else None
    if not ref:
        return None
    error_xml = build.errors.get(ref)
    if error_xml is None:
        build.findings.add(node_id, f"Referenced error '{ref}' does not exist")
        return None
    code = error_xml.get("errorCode") or ""
    if code.startswith("="):
        build.findings.add(
            ref, "The errorCode of the error catch event is not allowed to be an expression"
        )
        return None
    return code if code.strip() else None


def _link_name(build: Build, definition: XmlElement | None, node_id: str) -> str | None:
    name = (definition.get("name") if definition is not None else None) or ""
    if not name:
        build.findings.add(node_id, "Link name must be present and not empty.")
        return None
    return name


def _compensated_activity(
    build: Build, definition: XmlElement | None, node_id: str, what: str
) -> str | None:
    if definition is None:
        return None
    wait = definition.get("waitForCompletion")
    if wait is not None and not is_true(wait, default=True):
        build.findings.add(
            node_id,
            f"A compensation {what} waitForCompletion attribute must be true or not present",
        )
    return definition.get("activityRef") or None


# --- start events --------------------------------------------------------------------------------


def _start(
    build: Build, xml: XmlElement, node_id: str, scope_id: str, event_type: BpmnEventType
) -> StartEvent:
    """A start event; `isInterrupting` only means something in an event subprocess."""
    interrupting = is_true(xml.get("isInterrupting"), default=True)
    if not build.in_event_sub_process(scope_id):
        interrupting = True
    elif not interrupting and event_type in (BpmnEventType.ERROR, BpmnEventType.COMPENSATION):
        build.findings.add(node_id, NOT_INTERRUPTING)
    return StartEvent(
        node_id,
        BpmnElementType.START_EVENT,
        scope_id,
        event_type=event_type,
        is_interrupting=interrupting,
    )


def none_start_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return _start(build, xml, node_id, scope_id, BpmnEventType.NONE)


def message_start_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    """A message start; inside an event subprocess it subscribes with a correlation key."""
    start = _start(build, xml, node_id, scope_id, BpmnEventType.MESSAGE)
    needs_subscription = build.in_event_sub_process(scope_id)
    start.message = message(build, definition, node_id, needs_subscription=needs_subscription)
    return start


def timer_start_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    start = _start(build, xml, node_id, scope_id, BpmnEventType.TIMER)
    definition_ = timer(build, definition, node_id)
    if (
        definition_ is not None
        and definition_.kind is TimerKind.CYCLE
        and start.is_interrupting
        and build.in_event_sub_process(scope_id)
    ):
        build.findings.add(node_id, INTERRUPTING_CYCLE)
    start.events = EventDefinitions(timer=definition_)
    return start


def signal_start_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    start = _start(build, xml, node_id, scope_id, BpmnEventType.SIGNAL)
    start.events = EventDefinitions(signal=signal(build, definition, node_id))
    return start


def error_start_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    """An event subprocess's error start: catches a static code, or every error (None)."""
    start = _start(build, xml, node_id, scope_id, BpmnEventType.ERROR)
    start.error_code = caught_error_code(build, definition, node_id)
    return start


def escalation_start_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    start = _start(build, xml, node_id, scope_id, BpmnEventType.ESCALATION)
    start.events = EventDefinitions(escalation=caught_escalation(build, definition, node_id))
    return start


# --- intermediate catch events -------------------------------------------------------------------


def _catch(
    node_id: str, scope_id: str, event_type: BpmnEventType, events: EventDefinitions
) -> IntermediateCatchEvent:
    return IntermediateCatchEvent(
        node_id,
        BpmnElementType.INTERMEDIATE_CATCH_EVENT,
        scope_id,
        event_type=event_type,
        events=events,
    )


def message_catch_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    event = _catch(node_id, scope_id, BpmnEventType.MESSAGE, EventDefinitions())
    event.message = message(build, definition, node_id, needs_subscription=True)
    return event


def timer_catch_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    definition_ = timer(build, definition, node_id)
    if definition_ is not None and definition_.kind is TimerKind.CYCLE:
        build.findings.add(
            node_id,
            "Intermediate timer catch event must have either a time duration or a time date.",
        )
    return _catch(node_id, scope_id, BpmnEventType.TIMER, EventDefinitions(timer=definition_))


def signal_catch_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    events = EventDefinitions(signal=signal(build, definition, node_id))
    return _catch(node_id, scope_id, BpmnEventType.SIGNAL, events)


def link_catch_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    events = EventDefinitions(link_name=_link_name(build, definition, node_id))
    return _catch(node_id, scope_id, BpmnEventType.LINK, events)


# --- intermediate throw events -------------------------------------------------------------------


def _throw(
    node_id: str, scope_id: str, event_type: BpmnEventType, events: EventDefinitions
) -> IntermediateThrowEvent:
    return IntermediateThrowEvent(
        node_id,
        BpmnElementType.INTERMEDIATE_THROW_EVENT,
        scope_id,
        event_type=event_type,
        events=events,
    )


def none_throw_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return _throw(node_id, scope_id, BpmnEventType.NONE, EventDefinitions())


def signal_throw_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    events = EventDefinitions(signal=signal(build, definition, node_id))
    return _throw(node_id, scope_id, BpmnEventType.SIGNAL, events)


def escalation_throw_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    events = EventDefinitions(escalation=thrown_escalation(build, definition, node_id))
    return _throw(node_id, scope_id, BpmnEventType.ESCALATION, events)


def link_throw_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    events = EventDefinitions(link_name=_link_name(build, definition, node_id))
    return _throw(node_id, scope_id, BpmnEventType.LINK, events)


def compensation_throw_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    activity = _compensated_activity(build, definition, node_id, "intermediate throwing event")
    events = EventDefinitions(compensate_activity_id=activity)
    return _throw(node_id, scope_id, BpmnEventType.COMPENSATION, events)


# --- boundary events -----------------------------------------------------------------------------


def _boundary(
    xml: XmlElement, node_id: str, scope_id: str, event_type: BpmnEventType
) -> BoundaryEvent:
    return BoundaryEvent(
        node_id,
        BpmnElementType.BOUNDARY_EVENT,
        scope_id,
        event_type=event_type,
        attached_to_id=xml.get("attachedToRef") or "",
        cancel_activity=is_true(xml.get("cancelActivity"), default=True),
    )


def message_boundary_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    boundary = _boundary(xml, node_id, scope_id, BpmnEventType.MESSAGE)
    boundary.message = message(build, definition, node_id, needs_subscription=True)
    return boundary


def error_boundary_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    boundary = _boundary(xml, node_id, scope_id, BpmnEventType.ERROR)
    if not boundary.cancel_activity:
        build.findings.add(node_id, NOT_INTERRUPTING)
        boundary.cancel_activity = True
    boundary.error_code = caught_error_code(build, definition, node_id)
    return boundary


def timer_boundary_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    boundary = _boundary(xml, node_id, scope_id, BpmnEventType.TIMER)
    definition_ = timer(build, definition, node_id)
    if definition_ is not None and definition_.kind is TimerKind.CYCLE and boundary.cancel_activity:
        build.findings.add(node_id, INTERRUPTING_CYCLE)
    boundary.events = EventDefinitions(timer=definition_)
    return boundary


def signal_boundary_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    boundary = _boundary(xml, node_id, scope_id, BpmnEventType.SIGNAL)
    boundary.events = EventDefinitions(signal=signal(build, definition, node_id))
    return boundary


def escalation_boundary_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    boundary = _boundary(xml, node_id, scope_id, BpmnEventType.ESCALATION)
    boundary.events = EventDefinitions(escalation=caught_escalation(build, definition, node_id))
    return boundary


def compensation_boundary_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    boundary = _boundary(xml, node_id, scope_id, BpmnEventType.COMPENSATION)
    if not boundary.cancel_activity:
        build.findings.add(node_id, NOT_INTERRUPTING)
        boundary.cancel_activity = True
    return boundary


# --- end events ----------------------------------------------------------------------------------


def _end(
    node_id: str,
    scope_id: str,
    event_type: BpmnEventType,
    events: EventDefinitions | None = None,
) -> EndEvent:
    return EndEvent(
        node_id,
        BpmnElementType.END_EVENT,
        scope_id,
        event_type=event_type,
        events=events or EventDefinitions(),
    )


def none_end_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return _end(node_id, scope_id, BpmnEventType.NONE)


def error_end_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    error_code: ExpressionOrStatic | None = None
    ref = definition.get("errorRef") if definition is not None else None
    error_xml = build.errors.get(ref) if ref else None
    if not ref:
        build.findings.add(node_id, "Must reference an error")
    elif error_xml is None:
        build.findings.add(node_id, f"Referenced error '{ref}' does not exist")
    else:
        code = error_xml.get("errorCode") or ""
        if not code.strip():
            build.findings.add(ref, "ErrorCode must be present and not empty")
        else:
            error_code = build.findings.value(ref, code)
    end = _end(node_id, scope_id, BpmnEventType.ERROR)
    end.error_code = error_code
    return end


def terminate_end_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    return _end(node_id, scope_id, BpmnEventType.TERMINATE)


def signal_end_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    events = EventDefinitions(signal=signal(build, definition, node_id))
    return _end(node_id, scope_id, BpmnEventType.SIGNAL, events)


def escalation_end_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    events = EventDefinitions(escalation=thrown_escalation(build, definition, node_id))
    return _end(node_id, scope_id, BpmnEventType.ESCALATION, events)


def compensation_end_event(
    build: Build, xml: XmlElement, definition: XmlElement | None, node_id: str, scope_id: str
) -> FlowNode:
    activity = _compensated_activity(build, definition, node_id, "end event")
    events = EventDefinitions(compensate_activity_id=activity)
    return _end(node_id, scope_id, BpmnEventType.COMPENSATION, events)


MESSAGE_THROW_EVENT: Builder = message_throw_job(BpmnElementType.INTERMEDIATE_THROW_EVENT)
MESSAGE_END_EVENT: Builder = message_throw_job(BpmnElementType.END_EVENT)
