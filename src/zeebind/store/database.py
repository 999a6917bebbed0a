"""The record log in SQLite (WAL): one transaction per batch of processed commands."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from zeebind.protocol.json import dumps, loads
from zeebind.protocol.record import Record, RecordType, RejectionType, ValueType

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    position INTEGER PRIMARY KEY,
    source_position INTEGER NOT NULL,
    key INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    record_type TEXT NOT NULL,
    value_type TEXT NOT NULL,
    intent TEXT NOT NULL,
    rejection_type TEXT,
    rejection_reason TEXT NOT NULL DEFAULT '',
    operation_reference INTEGER,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    position INTEGER PRIMARY KEY,
    format INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""
_INSERT = (
    "INSERT INTO records (position, source_position, key, timestamp, record_type, value_type, "
    "intent, rejection_type, rejection_reason, operation_reference, value) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_COLUMNS = (
    "position, source_position, key, timestamp, record_type, value_type, intent, "
    "rejection_type, rejection_reason, operation_reference, value"
)


class Database:
    """The log of one partition. `path` None keeps it in memory (tests, `--in-memory`)."""

    def __init__(self, path: Path | None, *, synchronous: str = "NORMAL") -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(
            str(path) if path is not None else ":memory:",
            isolation_level=None,
            check_same_thread=False,
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        # NORMAL survives a killed process (kill -9); FULL also survives power loss.
        self._connection.execute(f"PRAGMA synchronous={synchronous}")
        # Big batches (a burst of timers) stay in the page cache until the commit.
        self._connection.execute("PRAGMA cache_size=-65536")
        version = self._connection.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise RuntimeError(
                f"database {path} has schema version {version}; this zeebind reads version "
                f"{SCHEMA_VERSION}"
            )
        self._connection.executescript(_SCHEMA)
        self._connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def append(self, records: list[Record]) -> None:
        """Writes the records in one transaction; returns once it is committed."""
        if not records:
            return
        rows = [
            (
                r.position,
                r.source_record_position,
                r.key,
                r.timestamp,
                r.record_type,
                r.value_type,
                r.intent,
                r.rejection_type,
                r.rejection_reason,
                r.operation_reference,
                dumps(r.value),
            )
            for r in records
        ]
        connection = self._connection
        connection.execute("BEGIN")
        try:
            connection.executemany(_INSERT, rows)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def records(self, after_position: int = 0) -> Iterator[Record]:
        cursor = self._connection.execute(
            f"SELECT {_COLUMNS} FROM records WHERE position > ? ORDER BY position",
            (after_position,),
        )
        for row in cursor:
            yield Record(
                record_type=RecordType(row[4]),
                value_type=ValueType(row[5]),
                intent=row[6],
                value=loads(row[10]),
                key=row[2],
                position=row[0],
                source_record_position=row[1],
                timestamp=row[3],
                rejection_type=RejectionType(row[7]) if row[7] else None,
                rejection_reason=row[8],
                operation_reference=row[9],
            )

    def save_snapshot(self, position: int, snapshot_format: int, data: bytes) -> None:
        """Keeps one snapshot: the state after the record at `position`."""
        connection = self._connection
        connection.execute("BEGIN")
        try:
            connection.execute("DELETE FROM snapshots")
            connection.execute(
                "INSERT INTO snapshots (position, format, data) VALUES (?, ?, ?)",
                (position, snapshot_format, data),
            )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def latest_snapshot(self) -> tuple[int, int, bytes] | None:
        row = self._connection.execute(
            "SELECT position, format, data FROM snapshots ORDER BY position DESC LIMIT 1"
        ).fetchone()
        return (int(row[0]), int(row[1]), bytes(row[2])) if row else None

    def last_position(self) -> int:
        row = self._connection.execute("SELECT MAX(position) FROM records").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        self._connection.close()
