"""The record envelope written to the log: commands, events and rejections."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

PARTITION_ID = 1
KEY_BITS = 51
TENANT_DEFAULT = "<default>"


def encode_key(partition_id: int, counter: int) -> int:
    """Zeebe's key layout: the partition id in the top bits, a per-partition counter below."""
    return (partition_id << KEY_BITS) + counter


class RecordType(StrEnum):
    COMMAND = "COMMAND"
    EVENT = "EVENT"
    COMMAND_REJECTION = "COMMAND_REJECTION"


class RejectionType(StrEnum):
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_STATE = "INVALID_STATE"
    PROCESSING_ERROR = "PROCESSING_ERROR"
    EXCEEDED_BATCH_RECORD_SIZE = "EXCEEDED_BATCH_RECORD_SIZE"
    NULL_VAL = "NULL_VAL"


class ValueType(StrEnum):
    JOB = "JOB"
    DEPLOYMENT = "DEPLOYMENT"
    PROCESS_INSTANCE = "PROCESS_INSTANCE"
    INCIDENT = "INCIDENT"
    MESSAGE = "MESSAGE"
    MESSAGE_SUBSCRIPTION = "MESSAGE_SUBSCRIPTION"
    PROCESS_MESSAGE_SUBSCRIPTION = "PROCESS_MESSAGE_SUBSCRIPTION"
    JOB_BATCH = "JOB_BATCH"
    TIMER = "TIMER"
    MESSAGE_START_EVENT_SUBSCRIPTION = "MESSAGE_START_EVENT_SUBSCRIPTION"
    VARIABLE = "VARIABLE"
    VARIABLE_DOCUMENT = "VARIABLE_DOCUMENT"
    PROCESS_INSTANCE_CREATION = "PROCESS_INSTANCE_CREATION"
    PROCESS_INSTANCE_RESULT = "PROCESS_INSTANCE_RESULT"
    PROCESS = "PROCESS"
    PROCESS_EVENT = "PROCESS_EVENT"
    DECISION = "DECISION"
    DECISION_REQUIREMENTS = "DECISION_REQUIREMENTS"
    DECISION_EVALUATION = "DECISION_EVALUATION"
    FORM = "FORM"
    SIGNAL = "SIGNAL"
    SIGNAL_SUBSCRIPTION = "SIGNAL_SUBSCRIPTION"
    ESCALATION = "ESCALATION"
    COMPENSATION_SUBSCRIPTION = "COMPENSATION_SUBSCRIPTION"
    RESOURCE_DELETION = "RESOURCE_DELETION"
    PROCESS_INSTANCE_MODIFICATION = "PROCESS_INSTANCE_MODIFICATION"
    PROCESS_INSTANCE_MIGRATION = "PROCESS_INSTANCE_MIGRATION"


@dataclass(slots=True)
class Record:
    """One entry of the log. `value` holds the record value with Zeebe's exported field names."""

    record_type: RecordType
    value_type: ValueType
    intent: str
    value: dict[str, Any]
    key: int = -1
    position: int = -1
    source_record_position: int = -1
    timestamp: int = -1
    rejection_type: RejectionType | None = None
    rejection_reason: str = ""
    partition_id: int = PARTITION_ID
    operation_reference: int | None = None
    # In-memory only: which caller waits for the answer to this command. Never persisted.
    request_id: int | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The exporter JSON shape (Zeebe's record JSON)."""
        out: dict[str, Any] = {
            "partitionId": self.partition_id,
            "position": self.position,
            "sourceRecordPosition": self.source_record_position,
            "key": self.key,
            "timestamp": self.timestamp,
            "recordType": str(self.record_type),
            "valueType": str(self.value_type),
            "intent": self.intent,
            "rejectionType": str(self.rejection_type) if self.rejection_type else "NULL_VAL",
            "rejectionReason": self.rejection_reason,
            "value": self.value,
        }
        if self.operation_reference is not None:
            out["operationReference"] = self.operation_reference
        return out
