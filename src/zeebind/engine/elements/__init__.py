"""Element behaviours: how each BPMN element type is activated, one module per family.

`ACTIVATE` maps the element type of an instance to its activation behaviour; completion and
termination are the same for every element (`lifecycle`), with the few differences kept there.
"""

from __future__ import annotations

from zeebind.bpmn.model import BpmnElementType
from zeebind.engine.behaviors import decisions
from zeebind.engine.elements import activities, events, gateways, lifecycle, multi_instance
from zeebind.engine.elements.lifecycle import Behavior

ACTIVATE: dict[BpmnElementType, Behavior] = {
    BpmnElementType.PROCESS: activities.process,
    BpmnElementType.SUB_PROCESS: activities.sub_process,
    BpmnElementType.EVENT_SUB_PROCESS: activities.sub_process,
    BpmnElementType.CALL_ACTIVITY: activities.call_activity,
    BpmnElementType.SERVICE_TASK: activities.job_task,
    BpmnElementType.SEND_TASK: activities.job_task,
    BpmnElementType.SCRIPT_TASK: activities.script_task,
    BpmnElementType.BUSINESS_RULE_TASK: decisions.business_rule_task(
        activities.job_task, lifecycle.complete
    ),
    BpmnElementType.USER_TASK: activities.job_task,
    BpmnElementType.RECEIVE_TASK: activities.message_wait,
    BpmnElementType.TASK: activities.pass_through,
    BpmnElementType.MANUAL_TASK: activities.pass_through,
    BpmnElementType.MULTI_INSTANCE_BODY: multi_instance.body,
    BpmnElementType.START_EVENT: events.start_event,
    BpmnElementType.END_EVENT: events.end_event,
    BpmnElementType.INTERMEDIATE_CATCH_EVENT: events.catch_event,
    BpmnElementType.INTERMEDIATE_THROW_EVENT: events.throw_event,
    BpmnElementType.BOUNDARY_EVENT: events.boundary_event,
    BpmnElementType.EXCLUSIVE_GATEWAY: gateways.exclusive,
    BpmnElementType.PARALLEL_GATEWAY: gateways.parallel,
    BpmnElementType.INCLUSIVE_GATEWAY: gateways.inclusive,
    BpmnElementType.EVENT_BASED_GATEWAY: gateways.event_based,
}

__all__ = [
    "ACTIVATE",
    "Behavior",
    "activities",
    "events",
    "gateways",
    "lifecycle",
    "multi_instance",
]
