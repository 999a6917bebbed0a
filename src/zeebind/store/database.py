"""The record log in SQLite (WAL): one transaction per batch of processed commands.

Checkpoints (copying the WAL back into the database file) do not run inside the broker's
commits: SQLite's automatic checkpoint would make the commit that crosses 1000 pages copy and
sync them all (a third of a 10k-timer burst's time). A checkpoint thread with its own connection
runs a PASSIVE checkpoint whenever about as much has been appended since the last one; it does
not block the writer, and SQLite releases the GIL while it works.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from zeebind.protocol.json import dumps, loads
from zeebind.protocol.record import Record, RecordType, RejectionType, ValueType

log = logging.getLogger("zeebind.store")

SCHEMA_VERSION = 2
# About SQLite's default automatic checkpoint: 1000 pages of 4 KiB.
CHECKPOINT_BYTES = 4 * 1024 * 1024
# A WAL of this many frames (64 MiB of 4 KiB pages) is finished by the writer itself so that it
# can start over (see _finish_checkpoint).
WAL_RESTART_FRAMES = 16_384
_ROW_OVERHEAD_BYTES = 16  # the position and the b-tree cell, roughly

# One row a record: its position, and the rest of the envelope with the value as one JSON array
# (`_FIELDS` order). Two columns bind and encode in a third of the time of eleven (a 10k-timer
# burst writes 110k rows in one commit); `records_view` shows the envelope column by column.
_FIELDS = (
    "source_position",
    "key",
    "timestamp",
    "record_type",
    "value_type",
    "intent",
    "rejection_type",
    "rejection_reason",
    "operation_reference",
    "value",
)


def record_path(field: str) -> str:
    """The JSON path of an envelope field (a `_FIELDS` name) in `records.record`, for SQL that
    reads the log without decoding it in Python (the Operate exporter)."""
    return f"$[{_FIELDS.index(field)}]"


_VIEW_COLUMNS = ", ".join(
    f"record->'$[{i}]' AS {name}" if name == "value" else f"record->>{i} AS {name}"
    for i, name in enumerate(_FIELDS)
)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS records (
    position INTEGER PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    position INTEGER PRIMARY KEY,
    format INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE VIEW IF NOT EXISTS records_view AS SELECT position, {_VIEW_COLUMNS} FROM records;
"""
_INSERT = "INSERT INTO records (position, record) VALUES (?, ?)"
# Version 1 kept the envelope in columns of their own.
_MIGRATE_FROM_1 = """
CREATE TABLE records_2 (position INTEGER PRIMARY KEY, record TEXT NOT NULL);
INSERT INTO records_2 (position, record)
    SELECT position, json_array(source_position, key, timestamp, record_type, value_type, intent,
        rejection_type, rejection_reason, operation_reference, json(value))
    FROM records ORDER BY position;
DROP TABLE records;
ALTER TABLE records_2 RENAME TO records;
"""


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
        if version not in (0, 1, SCHEMA_VERSION):
            raise RuntimeError(
                f"database {path} has schema version {version}; this zeebind reads versions "
                f"1 and {SCHEMA_VERSION}"
            )
        if version == 1:
            self._migrate_from_1()
        self._connection.executescript(_SCHEMA)
        self._connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._checkpointer: Checkpointer | None = None
        self._unchecked_bytes = 0  # appended since the last checkpoint request
        if path is not None:
            self._connection.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = Checkpointer(path)

    def _migrate_from_1(self) -> None:
        connection = self._connection
        connection.execute("BEGIN")
        try:
            for statement in _MIGRATE_FROM_1.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        log.info("log %s converted from schema version 1 to %d", self.path, SCHEMA_VERSION)

    def append(self, records: list[Record]) -> None:
        """Writes the records in one transaction; returns once it is committed."""
        if not records:
            return
        rows = [
            (
                r.position,
                dumps(
                    (
                        r.source_record_position,
                        r.key,
                        r.timestamp,
                        r.record_type,
                        r.value_type,
                        r.intent,
                        r.rejection_type,
                        r.rejection_reason,
                        r.operation_reference,
                        r.value,
                    )
                ),
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
        if self._checkpointer is not None:
            self._unchecked_bytes += sum(len(row[1]) for row in rows)
            self._unchecked_bytes += _ROW_OVERHEAD_BYTES * len(rows)
            if self._unchecked_bytes >= CHECKPOINT_BYTES:
                self._unchecked_bytes = 0
                self._checkpointer.request()
            if self._checkpointer.wal_frames >= WAL_RESTART_FRAMES:
                self._finish_checkpoint(self._checkpointer)

    def _finish_checkpoint(self, checkpointer: Checkpointer) -> None:
        """The WAL starts over only after a checkpoint that copied all of it, and the thread's
        checkpoints never do that under a continuous stream of commits (each one ends behind the
        commits made meanwhile): the WAL grew without bound. So once it is large the writer
        copies the few frames the thread has not copied yet itself, between two commits; the
        next commit then writes the WAL from its beginning. Busy (the thread is checkpointing)
        or incomplete (a reader is in the WAL): tried again once the thread has reported the
        WAL's length again (its next checkpoint), not after every commit."""
        checkpointer.wal_frames = 0
        try:
            self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            # The records are committed already: a failed checkpoint must not look like a
            # failed append. The WAL only grows until a later one works.
            log.exception("finishing a checkpoint of the log failed")

    def records(self, after_position: int = 0) -> Iterator[Record]:
        cursor = self._connection.execute(
            "SELECT position, record FROM records WHERE position > ? ORDER BY position",
            (after_position,),
        )
        for position, text in cursor:
            (
                source_position,
                key,
                timestamp,
                record_type,
                value_type,
                intent,
                rejection_type,
                rejection_reason,
                operation_reference,
                value,
            ) = loads(text)
            yield Record(
                record_type=RecordType(record_type),
                value_type=ValueType(value_type),
                intent=intent,
                value=value,
                key=key,
                position=position,
                source_record_position=source_position,
                timestamp=timestamp,
                rejection_type=RejectionType(rejection_type) if rejection_type else None,
                rejection_reason=rejection_reason,
                operation_reference=operation_reference,
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
        if self._checkpointer is not None:
            self._checkpointer.stop()
        # Closing the last connection checkpoints the rest and removes the WAL.
        self._connection.close()


class Checkpointer:
    """A thread that copies the WAL into the database file when asked (PASSIVE checkpoints)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._due = threading.Event()
        self._stopping = False
        self._requested = False
        self.checkpoints = 0
        self.wal_frames = 0  # the WAL's length in frames at the last checkpoint
        self._thread = threading.Thread(target=self._run, name="zeebind-checkpoint", daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._requested = True
        self._due.set()

    def stop(self) -> None:
        self._stopping = True
        self._due.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(str(self._path), isolation_level=None)
        try:
            while True:
                self._due.wait()
                self._due.clear()
                if self._requested:  # a request made just before stop() still runs
                    self._requested = False
                    try:
                        row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                        self.wal_frames = int(row[1])
                        self.checkpoints += 1
                    except sqlite3.Error:
                        # The WAL only grows until the next checkpoint works; nothing is lost.
                        log.exception("checkpointing the log failed")
                if self._stopping:
                    return
        finally:
            connection.close()
