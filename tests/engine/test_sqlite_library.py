"""The commands turn SQLite's memory statistics off before any database is open (one global
mutex less between the broker's and the export thread; store/library.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROBE = """
import ctypes, importlib.util, sqlite3, sys
from zeebind.store.library import turn_off_memory_statistics
turned_off = sys.argv[1] == "off" and turn_off_memory_statistics()
library = ctypes.CDLL(importlib.util.find_spec("_sqlite3").origin)
library.sqlite3_memory_used.restype = ctypes.c_int64
connection = sqlite3.connect(sys.argv[2])
connection.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
connection.executemany("INSERT INTO t VALUES (?, ?)", [(i, "x" * 100) for i in range(1000)])
connection.commit()
assert connection.execute("SELECT count(*) FROM t").fetchone()[0] == 1000
print(int(turned_off), library.sqlite3_memory_used())
"""


def _probe(mode: str, path: Path) -> tuple[bool, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    return out[0] == "1", int(out[1])


def test_memory_statistics_are_off_and_sqlite_still_works(tmp_path: Path) -> None:
    turned_off, used = _probe("off", tmp_path / "off.db")
    assert turned_off
    assert used == 0  # nothing counted: the statistics (and their mutex) are off


def test_without_the_call_sqlite_counts_its_memory(tmp_path: Path) -> None:
    turned_off, used = _probe("on", tmp_path / "on.db")
    assert not turned_off
    assert used > 0
