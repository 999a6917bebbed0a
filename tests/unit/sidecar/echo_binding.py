"""A real, trivial output binding for testing the sidecar's APIs without Zeebe."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from zeebind.bindings.binding import InvokeRequest, InvokeResponse
from zeebind.bindings.errors import BindingError


@dataclass
class EchoBinding:
    """`echo` answers what it got; `fail` raises a BindingError; `crash` raises a bug."""

    requests: list[InvokeRequest] = field(default_factory=list)
    closed: bool = False

    @property
    def operations(self) -> Sequence[str]:
        return ("echo", "empty", "fail", "crash")

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        self.requests.append(request)
        if request.operation == "fail":
            raise BindingError("cannot do it for key 9007199254740993")
        if request.operation == "crash":
            raise RuntimeError("a bug")
        if request.operation == "empty":
            return InvokeResponse()
        body = json.dumps({"data": request.data.decode(), "metadata": dict(request.metadata)})
        return InvokeResponse(body.encode(), {"answered": "yes"})

    async def close(self) -> None:
        self.closed = True
