"""Testing support: an engine harness with a controllable clock and record-stream assertions.

`InMemoryEngine` and `assert_that` are the user-facing library: a `ZeebeClient` on an in-memory
engine, time travel, job helpers and process instance assertions (pytest fixtures: `plugin`).
"""

from zeebind.testing.assertions import ProcessInstanceAssert
from zeebind.testing.engine import InMemoryEngine, assert_that
from zeebind.testing.harness import EngineHarness, RecordStream

__all__ = [
    "EngineHarness",
    "InMemoryEngine",
    "ProcessInstanceAssert",
    "RecordStream",
    "assert_that",
]
