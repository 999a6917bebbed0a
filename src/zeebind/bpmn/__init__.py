"""BPMN definitions: the executable model, and parsing plus deploy-time validation of BPMN XML."""

from zeebind.bpmn.errors import BpmnValidationError, Problem
from zeebind.bpmn.parser import parse_bpmn

__all__ = ["BpmnValidationError", "Problem", "parse_bpmn"]
