"""SIGNAL BROADCAST: the BroadcastSignal RPC and signal throw events."""

from __future__ import annotations

from zeebind.engine.behaviors.signals import broadcast as broadcast_signal
from zeebind.engine.context import Context, Processor
from zeebind.protocol.intent import SignalIntent
from zeebind.protocol.record import Record, RejectionType, ValueType


def broadcast(ctx: Context, command: Record) -> None:
    v = command.value
    name = str(v.get("signalName", ""))
    if not name:
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected to broadcast a signal with a name, but the name was empty",
        )
        return
    variables = v.get("variables") or {}
    tenant_id = v.get("tenantId") or "<default>"
    event = ctx.result.append_event(
        ValueType.SIGNAL,
        SignalIntent.BROADCASTED,
        ctx.key(),
        {"signalName": name, "variables": variables, "tenantId": tenant_id},
    )
    ctx.result.respond(event)
    broadcast_signal(ctx, name, variables, tenant_id)


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.SIGNAL, SignalIntent.BROADCAST): broadcast,
}
