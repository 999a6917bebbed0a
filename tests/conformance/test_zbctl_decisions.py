"""zbctl 8.4 `evaluate decision` against a real engine: a DRG's audit and a failed evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gateway_clients import Zbctl

pytestmark = pytest.mark.conformance

PRICING = Path(__file__).parents[1] / "fixtures" / "dmn" / "pricing.dmn"


async def test_evaluate_a_drg_and_a_failure(zbctl: Zbctl) -> None:
    await zbctl("deploy", "resource", str(PRICING))
    result = (
        await zbctl("evaluate", "decision", "summary", "--variables", '{"amount": 100}')
    ).json()
    assert json.loads(result["decisionOutput"]) == {"tier": "gold", "discount": 10, "total": 90}
    assert [d["decisionId"] for d in result["evaluatedDecisions"]] == [
        "tier",
        "rate",
        "discount",
        "summary",
    ]
    rate = result["evaluatedDecisions"][1]
    assert rate["decisionType"] == "DECISION_TABLE"
    assert rate["matchedRules"][0]["ruleId"] == "rate_gold"
    failed = (await zbctl("evaluate", "decision", "any", "--variables", '{"amount": 95}')).json()
    assert failed["failedDecisionId"] == "any"
    assert "different values aren't allowed for ANY hit policy" in failed["failureMessage"]
