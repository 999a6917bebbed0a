"""Command processors: one module per value type, functions named after the command intent."""

from __future__ import annotations

from zeebind.engine.context import Processor
from zeebind.engine.processors import (
    creation,
    decision,
    deployment,
    incident,
    job,
    message,
    migration,
    modification,
    process_instance,
    resource_deletion,
    signal,
    timer,
    variable_document,
)
from zeebind.protocol.record import ValueType

PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    **deployment.PROCESSORS,
    **creation.PROCESSORS,
    **process_instance.PROCESSORS,
    **job.PROCESSORS,
    **incident.PROCESSORS,
    **message.PROCESSORS,
    **variable_document.PROCESSORS,
    **decision.PROCESSORS,
    **resource_deletion.PROCESSORS,
    **modification.PROCESSORS,
    **migration.PROCESSORS,
    **timer.PROCESSORS,
    **signal.PROCESSORS,
}

__all__ = ["PROCESSORS", "Processor"]
