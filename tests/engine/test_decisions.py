"""Decisions in the engine: DECISION_EVALUATION EVALUATE and business rule tasks (§4.18, §7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from decision_models import DINNER, GREETING, dmn, literal
from engine_models import chain, end, model, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import (
    DecisionEvaluationIntent,
    IncidentIntent,
    VariableDocumentIntent,
)
from zeebind.protocol.record import Record, RejectionType, ValueType
from zeebind.testing import EngineHarness

_DE = ValueType.DECISION_EVALUATION


async def _evaluate(h: EngineHarness, variables: dict[str, Any], **target: Any) -> Record:
    value = {"decisionId": "", "decisionKey": -1, "variables": variables, **target}
    return await h.b.command(_DE, DecisionEvaluationIntent.EVALUATE, value)


def _variable(h: EngineHarness, name: str) -> Any:
    """The last value written to a variable (the state forgets a completed instance's)."""
    records = list(h.records().of(ValueType.VARIABLE, name=name))
    assert records, f"no variable '{name}' was written"
    return json.loads(records[-1].value["value"])


def _rule_task(decision_id: str, result: str = "result", extra: str = "") -> str:
    return (
        '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
        f'<zeebe:calledDecision decisionId="{decision_id}" resultVariable="{result}"/>{extra}'
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )


def _process(decision_id: str, extra: str = "") -> str:
    return model(
        "rules",
        start(),
        _rule_task(decision_id, extra=extra),
        end(),
        chain("start", "decide", "end"),
    )


async def test_evaluate_by_id_reports_the_output_and_the_audit() -> None:
    async with EngineHarness() as h:
        deployment = await h.deploy(("dinner.dmn", DINNER))
        decisions = {d["decisionId"]: d for d in deployment.value["decisionsMetadata"]}
        record = await _evaluate(h, {"season": "Fall", "guestCount": 4}, decisionId="dish")
        assert record.intent == DecisionEvaluationIntent.EVALUATED
        v = record.value
        assert (v["decisionId"], v["decisionName"], v["decisionVersion"]) == (
            "dish",
            "dish name",
            1,
        )
        assert v["decisionKey"] == decisions["dish"]["decisionKey"]
        assert v["decisionRequirementsId"] == "dinner"
        assert json.loads(v["decisionOutput"]) == "Spareribs"
        assert (v["failedDecisionId"], v["evaluationFailureMessage"]) == ("", "")
        assert (v["processInstanceKey"], v["elementInstanceKey"], v["bpmnProcessId"]) == (
            -1,
            -1,
            "",
        )
        [audit] = v["evaluatedDecisions"]
        assert audit["decisionType"] == "DECISION_TABLE"
        assert audit["evaluatedInputs"] == [
            {"inputId": "season", "inputName": "season", "inputValue": '"Fall"'},
            {"inputId": "guests", "inputName": "guests", "inputValue": "4"},
        ]
        assert audit["matchedRules"] == [
            {
                "ruleId": "r_fall",
                "ruleIndex": 1,
                "evaluatedOutputs": [
                    {"outputId": "out_dish", "outputName": "dish", "outputValue": '"Spareribs"'}
                ],
            }
        ]


async def test_evaluate_by_key_and_required_decisions_in_dependency_order() -> None:
    async with EngineHarness() as h:
        deployment = await h.deploy(("dinner.dmn", DINNER))
        keys = {d["decisionId"]: d["decisionKey"] for d in deployment.value["decisionsMetadata"]}
        record = await _evaluate(
            h, {"season": "Winter", "guestCount": 2}, decisionKey=keys["beverages"]
        )
        v = record.value
        assert json.loads(v["decisionOutput"]) == ["Water", "Red wine"]
        assert [d["decisionId"] for d in v["evaluatedDecisions"]] == ["dish", "beverages"]
        assert [d["decisionKey"] for d in v["evaluatedDecisions"]] == [
            keys["dish"],
            keys["beverages"],
        ]
        beverages = v["evaluatedDecisions"][1]
        assert [r["ruleIndex"] for r in beverages["matchedRules"]] == [1, 2]


async def test_a_failed_evaluation_is_a_failed_event_not_a_rejection() -> None:
    async with EngineHarness() as h:
        await h.deploy(("dinner.dmn", DINNER))
        record = await _evaluate(h, {"season": "Spring", "guestCount": 3}, decisionId="beverages")
        assert record.intent == DecisionEvaluationIntent.FAILED
        v = record.value
        assert v["decisionId"] == "beverages"
        assert v["failedDecisionId"] == "dish"
        assert v["evaluationFailureMessage"].startswith(
            "Expected to evaluate decision 'beverages', but multiple values aren't allowed for "
            "UNIQUE hit policy."
        )
        assert [d["decisionId"] for d in v["evaluatedDecisions"]] == ["dish"]
        assert [r["ruleId"] for r in v["evaluatedDecisions"][0]["matchedRules"]] == [
            "r_spring",
            "r_any_spring",
        ]


async def test_evaluate_rejections() -> None:
    async with EngineHarness() as h:
        await h.deploy(("dinner.dmn", DINNER))
        with pytest.raises(CommandRejected) as neither:
            await _evaluate(h, {})
        assert neither.value.rejection_type is RejectionType.INVALID_ARGUMENT
        assert neither.value.reason == (
            "Expected either a decision id or a valid decision key, but none provided"
        )
        with pytest.raises(CommandRejected) as unknown:
            await _evaluate(h, {}, decisionId="nope")
        assert unknown.value.rejection_type is RejectionType.NOT_FOUND
        assert "but no decision found for id 'nope'" in unknown.value.reason
        with pytest.raises(CommandRejected) as unknown_key:
            await _evaluate(h, {}, decisionKey=12345)
        assert "but no decision found for key '12345'" in unknown_key.value.reason


async def test_the_latest_version_is_evaluated_by_id() -> None:
    async with EngineHarness() as h:
        await h.deploy(("greeting.dmn", GREETING))
        second = await h.deploy(("greeting.dmn", dmn("greeting", literal("greet", '"Hi " + name'))))
        assert second.value["decisionsMetadata"][0]["version"] == 2
        record = await _evaluate(h, {"name": "Zeebe"}, decisionId="greet")
        assert json.loads(record.value["decisionOutput"]) == "Hi Zeebe"
        assert record.value["decisionVersion"] == 2
        assert record.value["evaluatedDecisions"][0]["decisionType"] == "LITERAL_EXPRESSION"


async def test_business_rule_task_stores_the_result_and_completes() -> None:
    async with EngineHarness() as h:
        await h.deploy(("dinner.dmn", DINNER), ("rules.bpmn", _process("beverages")))
        instance = await h.create_instance("rules", {"season": "Fall", "guestCount": 12})
        assert h.is_completed(instance)
        assert h.process_instance_intents("decide") == [
            "ELEMENT_ACTIVATING",
            "ELEMENT_ACTIVATED",
            "ELEMENT_COMPLETING",
            "ELEMENT_COMPLETED",
        ]
        evaluation = h.records().of(_DE, DecisionEvaluationIntent.EVALUATED).only()
        v = evaluation.value
        assert (v["bpmnProcessId"], v["processInstanceKey"], v["elementId"]) == (
            "rules",
            instance,
            "decide",
        )
        decide = h.records().of(ValueType.PROCESS_INSTANCE, elementId="decide").first()
        assert v["elementInstanceKey"] == decide.key
        lifecycle = {
            r.intent: r.position
            for r in h.records().of(
                ValueType.PROCESS_INSTANCE, record_type=None, elementId="decide"
            )
        }
        assert (
            lifecycle["ELEMENT_ACTIVATING"] < evaluation.position < lifecycle["ELEMENT_ACTIVATED"]
        )
        assert "COMPLETE_ELEMENT" not in lifecycle, "completed at once, as Zeebe does"
        result = h.records().of(ValueType.VARIABLE, name="result").only()
        assert json.loads(result.value["value"]) == ["Water", "Red wine"]
        assert result.value["scopeKey"] == instance


async def test_business_rule_task_output_mappings_see_the_result() -> None:
    mapping = (
        '<zeebe:ioMapping><zeebe:output source="=count(result)" target="drinks"/></zeebe:ioMapping>'
    )
    async with EngineHarness() as h:
        await h.deploy(("dinner.dmn", DINNER), ("rules.bpmn", _process("beverages", mapping)))
        instance = await h.create_instance("rules", {"season": "Fall", "guestCount": 12})
        assert h.is_completed(instance)
        names = [r.value["name"] for r in h.records().of(ValueType.VARIABLE, scopeKey=instance)]
        assert "drinks" in names
        assert "result" not in names


async def test_unknown_decision_is_an_incident_resolved_after_deploying_it() -> None:
    async with EngineHarness() as h:
        await h.deploy(("rules.bpmn", _process("greet")))
        instance = await h.create_instance("rules", {"name": "Zeebe"})
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "CALLED_DECISION_ERROR"
        assert incident.value["errorMessage"] == (
            "Expected to evaluate decision 'greet', but no decision found for id 'greet'"
        )
        await h.deploy(("greeting.dmn", GREETING))
        await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident.key)
        await h.settle()
        assert h.is_completed(instance)
        assert _variable(h, "result") == "Hello Zeebe"


async def test_failed_evaluation_is_a_resolvable_incident() -> None:
    async with EngineHarness() as h:
        await h.deploy(("dinner.dmn", DINNER), ("rules.bpmn", _process("dish")))
        instance = await h.create_instance("rules", {"season": "Spring", "guestCount": 2})
        failed = h.records().of(_DE, DecisionEvaluationIntent.FAILED).only()
        assert failed.value["failedDecisionId"] == "dish"
        assert failed.value["processInstanceKey"] == instance
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "DECISION_EVALUATION_ERROR"
        assert incident.value["errorMessage"] == failed.value["evaluationFailureMessage"]
        assert h.process_instance_intents("decide") == ["ELEMENT_ACTIVATING"]
        await h.b.command(
            ValueType.VARIABLE_DOCUMENT,
            VariableDocumentIntent.UPDATE,
            {
                "scopeKey": instance,
                "variables": {"season": "Fall", "guestCount": 20},
                "updateSemantics": "PROPAGATE",
            },
        )
        await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident.key)
        await h.settle()
        assert h.is_completed(instance)
        assert _variable(h, "result") == "Stew"


async def test_decision_id_expression_and_input_mappings() -> None:
    mapping = '<zeebe:ioMapping><zeebe:input source="=who" target="name"/></zeebe:ioMapping>'
    task = _rule_task("=decision", extra=mapping)
    bpmn = model("rules", start(), task, end(), chain("start", "decide", "end"))
    async with EngineHarness() as h:
        await h.deploy(("greeting.dmn", GREETING), ("rules.bpmn", bpmn))
        instance = await h.create_instance("rules", {"decision": "greet", "who": "Ada"})
        assert h.is_completed(instance)
        assert _variable(h, "result") == "Hello Ada"


async def test_job_based_business_rule_task_still_creates_a_job() -> None:
    task = (
        '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="dmn-worker"/></bpmn:extensionElements></bpmn:businessRuleTask>'
    )
    async with EngineHarness() as h:
        await h.deploy(
            ("rules.bpmn", model("rules", start(), task, end(), chain("start", "decide", "end")))
        )
        await h.create_instance("rules")
        [(_, job)] = await h.activate_jobs("dmn-worker")
        assert job["elementId"] == "decide"


def _tagged(tag: str, text: str) -> str:
    return dmn(
        "tagged",
        '<decision id="greet" name="greet name"><extensionElements>'
        f'<zeebe:versionTag xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" value="{tag}"/>'
        f'</extensionElements><literalExpression><text>"{text}"</text></literalExpression>'
        "</decision>",
    )


def _bound(binding: str) -> str:
    task = (
        '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
        f'<zeebe:calledDecision decisionId="greet" resultVariable="result" {binding}/>'
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    return model("rules", start(), task, end(), chain("start", "decide", "end"))


async def test_binding_type_version_tag() -> None:
    async with EngineHarness() as h:
        await h.deploy(("a.dmn", _tagged("v1", "one")))
        await h.deploy(("a.dmn", _tagged("v2", "two")))
        await h.deploy(("rules.bpmn", _bound('bindingType="versionTag" versionTag="v1"')))
        instance = await h.create_instance("rules")
        assert h.is_completed(instance)
        assert _variable(h, "result") == "one"


async def test_binding_type_version_tag_without_a_match_is_an_incident() -> None:
    async with EngineHarness() as h:
        await h.deploy(("a.dmn", _tagged("v1", "one")))
        await h.deploy(("rules.bpmn", _bound('bindingType="versionTag" versionTag="v9"')))
        await h.create_instance("rules")
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "CALLED_DECISION_ERROR"
        assert incident.value["errorMessage"].startswith(
            "Expected to evaluate decision with id 'greet' and version tag 'v9', but no such "
            "decision found."
        )


async def test_binding_type_deployment_uses_the_version_deployed_with_the_process() -> None:
    async with EngineHarness() as h:
        await h.deploy(
            ("rules.bpmn", _bound('bindingType="deployment"')), ("a.dmn", _tagged("", "one"))
        )
        await h.deploy(("a.dmn", _tagged("", "two")))
        instance = await h.create_instance("rules")
        assert _variable(h, "result") == "one"
        assert h.is_completed(instance)
        await h.deploy(("latest.bpmn", _bound("").replace('"rules"', '"latest"')))
        await h.create_instance("latest")
        assert _variable(h, "result") == "two"


async def test_binding_type_deployment_without_the_decision_is_an_incident() -> None:
    async with EngineHarness() as h:
        await h.deploy(("rules.bpmn", _bound('bindingType="deployment"')))
        await h.deploy(("a.dmn", _tagged("", "later")))
        await h.create_instance("rules")
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert (
            "with binding type 'deployment', but no such decision found"
            in (incident.value["errorMessage"])
        )


async def test_drg_versions_duplicates_and_evaluating_an_old_version_by_key() -> None:
    async with EngineHarness() as h:
        first = await h.deploy(("dinner.dmn", DINNER))
        again = await h.deploy(("dinner.dmn", DINNER))
        changed = await h.deploy(("dinner.dmn", DINNER.replace('"Stew"', '"Goulash"')))
        drgs = [d.value["decisionRequirementsMetadata"][0] for d in (first, again, changed)]
        assert [(m["decisionRequirementsVersion"], m["isDuplicate"]) for m in drgs] == [
            (1, False),
            (1, True),
            (2, False),
        ]
        assert drgs[1]["decisionRequirementsKey"] == drgs[0]["decisionRequirementsKey"]
        versions = [
            [(d["decisionId"], d["version"]) for d in r.value["decisionsMetadata"]]
            for r in (first, again, changed)
        ]
        assert versions == [
            [("dish", 1), ("beverages", 1)],
            [("dish", 1), ("beverages", 1)],
            [("dish", 2), ("beverages", 2)],
        ]
        old_key = first.value["decisionsMetadata"][0]["decisionKey"]
        variables = {"season": "Fall", "guestCount": 20}
        old = await _evaluate(h, variables, decisionKey=old_key)
        latest = await _evaluate(h, variables, decisionId="dish")
        assert (json.loads(old.value["decisionOutput"]), old.value["decisionVersion"]) == (
            "Stew",
            1,
        )
        assert (json.loads(latest.value["decisionOutput"]), latest.value["decisionVersion"]) == (
            "Goulash",
            2,
        )
        assert latest.value["decisionRequirementsKey"] == drgs[2]["decisionRequirementsKey"]


async def test_multi_instance_business_rule_task() -> None:
    task = (
        '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
        '<zeebe:calledDecision decisionId="greet" resultVariable="greeting"/>'
        "</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics>"
        '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=names" '
        'inputElement="name" outputCollection="greetings" outputElement="=greeting"/>'
        "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>"
        "</bpmn:businessRuleTask>"
    )
    bpmn = model("rules", start(), task, end(), chain("start", "decide", "end"))
    async with EngineHarness() as h:
        await h.deploy(("greeting.dmn", GREETING), ("rules.bpmn", bpmn))
        instance = await h.create_instance("rules", {"names": ["Ada", "Bob"]})
        assert h.is_completed(instance)
        assert _variable(h, "greetings") == ["Hello Ada", "Hello Bob"]
        assert len(h.records().of(_DE, DecisionEvaluationIntent.EVALUATED)) == 2
