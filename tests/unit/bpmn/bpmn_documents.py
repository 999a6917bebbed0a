"""Inline BPMN documents for the parser tests: wraps a process body into definitions."""

from __future__ import annotations

from collections.abc import Callable

from zeebind.bpmn.model import Process

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)

Document = Callable[..., bytes]
Parse = Callable[..., Process]
Problems = Callable[..., list[tuple[str, str]]]


def document(body: str, *, definitions: str = "", process_id: str = "p") -> bytes:
    """`body` goes inside an executable process, `definitions` beside it (messages, errors)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NAMESPACES} id="defs">'
        f"{definitions}"
        f'<bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process>'
        "</bpmn:definitions>"
    ).encode()
