"""Parsed DRGs kept beside the state: derived from the deployed DMN XML, parsed once each."""

from __future__ import annotations

from functools import lru_cache

from zeebind.dmn.evaluator import DrgEvaluator
from zeebind.dmn.parser import parse_dmn
from zeebind.engine.state import DecisionRequirementsDefinition


@lru_cache(maxsize=256)
def _evaluator(resource_name: str, resource: str) -> DrgEvaluator:
    return DrgEvaluator(parse_dmn(resource_name, resource.encode()))


def drg_evaluator(drg: DecisionRequirementsDefinition) -> DrgEvaluator:
    """The evaluator of a deployed DRG. Raises BpmnValidationError if the resource is invalid."""
    return _evaluator(drg.resource_name, drg.resource)
