"""ResultBuilder: what processing one command produces. Appending an event also applies it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from zeebind.engine.state import State
from zeebind.protocol.record import Record, RecordType, RejectionType, ValueType

Applier = Callable[[State, Record], None]


class ResultBuilder:
    """Collects the records of one processing step: the command, its events, follow-up commands.

    The step's timestamp is the command's; every record gets the next log position.
    """

    def __init__(
        self, state: State, appliers: dict[tuple[ValueType, str], Applier], timestamp: int
    ) -> None:
        self.state = state
        self._appliers = appliers
        self.timestamp = timestamp
        self.records: list[Record] = []
        self.follow_ups: deque[Record] = deque()
        self.response: Record | None = None
        self.rejection: Record | None = None
        # Set by CREATE_WITH_AWAITING_RESULT: the caller is answered when this instance completes.
        self.awaiting_result_key: int | None = None
        self._source_position = -1

    def _append(self, record: Record) -> Record:
        self.state.last_position += 1
        record.position = self.state.last_position
        record.timestamp = self.timestamp
        record.source_record_position = self._source_position
        self.records.append(record)
        return record

    def write_command(self, command: Record) -> Record:
        """Log the command being processed; its events point back to it."""
        self._append(command)
        self._source_position = command.position
        return command

    def append_event(
        self, value_type: ValueType, intent: StrEnum, key: int, value: dict[str, Any]
    ) -> Record:
        # StrEnum members are str: stored as they are, they hash and compare like their text.
        record = self._append(Record(RecordType.EVENT, value_type, intent, value, key=key))
        applier = self._appliers.get((value_type, intent))
        if applier is not None:
            applier(self.state, record)
        return record

    def follow_up(
        self, value_type: ValueType, intent: StrEnum, key: int, value: dict[str, Any]
    ) -> None:
        """A command the engine gives itself; processed later in the same step."""
        self.follow_ups.append(Record(RecordType.COMMAND, value_type, intent, value, key=key))

    def reject(self, command: Record, rejection_type: RejectionType, reason: str) -> None:
        record = Record(
            RecordType.COMMAND_REJECTION,
            command.value_type,
            command.intent,
            command.value,
            key=command.key,
            rejection_type=rejection_type,
            rejection_reason=reason,
        )
        self.rejection = self._append(record)

    def respond(self, record: Record) -> None:
        self.response = record
