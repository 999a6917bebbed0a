"""Zeebe responses as the reference binding renders them: Go's `json.Marshal` of the protobuf
structs.

That means proto field order, compact output, zero values omitted (`omitempty`), enums as numbers,
and a
`oneof` under its Go field names, which is why a deployment reads `{"Metadata":{"Process":{…}}}`.
Two deliberate differences: int64 values stay exact, and `keep_zero` lets topology report node 0,
the leader
role (0) and healthy (0) instead of dropping them.
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message


def render(message: Message, *, keep_zero: bool = False) -> bytes:
    return dumps(to_go(message, keep_zero=keep_zero))


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def to_go(message: Message, *, keep_zero: bool = False) -> dict[str, Any]:
    descriptor: Descriptor = message.DESCRIPTOR
    out: dict[str, Any] = {}
    done_oneofs: set[str] = set()
    for field in descriptor.fields:
        oneof = field.containing_oneof
        if oneof is not None and not _synthetic(field):
            if oneof.name in done_oneofs:
                continue
            done_oneofs.add(oneof.name)
            chosen = message.WhichOneof(oneof.name)
            if chosen is not None:
                member = descriptor.fields_by_name[chosen]
                out[_go_name(oneof.name)] = {
                    _go_name(member.name): _value(member, getattr(message, chosen), keep_zero)
                }
            continue
        value = getattr(message, field.name)
        if _is_repeated(field):
            if len(value):
                out[field.name] = [_value(field, item, keep_zero) for item in value]
            elif keep_zero:
                out[field.name] = []
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if message.HasField(field.name):
                out[field.name] = to_go(value, keep_zero=keep_zero)
            continue
        if field.type == FieldDescriptor.TYPE_ENUM and _unspecified(field, value):
            continue
        if value or keep_zero or (field.has_presence and message.HasField(field.name)):
            out[field.name] = _value(field, value, keep_zero)
    return out


def _value(field: FieldDescriptor, value: Any, keep_zero: bool) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return to_go(value, keep_zero=keep_zero)
    if field.type == FieldDescriptor.TYPE_BYTES:
        import base64

        return base64.b64encode(value).decode()
    return value


def _unspecified(field: FieldDescriptor, value: int) -> bool:
    """Newer enums (a job's `listenerEventType`) say UNSPECIFIED instead of staying at 0."""
    named = field.enum_type.values_by_number.get(value)
    return named is not None and named.name == "UNSPECIFIED"


def _is_repeated(field: FieldDescriptor) -> bool:
    repeated = getattr(field, "is_repeated", None)  # protobuf >= 6; `label` is deprecated there
    if repeated is not None:
        return bool(repeated)
    return bool(field.label == FieldDescriptor.LABEL_REPEATED)


def _synthetic(field: FieldDescriptor) -> bool:
    """proto3 `optional` makes a one-member oneof that Go does not expose."""
    oneof = field.containing_oneof
    return oneof is not None and len(oneof.fields) == 1 and oneof.name == f"_{field.name}"


def _go_name(name: str) -> str:
    """protoc-gen-go's CamelCase: `decisionRequirements` → `DecisionRequirements`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))
