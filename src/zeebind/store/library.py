"""A process-wide setting of the SQLite library, made by zeebind's commands before any database
is open.

SQLite keeps memory statistics by default (`SQLITE_CONFIG_MEMSTATUS`): every allocation takes
one global mutex. The broker's thread (writing the log) and the export thread (writing the
Operate read model from the log) allocate all the time, so they met on that mutex: with the
exporter on, the broker's thread was put to sleep about 1,100 times a second instead of about
300 (voluntary context switches in /proc, one-task benchmark); with the statistics off, about
500. zeebind reads no SQLite memory statistics, so `zeebind engine` and `zeebind run` turn
them off.

`sqlite3_config` only works while SQLite is not initialized, and Python's sqlite3 module
initializes it when imported, so SQLite is shut down first. That is only safe while no
connection is open anywhere in the process: hence a command calls this first thing, and
importing zeebind never does (code embedding zeebind may hold connections of its own).
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging

log = logging.getLogger("zeebind.store")

_SQLITE_OK = 0
_SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3.h


def turn_off_memory_statistics() -> bool:
    """Turns SQLite's memory statistics off for this process; False where the library cannot
    be reached (the setting is then left as it was). Call it before any connection is open."""
    spec = importlib.util.find_spec("_sqlite3")
    if spec is None or spec.origin is None:
        return False
    try:
        # The extension module's own handle: its symbols resolve to the SQLite it uses.
        library = ctypes.CDLL(spec.origin)
        shutdown, config = library.sqlite3_shutdown, library.sqlite3_config
        initialize = library.sqlite3_initialize
    except (OSError, AttributeError):
        log.debug("SQLite library not reachable through ctypes; memory statistics stay on")
        return False
    if shutdown() != _SQLITE_OK:
        return False
    done = bool(config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == _SQLITE_OK)
    initialize()  # (the next connection would initialize it too)
    return done
