"""A real, in-memory `GatewayClient`: it records each call and answers from a script."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from google.protobuf.message import Message

from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb


@dataclass
class Call:
    method: str
    request: Message
    timeout: float | None


@dataclass
class ScriptedGateway:
    """Answers `method` with the scripted message (or raises the scripted GatewayError); an
    unscripted
    method gets its empty response message, as a real gateway's no-body RPCs do."""

    answers: dict[str, Message | GatewayError | list[Message]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    closed: bool = False

    async def unary(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> Message:
        self.calls.append(Call(method, request, timeout))
        answer = self.answers.get(method)
        if isinstance(answer, GatewayError):
            raise answer
        if answer is None:
            return pb.response_class(method)()
        assert isinstance(answer, Message)
        return answer

    async def stream(
        self, method: str, request: Message, *, timeout: float | None = None
    ) -> AsyncIterator[Message]:
        self.calls.append(Call(method, request, timeout))
        answer = self.answers.get(method, [])
        if isinstance(answer, GatewayError):
            raise answer
        assert isinstance(answer, list)
        for message in answer:
            if isinstance(message, GatewayError):
                raise message
            yield message

    async def close(self) -> None:
        self.closed = True

    @property
    def last(self) -> Call:
        return self.calls[-1]
