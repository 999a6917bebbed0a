"""What evaluating a decision gives: the output, the per-decision audit, or the failure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from zeebind.dmn.model import DecisionType
from zeebind.feel import to_json


@dataclass(frozen=True, slots=True)
class EvaluatedInput:
    input_id: str
    input_name: str
    value: Any


@dataclass(frozen=True, slots=True)
class EvaluatedOutput:
    output_id: str
    output_name: str
    value: Any


@dataclass(frozen=True, slots=True)
class MatchedRule:
    rule_id: str
    rule_index: int  # 1-based
    evaluated_outputs: tuple[EvaluatedOutput, ...]


@dataclass(slots=True)
class EvaluatedDecision:
    """The audit of one decision: what Zeebe's `evaluatedDecisions[]` entries hold."""

    decision_id: str
    decision_name: str
    decision_type: DecisionType
    output: Any = None
    matched_rules: list[MatchedRule] = field(default_factory=list)
    evaluated_inputs: list[EvaluatedInput] = field(default_factory=list)


@dataclass(slots=True)
class DecisionResult:
    decision_id: str
    decision_name: str
    output: Any
    evaluated_decisions: list[EvaluatedDecision]
    failed_decision_id: str = ""
    failure_message: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.failure_message)


def json_text(value: Any) -> str:
    """A FEEL value as compact JSON text (temporal values as their FEEL strings)."""
    return json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False)


class DecisionEvaluationError(Exception):
    """A decision failed; `decision_id` names the decision that failed first."""

    def __init__(self, decision_id: str, message: str) -> None:
        super().__init__(message)
        self.decision_id = decision_id
        self.message = message


class LogicFailure(Exception):
    """A failure inside a decision's logic (the decision it belongs to is added by the caller)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
