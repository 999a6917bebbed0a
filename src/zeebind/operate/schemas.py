"""The Operate v1 entities: their field names, types and read-model columns, in one table each.

A field's name is Operate's; filters and sorts accept exactly these names (plus aliases), and
items are rendered with them. Values are absent from an item when they are null, as in Operate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from zeebind.exporters.read_model import FLOW_NODE_TYPES, INCIDENT_TYPES
from zeebind.operate.dates import format_date


class Kind(StrEnum):
    INT64 = "int64"
    INT32 = "int32"
    STRING = "string"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"
    JSON = "json"  # a JSON array stored as text; neither filter nor sort


@dataclass(frozen=True)
class Field:
    name: str
    column: str
    kind: Kind
    values: tuple[str, ...] = ()
    searchable: bool = True  # usable in filter and sort
    nullable: bool = False  # the column may be NULL (sorted last, and without an index)


@dataclass(frozen=True)
class Entity:
    path: str  # the URL segment after /v1/
    table: str
    plural: str  # in messages: "No <plural> found for key <key>"
    fields: tuple[Field, ...]
    key: str = "key"  # the field GET /{key} looks up and searches break ties on
    aliases: dict[str, str] = field(default_factory=dict)  # filter-only alternative names
    truncate: dict[str, int] = field(default_factory=dict)  # search results cut these fields

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def key_field(self) -> Field:
        found = self.field(self.key)
        assert found is not None
        return found

    def columns(self) -> str:
        return ", ".join(f.column for f in self.fields)

    def render(self, row: tuple[Any, ...], *, full: bool = False) -> dict[str, Any]:
        item: dict[str, Any] = {}
        for f, value in zip(self.fields, row, strict=True):
            if value is None:
                continue
            item[f.name] = _render(f.kind, value)
        for name, limit in self.truncate.items():
            text = item.get(name)
            if full:
                item["truncated"] = False  # the full value, whatever its size
            elif isinstance(text, str) and len(text) > limit:
                item[name] = text[:limit]
        return item


def _render(kind: Kind, value: Any) -> Any:
    if kind is Kind.BOOLEAN:
        return bool(value)
    if kind is Kind.DATE:
        return format_date(value)
    if kind is Kind.JSON:
        return json.loads(value)
    return value


def sort_value(kind: Kind, value: Any) -> Any:
    """A value as it appears in `sortValues` (dates as epoch ms, as Elasticsearch gives them)."""
    if value is None:
        return None
    if kind is Kind.BOOLEAN:
        return bool(value)
    return value


VARIABLE_SIZE_THRESHOLD = 8191

_I64, _I32, _STR, _BOOL, _DATE = Kind.INT64, Kind.INT32, Kind.STRING, Kind.BOOLEAN, Kind.DATE


def _enum(name: str, column: str, values: list[str] | tuple[str, ...]) -> Field:
    return Field(name, column, Kind.ENUM, tuple(values))


PROCESS_DEFINITIONS = Entity(
    "process-definitions",
    "process_definitions",
    "process definitions",
    (
        Field("key", "key", _I64),
        Field("name", "name", _STR, nullable=True),
        Field("version", "version", _I32),
        Field("versionTag", "version_tag", _STR, nullable=True),
        Field("bpmnProcessId", "bpmn_process_id", _STR),
        Field("tenantId", "tenant_id", _STR),
    ),
)
PROCESS_INSTANCES = Entity(
    "process-instances",
    "process_instances",
    "process instances",
    (
        Field("key", "key", _I64),
        Field("processVersion", "process_version", _I32),
        Field("processVersionTag", "process_version_tag", _STR, nullable=True),
        Field("bpmnProcessId", "bpmn_process_id", _STR),
        Field("parentKey", "parent_key", _I64, nullable=True),
        Field("parentFlowNodeInstanceKey", "parent_flow_node_instance_key", _I64, nullable=True),
        Field("startDate", "start_date", _DATE),
        Field("endDate", "end_date", _DATE, nullable=True),
        _enum("state", "state", ("ACTIVE", "COMPLETED", "CANCELED")),
        Field("incident", "incident", _BOOL),
        Field("processDefinitionKey", "process_definition_key", _I64),
        Field("tenantId", "tenant_id", _STR),
    ),
    aliases={"parentProcessInstanceKey": "parentKey"},
)
FLOWNODE_INSTANCES = Entity(
    "flownode-instances",
    "flownode_instances",
    "flownode instances",
    (
        Field("key", "key", _I64),
        Field("processInstanceKey", "process_instance_key", _I64),
        Field("processDefinitionKey", "process_definition_key", _I64),
        Field("startDate", "start_date", _DATE),
        Field("endDate", "end_date", _DATE, nullable=True),
        Field("flowNodeId", "flow_node_id", _STR),
        Field("flowNodeName", "flow_node_name", _STR),
        Field("incidentKey", "incident_key", _I64, nullable=True),
        _enum("type", "type", FLOW_NODE_TYPES),
        _enum("state", "state", ("ACTIVE", "COMPLETED", "TERMINATED")),
        Field("incident", "incident", _BOOL),
        Field("tenantId", "tenant_id", _STR),
    ),
)
VARIABLES = Entity(
    "variables",
    "variables",
    "variables",
    (
        Field("key", "key", _I64),
        Field("processInstanceKey", "process_instance_key", _I64),
        Field("scopeKey", "scope_key", _I64),
        Field("name", "name", _STR),
        Field("value", "value", _STR),
        Field("truncated", f"(length(value) > {VARIABLE_SIZE_THRESHOLD})", _BOOL),
        Field("tenantId", "tenant_id", _STR),
    ),
    truncate={"value": VARIABLE_SIZE_THRESHOLD},
)
INCIDENTS = Entity(
    "incidents",
    "incidents",
    "incidents",
    (
        Field("key", "key", _I64),
        Field("processDefinitionKey", "process_definition_key", _I64),
        Field("processInstanceKey", "process_instance_key", _I64),
        _enum("type", "type", INCIDENT_TYPES),
        Field("message", "message", _STR, searchable=False),
        Field("creationTime", "creation_time", _DATE),
        _enum("state", "state", ("ACTIVE", "MIGRATED", "RESOLVED", "PENDING")),
        Field("jobKey", "job_key", _I64, nullable=True),
        Field("tenantId", "tenant_id", _STR),
    ),
)
DECISION_DEFINITIONS = Entity(
    "decision-definitions",
    "decision_definitions",
    "decision definitions",
    (
        Field("id", "CAST(key AS TEXT)", _STR),
        Field("key", "key", _I64),
        Field("decisionId", "decision_id", _STR),
        Field("name", "name", _STR, nullable=True),
        Field("version", "version", _I32),
        Field("decisionRequirementsId", "decision_requirements_id", _STR),
        Field("decisionRequirementsKey", "decision_requirements_key", _I64),
        Field("decisionRequirementsName", "decision_requirements_name", _STR, nullable=True),
        Field("decisionRequirementsVersion", "decision_requirements_version", _I32, nullable=True),
        Field("tenantId", "tenant_id", _STR),
    ),
)
DECISION_REQUIREMENTS = Entity(
    "drd",
    "decision_requirements",
    "decision requirements",
    (
        Field("id", "CAST(key AS TEXT)", _STR),
        Field("key", "key", _I64),
        Field("decisionRequirementsId", "decision_requirements_id", _STR),
        Field("name", "name", _STR, nullable=True),
        Field("version", "version", _I32),
        Field("resourceName", "resource_name", _STR),
        Field("tenantId", "tenant_id", _STR),
    ),
)
DECISION_INSTANCES = Entity(
    "decision-instances",
    "decision_instances",
    "decision instances",
    (
        Field("id", "id", _STR),
        Field("key", "key", _I64),
        _enum("state", "state", ("FAILED", "EVALUATED", "UNKNOWN", "UNSPECIFIED")),
        Field("evaluationDate", "evaluation_date", _DATE),
        Field("evaluationFailure", "evaluation_failure", _STR, nullable=True),
        Field("processDefinitionKey", "process_definition_key", _I64, nullable=True),
        Field("processInstanceKey", "process_instance_key", _I64, nullable=True),
        Field("decisionId", "decision_id", _STR),
        Field("decisionDefinitionId", "decision_definition_id", _STR),
        Field("decisionName", "decision_name", _STR, nullable=True),
        Field("decisionVersion", "decision_version", _I32, nullable=True),
        _enum(
            "decisionType",
            "decision_type",
            ("DECISION_TABLE", "LITERAL_EXPRESSION", "UNSPECIFIED", "UNKNOWN"),
        ),
        Field("result", "result", _STR, nullable=True),
        Field("evaluatedInputs", "evaluated_inputs", Kind.JSON, searchable=False),
        Field("evaluatedOutputs", "evaluated_outputs", Kind.JSON, searchable=False),
        Field("tenantId", "tenant_id", _STR),
    ),
    key="id",
)

ENTITIES: dict[str, Entity] = {
    e.path: e
    for e in (
        PROCESS_DEFINITIONS,
        PROCESS_INSTANCES,
        FLOWNODE_INSTANCES,
        VARIABLES,
        INCIDENTS,
        DECISION_DEFINITIONS,
        DECISION_INSTANCES,
        DECISION_REQUIREMENTS,
    )
}
