"""Parsed process models, kept beside the state: derived from the deployed XML, parsed once."""

from __future__ import annotations

from zeebind.bpmn.model import Process
from zeebind.bpmn.parser import parse_bpmn
from zeebind.engine.state import State


def process_model(state: State, process_definition_key: int) -> Process:
    definition = state.processes[process_definition_key]
    if definition.model is None:
        for process in parse_bpmn(definition.resource_name, definition.resource.encode()):
            if process.bpmn_process_id == definition.bpmn_process_id:
                definition.model = process
                break
        else:  # pragma: no cover - the XML was validated at deployment
            raise LookupError(f"process {definition.bpmn_process_id!r} missing from its resource")
    return definition.model
