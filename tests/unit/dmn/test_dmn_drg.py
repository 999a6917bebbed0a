"""DRGs: required decisions in dependency order, boxed expressions, BKMs, services and types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zeebind.dmn.evaluator import DrgEvaluator
from zeebind.dmn.metadata import DMN_NAMESPACES
from zeebind.dmn.parser import parse_dmn


def _drg(body: str, version: str = "1.5") -> DrgEvaluator:
    return _evaluator(body, version)


def _evaluator(body: str, version: str = "1.5", *, strict: bool = False) -> DrgEvaluator:
    xml = (
        f'<?xml version="1.0"?><definitions xmlns="{DMN_NAMESPACES[version]}" id="drg" '
        f'name="drg" namespace="urn:drg">{body}</definitions>'
    )
    return DrgEvaluator(parse_dmn("drg.dmn", xml.encode()), strict=strict)


def _literal(decision_id: str, text: str, *requires: str, name: str | None = None) -> str:
    required = "".join(
        f'<informationRequirement><requiredDecision href="#{r}"/></informationRequirement>'
        for r in requires
    )
    return (
        f'<decision id="{decision_id}" name="{name or decision_id}">{required}'
        f"<literalExpression><text>{text}</text></literalExpression></decision>"
    )


def _output(evaluator: DrgEvaluator, decision_id: str, variables: dict[str, Any]) -> Any:
    result = evaluator.evaluate(decision_id, variables)
    assert not result.failed, result.failure_message
    return result.output


def test_required_decisions_are_evaluated_first_and_once() -> None:
    drg = _drg(
        _literal("total", "base + tax", "base", "tax")
        + _literal("tax", "base * 0.2", "base")
        + _literal("base", "price * quantity")
    )
    result = drg.evaluate("total", {"price": 10, "quantity": 3})
    assert result.output == Decimal(36)
    assert [d.decision_id for d in result.evaluated_decisions] == ["base", "tax", "total"]
    assert [d.decision_type for d in result.evaluated_decisions] == ["LITERAL_EXPRESSION"] * 3


def test_a_required_decision_is_visible_by_its_name_and_its_id() -> None:
    drg = _drg(
        _literal("greeting_id", '"Hello"', name="Greeting")
        + _literal("out", 'Greeting + " " + greeting_id', "greeting_id")
    )
    assert _output(drg, "out", {}) == "Hello Hello"


def test_a_failing_required_decision_fails_the_evaluation_with_its_id() -> None:
    drg = _drg(
        _literal("inner", 'assert(1, false, "broken")') + _literal("outer", "inner", "inner")
    )
    result = drg.evaluate("outer", {})
    assert result.failed
    assert result.failed_decision_id == "inner"
    assert result.decision_id == "outer"
    assert result.failure_message.startswith("Expected to evaluate decision 'outer', but ")
    assert "broken" in result.failure_message


def test_cycles_and_unknown_decisions_are_failures_not_crashes() -> None:
    drg = _drg(_literal("a", "b", "b") + _literal("b", "a", "a"))
    assert "cycle" in drg.evaluate("a", {}).failure_message
    missing = drg.evaluate("nope", {})
    assert missing.failure_message == (
        "Expected to evaluate decision 'nope', but no decision found for id 'nope'"
    )


def test_contexts_lists_and_relations() -> None:
    drg = _drg(
        '<decision id="c" name="c"><context>'
        '<contextEntry><variable name="a"/><literalExpression><text>1</text></literalExpression>'
        "</contextEntry>"
        '<contextEntry><variable name="b"/><literalExpression><text>a + 1</text>'
        "</literalExpression></contextEntry></context></decision>"
        '<decision id="final" name="final"><context>'
        '<contextEntry><variable name="a"/><literalExpression><text>2</text></literalExpression>'
        "</contextEntry>"
        "<contextEntry><literalExpression><text>a * 10</text></literalExpression></contextEntry>"
        "</context></decision>"
        '<decision id="l" name="l"><list><literalExpression><text>1</text></literalExpression>'
        "<literalExpression><text>x</text></literalExpression></list></decision>"
        '<decision id="r" name="r"><relation><column name="n"/><column name="v"/>'
        '<row><literalExpression><text>"a"</text></literalExpression>'
        "<literalExpression><text>1</text></literalExpression></row>"
        '<row><literalExpression><text>"b"</text></literalExpression>'
        "<literalExpression><text>2</text></literalExpression></row></relation></decision>"
    )
    assert _output(drg, "c", {}) == {"a": 1, "b": 2}
    assert _output(drg, "final", {}) == 20
    assert _output(drg, "l", {"x": 5}) == [1, 5]
    assert _output(drg, "r", {}) == [{"n": "a", "v": 1}, {"n": "b", "v": 2}]
    types = [drg.evaluate(d, {"x": 1}).evaluated_decisions[-1].decision_type for d in "clr"]
    assert types == ["CONTEXT", "LIST", "RELATION"]


BKM = (
    '<businessKnowledgeModel id="bkm_fee" name="fee">'
    '<encapsulatedLogic><formalParameter name="amount" typeRef="number"/>'
    '<formalParameter name="rate"/>'
    "<literalExpression><text>amount * rate</text></literalExpression></encapsulatedLogic>"
    "</businessKnowledgeModel>"
)


def test_invocation_of_a_business_knowledge_model() -> None:
    drg = _drg(
        BKM + '<decision id="d" name="d">'
        '<knowledgeRequirement><requiredKnowledge href="#bkm_fee"/></knowledgeRequirement>'
        "<invocation><literalExpression><text>fee</text></literalExpression>"
        '<binding><parameter name="amount"/><literalExpression><text>100</text>'
        "</literalExpression></binding>"
        '<binding><parameter name="rate"/><literalExpression><text>0.5</text>'
        "</literalExpression></binding></invocation></decision>"
        '<decision id="call" name="call">'
        '<knowledgeRequirement><requiredKnowledge href="#bkm_fee"/></knowledgeRequirement>'
        "<literalExpression><text>fee(10, 2) + fee(rate: 1, amount: 1)</text>"
        "</literalExpression></decision>"
    )
    assert _output(drg, "d", {}) == 50
    assert drg.evaluate("d", {}).evaluated_decisions[0].decision_type == "INVOCATION"
    assert _output(drg, "call", {}) == 21


def test_a_bkm_with_a_decision_table() -> None:
    drg = _drg(
        '<businessKnowledgeModel id="k" name="grade"><encapsulatedLogic>'
        '<formalParameter name="score"/><decisionTable hitPolicy="FIRST">'
        "<input><inputExpression><text>score</text></inputExpression></input>"
        '<output name="g"/>'
        '<rule><inputEntry><text>&gt;= 90</text></inputEntry><outputEntry><text>"A"</text>'
        "</outputEntry></rule>"
        '<rule><inputEntry><text>-</text></inputEntry><outputEntry><text>"B"</text>'
        "</outputEntry></rule></decisionTable></encapsulatedLogic></businessKnowledgeModel>"
        '<decision id="d" name="d"><knowledgeRequirement><requiredKnowledge href="#k"/>'
        "</knowledgeRequirement><literalExpression><text>[grade(95), grade(50)]</text>"
        "</literalExpression></decision>"
    )
    assert _output(drg, "d", {}) == ["A", "B"]


def test_decision_services_are_functions_of_their_inputs() -> None:
    drg = _evaluator(
        '<inputData id="i_name" name="name"/>'
        '<decision id="hello" name="hello"><informationRequirement><requiredInput href="#i_name"/>'
        '</informationRequirement><literalExpression><text>"Hello " + name</text>'
        "</literalExpression></decision>"
        '<decisionService id="svc" name="greet"><outputDecision href="#hello"/>'
        '<inputData href="#i_name"/></decisionService>'
        '<decision id="use" name="use"><knowledgeRequirement><requiredKnowledge href="#svc"/>'
        '</knowledgeRequirement><literalExpression><text>greet("Ada")</text></literalExpression>'
        "</decision>",
        strict=True,
    )
    assert _output(drg, "use", {}) == "Hello Ada"
    assert drg.invoke_service("greet", {"name": "Bob"}) == "Hello Bob"


def test_strict_mode_sees_only_requirements_and_checks_types() -> None:
    body = (
        '<itemDefinition name="tAge"><typeRef>number</typeRef>'
        "<allowedValues><text>[0..150]</text></allowedValues></itemDefinition>"
        '<inputData id="i_age" name="age"><variable name="age" typeRef="tAge"/></inputData>'
        '<decision id="d" name="d"><variable name="d" typeRef="string"/>'
        '<informationRequirement><requiredInput href="#i_age"/></informationRequirement>'
        "<literalExpression><text>string(age)</text></literalExpression></decision>"
        '<decision id="other" name="other"><literalExpression><text>hidden</text>'
        "</literalExpression></decision>"
        '<decision id="number" name="number"><variable name="number" typeRef="number"/>'
        "<literalExpression><text>[7]</text></literalExpression></decision>"
        '<decision id="wrong" name="wrong"><variable name="wrong" typeRef="number"/>'
        '<literalExpression><text>"seven"</text></literalExpression></decision>'
    )
    strict = _evaluator(body, strict=True)
    assert _output(strict, "d", {"age": 30}) == "30"
    assert _output(strict, "d", {"age": 200}) is None  # not an allowed tAge: null
    assert _output(strict, "other", {"hidden": 1}) is None
    assert _output(strict, "number", {}) == 7  # a singleton list conforms to its element
    assert _output(strict, "wrong", {}) is None
    zeebe = _evaluator(body)
    assert _output(zeebe, "other", {"hidden": 1}) == 1
    wrong = zeebe.evaluate("wrong", {})  # Zeebe fails a literal expression of another type
    assert wrong.failure_message == (
        "Expected to evaluate decision 'wrong', but expected 'number' but found '\"seven\"'"
    )


def test_instance_of_an_item_definition() -> None:
    drg = _drg(
        '<itemDefinition name="tPerson"><itemComponent name="name"><typeRef>string</typeRef>'
        "</itemComponent></itemDefinition>"
        + _literal("d", "[p instance of tPerson, 5 instance of tPerson]")
    )
    assert _output(drg, "d", {"p": {"name": "Ada"}}) == [True, False]


def test_boxed_conditional_filter_and_iterators() -> None:
    drg = _drg(
        '<decision id="c" name="c"><conditional><if><literalExpression><text>x &gt; 1</text>'
        '</literalExpression></if><then><literalExpression><text>"big"</text>'
        '</literalExpression></then><else><literalExpression><text>"small"</text>'
        "</literalExpression></else></conditional></decision>"
        '<decision id="f" name="f"><filter><in><literalExpression><text>[1,2,3]</text>'
        "</literalExpression></in><match><literalExpression><text>item &gt; 1</text>"
        "</literalExpression></match></filter></decision>"
        '<decision id="e" name="e"><every iteratorVariable="n"><in><literalExpression>'
        "<text>[1,2]</text></literalExpression></in><satisfies><literalExpression>"
        "<text>n &gt; 0</text></literalExpression></satisfies></every></decision>"
    )
    assert _output(drg, "c", {"x": 2}) == "big"
    assert _output(drg, "f", {}) == [2, 3]
    assert _output(drg, "e", {}) is True


@pytest.mark.parametrize("version", sorted(DMN_NAMESPACES))
def test_every_dmn_version_evaluates(version: str) -> None:
    assert _output(_drg(_literal("d", "1 + 1"), version), "d", {}) == 2


def test_business_knowledge_models_may_require_each_other() -> None:
    def bkm(bkm_id: str, name: str, other: str, body: str) -> str:
        return (
            f'<businessKnowledgeModel id="{bkm_id}" name="{name}">'
            f'<encapsulatedLogic><formalParameter name="n"/><literalExpression><text>{body}'
            "</text></literalExpression></encapsulatedLogic>"
            f'<knowledgeRequirement><requiredKnowledge href="#{other}"/></knowledgeRequirement>'
            "</businessKnowledgeModel>"
        )

    drg = _drg(
        bkm("k_even", "isEven", "k_odd", "if n = 0 then true else isOdd(n - 1)")
        + bkm("k_odd", "isOdd", "k_even", "if n = 0 then false else isEven(n - 1)")
        + '<decision id="d" name="d"><knowledgeRequirement><requiredKnowledge href="#k_even"/>'
        "</knowledgeRequirement><literalExpression><text>[isEven(4), isEven(3)]</text>"
        "</literalExpression></decision>"
        + '<decision id="endless" name="endless"><knowledgeRequirement>'
        '<requiredKnowledge href="#k_loop"/></knowledgeRequirement>'
        "<literalExpression><text>loop(1)</text></literalExpression></decision>"
        + bkm("k_loop", "loop", "k_loop", "loop(n)")
    )
    assert _output(drg, "d", {}) == [True, False]
    assert "nested too deeply" in drg.evaluate("endless", {}).failure_message
