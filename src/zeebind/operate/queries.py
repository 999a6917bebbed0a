"""Operate's search contract over the read model: `{filter, size, sort, searchAfter}` to SQL.

Sorting always ends with the entity's key as a tie-breaker (in the direction of the last sort
field, so that an index on that field serves the order), and `searchAfter` continues strictly
after the row whose sort values it repeats, so paging is stable. Nulls sort last in both
directions (as Elasticsearch sorts missing values).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from zeebind.operate.dates import date_range, parse_date
from zeebind.operate.schemas import Entity, Field, Kind, sort_value
from zeebind.operate.status import DATA_INVALID, INVALID_REQUEST, NOT_FOUND, OperateError

DEFAULT_SIZE = 10
MAX_SIZE = 1000
_INT64 = (-(2**63), 2**63 - 1)
_INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class Sort:
    field: Field
    descending: bool


@dataclass(frozen=True)
class Query:
    conditions: list[tuple[str, list[Any]]]
    size: int
    sort: list[Sort]
    search_after: list[Any] | None


def _invalid(message: str) -> OperateError:
    return OperateError(DATA_INVALID, message)


def _bad_value(where: str, f: Field, value: Any, expected: str) -> OperateError:
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    return OperateError(
        INVALID_REQUEST, f"{where} field '{f.name}' must be {expected}, not {shown}"
    )


def to_sql(where: str, f: Field, value: Any) -> Any:
    """A JSON filter (or searchAfter) value of field `f` as the value its column holds."""
    kind = f.kind
    if kind in (Kind.INT64, Kind.INT32):
        low, high = _INT64 if kind is Kind.INT64 else _INT32
        number = value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value)  # keys beyond 2^53 may come as strings from JS clients
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise _bad_value(where, f, value, f"an integer ({kind})")
        return number
    if kind is Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise _bad_value(where, f, value, "true or false")
        return int(value)
    if kind is Kind.ENUM:
        if value not in f.values:
            raise _bad_value(where, f, value, "one of " + ", ".join(f.values))
        return value
    if kind is Kind.DATE:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if not isinstance(value, str):
            raise _bad_value(where, f, value, "a date like 2023-03-21T08:25:04.499+0000")
        try:
            return parse_date(value)
        except ValueError as err:
            raise OperateError(INVALID_REQUEST, f"{where} field '{f.name}': {err}") from None
    if not isinstance(value, str):
        raise _bad_value(where, f, value, "a string")
    return value


def _field(entity: Entity, name: Any, where: str) -> Field:
    if isinstance(name, str):
        name = entity.aliases.get(name, name) if where == "Filter" else name
        found = entity.field(name)
        if found is not None and found.searchable:
            return found
    raise _invalid(f"{where} has invalid field(s): {name}")


def _conditions(entity: Entity, raw: Any) -> list[tuple[str, list[Any]]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise OperateError(INVALID_REQUEST, "'filter' must be an object of entity fields")
    unknown = [name for name in raw if not _searchable(entity, entity.aliases.get(name, name))]
    if unknown:
        raise _invalid("Filter has invalid field(s): " + ", ".join(unknown))
    out: list[tuple[str, list[Any]]] = []
    for name, value in raw.items():
        if value is None:
            continue  # Operate ignores null filter fields
        f = _field(entity, name, "Filter")
        if f.kind is Kind.DATE and isinstance(value, str):
            try:
                low, high = date_range(value)
            except ValueError as err:
                raise OperateError(INVALID_REQUEST, f"Filter field '{f.name}': {err}") from None
            out.append((f"{f.column} >= ? AND {f.column} < ?", [low, high]))
        else:
            out.append((f"{f.column} = ?", [to_sql("Filter", f, value)]))
    return out


def _size(raw: Any) -> int:
    if raw is None:
        return DEFAULT_SIZE
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_SIZE:
        raise OperateError(
            INVALID_REQUEST, f"size should be greater than zero and equal or less than {MAX_SIZE}"
        )
    return raw


def _sort(entity: Entity, raw: Any) -> list[Sort]:
    if raw is None or raw == []:
        return []
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise OperateError(
            INVALID_REQUEST, '\'sort\' must be a list like [{"field": "key", "order": "ASC"}]'
        )
    if all(s.get("field") is None for s in raw):
        raise _invalid(
            'No \'field\' given in sort. Example: "sort": [{"field":"name","order": "ASC"}]'
        )
    invalid = [str(s.get("field")) for s in raw if not _searchable(entity, s.get("field"))]
    if invalid:
        raise _invalid("Sort has invalid field(s): " + ", ".join(invalid))
    out: list[Sort] = []
    for s in raw:
        order = s.get("order", "ASC")
        if not isinstance(order, str) or order.upper() not in ("ASC", "DESC"):
            raise OperateError(
                INVALID_REQUEST, f"sort order of '{s['field']}' must be ASC or DESC, not {order!r}"
            )
        out.append(Sort(_field(entity, s["field"], "Sort"), order.upper() == "DESC"))
    return out


def _searchable(entity: Entity, name: Any) -> bool:
    found = entity.field(name) if isinstance(name, str) else None
    return found is not None and found.searchable


def parse(entity: Entity, body: Any) -> Query:
    """Validates a search body; OperateError (400) names the field that is wrong."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise OperateError(INVALID_REQUEST, "the search body must be a JSON object")
    unknown = [name for name in body if name not in ("filter", "size", "sort", "searchAfter")]
    if unknown:
        raise OperateError(
            INVALID_REQUEST,
            "unknown search field(s): " + ", ".join(unknown) + " (use filter, size, sort, "
            "searchAfter)",
        )
    sort = _sort(entity, body.get("sort"))
    columns = _columns(entity, sort)
    search_after = body.get("searchAfter")
    if search_after is not None:
        if not isinstance(search_after, list) or not search_after:
            raise _invalid("searchAfter should have a least 1 value")
        if len(search_after) != len(columns):
            raise _invalid(f"searchAfter should have a {len(columns)} values")
        search_after = [
            None if value is None else to_sql("searchAfter", s.field, value)
            for s, value in zip(columns, search_after, strict=True)
        ]
    return Query(
        _conditions(entity, body.get("filter")), _size(body.get("size")), sort, search_after
    )


def _columns(entity: Entity, sort: list[Sort]) -> list[Sort]:
    return [*sort, Sort(entity.key_field, sort[-1].descending if sort else False)]


def _after(columns: list[Sort], values: list[Any]) -> tuple[str, list[Any]]:
    """Rows strictly after `values` in the order of `columns` (nulls last either way)."""
    clauses: list[str] = []
    params: list[Any] = []
    prefix: list[str] = []
    prefix_params: list[Any] = []
    for s, value in zip(columns, values, strict=True):
        column = s.field.column
        if value is None:
            step = None  # nothing sorts after null but other nulls, handled by the next column
        else:
            op = "<" if s.descending else ">"
            test = f"{column} {op} ?"
            step = (f"({test} OR {column} IS NULL)" if s.field.nullable else test, [value])
        if step is not None:
            clauses.append(" AND ".join([*prefix, step[0]]))
            params.extend([*prefix_params, *step[1]])
        if value is None:
            prefix.append(f"{column} IS NULL")
        else:
            prefix.append(f"{column} = ?")
            prefix_params.append(value)
    if not clauses:
        return "0", []
    return "(" + " OR ".join(f"({c})" for c in clauses) + ")", params


def search(connection: sqlite3.Connection, entity: Entity, query: Query) -> dict[str, Any]:
    columns = _columns(entity, query.sort)
    where = [c for c, _ in query.conditions]
    params = [p for _, ps in query.conditions for p in ps]
    filter_sql = " AND ".join(where) if where else "1"
    total = connection.execute(
        f"SELECT COUNT(*) FROM {entity.table} WHERE {filter_sql}", params
    ).fetchone()[0]
    page_where, page_params = list(where), list(params)
    if query.search_after is not None:
        clause, after_params = _after(columns, query.search_after)
        page_where.append(clause)
        page_params.extend(after_params)
    order = ", ".join(
        f"{s.field.column} {'DESC' if s.descending else 'ASC'}"
        + (" NULLS LAST" if s.field.nullable else "")
        for s in columns
    )
    sort_columns = ", ".join(s.field.column for s in columns)
    sql = (
        f"SELECT {entity.columns()}, {sort_columns} FROM {entity.table} "
        f"WHERE {' AND '.join(page_where) if page_where else '1'} ORDER BY {order} LIMIT ?"
    )
    rows = connection.execute(sql, [*page_params, query.size]).fetchall()
    width = len(entity.fields)
    items = [entity.render(row[:width]) for row in rows]
    sort_values: list[Any] = []
    if rows:
        last = rows[-1][width:]
        sort_values = [sort_value(s.field.kind, v) for s, v in zip(columns, last, strict=True)]
    return {"items": items, "sortValues": sort_values, "total": total}


def parse_key(entity: Entity, text: str) -> Any:
    f = entity.key_field
    if f.kind is Kind.STRING:
        return text
    try:
        number = int(text)
    except ValueError:
        raise OperateError(
            INVALID_REQUEST, f"'{text}' is not a valid {f.name}: expected an integer (int64)"
        ) from None
    if not _INT64[0] <= number <= _INT64[1]:
        raise OperateError(INVALID_REQUEST, f"'{text}' is out of the int64 range")
    return number


def get(connection: sqlite3.Connection, entity: Entity, key: Any) -> dict[str, Any]:
    rows = connection.execute(
        f"SELECT {entity.columns()} FROM {entity.table} WHERE {entity.key_field.column} = ? "
        "LIMIT 2",
        (key,),
    ).fetchall()
    noun = "id" if entity.key != "key" else "key"
    if not rows:
        raise OperateError(NOT_FOUND, f"No {entity.plural} found for {noun} {key} ")
    return entity.render(rows[0], full=True)


def statistics(connection: sqlite3.Connection, key: int) -> list[dict[str, Any]]:
    """Per flow node of one process instance: how many of its instances are in which state.
    As Operate's: a multi-instance body is not counted as active, canceled or completed (its
    inner instances are), and `incidents` counts the instances with an incident in any state."""
    body = "type != 'MULTI_INSTANCE_BODY'"
    rows = connection.execute(
        "SELECT flow_node_id, "
        f"SUM(state = 'ACTIVE' AND incident = 0 AND {body}), SUM(state = 'TERMINATED' AND {body}), "
        f"SUM(incident = 1), SUM(state = 'COMPLETED' AND {body}) "
        "FROM flownode_instances WHERE process_instance_key = ? "
        "GROUP BY flow_node_id ORDER BY flow_node_id",
        (key,),
    ).fetchall()
    return [
        {"activityId": r[0], "active": r[1], "canceled": r[2], "incidents": r[3], "completed": r[4]}
        for r in rows
    ]


def sequence_flows(connection: sqlite3.Connection, key: int) -> list[str]:
    rows = connection.execute(
        "SELECT DISTINCT sequence_flow_id FROM sequence_flows WHERE process_instance_key = ? "
        "ORDER BY sequence_flow_id",
        (key,),
    ).fetchall()
    return [r[0] for r in rows]


def xml(connection: sqlite3.Connection, entity: Entity, key: int) -> str:
    column = "bpmn_xml" if entity.table == "process_definitions" else "dmn_xml"
    row = connection.execute(
        f"SELECT {column} FROM {entity.table} WHERE key = ?", (key,)
    ).fetchone()
    if row is None:
        raise OperateError(NOT_FOUND, f"No {entity.plural} found for key {key} ")
    return str(row[0])


def instance_state(connection: sqlite3.Connection, key: int) -> str:
    row = connection.execute("SELECT state FROM process_instances WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise OperateError(NOT_FOUND, f"No process instances found for key {key} ")
    return str(row[0])
