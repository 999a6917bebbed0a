"""The engine state: what appliers build from events. Processors read it; appliers change it."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from zeebind.bpmn.model import BpmnElementType, Process
from zeebind.protocol.json import dumps
from zeebind.protocol.record import PARTITION_ID, encode_key


def canonical_json(value: Any) -> str:
    """The one JSON text form used for variables: equal values give equal text."""
    return dumps(value)


@dataclass(slots=True)
class ProcessDefinition:
    key: int
    bpmn_process_id: str
    version: int
    resource_name: str
    checksum: str
    resource: str
    tenant_id: str
    deployment_key: int
    version_tag: str | None = None
    # Parsed lazily from `resource`; derived, never part of the state comparison.
    model: Process | None = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> tuple[object, ...]:
        # Snapshots leave the parsed model out: it is rebuilt from `resource` when needed.
        return tuple(getattr(self, f) for f in _DEFINITION_FIELDS)

    def __setstate__(self, values: tuple[object, ...]) -> None:
        for name, value in zip(_DEFINITION_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)
        self.model = None


_DEFINITION_FIELDS = (
    "key",
    "bpmn_process_id",
    "version",
    "resource_name",
    "checksum",
    "resource",
    "tenant_id",
    "deployment_key",
    "version_tag",
)


@dataclass(slots=True)
class DecisionRequirementsDefinition:
    key: int
    decision_requirements_id: str
    name: str
    version: int
    resource_name: str
    checksum: str
    resource: str
    tenant_id: str


@dataclass(slots=True)
class DecisionDefinition:
    key: int
    decision_id: str
    name: str
    version: int
    decision_requirements_key: int
    decision_requirements_id: str
    tenant_id: str


@dataclass(slots=True)
class FormDefinition:
    key: int
    form_id: str
    version: int
    resource_name: str
    checksum: str
    resource: str
    tenant_id: str


# Text → member, looked up instead of calling the enum (a hot path of the engine).
_ELEMENT_TYPES = {member.value: member for member in BpmnElementType}


@dataclass(slots=True)
class ElementInstance:
    """A live element instance. `value` is the PROCESS_INSTANCE record value it was activated by."""

    key: int
    value: dict[str, Any]
    state: str
    # Keys of the live element instances whose flow scope this is (dict used as an ordered set).
    children: dict[int, None] = field(default_factory=dict)
    # Sequence flows taken inside this scope whose target has not been activated yet.
    active_flows: int = 0
    # Parallel joins of this scope: gateway id -> flow id -> tokens waiting.
    join_tokens: dict[str, dict[str, int]] = field(default_factory=dict)
    job_key: int = -1
    # A call activity: the process instance it created (-1 when none is running).
    called_instance_key: int = -1
    # Children that left this scope: multi-instance counters (numberOfCompletedInstances, ...).
    completed_children: int = 0
    terminated_children: int = 0
    # A terminate end event completed in this scope: nothing new starts in it (the tokens still
    # in flight are dropped) and it completes once its children are terminated.
    interrupted: bool = False

    @property
    def active_children(self) -> int:
        return len(self.children)

    @property
    def element_id(self) -> str:
        return str(self.value["elementId"])

    @property
    def element_type(self) -> BpmnElementType:
        return _ELEMENT_TYPES[self.value["bpmnElementType"]]

    @property
    def flow_scope_key(self) -> int:
        return int(self.value["flowScopeKey"])

    @property
    def process_instance_key(self) -> int:
        return int(self.value["processInstanceKey"])

    @property
    def process_definition_key(self) -> int:
        return int(self.value["processDefinitionKey"])


@dataclass(slots=True)
class Variable:
    key: int
    text: str
    value: Any = field(compare=False)


@dataclass(slots=True)
class Job:
    key: int
    state: str
    value: dict[str, Any]


class JobState:
    ACTIVATABLE = "ACTIVATABLE"
    ACTIVATED = "ACTIVATED"
    FAILED = "FAILED"
    ERROR_THROWN = "ERROR_THROWN"


@dataclass(slots=True)
class Incident:
    key: int
    value: dict[str, Any]


@dataclass(slots=True)
class Message:
    key: int
    value: dict[str, Any]
    # bpmnProcessIds this message was correlated to already (one message per process).
    correlated_processes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MessageSubscription:
    """An open message subscription of an element instance (catch event, receive task, boundary)."""

    key: int
    value: dict[str, Any]
    # An interrupting subscription takes one message; it is closed from then on.
    is_closed: bool = False

    @property
    def element_instance_key(self) -> int:
        return int(self.value["elementInstanceKey"])


@dataclass(slots=True)
class MessageStartSubscription:
    key: int
    value: dict[str, Any]


@dataclass(slots=True)
class Timer:
    """A scheduled timer: `value` is its TIMER record value (dueDate, repetitions, target...)."""

    key: int
    value: dict[str, Any]

    @property
    def element_instance_key(self) -> int:
        return int(self.value["elementInstanceKey"])


@dataclass(slots=True)
class SignalSubscription:
    """A signal catch: start event (catchEventInstanceKey -1), catch event, boundary, ESP start."""

    key: int
    value: dict[str, Any]


@dataclass(slots=True)
class EventTrigger:
    """An event that fired for a scope and waits to be applied (an interrupting boundary event)."""

    key: int
    target_element_id: str
    variables: dict[str, Any]


class State:
    """All engine state of one partition, held in memory and rebuilt from the event log."""

    def __init__(self) -> None:
        # The timestamp of the command being processed (FEEL's now()); not part of the state.
        self.now_ms: int | None = None
        self.key_counter = 0
        self.last_position = 0
        self.processes: dict[int, ProcessDefinition] = {}
        # bpmnProcessId -> tenant -> versions (ascending) as definition keys
        self.process_versions: dict[tuple[str, str], list[int]] = {}
        self.drgs: dict[int, DecisionRequirementsDefinition] = {}
        self.drg_versions: dict[tuple[str, str], list[int]] = {}
        self.decisions: dict[int, DecisionDefinition] = {}
        self.decision_versions: dict[tuple[str, str], list[int]] = {}
        self.forms: dict[int, FormDefinition] = {}
        self.form_versions: dict[tuple[str, str], list[int]] = {}
        self.element_instances: dict[int, ElementInstance] = {}
        self.variables: dict[int, dict[str, Variable]] = {}
        self.jobs: dict[int, Job] = {}
        # job type -> activatable job keys (dict used as an ordered set)
        self.activatable: dict[str, dict[int, None]] = {}
        self.incidents: dict[int, Incident] = {}
        # element instance key -> incident key (at most one open incident per failing step)
        self.element_incidents: dict[int, int] = {}
        self.job_incidents: dict[int, int] = {}
        self.messages: dict[int, Message] = {}
        # (name, correlationKey, tenant) -> message keys in publish order
        self.messages_by_name: dict[tuple[str, str, str], dict[int, None]] = {}
        # (name, correlationKey, messageId, tenant) -> message key
        self.message_ids: dict[tuple[str, str, str, str], int] = {}
        self.subscriptions: dict[int, MessageSubscription] = {}
        # (name, correlationKey, tenant) -> subscription keys in opening order
        self.subscriptions_by_name: dict[tuple[str, str, str], dict[int, None]] = {}
        # element instance key -> subscription keys it owns
        self.subscriptions_by_element: dict[int, dict[int, None]] = {}
        self.start_subscriptions: dict[int, MessageStartSubscription] = {}
        # (bpmnProcessId, correlationKey, tenant) -> process instance key started by that message
        self.message_started: dict[tuple[str, str, str], int] = {}
        self.message_started_by_instance: dict[int, tuple[str, str, str]] = {}
        # Process instances created "with result" -> root variable names to return (empty = all)
        self.awaiting_results: dict[int, list[str]] = {}
        self.event_triggers: dict[int, EventTrigger] = {}
        self.signal_subscriptions: dict[int, SignalSubscription] = {}
        # signal name -> subscription keys (dict used as an ordered set)
        self.signal_subscriptions_by_name: dict[tuple[str, str], dict[int, None]] = {}
        # catch event instance key -> subscription keys it owns
        self.signal_subscriptions_by_element: dict[int, dict[int, None]] = {}
        # Completed activities that can be compensated: key -> COMPENSATION_SUBSCRIPTION value.
        self.compensation_subscriptions: dict[int, dict[str, Any]] = {}
        # process instance key -> its compensation subscription keys
        self.compensation_by_instance: dict[int, dict[int, None]] = {}
        self.timers: dict[int, Timer] = {}
        # element instance key -> timer keys it owns (start timers: -1 is not indexed)
        self.timers_by_element: dict[int, dict[int, None]] = {}
        # (resource kind, id, tenant) -> highest deleted version: versions are never reused.
        self.deleted_versions: dict[tuple[str, str, str], int] = {}
        # Element instances that process instance modification activates: no sequence flow
        # reached them, so their activation consumes no token of their flow scope.
        self.activations_without_flow: dict[int, None] = {}
        # Due-date indexes (derived; entries may be stale and are checked when popped).
        self.job_deadlines: list[tuple[int, int]] = []
        self.job_backoffs: list[tuple[int, int]] = []
        self.message_deadlines: list[tuple[int, int]] = []
        self.timer_due_dates: list[tuple[int, int]] = []

    # --- keys ------------------------------------------------------------------------------
    def next_key(self) -> int:
        self.key_counter += 1
        return encode_key(PARTITION_ID, self.key_counter)

    def observe_key(self, key: int) -> None:
        """Replay: keep the key generator above every key seen in the log."""
        if key > 0 and key >> 51 == PARTITION_ID:
            counter = key & ((1 << 51) - 1)
            if counter > self.key_counter:
                self.key_counter = counter

    # --- read helpers ----------------------------------------------------------------------
    def latest_process(self, bpmn_process_id: str, tenant_id: str) -> ProcessDefinition | None:
        versions = self.process_versions.get((bpmn_process_id, tenant_id))
        return self.processes[versions[-1]] if versions else None

    def process_by_version(
        self, bpmn_process_id: str, version: int, tenant_id: str
    ) -> ProcessDefinition | None:
        for key in self.process_versions.get((bpmn_process_id, tenant_id), []):
            definition = self.processes[key]
            if definition.version == version:
                return definition
        return None

    def next_version(self, kind: str, resource_id: str, tenant_id: str, latest: int) -> int:
        """The version of a new deployment after `latest`, skipping deleted versions."""
        return max(latest, self.deleted_versions.get((kind, resource_id, tenant_id), 0)) + 1

    def scope_chain(self, scope_key: int) -> Iterator[int]:
        """The scope itself, then each enclosing flow scope up to the process instance."""
        key = scope_key
        while key > 0:
            yield key
            instance = self.element_instances.get(key)
            if instance is None:
                return
            key = instance.flow_scope_key

    def visible_variables(self, scope_key: int, names: list[str] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key in self.scope_chain(scope_key):
            for name, variable in self.variables.get(key, {}).items():
                if name not in result and (not names or name in names):
                    result[name] = variable.value
        return result

    def push_job_deadline(self, deadline: int, job_key: int) -> None:
        heapq.heappush(self.job_deadlines, (deadline, job_key))

    def push_job_backoff(self, due: int, job_key: int) -> None:
        heapq.heappush(self.job_backoffs, (due, job_key))

    def push_message_deadline(self, deadline: int, message_key: int) -> None:
        heapq.heappush(self.message_deadlines, (deadline, message_key))

    def push_timer(self, due_date: int, timer_key: int) -> None:
        heapq.heappush(self.timer_due_dates, (due_date, timer_key))

    # --- comparison (replay == live) -------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        """A plain, comparable picture of the state (derived indexes and caches left out)."""

        def plain(obj: Any) -> Any:
            if hasattr(obj, "__dataclass_fields__"):
                return {
                    name: plain(getattr(obj, name))
                    for name, f in obj.__dataclass_fields__.items()
                    if f.compare
                }
            if isinstance(obj, dict):
                return {str(k): plain(v) for k, v in obj.items()}
            if isinstance(obj, list | tuple):
                return [plain(v) for v in obj]
            return obj

        names = [
            "key_counter",
            "last_position",
            "processes",
            "process_versions",
            "drgs",
            "drg_versions",
            "decisions",
            "decision_versions",
            "forms",
            "form_versions",
            "element_instances",
            "variables",
            "jobs",
            "activatable",
            "incidents",
            "element_incidents",
            "job_incidents",
            "messages",
            "messages_by_name",
            "message_ids",
            "subscriptions",
            "subscriptions_by_name",
            "subscriptions_by_element",
            "start_subscriptions",
            "message_started",
            "message_started_by_instance",
            "awaiting_results",
            "event_triggers",
            "deleted_versions",
            "activations_without_flow",
        ]
        return {name: plain(getattr(self, name)) for name in names}
