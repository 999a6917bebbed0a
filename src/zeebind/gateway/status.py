"""The one table from broker outcomes to gRPC status codes (Zeebe's gateway mapping)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import grpc

from zeebind.broker import Backpressure, CommandRejected
from zeebind.gateway.errors import GatewayError
from zeebind.protocol import RejectionType

REJECTION_STATUS: Mapping[RejectionType, grpc.StatusCode] = MappingProxyType(
    {
        RejectionType.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
        RejectionType.EXCEEDED_BATCH_RECORD_SIZE: grpc.StatusCode.INVALID_ARGUMENT,
        RejectionType.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
        RejectionType.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
        RejectionType.INVALID_STATE: grpc.StatusCode.FAILED_PRECONDITION,
        RejectionType.PROCESSING_ERROR: grpc.StatusCode.INTERNAL,
    }
)
BACKPRESSURE_STATUS = grpc.StatusCode.RESOURCE_EXHAUSTED
BACKPRESSURE_DETAILS = (
    "Expected to execute the command on one of the partitions, but all failed; there are no more "
    "partitions available to retry. Please try again. If the error persists contact your zeebe "
    "operator"
)


def rejection_status(rejection_type: RejectionType | str) -> grpc.StatusCode:
    try:
        return REJECTION_STATUS[RejectionType(str(rejection_type))]
    except (KeyError, ValueError):
        return grpc.StatusCode.INTERNAL


SHUTDOWN_STATUS = grpc.StatusCode.UNAVAILABLE

# What the broker raises for a command it did not process.
BrokerRefusal = CommandRejected | Backpressure | ConnectionAbortedError


def broker_error(error: BrokerRefusal) -> GatewayError:
    """The status a client sees for a rejected or refused command; the message is the broker's."""
    if isinstance(error, ConnectionAbortedError):
        return GatewayError(SHUTDOWN_STATUS, str(error) or "the broker is shutting down")
    if isinstance(error, Backpressure):
        return GatewayError(BACKPRESSURE_STATUS, str(error) or BACKPRESSURE_DETAILS)
    return GatewayError(rejection_status(error.rejection_type), str(error))
