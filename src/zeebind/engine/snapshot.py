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
    """The snapshot's state, or None when it cannot be used."""
    try:
        state = pickle.loads(data)  # zeebind's own snapshot, read from its own database
    except Exception:
        return None
    return state if isinstance(state, State) else None
