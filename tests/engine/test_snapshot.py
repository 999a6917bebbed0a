"""Snapshots: a restart loads the latest snapshot and replays only the tail of the log."""

from __future__ import annotations

from pathlib import Path

from engine_models import ONE_TASK

from zeebind.broker import Broker
from zeebind.store.database import Database
from zeebind.testing import EngineHarness


async def test_restart_from_a_periodic_snapshot_plus_tail_equals_the_live_state(
    tmp_path: Path,
) -> None:
    async with EngineHarness(tmp_path) as h:
        h.b.snapshot_interval = 50
        await h.deploy(("one-task.bpmn", ONE_TASK))
        for n in range(10):
            await h.create_instance("one-task", {"n": n})
        jobs = await h.activate_jobs("work", max_jobs=4)
        for key, _ in jobs:
            await h.complete_job(key)
        periodic = h.b.database.latest_snapshot()
        assert periodic is not None
        await h.create_instance("one-task", {"n": 99})  # lands after the snapshot: the tail
        live = h.b.engine.state.dump()
        assert periodic[0] < h.b.engine.state.last_position
    # Put the periodic snapshot back (close wrote a newer one) and drop the log before it:
    # only snapshot + tail can give the state back now.
    database = Database(tmp_path / "zeebind.db")
    database.save_snapshot(*periodic)
    database._connection.execute("DELETE FROM records WHERE position <= ?", (periodic[0],))
    database.close()
    broker = await Broker.open(tmp_path)
    try:
        assert broker.engine.state.dump() == live
    finally:
        await broker.close()


async def test_unreadable_snapshot_falls_back_to_the_log(tmp_path: Path) -> None:
    async with EngineHarness(tmp_path) as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        instance = await h.create_instance("one-task")
    database = Database(tmp_path / "zeebind.db")
    position, fmt, _ = database.latest_snapshot() or (0, 0, b"")
    database.save_snapshot(position, fmt, b"not a snapshot")
    database.close()
    async with EngineHarness(tmp_path) as h:
        [(job_key, job)] = await h.activate_jobs("work")
        assert job["processInstanceKey"] == instance
        await h.complete_job(job_key)
        assert h.is_completed(instance)


async def test_snapshot_of_another_state_layout_falls_back_to_the_log(tmp_path: Path) -> None:
    import pickle

    from zeebind.engine import snapshot
    from zeebind.engine.state import State

    async with EngineHarness(tmp_path) as h:
        await h.deploy(("one-task.bpmn", ONE_TASK))
        instance = await h.create_instance("one-task")
        position = h.b.engine.state.last_position
    old = State()
    del old.timers  # a state from a zeebind that had no timers yet
    database = Database(tmp_path / "zeebind.db")
    database.save_snapshot(position, snapshot.FORMAT, pickle.dumps(old))
    database.close()
    async with EngineHarness(tmp_path) as h:
        [(_, job)] = await h.activate_jobs("work")
        assert job["processInstanceKey"] == instance


def test_the_snapshot_format_follows_the_layout_of_every_state_class() -> None:
    import dataclasses

    from zeebind.engine import snapshot, state

    before = snapshot.FORMAT
    assert before == snapshot._layout()
    # A field added to a nested class (not only to State) changes the format.
    original = state.ElementInstance

    @dataclasses.dataclass(slots=True)
    class ElementInstance(original):  # type: ignore[misc,valid-type]
        added_later: int = 0

    ElementInstance.__module__ = state.__name__
    state.ElementInstance = ElementInstance  # type: ignore[misc]
    try:
        assert snapshot._layout() != before
    finally:
        state.ElementInstance = original  # type: ignore[misc]
    assert snapshot._layout() == before
