"""Decisions through the gateway with pyzeebe: every hit policy, a DRG, failures, rule tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeClient
from pyzeebe.errors import DecisionNotFoundError

from zeebind.protocol import Record
from zeebind.protocol.record import RecordType, ValueType

PRICING = Path(__file__).parents[1] / "fixtures" / "dmn" / "pricing.dmn"

RULE_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="pricing-process" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="price"/>
    <bpmn:businessRuleTask id="price">
      <bpmn:extensionElements>
        <zeebe:calledDecision decisionId="summary" resultVariable="summary"/>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="price" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
async def pricing(zeebe: ZeebeClient) -> dict[str, int]:
    """The pricing DRG deployed; decision id -> decision key."""
    response = await zeebe.deploy_resource(str(PRICING))
    return {
        d.dmn_decision_id: d.decision_key
        for d in response.deployments
        if hasattr(d, "dmn_decision_id") and hasattr(d, "decision_key")
    }


@pytest.mark.parametrize(
    ("decision_id", "expected"),
    [
        ("unique", "large"),
        ("first", {"label": "small", "score": 10}),
        ("priority", {"label": "large", "score": 30}),
        ("rule_order", ["small", "medium", "large", "any"]),
        ("output_order", ["large", "medium", "small", "any"]),
        (
            "collect",
            [
                {"label": lab, "score": s}
                for lab, s in [("small", 10), ("medium", 20), ("large", 30), ("any", 5)]
            ],
        ),
        ("collect_sum", 65),
        ("collect_count", 4),
        ("collect_min", 5),
        ("collect_max", 30),
    ],
)
async def test_hit_policies(
    zeebe: ZeebeClient, pricing: dict[str, int], decision_id: str, expected: Any
) -> None:
    response = await zeebe.evaluate_decision(None, decision_id, {"amount": 90})
    assert response.decision_output == expected
    assert response.failed_decision_id == ""
    assert response.decision_key == pricing[decision_id]
    [evaluated] = response.evaluated_decisions
    assert evaluated.decision_type == "DECISION_TABLE"
    assert [(i.input_id, i.input_name, i.input_value) for i in evaluated.evaluated_inputs] == [
        (f"{decision_id}_amount", "Amount", 90)
    ]


async def test_matched_rules_are_reported_with_their_outputs(
    zeebe: ZeebeClient, pricing: dict[str, int]
) -> None:
    response = await zeebe.evaluate_decision(None, "first", {"amount": 60})
    [rule] = response.evaluated_decisions[0].matched_rules
    assert (rule.rule_id, rule.rule_index) == ("first_r1", 1)
    assert [(o.output_id, o.output_name, o.output_value) for o in rule.evaluated_outputs] == [
        ("first_label", "label", "small"),
        ("first_score", "score", 10),
    ]
    collect = await zeebe.evaluate_decision(None, "collect", {"amount": 60})
    assert [r.rule_index for r in collect.evaluated_decisions[0].matched_rules] == [1, 2, 4]


async def test_a_drg_is_evaluated_in_dependency_order(
    zeebe: ZeebeClient, pricing: dict[str, int]
) -> None:
    response = await zeebe.evaluate_decision(pricing["summary"], None, {"amount": 100})
    assert response.decision_output == {"tier": "gold", "discount": 10, "total": 90}
    assert response.decision_id == "summary"
    assert response.decision_requirements_id == "pricing"
    evaluated = response.evaluated_decisions
    assert [(d.decision_id, d.decision_type) for d in evaluated] == [
        ("tier", "LITERAL_EXPRESSION"),
        ("rate", "DECISION_TABLE"),
        ("discount", "INVOCATION"),
        ("summary", "CONTEXT"),
    ]
    assert [d.decision_output for d in evaluated] == [
        "gold",
        0.1,
        10,
        {"tier": "gold", "discount": 10, "total": 90},
    ]
    assert [d.decision_key for d in evaluated] == [pricing[d.decision_id] for d in evaluated]


async def test_a_failure_is_reported_in_the_response(
    zeebe: ZeebeClient, pricing: dict[str, int], committed: list[Record]
) -> None:
    response = await zeebe.evaluate_decision(None, "any", {"amount": 95})
    assert response.failed_decision_id == "any"
    assert response.failure_message.startswith(
        "Expected to evaluate decision 'any', but different values aren't allowed for ANY hit "
        "policy."
    )
    assert response.decision_output is None
    [failed] = [
        r
        for r in committed
        if r.value_type is ValueType.DECISION_EVALUATION and r.record_type is RecordType.EVENT
    ]
    assert failed.intent == "FAILED"
    assert failed.key == response.decision_instance_key


async def test_unknown_decisions(zeebe: ZeebeClient, pricing: dict[str, int]) -> None:
    with pytest.raises(DecisionNotFoundError):
        await zeebe.evaluate_decision(None, "no-such-decision", {})
    with pytest.raises(DecisionNotFoundError):
        await zeebe.evaluate_decision(pricing["summary"] + 1000, None, {})


async def test_business_rule_task_stores_the_decision_result(
    zeebe: ZeebeClient, pricing: dict[str, int], tmp_path: Path
) -> None:
    process = tmp_path / "pricing-process.bpmn"
    process.write_text(RULE_TASK)
    await zeebe.deploy_resource(str(process))
    result = await zeebe.run_process_with_result("pricing-process", {"amount": 50}, timeout=5000)
    assert result.variables["summary"] == {"tier": "silver", "discount": 2.5, "total": 47.5}
