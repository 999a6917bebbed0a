"""The read model behind the Operate API: its SQLite tables and indexes, one row per entity.

Dates are epoch milliseconds, booleans 0/1, absent keys NULL; `operate/schemas.py` renders rows
in Operate's shapes. The exporter is the only writer; the API reads (and deletes finished
instances, remembered in `deleted_process_instances` so that a rebuild leaves them out).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 4
TABLES = (
    "process_definitions",
    "process_instances",
    "flownode_instances",
    "sequence_flows",
    "variables",
    "incidents",
    "decision_requirements",
    "decision_definitions",
    "decision_instances",
)
# The tables whose rows belong to one process instance (`process_instance_key`), besides
# `process_instances` itself: what deleting an instance or its definition removes with it.
INSTANCE_TABLES = (
    "flownode_instances",
    "sequence_flows",
    "variables",
    "incidents",
    "decision_instances",
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS export_position (
    id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deleted_process_instances (key INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS process_definitions (
    key INTEGER PRIMARY KEY, bpmn_process_id TEXT NOT NULL, name TEXT, version INTEGER NOT NULL,
    version_tag TEXT, resource_name TEXT NOT NULL, bpmn_xml TEXT NOT NULL,
    tenant_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pd_bpmn_process_id ON process_definitions (bpmn_process_id, version);
CREATE TABLE IF NOT EXISTS process_instances (
    key INTEGER PRIMARY KEY, process_definition_key INTEGER NOT NULL,
    bpmn_process_id TEXT NOT NULL, process_version INTEGER NOT NULL, process_version_tag TEXT,
    parent_key INTEGER, parent_flow_node_instance_key INTEGER, start_date INTEGER NOT NULL,
    end_date INTEGER, state TEXT NOT NULL, incident INTEGER NOT NULL DEFAULT 0,
    incident_count INTEGER NOT NULL DEFAULT 0, tenant_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pi_bpmn_process_id ON process_instances (bpmn_process_id, start_date);
CREATE INDEX IF NOT EXISTS pi_definition ON process_instances (process_definition_key);
CREATE INDEX IF NOT EXISTS pi_state ON process_instances (state);
CREATE INDEX IF NOT EXISTS pi_start_date ON process_instances (start_date);
CREATE INDEX IF NOT EXISTS pi_end_date ON process_instances (end_date);
CREATE TABLE IF NOT EXISTS flownode_instances (
    key INTEGER PRIMARY KEY, process_instance_key INTEGER NOT NULL,
    process_definition_key INTEGER NOT NULL, flow_node_id TEXT NOT NULL,
    flow_node_name TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
    start_date INTEGER NOT NULL, end_date INTEGER, incident_key INTEGER,
    incident INTEGER NOT NULL DEFAULT 0, tenant_id TEXT NOT NULL,
    flow_scope_key INTEGER NOT NULL, incident_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS fni_instance ON flownode_instances (process_instance_key, flow_node_id);
CREATE TABLE IF NOT EXISTS sequence_flows (
    key INTEGER NOT NULL, process_instance_key INTEGER NOT NULL,
    sequence_flow_id TEXT NOT NULL, PRIMARY KEY (process_instance_key, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS variables (
    key INTEGER PRIMARY KEY, process_instance_key INTEGER NOT NULL, scope_key INTEGER NOT NULL,
    name TEXT NOT NULL, value TEXT NOT NULL, tenant_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS var_instance ON variables (process_instance_key, name);
CREATE INDEX IF NOT EXISTS var_scope ON variables (scope_key, name);
CREATE TABLE IF NOT EXISTS incidents (
    key INTEGER PRIMARY KEY, process_definition_key INTEGER NOT NULL,
    process_instance_key INTEGER NOT NULL, flow_node_id TEXT NOT NULL,
    flow_node_instance_key INTEGER NOT NULL, job_key INTEGER, type TEXT NOT NULL,
    message TEXT NOT NULL, creation_time INTEGER NOT NULL, state TEXT NOT NULL,
    tenant_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS inc_instance ON incidents (process_instance_key);
CREATE INDEX IF NOT EXISTS inc_state ON incidents (state);
CREATE TABLE IF NOT EXISTS decision_requirements (
    key INTEGER PRIMARY KEY, decision_requirements_id TEXT NOT NULL, name TEXT,
    version INTEGER NOT NULL, resource_name TEXT NOT NULL, dmn_xml TEXT NOT NULL,
    tenant_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decision_definitions (
    key INTEGER PRIMARY KEY, decision_id TEXT NOT NULL, name TEXT, version INTEGER NOT NULL,
    decision_requirements_id TEXT NOT NULL, decision_requirements_key INTEGER NOT NULL,
    decision_requirements_name TEXT, decision_requirements_version INTEGER,
    tenant_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decision_instances (
    id TEXT PRIMARY KEY, key INTEGER NOT NULL, execution_index INTEGER NOT NULL,
    state TEXT NOT NULL, evaluation_date INTEGER NOT NULL, evaluation_failure TEXT,
    process_definition_key INTEGER, process_instance_key INTEGER, element_instance_key INTEGER,
    decision_id TEXT NOT NULL, decision_definition_id TEXT NOT NULL, decision_name TEXT,
    decision_version INTEGER, decision_type TEXT, result TEXT, evaluated_inputs TEXT NOT NULL,
    evaluated_outputs TEXT NOT NULL, tenant_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS di_key ON decision_instances (key, execution_index);
CREATE INDEX IF NOT EXISTS di_instance ON decision_instances (process_instance_key);
"""

PD_COLUMNS = (
    "key",
    "bpmn_process_id",
    "name",
    "version",
    "version_tag",
    "resource_name",
    "bpmn_xml",
    "tenant_id",
)
VARIABLE_COLUMNS = ("key", "process_instance_key", "scope_key", "name", "value", "tenant_id")
DRD_COLUMNS = (
    "key",
    "decision_requirements_id",
    "name",
    "version",
    "resource_name",
    "dmn_xml",
    "tenant_id",
)
DD_COLUMNS = (
    "key",
    "decision_id",
    "name",
    "version",
    "decision_requirements_id",
    "decision_requirements_key",
    "tenant_id",
)
PI_COLUMNS = (
    "key",
    "process_definition_key",
    "bpmn_process_id",
    "process_version",
    "process_version_tag",
    "parent_key",
    "parent_flow_node_instance_key",
    "start_date",
    "end_date",
    "state",
    "incident",
    "incident_count",
    "tenant_id",
)
FNI_COLUMNS = (
    "key",
    "process_instance_key",
    "process_definition_key",
    "flow_node_id",
    "flow_node_name",
    "type",
    "state",
    "start_date",
    "end_date",
    "incident_key",
    "incident",
    "tenant_id",
    "flow_scope_key",
    "incident_count",
)
INCIDENT_COLUMNS = (
    "key",
    "process_definition_key",
    "process_instance_key",
    "flow_node_id",
    "flow_node_instance_key",
    "job_key",
    "type",
    "message",
    "creation_time",
    "state",
    "tenant_id",
)
DI_COLUMNS = (
    "id",
    "key",
    "execution_index",
    "state",
    "evaluation_date",
    "evaluation_failure",
    "process_definition_key",
    "process_instance_key",
    "element_instance_key",
    "decision_id",
    "decision_definition_id",
    "decision_name",
    "decision_version",
    "decision_type",
    "result",
    "evaluated_inputs",
    "evaluated_outputs",
    "tenant_id",
)
# Operate's FlowNodeType and IncidentType enums; values outside them are projected as UNKNOWN.
FLOW_NODE_TYPES = (
    "UNSPECIFIED", "PROCESS", "SUB_PROCESS", "EVENT_SUB_PROCESS", "START_EVENT",
    "INTERMEDIATE_CATCH_EVENT", "INTERMEDIATE_THROW_EVENT", "BOUNDARY_EVENT", "END_EVENT",
    "SERVICE_TASK", "RECEIVE_TASK", "USER_TASK", "MANUAL_TASK", "TASK", "EXCLUSIVE_GATEWAY",
    "INCLUSIVE_GATEWAY", "PARALLEL_GATEWAY", "EVENT_BASED_GATEWAY", "SEQUENCE_FLOW",
    "MULTI_INSTANCE_BODY", "CALL_ACTIVITY", "BUSINESS_RULE_TASK", "SCRIPT_TASK", "SEND_TASK",
    "UNKNOWN",
)  # fmt: skip
INCIDENT_TYPES = (
    "UNSPECIFIED", "UNKNOWN", "IO_MAPPING_ERROR", "JOB_NO_RETRIES",
    "EXECUTION_LISTENER_NO_RETRIES", "CONDITION_ERROR", "EXTRACT_VALUE_ERROR",
    "CALLED_ELEMENT_ERROR", "UNHANDLED_ERROR_EVENT", "MESSAGE_SIZE_EXCEEDED",
    "CALLED_DECISION_ERROR", "DECISION_EVALUATION_ERROR", "FORM_NOT_FOUND",
)  # fmt: skip


def connect(path: Path | None, memory_name: str, *, reader: bool = False) -> sqlite3.Connection:
    """A connection to the read model: the file at `path`, or the shared in-memory database
    `memory_name` (alive while any connection to it is open)."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # uri: the exporter attaches the log with a file: URI (read-only).
        connection = sqlite3.connect(
            str(path), uri=True, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
    else:
        connection = sqlite3.connect(
            f"file:{memory_name}?mode=memory&cache=shared",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
        if reader:  # shared-cache readers would otherwise wait on the writer's table locks
            connection.execute("PRAGMA read_uncommitted=1")
    connection.execute("PRAGMA busy_timeout=5000")
    connection.execute("PRAGMA cache_size=-32768")  # 32 MiB
    # The log is the source of truth: a read model lost in a crash is rebuilt from it.
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA temp_store=MEMORY")  # the exporter's scratch tables and sorts
    return connection
