"""Deployment and evaluation never crash: any bytes are parsed or refused, any DRG evaluates or
fails with a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zeebind.bpmn import BpmnValidationError
from zeebind.dmn.evaluator import DrgEvaluator
from zeebind.dmn.metadata import parse_dmn_metadata
from zeebind.dmn.parser import parse_dmn

PRICING = (Path(__file__).parents[2] / "fixtures" / "dmn" / "pricing.dmn").read_bytes()

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(0, len(PRICING) - 1), st.integers(1, 40), st.binary(max_size=8))
def test_a_damaged_dmn_file_is_read_or_refused(start: int, length: int, junk: bytes) -> None:
    content = PRICING[:start] + junk + PRICING[start + length :]
    problem = ""
    try:
        parse_dmn_metadata("pricing.dmn", content)
    except BpmnValidationError as err:
        problem = str(err)
    if problem:
        assert problem.startswith("'pricing.dmn': ")
    else:
        parse_dmn("pricing.dmn", content)


EVALUATOR = DrgEvaluator(parse_dmn("pricing.dmn", PRICING))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(EVALUATOR.definitions.decisions)), JSON, JSON)
def test_any_variables_give_a_result_or_a_failure(decision_id: str, amount: Any, tier: Any) -> None:
    result = EVALUATOR.evaluate(decision_id, {"amount": amount, "tier": tier})
    assert result.failed or result.failure_message == ""
    if result.failed:
        assert result.failure_message.startswith(f"Expected to evaluate decision '{decision_id}'")
        assert result.failed_decision_id
