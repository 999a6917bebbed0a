"""Snapshots of the engine state, so that a restart replays only the tail of the log.

The log stays the source of truth: a snapshot that cannot be read (another zeebind version, a
changed state layout) is ignored and the state is rebuilt from the whole log. Snapshots are written
by zeebind into its own database file, never taken from elsewhere, so pickle's trust model is that
of the log itself.
"""

from __future__ import annotations

import pickle

from zeebind.engine.state import State

# Bump when the state layout changes: older snapshots are then ignored (full replay).
FORMAT = 1


def dump(state: State) -> bytes:
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def load(data: bytes) -> State | None:
    """The snapshot's state, or None when it cannot be used (then the whole log is replayed).

    A snapshot written by a zeebind whose state had other fields is not used either, so a
    layout change never needs a FORMAT bump to stay safe.
    """
    try:
        state = pickle.loads(data)  # zeebind's own snapshot, read from its own database
    except Exception:
        return None
    if not isinstance(state, State) or set(vars(state)) != set(vars(State())):
        return None
    return state
