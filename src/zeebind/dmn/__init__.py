"""DMN decisions as Zeebe evaluates them: a pure library (no I/O).

>>> from zeebind.dmn import DrgEvaluator, parse_dmn
>>> drg = parse_dmn("dish.dmn", content)                      # doctest: +SKIP
>>> DrgEvaluator(drg).evaluate("dish", {"season": "Fall"})    # doctest: +SKIP

`parse_dmn_metadata` is the deploy-time check (ids, names, and decision logic that can be
evaluated); see docs/decisions.md.
"""

from zeebind.dmn.evaluator import DrgEvaluator
from zeebind.dmn.metadata import parse_dmn_metadata
from zeebind.dmn.parser import parse_dmn
from zeebind.dmn.results import (
    DecisionEvaluationError,
    DecisionResult,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
)

__all__ = [
    "DecisionEvaluationError",
    "DecisionResult",
    "DrgEvaluator",
    "EvaluatedDecision",
    "EvaluatedInput",
    "EvaluatedOutput",
    "MatchedRule",
    "parse_dmn",
    "parse_dmn_metadata",
]
