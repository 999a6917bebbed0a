"""The Operate exporter: projects committed records into the read model behind the Operate API.

The read model is a SQLite database of its own (`<data-dir>/operate.db`, or in memory). After
every commit the broker hands the committed records to the ExportDirector, which projects them
into a Batch and has its statements applied in one transaction together with the position they
reach (`export` does both at once). On start the exporter catches up from the log; a read model
that is missing, of another schema version, or ahead of the log (a new log under an old read
model) is rebuilt from the log.

With a log file (`log_path`) the log is attached to the read model's connection (read-only), and
the frequent records (element starts and ends, taken flows, variables) are projected by SQL that
reads them from the log by position: the broker's loop only notes their positions, and SQLite
does the rest on the export thread with the GIL released. Definitions, incidents and decisions
are rare and projected in Python. Without a log file the frequent records go to the same SQL as
JSON rows.

Approaches measured (µs per one-task instance: a micro-benchmark over the committed records of
10k instances, and benchmarks/read_api.py on the 2-core development machine):
- Every shown record projected into rows in Python in the loop (10.5 µs) and the rows turned
  into JSON arrays there (7 µs), SQLite writing them on the export thread (29 µs): the loop paid
  17.5 µs; the engine kept 0.75-0.83 of its instances/s (ratio of medians, 3 runs).
- Then: the loop noted positions (5.5 µs, and 0.5 µs for the JSON arrays of positions); the
  export thread's SQLite work was ~35 µs, ~30 of them reading and parsing the records from the
  log; starts and ends were two row writes per element. The engine kept a median 0.91 of its
  instances/s (10 runs from 0.84 to 1.02).
- Now: ends are noted as (key, time, intent) and joined to their starts in SQL (one row write
  per element, no end read from the log): SQLite instructions per instance -13 % (micro-
  benchmark under callgrind), the loop's +7 %. And SQLite's memory statistics are off
  (store/library.py): their global mutex made the loop thread sleep ~1,100 times a second
  instead of ~300 while the export thread ran, ~500 without it. Under callgrind the loop runs
  3.1 % more instructions per instance with the exporter (benchmarks/export_instructions.py);
  on the wall clock the engine keeps a median paired 0.95-0.98 of its instances/s
  (docs/operate.md).
- No difference measured: one statement a batch (a trigger running the kinds' statements, so
  fewer GIL round trips for the export thread; and, this time, one `executescript` a batch),
  flushing every 250 ms instead of 50, the export thread at nice 0 instead of 10, pinning the
  two threads to separate CPUs, and the same SQLite work in another process instead of a
  thread. Python on the export thread competes with the engine for the GIL instead of
  overlapping with it.
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

from zeebind.exporters.batch import (
    ELEMENT_ENDS,
    ENDS,
    FLOWS,
    LOG_SOURCE,
    NODE_STARTS,
    PROCESS_STARTS,
    ROWS_SOURCE,
    VARIABLES,
    Batch,
    Source,
    Statements,
)
from zeebind.exporters.read_model import (
    FLOW_NODE_TYPES,
    INCIDENT_TYPES,
    INSTANCE_TABLES,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
    connect,
)
from zeebind.protocol.intent import (
    DecisionEvaluationIntent,
    DecisionIntent,
    DecisionRequirementsIntent,
    IncidentIntent,
    ProcessInstanceIntent,
    ProcessIntent,
    VariableIntent,
)
from zeebind.protocol.json import dumps
from zeebind.protocol.record import Record, RecordType, ValueType

log = logging.getLogger("zeebind.exporters.operate")

_FLOW_NODE_TYPES = frozenset(FLOW_NODE_TYPES)
_INCIDENT_TYPES = frozenset(INCIDENT_TYPES)
_DECISION_TYPES = frozenset({"DECISION_TABLE", "LITERAL_EXPRESSION"})
_INC_STATE = 9  # the column of an incident row's state (read_model.INCIDENT_COLUMNS)
# The element names of the deployed processes, for the frequent records' SQL (batch.py).
_ELEMENT_NAMES = (
    "CREATE TEMP TABLE IF NOT EXISTS element_names (definition_key INTEGER NOT NULL, "
    "element_id TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (definition_key, element_id)) "
    "WITHOUT ROWID"
)


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

    def __init__(self, path: Path | None, *, log_path: Path | None = None) -> None:
        """`path` None keeps the read model in memory. With `log_path` (the broker's log file)
        the frequent records are read from the log by SQL; `project_into` and `export` are then
        only given committed records of that log."""
        self.path = path
        self._memory_name = f"zeebind-operate-{uuid.uuid4().hex}"
        self.connection = connect(path, self._memory_name)
        self.position = 0
        self._deleted: set[int] = set()
        self._source: Source = ROWS_SOURCE
        if log_path is not None:
            self._source = self._attach(log_path)
        self._prepare()

    def _attach(self, log_path: Path) -> Source:
        """Attaches the log read-only; returns the SQL source of the frequent records in it."""
        uri = log_path.resolve().as_uri() + "?mode=ro"
        self.connection.execute("ATTACH DATABASE ? AS log", (uri,))
        return LOG_SOURCE

    def _prepare(self) -> None:
        connection = self.connection
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            log.warning("read model has schema version %s; rebuilding it", version)
            self._drop()
        connection.executescript(SCHEMA)
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        connection.execute(_ELEMENT_NAMES)
        connection.execute(ELEMENT_ENDS)
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
        self.connection.execute("DELETE FROM temp.element_names")
        self.position = 0

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
        """Adds the rows of `records` to `batch`, which may collect several commits.

        This runs in the broker's loop after every commit, so it does as little as it can: one
        dict look-up skips each record Operate does not show (half of the log), a frequent one
        is noted by its position (without a log file: as a JSON row, taken now since its value
        may change once the engine goes on), an element's end by its key, time and intent, and
        only the rare ones become rows here."""
        if not records:
            return
        batch.first = batch.first or records[0].position
        batch.position = records[-1].position
        batch.source = self._source
        by_position = self._source is LOG_SOURCE
        deleted = self._deleted
        kinds = _KINDS
        add = [items.append for items in batch.hot]
        for record in records:
            kind = kinds.get((record.value_type, record.intent))
            if kind is None:
                continue
            if deleted and record.value.get("processInstanceKey") in deleted:
                continue
            if kind >= _RARE:
                if record.record_type is RecordType.EVENT:
                    _RARE_HANDLERS[kind - _RARE](self, batch, record)
                continue
            # The frequent intents are events' (commands and rejections have a command's).
            if kind == ENDS:
                add[ENDS]((record.key, record.timestamp, record.intent))
                continue
            if kind == PROCESS_STARTS and record.value["bpmnElementType"] != "PROCESS":
                kind = NODE_STARTS
            add[kind](record.position if by_position else _row(record))

    def _process(self, batch: Batch, record: Record) -> None:
        v = record.value
        names, processes = _xml_names(v.get("resource", ""))
        batch.element_names.extend((record.key, element, name) for element, name in names.items())
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

    def _load_definitions(self) -> None:
        """The element names of the deployed processes, for the SQL of the frequent records."""
        rows = self.connection.execute("SELECT key, bpmn_xml FROM process_definitions").fetchall()
        self.connection.executemany(
            "INSERT OR REPLACE INTO temp.element_names VALUES (?, ?, ?)",
            [(key, e, name) for key, xml in rows for e, name in _xml_names(xml)[0].items()],
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
        # The flow nodes and instances on its path are written by SQL before (batch.py).
        batch.incident_changes.append((instance_key, element_key, delta))
        batch.flownode_incidents[element_key] = incident_key

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

    def _deletion(self, batch: Batch, record: Record) -> None:
        """A deleted definition leaves the read model; a process takes its instances' history
        with it (Zeebe deletes only definitions without running instances), as Operate does."""
        v = record.value
        if record.value_type is ValueType.PROCESS:
            batch.deletions.append(("process", v["processDefinitionKey"]))
        elif record.value_type is ValueType.DECISION:
            batch.deletions.append(("decision", v["decisionKey"]))
        else:
            batch.deletions.append(("drd", v["decisionRequirementsKey"]))

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
            for table in INSTANCE_TABLES:
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


def _row(record: Record) -> str:
    """A frequent record as a JSON row of batch.ROWS_SOURCE."""
    return dumps((record.position, record.key, record.timestamp, record.intent, record.value))


_Handler = Callable[[OperateExporter, Batch, Record], None]
_PI = ValueType.PROCESS_INSTANCE
_VARIABLE = ValueType.VARIABLE
_RARE_HANDLERS: tuple[_Handler, ...] = (
    OperateExporter._process,
    OperateExporter._incident,
    OperateExporter._decision_requirements,
    OperateExporter._decision,
    OperateExporter._decision_evaluation,
    OperateExporter._deletion,
)
_RARE = 100  # kinds from here on are _RARE_HANDLERS[kind - _RARE]
_PROCESS, _INCIDENT, _DRD, _DECISION, _EVALUATION, _DELETION = range(
    _RARE, _RARE + len(_RARE_HANDLERS)
)
# (value type, intent) -> kind of the events Operate shows: a frequent kind of batch.py (an
# element's start, taken to be the process element's until its type says otherwise) or a rare
# one. The intents are the enum members the engine writes, so that live records match by
# identity.
_KINDS: dict[tuple[ValueType, str], int] = {
    (_PI, ProcessInstanceIntent.ELEMENT_ACTIVATING): PROCESS_STARTS,
    (_PI, ProcessInstanceIntent.ELEMENT_COMPLETED): ENDS,
    (_PI, ProcessInstanceIntent.ELEMENT_TERMINATED): ENDS,
    (_PI, ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN): FLOWS,
    (_VARIABLE, VariableIntent.CREATED): VARIABLES,
    (_VARIABLE, VariableIntent.UPDATED): VARIABLES,
    (ValueType.PROCESS, ProcessIntent.CREATED): _PROCESS,
    (ValueType.INCIDENT, IncidentIntent.CREATED): _INCIDENT,
    (ValueType.INCIDENT, IncidentIntent.RESOLVED): _INCIDENT,
    (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.CREATED): _DRD,
    (ValueType.DECISION, DecisionIntent.CREATED): _DECISION,
    (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATED): _EVALUATION,
    (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.FAILED): _EVALUATION,
    (ValueType.PROCESS, ProcessIntent.DELETED): _DELETION,
    (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.DELETED): _DELETION,
    (ValueType.DECISION, DecisionIntent.DELETED): _DELETION,
}
