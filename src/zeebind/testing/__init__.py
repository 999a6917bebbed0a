"""Testing support: an engine harness with a controllable clock and record-stream assertions."""

from zeebind.testing.harness import EngineHarness, RecordStream

__all__ = ["EngineHarness", "RecordStream"]
