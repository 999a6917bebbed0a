"""`evaluate-decision` through the command binding against `zeebind run`: hit policies, a DRG."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sidecar_process import Process, sidecar

PRICING = Path(__file__).parents[2] / "fixtures" / "dmn" / "pricing.dmn"


@pytest.fixture(scope="module")
def running() -> Iterator[Process]:
    with sidecar() as process:
        yield process


@pytest.fixture(scope="module")
def pricing(running: Process) -> dict[str, int]:
    """The pricing DRG deployed through the binding; decision id -> decision key."""
    answer = _ok(_invoke(running, "deploy-resource", PRICING.read_text(), fileName=PRICING.name))
    keys = {}
    for deployment in answer["deployments"]:
        decision = deployment["Metadata"].get("Decision")
        if decision is not None:
            keys[decision["dmnDecisionId"]] = int(decision["decisionKey"])
    return keys


def _invoke(running: Process, operation: str, data: object, **metadata: str) -> httpx.Response:
    body = {"operation": operation, "data": data, "metadata": metadata}
    return httpx.post(f"{running.http}/v1.0/bindings/zeebe-command", json=body, timeout=30)


def _ok(reply: httpx.Response) -> Any:
    assert reply.status_code == 200, reply.text
    return reply.json()


def _evaluate(running: Process, **data: object) -> Any:
    return _ok(_invoke(running, "evaluate-decision", data))


@pytest.mark.parametrize(
    ("decision_id", "expected"),
    [
        ("unique", "large"),
        ("first", {"label": "small", "score": 10}),
        ("priority", {"label": "large", "score": 30}),
        ("rule_order", ["small", "medium", "large", "any"]),
        ("output_order", ["large", "medium", "small", "any"]),
        ("collect_sum", 65),
        ("collect_count", 4),
        ("collect_min", 5),
        ("collect_max", 30),
    ],
)
def test_hit_policies(
    running: Process, pricing: dict[str, int], decision_id: str, expected: Any
) -> None:
    result = _evaluate(running, decisionId=decision_id, variables={"amount": 90})
    assert json.loads(result["decisionOutput"]) == expected
    assert int(result["decisionKey"]) == pricing[decision_id]
    [evaluated] = result["evaluatedDecisions"]
    assert evaluated["decisionType"] == "DECISION_TABLE"


def test_drg_by_key_with_the_audit(running: Process, pricing: dict[str, int]) -> None:
    result = _evaluate(running, decisionKey=pricing["summary"], variables={"amount": 100})
    assert json.loads(result["decisionOutput"]) == {"tier": "gold", "discount": 10, "total": 90}
    assert [d["decisionId"] for d in result["evaluatedDecisions"]] == [
        "tier",
        "rate",
        "discount",
        "summary",
    ]
    rate = result["evaluatedDecisions"][1]
    assert [r["ruleId"] for r in rate["matchedRules"]] == ["rate_gold"]
    assert rate["matchedRules"][0]["ruleIndex"] == 1
    assert [json.loads(i["inputValue"]) for i in rate["evaluatedInputs"]] == ["gold"]


def test_failure_is_an_answer_not_an_error(running: Process, pricing: dict[str, int]) -> None:
    result = _evaluate(running, decisionId="any", variables={"amount": 95})
    assert result["failedDecisionId"] == "any"
    assert "different values aren't allowed for ANY hit policy" in result["failureMessage"]


def test_unknown_decision_is_a_clear_error(running: Process, pricing: dict[str, int]) -> None:
    reply = _invoke(running, "evaluate-decision", {"decisionId": "nope", "variables": {}})
    assert reply.status_code == 500
    message = reply.json()["message"]
    assert "cannot evaluate decision nope" in message
    assert "but no decision found for id 'nope'" in message
