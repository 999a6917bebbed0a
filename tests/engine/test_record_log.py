"""The record log on disk: the row format, the conversion from version 1, checkpoints."""

from __future__ import annotations

import base64
import gc
import json
import sqlite3
import weakref
from pathlib import Path

import pytest
from engine_models import ONE_TASK

from zeebind.engine.engine import Engine
from zeebind.protocol.record import Record, RecordType, RejectionType, ValueType
from zeebind.store import database as database_module
from zeebind.store.database import Database

_V1_SCHEMA = """
CREATE TABLE records (
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
CREATE TABLE snapshots (position INTEGER PRIMARY KEY, format INTEGER NOT NULL, data BLOB NOT NULL);
PRAGMA user_version=1;
"""


def _records() -> list[Record]:
    return [
        Record(
            RecordType.COMMAND,
            ValueType.JOB,
            "COMPLETE",
            {"variables": {"big": 2**70, "text": "ünï"}},
            key=5,
            position=1,
            timestamp=1_700_000_000_000,
            operation_reference=42,
        ),
        Record(
            RecordType.COMMAND_REJECTION,
            ValueType.JOB,
            "COMPLETE",
            {"variables": {}},
            key=5,
            position=2,
            source_record_position=1,
            timestamp=1_700_000_000_000,
            rejection_type=RejectionType.NOT_FOUND,
            rejection_reason="Expected to complete job with key '5', but no such job was found",
        ),
        Record(
            RecordType.EVENT,
            ValueType.PROCESS_INSTANCE,
            "ELEMENT_ACTIVATED",
            {"elementId": "task", "nested": [1, None, {"a": True}]},
            key=2251799813685251,
            position=3,
            source_record_position=1,
            timestamp=1_700_000_000_001,
        ),
    ]


def test_records_read_back_field_for_field(tmp_path: Path) -> None:
    database = Database(tmp_path / "zeebind.db")
    database.append(_records())
    assert list(database.records()) == _records()
    assert [r.position for r in database.records(1)] == [2, 3]
    database.close()


def test_the_view_shows_the_envelope_column_by_column(tmp_path: Path) -> None:
    database = Database(tmp_path / "zeebind.db")
    database.append(_records())
    database.close()
    connection = sqlite3.connect(tmp_path / "zeebind.db")
    rows = connection.execute(
        "SELECT position, key, record_type, value_type, intent, rejection_type, value "
        "FROM records_view ORDER BY position"
    ).fetchall()
    connection.close()
    assert rows[1][:6] == (2, 5, "COMMAND_REJECTION", "JOB", "COMPLETE", "NOT_FOUND")
    assert json.loads(rows[2][6]) == {"elementId": "task", "nested": [1, None, {"a": True}]}


def test_a_version_1_log_is_converted_on_open_and_nothing_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "zeebind.db"
    connection = sqlite3.connect(path)
    connection.executescript(_V1_SCHEMA)
    for r in _records():
        connection.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r.position,
                r.source_record_position,
                r.key,
                r.timestamp,
                str(r.record_type),
                str(r.value_type),
                r.intent,
                str(r.rejection_type) if r.rejection_type else None,
                r.rejection_reason,
                r.operation_reference,
                json.dumps(r.value, separators=(",", ":")),
            ),
        )
    connection.execute("INSERT INTO snapshots VALUES (3, 7, x'00')")
    connection.commit()
    connection.close()

    database = Database(path)
    assert list(database.records()) == _records()
    assert database.latest_snapshot() == (3, 7, b"\x00")
    database.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == database_module.SCHEMA_VERSION
    check.close()


def test_a_log_of_an_unknown_version_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "zeebind.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version=99")
    connection.close()
    with pytest.raises(RuntimeError, match="schema version 99"):
        Database(path)


def test_commits_do_not_checkpoint_the_thread_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "CHECKPOINT_BYTES", 64 * 1024)
    database = Database(tmp_path / "zeebind.db")
    connection = database._connection
    assert connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    big = {"text": "x" * 2000}
    for batch in range(10):
        database.append(
            [
                Record(RecordType.EVENT, ValueType.VARIABLE, "CREATED", big, position=n)
                for n in range(batch * 20 + 1, batch * 20 + 21)
            ]
        )
    checkpointer = database._checkpointer
    assert checkpointer is not None
    checkpointer.stop()  # waits for the requested checkpoints to finish
    assert checkpointer.checkpoints >= 1
    # The checkpointed pages are in the database file itself now.
    assert (tmp_path / "zeebind.db").stat().st_size > 64 * 1024
    assert len(list(database.records())) == 200
    database._checkpointer = None
    database.close()


def test_an_in_memory_log_has_no_checkpoint_thread() -> None:
    database = Database(None)
    assert database._checkpointer is None
    database.append(_records())
    assert len(list(database.records())) == 3
    database.close()


def test_a_processing_step_is_freed_without_the_garbage_collector() -> None:
    # A step's records must go with their last reference, not wait for a cyclic collection:
    # a burst of 10k timers spent a quarter of its time in one otherwise.
    engine = Engine()
    resource = base64.b64encode(ONE_TASK.encode()).decode()
    deploy = Record(
        RecordType.COMMAND,
        ValueType.DEPLOYMENT,
        "CREATE",
        {"resources": [{"resourceName": "one-task.bpmn", "resource": resource}]},
        timestamp=1_000,
    )
    assert engine.process(deploy).rejection is None
    command = Record(
        RecordType.COMMAND,
        ValueType.PROCESS_INSTANCE_CREATION,
        "CREATE",
        {"bpmnProcessId": "one-task", "version": -1},
        timestamp=2_000,
    )
    gc.disable()
    try:
        step = engine.process(command)
        assert step.rejection is None
        assert len(step.records) > 5
        watcher = weakref.ref(step)
        del step
        assert watcher() is None
    finally:
        gc.enable()


def test_the_wal_starts_over_under_a_continuous_stream_of_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Passive checkpoints on the thread always end behind the commits made meanwhile, so the
    # WAL could never start over and grew with the log; the writer now finishes it when large.
    monkeypatch.setattr(database_module, "CHECKPOINT_BYTES", 128 * 1024)
    monkeypatch.setattr(database_module, "WAL_RESTART_FRAMES", 256)  # 1 MiB
    database = Database(tmp_path / "zeebind.db")
    value = {"text": "x" * 1000}
    position = 0
    for _ in range(2000):  # 10 kB a commit, 20 MB in all, no pause between commits
        records = []
        for _ in range(10):
            position += 1
            records.append(
                Record(RecordType.EVENT, ValueType.VARIABLE, "CREATED", value, position=position)
            )
        database.append(records)
    # Without starting over the WAL holds all of it (about 50 MB); with, a few restart sizes.
    wal = (tmp_path / "zeebind.db-wal").stat().st_size
    assert wal < 16 * 1024 * 1024, f"the WAL grew to {wal} bytes"
    assert len(list(database.records(position - 1))) == 1
    database.close()
