"""Broker outcomes map to gRPC status codes through one table; the broker's message goes through."""

from __future__ import annotations

import grpc
import pytest

from zeebind.broker import Backpressure, CommandRejected
from zeebind.gateway.status import REJECTION_STATUS, broker_error, rejection_status
from zeebind.protocol import RejectionType


@pytest.mark.parametrize(
    ("rejection", "status"),
    [
        (RejectionType.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT),
        (RejectionType.NOT_FOUND, grpc.StatusCode.NOT_FOUND),
        (RejectionType.ALREADY_EXISTS, grpc.StatusCode.ALREADY_EXISTS),
        (RejectionType.INVALID_STATE, grpc.StatusCode.FAILED_PRECONDITION),
        (RejectionType.PROCESSING_ERROR, grpc.StatusCode.INTERNAL),
        (RejectionType.EXCEEDED_BATCH_RECORD_SIZE, grpc.StatusCode.INVALID_ARGUMENT),
    ],
)
def test_rejection_table(rejection: RejectionType, status: grpc.StatusCode) -> None:
    assert REJECTION_STATUS[rejection] is status
    assert rejection_status(rejection) is status
    assert rejection_status(str(rejection)) is status


def test_unknown_rejection_types_are_internal() -> None:
    assert rejection_status(RejectionType.NULL_VAL) is grpc.StatusCode.INTERNAL
    assert rejection_status("SOMETHING_NEW") is grpc.StatusCode.INTERNAL


def test_rejection_message_is_zeebes() -> None:
    error = broker_error(
        CommandRejected(
            "CANCEL",
            RejectionType.NOT_FOUND,
            "Expected to cancel a process instance with key '1', but no such process was found",
        )
    )
    assert error.code is grpc.StatusCode.NOT_FOUND
    assert error.details == (
        "Command 'CANCEL' rejected with code 'NOT_FOUND': Expected to cancel a process instance "
        "with key '1', but no such process was found"
    )


def test_backpressure_and_shutdown() -> None:
    pressure = broker_error(Backpressure("full"))
    assert (pressure.code, pressure.details) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "full")
    assert "try again" in broker_error(Backpressure()).details
    closing = broker_error(ConnectionAbortedError("the broker is shutting down"))
    assert closing.code is grpc.StatusCode.UNAVAILABLE
