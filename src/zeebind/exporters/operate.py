"""The Operate exporter: projects committed records into the read model behind the Operate API.

The read model is a SQLite database of its own (`<data-dir>/operate.db`, or in memory). After
every commit the broker hands the committed records to `OperateExporter.export`, which writes
the whole batch in one transaction together with the position it reached. On start the exporter
catches up from the log; a read model that is missing, of another schema version, or ahead of the
log (a new log under an old read model) is rebuilt from the log.

Approaches considered: a writer thread with its own connection keeps SQLite's work off the
broker's loop, but the projection itself is Python and holds the GIL, so it competed with the
engine instead of overlapping with it; exporting in the loop with one `executemany` per table and
commit measured cheaper (see benchmarks/read_api.py) and keeps the API read-your-writes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from zeebind.protocol.record import Record, RecordType, ValueType

log = logging.getLogger("zeebind.exporters.operate")

SCHEMA_VERSION = 1
_TABLES = (
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
CREATE INDEX IF NOT EXISTS pi_bpmn_process_id ON process_instances (bpmn_process_id);
CREATE INDEX IF NOT EXISTS pi_definition ON process_instances (process_definition_key);
CREATE INDEX IF NOT EXISTS pi_state ON process_instances (state);
CREATE INDEX IF NOT EXISTS pi_parent ON process_instances (parent_key);
CREATE INDEX IF NOT EXISTS pi_start_date ON process_instances (start_date);
CREATE TABLE IF NOT EXISTS flownode_instances (
    key INTEGER PRIMARY KEY, process_instance_key INTEGER NOT NULL,
    process_definition_key INTEGER NOT NULL, flow_node_id TEXT NOT NULL,
    flow_node_name TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
    start_date INTEGER NOT NULL, end_date INTEGER, incident_key INTEGER,
    incident INTEGER NOT NULL DEFAULT 0, tenant_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fni_instance ON flownode_instances (process_instance_key, flow_node_id);
CREATE TABLE IF NOT EXISTS sequence_flows (
    key INTEGER PRIMARY KEY, process_instance_key INTEGER NOT NULL,
    sequence_flow_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sf_instance ON sequence_flows (process_instance_key);
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

_PI_COLUMNS = (
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
_FNI_COLUMNS = (
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
)
_INCIDENT_COLUMNS = (
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
_DI_COLUMNS = (
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
_FLOW_NODE_TYPES = frozenset(FLOW_NODE_TYPES)
_INCIDENT_TYPES = frozenset(INCIDENT_TYPES)
_DECISION_TYPES = frozenset({"DECISION_TABLE", "LITERAL_EXPRESSION"})
_ENDED = {"ELEMENT_COMPLETED": "COMPLETED", "ELEMENT_TERMINATED": "TERMINATED"}
_INSTANCE_ENDED = {"ELEMENT_COMPLETED": "COMPLETED", "ELEMENT_TERMINATED": "CANCELED"}


def _key(value: Any) -> int | None:
    """Zeebe writes -1 for "no key"; Operate leaves the field out."""
    return value if isinstance(value, int) and value > 0 else None


def _xml_names(xml: str) -> tuple[dict[str, str], dict[str, str]]:
    """(element id -> name, process id -> name) of a deployed BPMN resource."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    names: dict[str, str] = {}
    processes: dict[str, str] = {}
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError:  # pragma: no cover - the engine deployed it, so it parses
        return names, processes
    for element in root.iter():
        element_id = element.get("id") if isinstance(element.tag, str) else None
        name = element.get("name") if element_id else None
        if element_id and name:
            names[element_id] = name
            if etree.QName(element).localname == "process":
                processes[element_id] = name
    return names, processes


class _Batch:
    """The rows one commit adds or changes; rows created in the same commit are changed in place."""

    def __init__(self) -> None:
        self.definitions: list[tuple[Any, ...]] = []
        self.instances: dict[int, dict[str, Any]] = {}
        self.instance_ends: list[tuple[str, int, int]] = []
        self.instance_incidents: dict[int, int] = {}
        self.flownodes: dict[int, dict[str, Any]] = {}
        self.flownode_ends: list[tuple[str, int, int]] = []
        self.flownode_incidents: list[tuple[int, int | None, int]] = []
        self.flows: list[tuple[int, int, str]] = []
        self.variables: dict[int, tuple[Any, ...]] = {}
        self.incidents: dict[int, dict[str, Any]] = {}
        self.incident_states: list[tuple[str, int]] = []
        self.drds: list[tuple[Any, ...]] = []
        self.decisions: list[tuple[Any, ...]] = []
        self.decision_instances: list[tuple[Any, ...]] = []


class OperateExporter:
    """Owns the read-model database and keeps it in step with the log."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.connection = self._connect(path)
        self.position = 0
        self._element_names: dict[int, dict[str, str]] = {}
        self._version_tags: dict[int, str | None] = {}
        self._deleted: set[int] = set()
        self._prepare()

    @staticmethod
    def _connect(path: Path | None) -> sqlite3.Connection:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            str(path) if path is not None else ":memory:",
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute("PRAGMA journal_mode=WAL")
        # The log is the source of truth: a read model lost in a crash is rebuilt from it.
        connection.execute("PRAGMA synchronous=OFF")
        return connection

    def _prepare(self) -> None:
        connection = self.connection
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            log.warning("read model has schema version %s; rebuilding it", version)
            self._drop()
        connection.executescript(SCHEMA)
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        row = connection.execute("SELECT position FROM export_position").fetchone()
        self.position = int(row[0]) if row else 0
        self._deleted = {
            r[0] for r in connection.execute("SELECT key FROM deleted_process_instances")
        }

    def _drop(self) -> None:
        for table in (*_TABLES, "export_position"):
            self.connection.execute(f"DROP TABLE IF EXISTS {table}")

    def reset(self) -> None:
        """Empties the projection (deletions are kept: they are not in the log)."""
        self._drop()
        self.connection.executescript(SCHEMA)
        self.position = 0
        self._element_names.clear()
        self._version_tags.clear()

    def catch_up(self, records: Callable[[int], Iterable[Record]], last_position: int) -> int:
        """Exports what the log holds beyond `self.position`; returns the records read."""
        if self.position > last_position:
            log.warning(
                "read model is ahead of the log (%d > %d); rebuilding it",
                self.position,
                last_position,
            )
            self.reset()
        count = 0
        chunk: list[Record] = []
        for record in records(self.position):
            chunk.append(record)
            if len(chunk) >= 5_000:
                count += len(chunk)
                self.export(chunk)
                chunk = []
        if chunk:
            count += len(chunk)
            self.export(chunk)
        return count

    def close(self) -> None:
        self.connection.close()

    # --- projection ------------------------------------------------------------------------

    def export(self, records: list[Record]) -> None:
        """Projects one committed batch; the listener the broker calls after every commit."""
        if not records:
            return
        batch = _Batch()
        deleted = self._deleted
        for record in records:
            if record.record_type is not RecordType.EVENT:
                continue
            handler = _HANDLERS.get(record.value_type)
            if handler is None:
                continue
            if deleted and record.value.get("processInstanceKey") in deleted:
                continue
            handler(self, batch, record)
        self._write(batch, records[-1].position)

    def _process(self, batch: _Batch, record: Record) -> None:
        if record.intent != "CREATED":
            return
        v = record.value
        names, processes = _xml_names(v.get("resource", ""))
        self._element_names[record.key] = names
        self._version_tags[record.key] = v.get("versionTag") or None
        batch.definitions.append(
            (
                record.key,
                v["bpmnProcessId"],
                processes.get(v["bpmnProcessId"]),
                v["version"],
                v.get("versionTag") or None,
                v.get("resourceName", ""),
                v.get("resource", ""),
                v.get("tenantId", "<default>"),
            )
        )

    def _names(self, definition_key: int) -> dict[str, str]:
        names = self._element_names.get(definition_key)
        if names is None:
            row = self.connection.execute(
                "SELECT bpmn_xml, version_tag FROM process_definitions WHERE key = ?",
                (definition_key,),
            ).fetchone()
            names = _xml_names(row[0])[0] if row else {}
            self._element_names[definition_key] = names
            self._version_tags[definition_key] = row[1] if row else None
        return names

    def _process_instance(self, batch: _Batch, record: Record) -> None:
        v = record.value
        intent = record.intent
        element_type = v["bpmnElementType"]
        if element_type == "PROCESS":
            if intent == "ELEMENT_ACTIVATING":
                self._names(v["processDefinitionKey"])
                batch.instances[record.key] = {
                    "key": record.key,
                    "process_definition_key": v["processDefinitionKey"],
                    "bpmn_process_id": v["bpmnProcessId"],
                    "process_version": v["version"],
                    "process_version_tag": self._version_tags.get(v["processDefinitionKey"]),
                    "parent_key": _key(v.get("parentProcessInstanceKey")),
                    "parent_flow_node_instance_key": _key(v.get("parentElementInstanceKey")),
                    "start_date": record.timestamp,
                    "end_date": None,
                    "state": "ACTIVE",
                    "incident": 0,
                    "incident_count": 0,
                    "tenant_id": v.get("tenantId", "<default>"),
                }
            elif intent in _INSTANCE_ENDED:
                state = _INSTANCE_ENDED[intent]
                row = batch.instances.get(record.key)
                if row is not None:
                    row["state"], row["end_date"] = state, record.timestamp
                else:
                    batch.instance_ends.append((state, record.timestamp, record.key))
            return
        if intent == "SEQUENCE_FLOW_TAKEN":
            batch.flows.append((record.key, v["processInstanceKey"], v["elementId"]))
        elif intent == "ELEMENT_ACTIVATING":
            element_id = v["elementId"]
            batch.flownodes[record.key] = {
                "key": record.key,
                "process_instance_key": v["processInstanceKey"],
                "process_definition_key": v["processDefinitionKey"],
                "flow_node_id": element_id,
                "flow_node_name": self._names(v["processDefinitionKey"]).get(
                    element_id, element_id
                ),
                "type": element_type if element_type in _FLOW_NODE_TYPES else "UNKNOWN",
                "state": "ACTIVE",
                "start_date": record.timestamp,
                "end_date": None,
                "incident_key": None,
                "incident": 0,
                "tenant_id": v.get("tenantId", "<default>"),
            }
        elif intent in _ENDED:
            state = _ENDED[intent]
            row = batch.flownodes.get(record.key)
            if row is not None:
                row["state"], row["end_date"] = state, record.timestamp
            else:
                batch.flownode_ends.append((state, record.timestamp, record.key))

    def _variable(self, batch: _Batch, record: Record) -> None:
        v = record.value
        batch.variables[record.key] = (
            record.key,
            v["processInstanceKey"],
            v["scopeKey"],
            v["name"],
            v["value"],
            v.get("tenantId", "<default>"),
        )

    def _incident(self, batch: _Batch, record: Record) -> None:
        v = record.value
        element_key = v.get("elementInstanceKey", -1)
        instance_key = v["processInstanceKey"]
        if record.intent == "CREATED":
            batch.incidents[record.key] = {
                "key": record.key,
                "process_definition_key": v["processDefinitionKey"],
                "process_instance_key": instance_key,
                "flow_node_id": v.get("elementId", ""),
                "flow_node_instance_key": element_key,
                "job_key": _key(v.get("jobKey")),
                "type": v["errorType"] if v["errorType"] in _INCIDENT_TYPES else "UNKNOWN",
                "message": v.get("errorMessage", ""),
                "creation_time": record.timestamp,
                "state": "ACTIVE",
                "tenant_id": v.get("tenantId", "<default>"),
            }
            delta, incident_key = 1, record.key
        elif record.intent == "RESOLVED":
            row = batch.incidents.get(record.key)
            if row is not None:
                row["state"] = "RESOLVED"
            else:
                batch.incident_states.append(("RESOLVED", record.key))
            delta, incident_key = -1, None
        else:
            return
        node = batch.flownodes.get(element_key)
        if node is not None:
            node["incident"], node["incident_key"] = int(delta > 0), incident_key
        else:
            batch.flownode_incidents.append((int(delta > 0), incident_key, element_key))
        instance = batch.instances.get(instance_key)
        if instance is not None:
            instance["incident_count"] += delta
            instance["incident"] = int(instance["incident_count"] > 0)
        else:
            batch.instance_incidents[instance_key] = (
                batch.instance_incidents.get(instance_key, 0) + delta
            )

    def _decision_requirements(self, batch: _Batch, record: Record) -> None:
        if record.intent != "CREATED":
            return
        v = record.value
        batch.drds.append(
            (
                record.key,
                v["decisionRequirementsId"],
                v.get("decisionRequirementsName") or None,
                v.get("decisionRequirementsVersion", 1),
                v.get("resourceName", ""),
                v.get("resource", ""),
                v.get("tenantId", "<default>"),
            )
        )

    def _decision(self, batch: _Batch, record: Record) -> None:
        if record.intent != "CREATED":
            return
        v = record.value
        batch.decisions.append(
            (
                record.key,
                v["decisionId"],
                v.get("decisionName") or None,
                v.get("version", 1),
                v.get("decisionRequirementsId", ""),
                v.get("decisionRequirementsKey", -1),
                v.get("tenantId", "<default>"),
            )
        )

    def _decision_evaluation(self, batch: _Batch, record: Record) -> None:
        v = record.value
        failed_id = v.get("failedDecisionId") if record.intent == "FAILED" else None
        for index, decision in enumerate(v.get("evaluatedDecisions") or [], start=1):
            failed = failed_id is not None and decision.get("decisionId") == failed_id
            inputs = [
                {"id": i.get("inputId"), "name": i.get("inputName"), "value": i.get("inputValue")}
                for i in decision.get("evaluatedInputs") or []
            ]
            outputs = [
                {
                    "id": o.get("outputId"),
                    "name": o.get("outputName"),
                    "value": o.get("outputValue"),
                    "ruleId": rule.get("ruleId"),
                    "ruleIndex": rule.get("ruleIndex"),
                }
                for rule in decision.get("matchedRules") or []
                for o in rule.get("evaluatedOutputs") or []
            ]
            decision_type = decision.get("decisionType", "")
            batch.decision_instances.append(
                (
                    f"{record.key}-{index}",
                    record.key,
                    index,
                    "FAILED" if failed else "EVALUATED",
                    record.timestamp,
                    v.get("evaluationFailureMessage") if failed else None,
                    _key(v.get("processDefinitionKey")),
                    _key(v.get("processInstanceKey")),
                    _key(v.get("elementInstanceKey")),
                    decision.get("decisionId", ""),
                    str(decision.get("decisionKey", "")),
                    decision.get("decisionName"),
                    decision.get("decisionVersion"),
                    decision_type if decision_type in _DECISION_TYPES else "UNKNOWN",
                    decision.get("decisionOutput"),
                    json.dumps(inputs, separators=(",", ":")),
                    json.dumps(outputs, separators=(",", ":")),
                    decision.get("tenantId") or v.get("tenantId", "<default>"),
                )
            )

    # --- writing ---------------------------------------------------------------------------

    def _write(self, batch: _Batch, position: int) -> None:
        c = self.connection
        c.execute("BEGIN")
        try:
            if batch.definitions:
                c.executemany(
                    "INSERT OR REPLACE INTO process_definitions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    batch.definitions,
                )
            _insert(c, "process_instances", _PI_COLUMNS, batch.instances.values())
            _insert(c, "flownode_instances", _FNI_COLUMNS, batch.flownodes.values())
            _insert(c, "incidents", _INCIDENT_COLUMNS, batch.incidents.values())
            if batch.instance_ends:
                c.executemany(
                    "UPDATE process_instances SET state = ?, end_date = ? WHERE key = ?",
                    batch.instance_ends,
                )
            if batch.instance_incidents:
                c.executemany(
                    "UPDATE process_instances SET incident_count = incident_count + ?, "
                    "incident = (incident_count + ? > 0) WHERE key = ?",
                    [(d, d, k) for k, d in batch.instance_incidents.items()],
                )
            if batch.flownode_ends:
                c.executemany(
                    "UPDATE flownode_instances SET state = ?, end_date = ? WHERE key = ?",
                    batch.flownode_ends,
                )
            if batch.flownode_incidents:
                c.executemany(
                    "UPDATE flownode_instances SET incident = ?, incident_key = ? WHERE key = ?",
                    batch.flownode_incidents,
                )
            if batch.flows:
                c.executemany("INSERT OR REPLACE INTO sequence_flows VALUES (?, ?, ?)", batch.flows)
            if batch.variables:
                c.executemany(
                    "INSERT INTO variables VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    batch.variables.values(),
                )
            if batch.incident_states:
                c.executemany("UPDATE incidents SET state = ? WHERE key = ?", batch.incident_states)
            if batch.drds:
                c.executemany(
                    "INSERT OR REPLACE INTO decision_requirements VALUES (?, ?, ?, ?, ?, ?, ?)",
                    batch.drds,
                )
            if batch.decisions:
                c.executemany(
                    "INSERT OR REPLACE INTO decision_definitions (key, decision_id, name, version, "
                    "decision_requirements_id, decision_requirements_key, tenant_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    batch.decisions,
                )
                c.execute(
                    "UPDATE decision_definitions SET "
                    "decision_requirements_name = (SELECT name FROM decision_requirements d "
                    "WHERE d.key = decision_requirements_key), "
                    "decision_requirements_version = (SELECT version FROM decision_requirements d "
                    "WHERE d.key = decision_requirements_key) "
                    "WHERE decision_requirements_version IS NULL"
                )
            if batch.decision_instances:
                placeholders = ", ".join("?" * len(_DI_COLUMNS))
                c.executemany(
                    f"INSERT OR REPLACE INTO decision_instances VALUES ({placeholders})",
                    batch.decision_instances,
                )
            c.execute(
                "INSERT INTO export_position (id, position) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET position = excluded.position",
                (position,),
            )
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")
        self.position = position

    # --- deletion --------------------------------------------------------------------------

    def delete_process_instance(self, key: int) -> None:
        """Removes a finished instance and its dependant data; remembered across rebuilds."""
        c = self.connection
        c.execute("BEGIN")
        try:
            c.execute("INSERT OR IGNORE INTO deleted_process_instances VALUES (?)", (key,))
            c.execute("DELETE FROM process_instances WHERE key = ?", (key,))
            for table in (
                "flownode_instances",
                "sequence_flows",
                "variables",
                "incidents",
                "decision_instances",
            ):
                c.execute(f"DELETE FROM {table} WHERE process_instance_key = ?", (key,))
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")
        self._deleted.add(key)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every projected row, table by table, in key order (for comparing with a rebuild)."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in _TABLES:
            order = "id" if table == "decision_instances" else "key"
            out[table] = self.connection.execute(
                f"SELECT * FROM {table} ORDER BY {order}"
            ).fetchall()
        return out


def _insert(
    connection: sqlite3.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[dict[str, Any]],
) -> None:
    values = [tuple(row[c] for c in columns) for row in rows]
    if values:
        placeholders = ", ".join("?" * len(columns))
        connection.executemany(
            f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", values
        )


_Handler = Callable[[OperateExporter, _Batch, Record], None]
_HANDLERS: dict[ValueType, _Handler] = {
    ValueType.PROCESS: OperateExporter._process,
    ValueType.PROCESS_INSTANCE: OperateExporter._process_instance,
    ValueType.VARIABLE: OperateExporter._variable,
    ValueType.INCIDENT: OperateExporter._incident,
    ValueType.DECISION_REQUIREMENTS: OperateExporter._decision_requirements,
    ValueType.DECISION: OperateExporter._decision,
    ValueType.DECISION_EVALUATION: OperateExporter._decision_evaluation,
}
