"""Every error the Operate API answers with, in one table: HTTP status and Operate's `type`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from zeebind.errors import ZeebindError


@dataclass(frozen=True)
class ErrorKind:
    status: int
    type: str


# Operate's `type` texts, one per exception class of its v1 API.
INVALID_REQUEST = ErrorKind(400, "Invalid request")  # ClientException
DATA_INVALID = ErrorKind(400, "Data invalid")  # ValidationException
UNAUTHORIZED = ErrorKind(401, "Unauthorized")
FORBIDDEN = ErrorKind(403, "AccessDeniedException")
NOT_FOUND = ErrorKind(404, "Requested resource not found")
METHOD_NOT_ALLOWED = ErrorKind(405, "Invalid request")
BODY_TOO_LARGE = ErrorKind(413, "Invalid request")
SERVER_ERROR = ErrorKind(500, "API application error")


class OperateError(ZeebindError):
    """A failed API call; `body()` is Operate's Error object."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def body(self) -> dict[str, Any]:
        return {
            "status": self.kind.status,
            "message": self.message,
            "instance": str(uuid.uuid4()),
            "type": self.kind.type,
        }
