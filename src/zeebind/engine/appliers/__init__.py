"""Event appliers: the only code that changes engine state. One module per value type."""

from __future__ import annotations

from zeebind.engine.appliers import (
    compensation,
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
    variable,
)
from zeebind.engine.result import Applier
from zeebind.protocol.record import ValueType

APPLIERS: dict[tuple[ValueType, str], Applier] = {
    **deployment.APPLIERS,
    **process_instance.APPLIERS,
    **variable.APPLIERS,
    **job.APPLIERS,
    **incident.APPLIERS,
    **message.APPLIERS,
    **resource_deletion.APPLIERS,
    **modification.APPLIERS,
    **migration.APPLIERS,
    **timer.APPLIERS,
    **signal.APPLIERS,
    **compensation.APPLIERS,
}

__all__ = ["APPLIERS"]
