"""Batch: the read-model rows that commits add or change, and the SQL that writes them.

Each statement writes all of a table's rows in the batch from one JSON array (`json_each`), so
SQLite does the work in one call, with the GIL released, instead of one round trip per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from zeebind.exporters.read_model import (
    DD_COLUMNS,
    DI_COLUMNS,
    DRD_COLUMNS,
    FNI_COLUMNS,
    INCIDENT_COLUMNS,
    PD_COLUMNS,
    PI_COLUMNS,
    VARIABLE_COLUMNS,
)

Statements = list[tuple[str, tuple[Any, ...]]]


class Batch:
    """The rows commits add or change; rows created in the same batch are changed in place."""

    __slots__ = (
        "decision_instances",
        "decisions",
        "definitions",
        "drds",
        "first",
        "flownode_ends",
        "flownode_incidents",
        "flownodes",
        "flows",
        "incident_states",
        "incidents",
        "instance_ends",
        "instance_incidents",
        "instances",
        "position",
        "variables",
    )

    def __init__(self) -> None:
        self.first = 0  # the position of the first record projected into it
        self.position = 0  # ... and of the last
        self.definitions: list[tuple[Any, ...]] = []
        self.instances: dict[int, list[Any]] = {}
        self.instance_ends: dict[int, tuple[str, int]] = {}
        self.instance_incidents: dict[int, int] = {}
        self.flownodes: dict[int, list[Any]] = {}
        self.flownode_ends: dict[int, tuple[str, int]] = {}
        self.flownode_incidents: dict[int, tuple[int, int | None]] = {}
        self.flows: list[tuple[int, int, str]] = []
        self.variables: dict[int, tuple[Any, ...]] = {}
        self.incidents: dict[int, list[Any]] = {}
        self.incident_states: dict[int, str] = {}
        self.drds: list[tuple[Any, ...]] = []
        self.decisions: list[tuple[Any, ...]] = []
        self.decision_instances: list[tuple[Any, ...]] = []

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


_INSERT_PI = _insert("process_instances", PI_COLUMNS)
_INSERT_FNI = _insert("flownode_instances", FNI_COLUMNS)
_INSERT_INCIDENT = _insert("incidents", INCIDENT_COLUMNS)
_INSERT_FLOW = _insert("sequence_flows", ("key", "process_instance_key", "sequence_flow_id"))
_UPSERT_VARIABLE = (
    _insert("variables", VARIABLE_COLUMNS).replace("INSERT OR REPLACE", "INSERT")
    + " WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_END_PI = (
    "UPDATE process_instances SET state = j.value->>1, end_date = j.value->>2 "
    "FROM json_each(?) AS j WHERE process_instances.key = j.value->>0"
)
_INCIDENTS_PI = (
    "UPDATE process_instances SET incident_count = incident_count + (j.value->>1), "
    "incident = (incident_count + (j.value->>1) > 0) FROM json_each(?) AS j "
    "WHERE process_instances.key = j.value->>0"
)
_END_FNI = (
    "UPDATE flownode_instances SET state = j.value->>1, end_date = j.value->>2 "
    "FROM json_each(?) AS j WHERE flownode_instances.key = j.value->>0"
)
_INCIDENT_FNI = (
    "UPDATE flownode_instances SET incident = j.value->>1, incident_key = j.value->>2 "
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
_POSITION = (
    "INSERT INTO export_position (id, position) VALUES (1, ?) "
    "ON CONFLICT (id) DO UPDATE SET position = excluded.position"
)


def _statements(batch: Batch) -> list[tuple[str, tuple[Any, ...]]]:
    """The SQL of one projected batch: inserts first, then changes to rows of earlier batches
    (each key once, so that UPDATE ... FROM sees one row per key)."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    if batch.definitions:
        out.append((_insert("process_definitions", PD_COLUMNS), (_rows(batch.definitions),)))
    for sql, rows in (
        (_INSERT_PI, batch.instances.values()),
        (_INSERT_FNI, batch.flownodes.values()),
        (_INSERT_INCIDENT, batch.incidents.values()),
        (_INSERT_FLOW, batch.flows),
        (_UPSERT_VARIABLE, batch.variables.values()),
    ):
        if rows:
            out.append((sql, (_rows(rows),)))
    for sql, changes in (
        (_END_PI, batch.instance_ends),
        (_INCIDENTS_PI, batch.instance_incidents),
        (_END_FNI, batch.flownode_ends),
        (_INCIDENT_FNI, batch.flownode_incidents),
        (_RESOLVE, batch.incident_states),
    ):
        if changes:
            values = changes.items()
            out.append(
                (sql, (_rows([k, *v] if isinstance(v, tuple) else [k, v] for k, v in values),))
            )
    if batch.drds:
        out.append((_insert("decision_requirements", DRD_COLUMNS), (_rows(batch.drds),)))
    if batch.decisions:
        out.append((_insert("decision_definitions", DD_COLUMNS), (_rows(batch.decisions),)))
        out.append((_DECISION_NAMES, ()))
    if batch.decision_instances:
        out.append((_insert("decision_instances", DI_COLUMNS), (_rows(batch.decision_instances),)))
    out.append((_POSITION, (batch.position,)))
    return out
