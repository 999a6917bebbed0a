"""The executable process model: what the parser builds and the engine walks (no runtime state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BpmnElementType(StrEnum):
    PROCESS = "PROCESS"
    SUB_PROCESS = "SUB_PROCESS"
    EVENT_SUB_PROCESS = "EVENT_SUB_PROCESS"
    START_EVENT = "START_EVENT"
    INTERMEDIATE_CATCH_EVENT = "INTERMEDIATE_CATCH_EVENT"
    INTERMEDIATE_THROW_EVENT = "INTERMEDIATE_THROW_EVENT"
    BOUNDARY_EVENT = "BOUNDARY_EVENT"
    END_EVENT = "END_EVENT"
    SERVICE_TASK = "SERVICE_TASK"
    RECEIVE_TASK = "RECEIVE_TASK"
    USER_TASK = "USER_TASK"
    MANUAL_TASK = "MANUAL_TASK"
    TASK = "TASK"
    BUSINESS_RULE_TASK = "BUSINESS_RULE_TASK"
    SCRIPT_TASK = "SCRIPT_TASK"
    SEND_TASK = "SEND_TASK"
    EXCLUSIVE_GATEWAY = "EXCLUSIVE_GATEWAY"
    PARALLEL_GATEWAY = "PARALLEL_GATEWAY"
    EVENT_BASED_GATEWAY = "EVENT_BASED_GATEWAY"
    INCLUSIVE_GATEWAY = "INCLUSIVE_GATEWAY"
    SEQUENCE_FLOW = "SEQUENCE_FLOW"
    MULTI_INSTANCE_BODY = "MULTI_INSTANCE_BODY"
    CALL_ACTIVITY = "CALL_ACTIVITY"


# What no instruction can start (start instructions of a creation, activate instructions of a
# modification: Zeebe refuses both with the same list), and how Zeebe names the others.
NOT_STARTABLE_TYPES = (
    BpmnElementType.START_EVENT,
    BpmnElementType.SEQUENCE_FLOW,
    BpmnElementType.BOUNDARY_EVENT,
)
STARTABLE_TYPE_NAMES = (
    "[" + ", ".join(t for t in BpmnElementType if t not in NOT_STARTABLE_TYPES) + "]"
)


class BpmnEventType(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    NONE = "NONE"
    MESSAGE = "MESSAGE"
    TIMER = "TIMER"
    ERROR = "ERROR"
    SIGNAL = "SIGNAL"
    ESCALATION = "ESCALATION"
    LINK = "LINK"
    TERMINATE = "TERMINATE"
    COMPENSATION = "COMPENSATION"
    CONDITIONAL = "CONDITIONAL"


@dataclass(frozen=True, slots=True)
class Expression:
    """A FEEL expression: the attribute text after the leading '='."""

    source: str


@dataclass(frozen=True, slots=True)
class Static:
    """A static attribute value, used as a literal string (or a number where one is expected)."""

    value: str


ExpressionOrStatic = Expression | Static


@dataclass(frozen=True, slots=True)
class Mapping:
    """One zeebe:input or zeebe:output entry. `source` None means null (allowed for inputs since
    8.8).
    """

    source: ExpressionOrStatic | None
    target: str


@dataclass(frozen=True, slots=True)
class JobDefinition:
    """zeebe:taskDefinition plus the headers handed to the job (zeebe:taskHeaders, user-task
    headers).
    """

    type: ExpressionOrStatic
    retries: ExpressionOrStatic = Static("3")
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessageDefinition:
    """A bpmn:message: its name and its zeebe:subscription correlationKey (None on start events)."""

    id: str
    name: ExpressionOrStatic
    correlation_key: Expression | None = None


@dataclass(slots=True)
class SequenceFlow:
    id: str
    source_id: str
    target_id: str
    condition: Expression | None = None
    name: str = ""


@dataclass(slots=True)
class FlowNode:
    """Common part of every flow node. `flow_scope_id` is the id of the enclosing process or
    subprocess.
    """

    id: str
    element_type: BpmnElementType
    flow_scope_id: str
    name: str = ""
    event_type: BpmnEventType = BpmnEventType.UNSPECIFIED
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    inputs: list[Mapping] = field(default_factory=list)
    outputs: list[Mapping] = field(default_factory=list)
    # Ids of boundary events attached to this node, in document order.
    boundary_event_ids: list[str] = field(default_factory=list)
    # Multi-instance marker of an activity (None = a plain activity).
    loop: LoopCharacteristics | None = None
    # An activity that only runs as a compensation handler (isForCompensation="true").
    is_for_compensation: bool = False


@dataclass(slots=True)
class JobTask(FlowNode):
    """Service, send, script, business-rule and user tasks (and message throw/end events) that
    create a job.
    """

    job: JobDefinition = field(default_factory=lambda: JobDefinition(Static("")))


@dataclass(slots=True)
class CalledDecisionTask(FlowNode):
    """A business rule task with zeebe:calledDecision: evaluates a deployed decision, no job.

    `binding_type` is "latest", "deployment" or "versionTag" (with `version_tag`).
    """

    decision_id: ExpressionOrStatic = Static("")
    result_variable: str = ""
    binding_type: str = "latest"
    version_tag: str | None = None


@dataclass(slots=True)
class ReceiveTask(FlowNode):
    message: MessageDefinition | None = None


@dataclass(slots=True)
class PassThroughNode(FlowNode):
    """Elements that complete at once: undefined task, manual task, none throw event."""


@dataclass(slots=True)
class StartEvent(FlowNode):
    """event_type NONE, MESSAGE, TIMER, SIGNAL; in event subprocesses also ERROR, ESCALATION."""

    message: MessageDefinition | None = None
    is_interrupting: bool = True
    # Error start of an event subprocess: the caught code (None = catch-all).
    error_code: str | None = None
    events: EventDefinitions = field(default_factory=lambda: EventDefinitions())


@dataclass(slots=True)
class EndEvent(FlowNode):
    """event_type NONE, ERROR, TERMINATE, SIGNAL, ESCALATION, COMPENSATION.

    `error_code` is the thrown code (static or expression) of an error end event.
    """

    error_code: ExpressionOrStatic | None = None
    events: EventDefinitions = field(default_factory=lambda: EventDefinitions())


@dataclass(slots=True)
class IntermediateCatchEvent(FlowNode):
    """event_type MESSAGE, TIMER, SIGNAL or LINK."""

    message: MessageDefinition | None = None
    events: EventDefinitions = field(default_factory=lambda: EventDefinitions())


@dataclass(slots=True)
class BoundaryEvent(FlowNode):
    """event_type MESSAGE, ERROR, TIMER, SIGNAL, ESCALATION or COMPENSATION.

    For ERROR, `error_code` None means catch-all (no errorRef / no code).
    """

    attached_to_id: str = ""
    cancel_activity: bool = True
    message: MessageDefinition | None = None
    error_code: str | None = None
    events: EventDefinitions = field(default_factory=lambda: EventDefinitions())


@dataclass(slots=True)
class ExclusiveGateway(FlowNode):
    default_flow_id: str | None = None


@dataclass(slots=True)
class ParallelGateway(FlowNode):
    pass


@dataclass(slots=True)
class SubProcess(FlowNode):
    """An embedded subprocess: a flow scope of its own. `start_event_id` is its none start event."""

    start_event_id: str = ""
    child_ids: list[str] = field(default_factory=list)
    # An event subprocess (triggeredByEvent="true"): started by one of its start events.
    triggered_by_event: bool = False
    # Ids of the event subprocesses directly inside this scope.
    event_sub_process_ids: list[str] = field(default_factory=list)
    # Ids of the start events of this (event) subprocess, e.g. message/timer/error starts.
    start_event_ids: list[str] = field(default_factory=list)
    # Compensation handlers of this scope: activity id -> handler activity id.
    compensation_handlers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Process:
    """One executable bpmn:process. `elements` holds every flow node of every scope by id."""

    bpmn_process_id: str
    name: str
    elements: dict[str, FlowNode]
    sequence_flows: dict[str, SequenceFlow]
    # Direct children of the process scope, in document order.
    child_ids: list[str] = field(default_factory=list)
    none_start_event_id: str | None = None
    message_start_event_ids: list[str] = field(default_factory=list)
    version_tag: str | None = None
    timer_start_event_ids: list[str] = field(default_factory=list)
    signal_start_event_ids: list[str] = field(default_factory=list)
    event_sub_process_ids: list[str] = field(default_factory=list)
    compensation_handlers: dict[str, str] = field(default_factory=dict)

    def element(self, element_id: str) -> FlowNode:
        return self.elements[element_id]

    def flow(self, flow_id: str) -> SequenceFlow:
        return self.sequence_flows[flow_id]

    def type_of(self, element_id: str) -> BpmnElementType:
        """The type of a flow node, or SEQUENCE_FLOW for the id of a sequence flow."""
        if element_id in self.sequence_flows and element_id not in self.elements:
            return BpmnElementType.SEQUENCE_FLOW
        return self.elements[element_id].element_type

    def flow_scope_ids(self, element: FlowNode) -> list[str]:
        """The ids of the element's flow scopes, innermost first, ending with the process id."""
        ids = []
        scope_id = element.flow_scope_id
        while scope_id != self.bpmn_process_id and scope_id in self.elements:
            ids.append(scope_id)
            scope_id = self.elements[scope_id].flow_scope_id
        ids.append(self.bpmn_process_id)
        return ids


# --- BPMN breadth (issue 8): timers, signals, escalations, call activities, multi-instance ... ---


class TimerKind(StrEnum):
    DURATION = "timeDuration"
    DATE = "timeDate"
    CYCLE = "timeCycle"


@dataclass(frozen=True, slots=True)
class TimerDefinition:
    """bpmn:timerEventDefinition: exactly one of timeDuration / timeDate / timeCycle."""

    kind: TimerKind
    value: ExpressionOrStatic


@dataclass(frozen=True, slots=True)
class SignalDefinition:
    """A bpmn:signal referenced by an event: its name (static or expression)."""

    id: str
    name: ExpressionOrStatic


@dataclass(frozen=True, slots=True)
class EscalationDefinition:
    """A bpmn:escalation. On catch events `code` None means catch-all; catch codes are static."""

    id: str
    code: ExpressionOrStatic | None


@dataclass(frozen=True, slots=True)
class LoopCharacteristics:
    """bpmn:multiInstanceLoopCharacteristics with zeebe:loopCharacteristics."""

    is_sequential: bool
    input_collection: Expression
    input_element: str | None = None
    output_collection: str | None = None
    output_element: Expression | None = None
    completion_condition: Expression | None = None


@dataclass(frozen=True, slots=True)
class EventDefinitions:
    """The event definitions an event element may carry beyond message/error (one at most).

    Set on StartEvent, IntermediateCatchEvent, IntermediateThrowEvent, BoundaryEvent and
    EndEvent through their `events` field; `event_type` of the node says which one is set.
    """

    timer: TimerDefinition | None = None
    signal: SignalDefinition | None = None
    escalation: EscalationDefinition | None = None
    # Link events: the link name (catch and throw in one scope pair up by name).
    link_name: str | None = None
    # Compensation throw: the activity to compensate (None = all of the scope).
    compensate_activity_id: str | None = None


@dataclass(slots=True)
class IntermediateThrowEvent(FlowNode):
    """event_type NONE, SIGNAL, ESCALATION, LINK or COMPENSATION (message throw is a JobTask)."""

    events: EventDefinitions = field(default_factory=EventDefinitions)


@dataclass(slots=True)
class EventBasedGateway(FlowNode):
    pass


@dataclass(slots=True)
class InclusiveGateway(FlowNode):
    default_flow_id: str | None = None


@dataclass(slots=True)
class ScriptTask(FlowNode):
    """A script task with zeebe:script: a FEEL expression whose value becomes `result_variable`."""

    expression: Expression = field(default_factory=lambda: Expression("null"))
    result_variable: str = ""


@dataclass(slots=True)
class CallActivity(FlowNode):
    """zeebe:calledElement: the child process and how variables cross the boundary."""

    process_id: ExpressionOrStatic = field(default_factory=lambda: Static(""))
    propagate_all_child_variables: bool = True
    propagate_all_parent_variables: bool = True
    binding_type: str = "latest"
    version_tag: str | None = None
