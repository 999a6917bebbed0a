"""The state of one process being built, shared by the element builders of every module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zeebind.bpmn.document import XmlElement, local_name, namespace
from zeebind.bpmn.findings import Findings
from zeebind.bpmn.model import FlowNode, SequenceFlow, SubProcess
from zeebind.bpmn.zeebe_extensions import BPMN_NS


@dataclass(frozen=True, slots=True)
class Association:
    """A bpmn:association (compensation boundary event -> handler), with its defining scope."""

    id: str
    source_id: str
    target_id: str
    scope_id: str


@dataclass(slots=True)
class Build:
    """The definitions' messages, errors, signals and escalations by id, and the output so far."""

    findings: Findings
    messages: dict[str, XmlElement]
    errors: dict[str, XmlElement]
    signals: dict[str, XmlElement] = field(default_factory=dict)
    escalations: dict[str, XmlElement] = field(default_factory=dict)
    elements: dict[str, FlowNode] = field(default_factory=dict)
    flows: dict[str, SequenceFlow] = field(default_factory=dict)
    flow_scopes: dict[str, str] = field(default_factory=dict)
    associations: list[Association] = field(default_factory=list)
    process_id: str = ""  # the process being built: no element may have its id

    def in_event_sub_process(self, scope_id: str) -> bool:
        """Whether `scope_id` is an event subprocess (it is built before its children)."""
        scope = self.elements.get(scope_id)
        return isinstance(scope, SubProcess) and scope.triggered_by_event


# A builder gets the XML element, its event definition (None for non-events and none events), its
# id and the id of its flow scope. It always returns a node, even an incomplete one, so that later
# checks (sequence flow references, boundary attachment) do not report follow-up problems.
Builder = Callable[[Build, XmlElement, XmlElement | None, str, str], FlowNode]


def bpmn_children(element: XmlElement, tag: str) -> list[XmlElement]:
    """The element's direct bpmn: children named `tag`."""
    return [c for c in element if namespace(c) == BPMN_NS and local_name(c) == tag]


def is_true(value: str | None, *, default: bool) -> bool:
    """A boolean XML attribute read as Java does: absent gives the default, else 'true' is true."""
    if value is None:
        return default
    return value.strip().lower() == "true"
