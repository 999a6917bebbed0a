"""Snapshots of the engine state, so that a restart replays only the tail of the log.

The log stays the source of truth: a snapshot that cannot be read (another zeebind version, a
changed state layout) is ignored and the state is rebuilt from the whole log. Snapshots are written
by zeebind into its own database file, never taken from elsewhere, so pickle's trust model is that
of the log itself.
"""

from __future__ import annotations

import dataclasses
import pickle
import zlib

from zeebind.engine import state as state_module
from zeebind.engine.state import State


def _layout() -> int:
    """A fingerprint of the state's layout: the fields of `State` and of every dataclass of
    `engine.state` (an element instance, a job, ...). A snapshot is used only by a zeebind with
    the same fingerprint, so a changed layout (a field added to an element instance) can never
    be unpickled into objects that lack it; that zeebind replays the whole log instead."""
    parts = ["State:" + ",".join(sorted(vars(State())))]
    for name, kind in sorted(vars(state_module).items()):
        if (
            isinstance(kind, type)
            and dataclasses.is_dataclass(kind)
            and kind.__module__ == state_module.__name__
        ):
            parts.append(name + ":" + ",".join(f.name for f in dataclasses.fields(kind)))
    return zlib.crc32("|".join(parts).encode()) & 0x7FFF_FFFF


# Stored beside each snapshot; a snapshot of another format is not used (full replay).
FORMAT = _layout()


def dump(state: State) -> bytes:
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def load(data: bytes) -> State | None:
    """The snapshot's state, or None when it cannot be used (then the whole log is replayed).

    A snapshot written by a zeebind whose state had other fields is not used either (the
    broker already skips one of another FORMAT).
    """
    try:
        state = pickle.loads(data)  # zeebind's own snapshot, read from its own database
    except Exception:
        return None
    if not isinstance(state, State) or set(vars(state)) != set(vars(State())):
        return None
    return state
