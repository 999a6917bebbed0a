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
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from zeebind.exporters.batch import Batch, Statements
from zeebind.exporters.read_model import (
    FLOW_NODE_TYPES,
    INCIDENT_TYPES,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
    connect,
)
from zeebind.protocol.record import Record, RecordType, ValueType

log = logging.getLogger("zeebind.exporters.operate")

_FLOW_NODE_TYPES = frozenset(FLOW_NODE_TYPES)
_INCIDENT_TYPES = frozenset(INCIDENT_TYPES)
_DECISION_TYPES = frozenset({"DECISION_TABLE", "LITERAL_EXPRESSION"})
# Row positions (the column order of read_model's *_COLUMNS) of the fields that change later.
_PI_END, _PI_STATE, _PI_INCIDENT, _PI_INCIDENTS = 8, 9, 10, 11
_FNI_STATE, _FNI_END, _FNI_INCIDENT_KEY, _FNI_INCIDENT = 6, 8, 9, 10
_INC_STATE = 9
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


class OperateExporter:
    """Owns the read-model database and keeps it in step with the log."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory_name = f"zeebind-operate-{uuid.uuid4().hex}"
        self.connection = connect(path, self._memory_name)
        self.position = 0
        self._element_names: dict[int, dict[str, str]] = {}
        self._version_tags: dict[int, str | None] = {}
        self._deleted: set[int] = set()
        self._prepare()

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
        self._load_definitions()

    def _drop(self) -> None:
        for table in (*TABLES, "export_position"):
            self.connection.execute(f"DROP TABLE IF EXISTS {table}")

    def reset(self) -> None:
        """Empties the projection (deletions are kept: they are not in the log)."""
        self._drop()
        self.connection.executescript(SCHEMA)
        self.position = 0
        self._element_names.clear()
        self._version_tags.clear()

    def catch_up(self, records: Callable[[int], Iterable[Record]], last_position: int) -> int:
        """Exports the log after `self.position` up to `last_position`; returns the count."""
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
            if record.position > last_position:
                break  # later records come through the listener
            chunk.append(record)
            if len(chunk) >= 5_000:
                count += len(chunk)
                self.export(chunk)
                chunk = []
        if chunk:
            count += len(chunk)
            self.export(chunk)
        return count

    def open_reader(self) -> sqlite3.Connection:
        """Another connection to the same read model, for the API's queries."""
        return connect(self.path, self._memory_name, reader=True)

    def close(self) -> None:
        self.connection.close()

    # --- projection ------------------------------------------------------------------------

    def export(self, records: list[Record]) -> None:
        """Projects committed records and writes them in one transaction."""
        if records:
            self.apply(self.project(records), records[-1].position)

    def project(self, records: list[Record]) -> Statements:
        """The statements that bring the read model up to the end of `records` (no I/O: the
        caller may `apply` them on another thread)."""
        batch = Batch()
        self.project_into(batch, records)
        return batch.statements()

    def project_into(self, batch: Batch, records: list[Record]) -> None:
        """Adds the rows of `records` to `batch`, which may collect several commits."""
        if records:
            batch.first = batch.first or records[0].position
            batch.position = records[-1].position
        deleted = self._deleted
        handlers = _HANDLERS
        event = RecordType.EVENT
        for record in records:
            handler = handlers.get((record.value_type, record.intent))
            if handler is None or record.record_type is not event:
                continue
            if deleted and record.value.get("processInstanceKey") in deleted:
                continue
            handler(self, batch, record)

    def _process(self, batch: Batch, record: Record) -> None:
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
        # Every definition is known: loaded on open, or projected from the log before use.
        return self._element_names.get(definition_key) or {}

    def _load_definitions(self) -> None:
        rows = self.connection.execute("SELECT key, bpmn_xml, version_tag FROM process_definitions")
        for key, xml, version_tag in rows:
            self._element_names[key] = _xml_names(xml)[0]
            self._version_tags[key] = version_tag

    def _activating(self, batch: Batch, record: Record) -> None:
        v = record.value
        definition_key = v["processDefinitionKey"]
        names = self._names(definition_key)
        element_type = v["bpmnElementType"]
        if element_type == "PROCESS":
            batch.instances[record.key] = [
                record.key,
                definition_key,
                v["bpmnProcessId"],
                v["version"],
                self._version_tags.get(definition_key),
                _key(v["parentProcessInstanceKey"]),
                _key(v["parentElementInstanceKey"]),
                record.timestamp,
                None,
                "ACTIVE",
                0,
                0,
                v["tenantId"],
            ]
            return
        element_id = v["elementId"]
        batch.flownodes[record.key] = [
            record.key,
            v["processInstanceKey"],
            definition_key,
            element_id,
            names.get(element_id, element_id),
            element_type if element_type in _FLOW_NODE_TYPES else "UNKNOWN",
            "ACTIVE",
            record.timestamp,
            None,
            None,
            0,
            v["tenantId"],
        ]

    def _ended(self, batch: Batch, record: Record) -> None:
        completed = record.intent == "ELEMENT_COMPLETED"
        if record.value["bpmnElementType"] == "PROCESS":
            state = "COMPLETED" if completed else "CANCELED"
            row = batch.instances.get(record.key)
            if row is not None:
                row[_PI_STATE], row[_PI_END] = state, record.timestamp
            else:
                batch.instance_ends[record.key] = (state, record.timestamp)
            return
        state = "COMPLETED" if completed else "TERMINATED"
        node = batch.flownodes.get(record.key)
        if node is not None:
            node[_FNI_STATE], node[_FNI_END] = state, record.timestamp
        else:
            batch.flownode_ends[record.key] = (state, record.timestamp)

    def _flow_taken(self, batch: Batch, record: Record) -> None:
        batch.flows.append(
            (record.key, record.value["processInstanceKey"], record.value["elementId"])
        )

    def _variable(self, batch: Batch, record: Record) -> None:
        v = record.value
        batch.variables[record.key] = (
            record.key,
            v["processInstanceKey"],
            v["scopeKey"],
            v["name"],
            v["value"],
            v.get("tenantId", "<default>"),
        )

    def _incident(self, batch: Batch, record: Record) -> None:
        v = record.value
        element_key = v.get("elementInstanceKey", -1)
        instance_key = v["processInstanceKey"]
        if record.intent == "CREATED":
            error_type = v["errorType"]
            batch.incidents[record.key] = [
                record.key,
                v["processDefinitionKey"],
                instance_key,
                v.get("elementId", ""),
                element_key,
                _key(v.get("jobKey")),
                error_type if error_type in _INCIDENT_TYPES else "UNKNOWN",
                v.get("errorMessage", ""),
                record.timestamp,
                "ACTIVE",
                v.get("tenantId", "<default>"),
            ]
            delta, incident_key = 1, record.key
        else:
            row = batch.incidents.get(record.key)
            if row is not None:
                row[_INC_STATE] = "RESOLVED"
            else:
                batch.incident_states[record.key] = "RESOLVED"
            delta, incident_key = -1, None
        node = batch.flownodes.get(element_key)
        if node is not None:
            node[_FNI_INCIDENT], node[_FNI_INCIDENT_KEY] = int(delta > 0), incident_key
        else:
            batch.flownode_incidents[element_key] = (int(delta > 0), incident_key)
        instance = batch.instances.get(instance_key)
        if instance is not None:
            instance[_PI_INCIDENTS] += delta
            instance[_PI_INCIDENT] = int(instance[_PI_INCIDENTS] > 0)
        else:
            batch.instance_incidents[instance_key] = (
                batch.instance_incidents.get(instance_key, 0) + delta
            )

    def _decision_requirements(self, batch: Batch, record: Record) -> None:
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

    def _decision(self, batch: Batch, record: Record) -> None:
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

    def _decision_evaluation(self, batch: Batch, record: Record) -> None:
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

    def apply(self, statements: Statements, position: int) -> None:
        """Runs a projection's statements in one transaction (any thread; the only writer)."""
        c = self.connection
        c.execute("BEGIN")
        try:
            for sql, params in statements:
                c.execute(sql, params)
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
        for table in TABLES:
            order = "id" if table == "decision_instances" else "key"
            out[table] = self.connection.execute(
                f"SELECT * FROM {table} ORDER BY {order}"
            ).fetchall()
        return out


_Handler = Callable[[OperateExporter, Batch, Record], None]
_PI = ValueType.PROCESS_INSTANCE
_HANDLERS: dict[tuple[ValueType, str], _Handler] = {
    (ValueType.PROCESS, "CREATED"): OperateExporter._process,
    (_PI, "ELEMENT_ACTIVATING"): OperateExporter._activating,
    (_PI, "ELEMENT_COMPLETED"): OperateExporter._ended,
    (_PI, "ELEMENT_TERMINATED"): OperateExporter._ended,
    (_PI, "SEQUENCE_FLOW_TAKEN"): OperateExporter._flow_taken,
    (ValueType.VARIABLE, "CREATED"): OperateExporter._variable,
    (ValueType.VARIABLE, "UPDATED"): OperateExporter._variable,
    (ValueType.INCIDENT, "CREATED"): OperateExporter._incident,
    (ValueType.INCIDENT, "RESOLVED"): OperateExporter._incident,
    (ValueType.DECISION_REQUIREMENTS, "CREATED"): OperateExporter._decision_requirements,
    (ValueType.DECISION, "CREATED"): OperateExporter._decision,
    (ValueType.DECISION_EVALUATION, "EVALUATED"): OperateExporter._decision_evaluation,
    (ValueType.DECISION_EVALUATION, "FAILED"): OperateExporter._decision_evaluation,
}
