"""Batch: the read-model rows that commits add or change, and the SQL that writes them.

Each statement writes all of a table's rows in the batch from one JSON array (`json_each`), so
SQLite does the work in one call, with the GIL released, instead of one round trip per row.

The frequent records (PROCESS_INSTANCE element starts and ends, taken sequence flows, VARIABLE
created/updated: about half of the log) are not turned into rows in Python at all: the batch
keeps only their log positions, and SQL reads those records from the log (attached to the read
model's connection) and projects them (`_HOT_TEMPLATES`, one statement a kind). An element's
end is noted as [key, timestamp, intent] and never read from the log: the ends go into a
scratch table first, which updates the rows of elements that started in an earlier batch, and
the rows of elements that start in this batch are inserted with their end joined from it (most
elements start and end within one batch of 50 ms, so each costs one row write). Without a log
file (an in-memory engine, or an exporter without `log_path`) the batch keeps the started
records themselves as JSON rows and the same SQL reads them from those rows. The rare records
(definitions, incidents, decisions, deletions) become rows in Python.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

import orjson

from zeebind.exporters.read_model import (
    DD_COLUMNS,
    DI_COLUMNS,
    DRD_COLUMNS,
    FLOW_NODE_TYPES,
    FNI_COLUMNS,
    INCIDENT_COLUMNS,
    INSTANCE_TABLES,
    PD_COLUMNS,
    PI_COLUMNS,
    VARIABLE_COLUMNS,
)
from zeebind.store.database import record_path

Statements = list[tuple[str, tuple[Any, ...]]]

# The kinds of frequent records, each collected in a list of its own (`Batch.hot`): the
# process element's starts, other elements' starts, ends of both, flows, variables.
PROCESS_STARTS, NODE_STARTS, ENDS, FLOWS, VARIABLES = range(5)
# The batch's element ends, joined to the starts (created on the read model's connection).
ELEMENT_ENDS = (
    "CREATE TEMP TABLE IF NOT EXISTS element_ends "
    "(key INTEGER PRIMARY KEY, end_date INTEGER NOT NULL, intent TEXT NOT NULL)"
)


class Source(NamedTuple):
    """Where the SQL of the frequent records reads them: `sql` selects position, key,
    timestamp, intent and `rec`, a JSON text holding the record's value at `value_path`, for
    the JSON array `$ITEMS` of one kind's positions or rows."""

    sql: str
    value_path: str


_KEY, _TIMESTAMP, _INTENT = (record_path(f) for f in ("key", "timestamp", "intent"))
# The log, by the positions in a JSON array (its records are JSON envelopes, store/database.py) ...
LOG_SOURCE = Source(
    f"SELECT r.position AS position, r.record->>'{_KEY}' AS key, "
    f"r.record->>'{_TIMESTAMP}' AS timestamp, r.record->>'{_INTENT}' AS intent, "
    "r.record AS rec FROM log.records AS r "
    "WHERE r.position IN (SELECT value FROM json_each($ITEMS))",
    record_path("value"),
)
# ... or a JSON array of [position, key, timestamp, intent, value] rows.
ROWS_SOURCE = Source(
    "SELECT j.value->>0 AS position, j.value->>1 AS key, j.value->>2 AS timestamp, "
    "j.value->>3 AS intent, j.value AS rec FROM json_each($ITEMS) AS j",
    "$[4]",
)


class Batch:
    """What commits add or change: the frequent records (positions or JSON rows, by kind) and
    the rows of the rare ones (an incident created in the same batch is changed in place)."""

    __slots__ = (
        "decision_instances",
        "decisions",
        "definitions",
        "deletions",
        "drds",
        "element_names",
        "first",
        "flownode_incidents",
        "hot",
        "incident_changes",
        "incident_states",
        "incidents",
        "position",
        "source",
    )

    def __init__(self) -> None:
        self.first = 0  # the position of the first record projected into it
        self.position = 0  # ... and of the last
        self.source = ROWS_SOURCE  # where the SQL reads the frequent records from
        # Per kind: log positions (LOG_SOURCE) or JSON rows (ROWS_SOURCE), in log order; the
        # ends as (key, timestamp, intent).
        self.hot: tuple[list[Any], ...] = ([], [], [], [], [])
        self.definitions: list[tuple[Any, ...]] = []
        self.element_names: list[tuple[int, str, str]] = []
        # (process instance key, element instance key, +1 created / -1 resolved), in log order
        self.incident_changes: list[tuple[int, int, int]] = []
        self.flownode_incidents: dict[int, int | None] = {}  # element -> its own incident key
        self.incidents: dict[int, list[Any]] = {}
        self.incident_states: dict[int, str] = {}
        self.drds: list[tuple[Any, ...]] = []
        self.decisions: list[tuple[Any, ...]] = []
        self.decision_instances: list[tuple[Any, ...]] = []
        # Deleted definitions, (kind, key): kind "process", "decision" or "drd".
        self.deletions: list[tuple[str, int]] = []

    def __bool__(self) -> bool:
        return self.position > 0

    def statements(self) -> list[tuple[str, tuple[Any, ...]]]:
        """The SQL that writes this batch (and the position it reaches)."""
        return _statements(self)


def _rows(rows: Iterable[Any]) -> str:
    return json.dumps(list(rows), separators=(",", ":"), ensure_ascii=False)


def _select(width: int) -> str:
    """Each row of a JSON array of arrays as SQL values: one statement inserts them all, so
    SQLite does the work without a round trip to Python per row."""
    return "SELECT " + ", ".join(f"value->>{i}" for i in range(width)) + " FROM json_each(?)"


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) " + _select(len(columns))


def _key(expression: str) -> str:
    """Zeebe writes -1 for "no key"; Operate leaves the field out."""
    return f"CASE WHEN typeof({expression}) = 'integer' AND {expression} > 0 THEN {expression} END"


def _field(name: str) -> str:
    """A field of the record's value ($V: the value's path in the source's `rec`)."""
    return f"s.rec->>'$V.{name}'"


_FLOW_NODE_TYPE_LIST = ", ".join(f"'{t}'" for t in FLOW_NODE_TYPES)
_DEFINITION = _field("processDefinitionKey")
_INSTANCE = _field("processInstanceKey")
_ELEMENT = _field("elementId")
_ELEMENT_TYPE = _field("bpmnElementType")
_TENANT = _field("tenantId")
# `v.get("tenantId", "<default>")`: the default only when the field is missing, not when null.
_TENANT_OR_DEFAULT = (
    f"CASE WHEN json_type(s.rec, '$V.tenantId') IS NULL THEN '<default>' ELSE {_TENANT} END"
)
# The projection of the frequent records, one statement a kind (`$SOURCE`: Source.sql). SQLite
# parses each record once: further fields of the same text come from its parse cache.
_PROCESS_STATE = (
    "CASE e.intent WHEN 'ELEMENT_COMPLETED' THEN 'COMPLETED' "
    "WHEN 'ELEMENT_TERMINATED' THEN 'CANCELED' ELSE 'ACTIVE' END"
)
_NODE_STATE = (
    "CASE e.intent WHEN 'ELEMENT_COMPLETED' THEN 'COMPLETED' "
    "WHEN 'ELEMENT_TERMINATED' THEN 'TERMINATED' ELSE 'ACTIVE' END"
)
_HOT_TEMPLATES = (
    # PROCESS_STARTS: ELEMENT_ACTIVATING of the process element, with its end if in the batch
    f"INSERT OR REPLACE INTO process_instances ({', '.join(PI_COLUMNS)}) "
    f"SELECT s.key, {_DEFINITION}, {_field('bpmnProcessId')}, {_field('version')}, "
    f"(SELECT d.version_tag FROM process_definitions AS d WHERE d.key = {_DEFINITION}), "
    f"{_key(_field('parentProcessInstanceKey'))}, {_key(_field('parentElementInstanceKey'))}, "
    f"s.timestamp, e.end_date, {_PROCESS_STATE}, 0, 0, {_TENANT} "
    "FROM ($SOURCE) AS s LEFT JOIN temp.element_ends AS e ON e.key = s.key",
    # NODE_STARTS: ELEMENT_ACTIVATING of any other element, likewise
    f"INSERT OR REPLACE INTO flownode_instances ({', '.join(FNI_COLUMNS)}) "
    f"SELECT s.key, {_INSTANCE}, {_DEFINITION}, {_ELEMENT}, "
    "COALESCE((SELECT n.name FROM temp.element_names AS n "
    f"WHERE n.definition_key = {_DEFINITION} AND n.element_id = {_ELEMENT}), {_ELEMENT}), "
    f"CASE WHEN {_ELEMENT_TYPE} IN ({_FLOW_NODE_TYPE_LIST}) THEN {_ELEMENT_TYPE} "
    f"ELSE 'UNKNOWN' END, {_NODE_STATE}, s.timestamp, e.end_date, NULL, 0, {_TENANT}, "
    f"{_field('flowScopeKey')}, 0 "
    "FROM ($SOURCE) AS s LEFT JOIN temp.element_ends AS e ON e.key = s.key",
    "",  # ENDS: written before the starts, by _ENDS
    # FLOWS: SEQUENCE_FLOW_TAKEN
    "INSERT OR REPLACE INTO sequence_flows (key, process_instance_key, sequence_flow_id) "
    f"SELECT s.key, {_INSTANCE}, {_ELEMENT} FROM ($SOURCE) AS s",
    # VARIABLES: CREATED/UPDATED, in log order (a later update of the same variable wins)
    f"INSERT INTO variables ({', '.join(VARIABLE_COLUMNS)}) "
    f"SELECT s.key, {_INSTANCE}, {_field('scopeKey')}, {_field('name')}, {_field('value')}, "
    f"{_TENANT_OR_DEFAULT} FROM ($SOURCE) AS s "
    "WHERE true ORDER BY s.position ON CONFLICT (key) DO UPDATE SET value = excluded.value",
)


@functools.cache
def hot_statements(source: Source) -> tuple[str, ...]:
    """The statements of the frequent records' kinds, reading them from `source` (none for the
    ends: they are written before, by `_ENDS`)."""
    return tuple(
        sql.replace("$SOURCE", source.sql).replace("$V", source.value_path).replace("$ITEMS", "?")
        for sql in _HOT_TEMPLATES
    )


# ENDS: [key, timestamp, intent] of ELEMENT_COMPLETED/TERMINATED, into the scratch table; they
# update the rows of elements that started in earlier batches (before this batch's starts are
# inserted, which join their ends themselves); the table is emptied after the starts.
_ENDS = (
    "INSERT OR REPLACE INTO temp.element_ends (key, end_date, intent) " + _select(3),
    *(
        f"UPDATE {table} SET (end_date, state) = (SELECT e.end_date, CASE e.intent "
        f"WHEN 'ELEMENT_COMPLETED' THEN 'COMPLETED' ELSE '{terminated}' END "
        f"FROM temp.element_ends AS e WHERE e.key = {table}.key) "
        "WHERE key IN (SELECT key FROM temp.element_ends)"
        for table, terminated in (
            ("process_instances", "CANCELED"),
            ("flownode_instances", "TERMINATED"),
        )
    ),
)
_CLEAR_ENDS = "DELETE FROM temp.element_ends"
_INSERT_INCIDENT = _insert("incidents", INCIDENT_COLUMNS)
_INSERT_NAMES = (
    "INSERT OR REPLACE INTO temp.element_names (definition_key, element_id, name) " + _select(3)
)
# An incident counts for every flow node and process instance on its tree path, as in Operate:
# its element, the subprocesses around it, the call activity that called its instance and the
# scopes around that, up to the root instance; `incident` is whether the count is above 0.
# The parameter: [process instance key, element instance key, +1 or -1] per incident created
# or resolved. The path is walked in the rows themselves (flow_scope_key, then the instance's
# parent_flow_node_instance_key), which were written before.
_INCIDENT_PATH = (
    "WITH RECURSIVE change(id, pi, fni, d) AS ("
    "SELECT j.key, j.value->>0, j.value->>1, j.value->>2 FROM json_each(?) AS j), "
    "start(id, fni, d) AS (SELECT c.id, COALESCE("
    "(SELECT f.key FROM flownode_instances AS f WHERE f.key = c.fni), "
    "(SELECT p.parent_flow_node_instance_key FROM process_instances AS p WHERE p.key = c.pi)), "
    "c.d FROM change AS c), "
    "path(id, fni, d) AS (SELECT id, fni, d FROM start WHERE fni IS NOT NULL UNION ALL "
    "SELECT path.id, COALESCE(s.key, p.parent_flow_node_instance_key), path.d FROM path "
    "JOIN flownode_instances AS f ON f.key = path.fni "
    "LEFT JOIN flownode_instances AS s ON s.key = f.flow_scope_key "
    "LEFT JOIN process_instances AS p ON p.key = f.flow_scope_key "
    "WHERE COALESCE(s.key, p.parent_flow_node_instance_key) IS NOT NULL), "
    # each incident counts once per instance on its path
    "instances(id, pi, d) AS (SELECT id, pi, d FROM change UNION "
    "SELECT path.id, f.process_instance_key, path.d FROM path "
    "JOIN flownode_instances AS f ON f.key = path.fni) "
)
_INCIDENTS_FNI = _INCIDENT_PATH + (
    "UPDATE flownode_instances SET (incident_count, incident) = (SELECT "
    "flownode_instances.incident_count + sum(path.d), "
    "flownode_instances.incident_count + sum(path.d) > 0 "
    "FROM path WHERE path.fni = flownode_instances.key) "
    "WHERE key IN (SELECT fni FROM path)"
)
_INCIDENTS_PI = _INCIDENT_PATH + (
    "UPDATE process_instances SET (incident_count, incident) = (SELECT "
    "process_instances.incident_count + sum(i.d), process_instances.incident_count + sum(i.d) > 0 "
    "FROM instances AS i WHERE i.pi = process_instances.key) "
    "WHERE key IN (SELECT pi FROM instances)"
)
# The key of the incident on the flow node itself: [element instance key, incident key or null].
_INCIDENT_KEY = (
    "UPDATE flownode_instances SET incident_key = j.value->>1 "
    "FROM json_each(?) AS j WHERE flownode_instances.key = j.value->>0"
)
_RESOLVE = (
    "UPDATE incidents SET state = j.value->>1 FROM json_each(?) AS j "
    "WHERE incidents.key = j.value->>0"
)
_DECISION_NAMES = (
    "UPDATE decision_definitions SET "
    "decision_requirements_name = (SELECT name FROM decision_requirements d "
    "WHERE d.key = decision_requirements_key), "
    "decision_requirements_version = (SELECT version FROM decision_requirements d "
    "WHERE d.key = decision_requirements_key) "
    "WHERE decision_requirements_version IS NULL"
)
# Deleted definitions (a JSON array of keys), written last in a batch. A process definition
# takes its (finished) instances and their rows with it.
_OF_DEFINITIONS = (
    "SELECT key FROM process_instances WHERE process_definition_key IN "
    "(SELECT value FROM json_each(?1))"
)
_DELETIONS: dict[str, tuple[str, ...]] = {
    "process": (
        *(
            f"DELETE FROM {table} WHERE process_instance_key IN ({_OF_DEFINITIONS})"
            for table in INSTANCE_TABLES
        ),
        "DELETE FROM process_instances WHERE process_definition_key IN "
        "(SELECT value FROM json_each(?1))",
        "DELETE FROM process_definitions WHERE key IN (SELECT value FROM json_each(?1))",
        "DELETE FROM temp.element_names WHERE definition_key IN (SELECT value FROM json_each(?1))",
    ),
    "decision": (
        "DELETE FROM decision_definitions WHERE key IN (SELECT value FROM json_each(?1))",
    ),
    "drd": ("DELETE FROM decision_requirements WHERE key IN (SELECT value FROM json_each(?1))",),
}
_POSITION = (
    "INSERT INTO export_position (id, position) VALUES (1, ?) "
    "ON CONFLICT (id) DO UPDATE SET position = excluded.position"
)


def _array(items: list[Any]) -> str:
    """Log positions or JSON rows as one JSON array."""
    if items and isinstance(items[0], str):
        return "[" + ",".join(items) + "]"
    return orjson.dumps(items).decode()


def _statements(batch: Batch) -> list[tuple[str, tuple[Any, ...]]]:
    """The SQL of one projected batch: definitions first (the frequent records' SQL reads their
    names and version tags), then the frequent records (ends, then the starts that join them),
    then incidents and their changes to instances and flow nodes, decisions, and the
    position."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    if batch.definitions:
        out.append((_insert("process_definitions", PD_COLUMNS), (_rows(batch.definitions),)))
    if batch.element_names:
        out.append((_INSERT_NAMES, (_rows(batch.element_names),)))
    ends = batch.hot[ENDS]
    if ends:
        out.append((_ENDS[0], (orjson.dumps(ends).decode(),)))
        out.extend((sql, ()) for sql in _ENDS[1:])
    for sql, items in zip(hot_statements(batch.source), batch.hot, strict=True):
        if items and sql:
            out.append((sql, (_array(items),)))
    if ends:
        out.append((_CLEAR_ENDS, ()))
    if batch.incidents:
        out.append((_INSERT_INCIDENT, (_rows(batch.incidents.values()),)))
    if batch.incident_changes:
        changes = _rows(batch.incident_changes)
        out.append((_INCIDENTS_FNI, (changes,)))
        out.append((_INCIDENTS_PI, (changes,)))
    for sql, keyed in (
        (_INCIDENT_KEY, batch.flownode_incidents),
        (_RESOLVE, batch.incident_states),
    ):
        if keyed:
            out.append((sql, (_rows(keyed.items()),)))
    if batch.drds:
        out.append((_insert("decision_requirements", DRD_COLUMNS), (_rows(batch.drds),)))
    if batch.decisions:
        out.append((_insert("decision_definitions", DD_COLUMNS), (_rows(batch.decisions),)))
        out.append((_DECISION_NAMES, ()))
    if batch.decision_instances:
        out.append((_insert("decision_instances", DI_COLUMNS), (_rows(batch.decision_instances),)))
    for kind, statements in _DELETIONS.items():
        keys = [key for deleted, key in batch.deletions if deleted == kind]
        if keys:
            out.extend((sql, (_rows(keys),)) for sql in statements)
    out.append((_POSITION, (batch.position,)))
    return out
