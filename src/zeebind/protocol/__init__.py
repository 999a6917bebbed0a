"""Shared vocabulary of the engine and its edges: records, value types, intents. No I/O."""

from zeebind.protocol.record import (
    Record,
    RecordType,
    RejectionType,
    ValueType,
)

__all__ = ["Record", "RecordType", "RejectionType", "ValueType"]
