"""The DMN parser: safe XML, every DMN namespace, the model it builds and the problems it names."""

from __future__ import annotations

import pytest

from zeebind.bpmn import BpmnValidationError, Problem
from zeebind.dmn.metadata import DMN_NAMESPACES, parse_dmn_metadata
from zeebind.dmn.model import (
    Aggregation,
    DecisionTable,
    HitPolicy,
    Invocation,
    LiteralExpression,
    Ref,
)
from zeebind.dmn.parser import parse_dmn


def _xml(body: str, version: str = "1.3") -> bytes:
    return (
        f'<?xml version="1.0"?><definitions xmlns="{DMN_NAMESPACES[version]}" '
        'xmlns:feel="http://www.omg.org/spec/FEEL/20140401" id="drg" name="Drg" '
        f'namespace="urn:drg">{body}</definitions>'
    ).encode()


def _problems(content: bytes) -> list[Problem]:
    with pytest.raises(BpmnValidationError) as caught:
        parse_dmn("d.dmn", content)
    return caught.value.problems


TABLE = (
    '<decision id="d" name="Decide"><variable name="result" typeRef="string"/>'
    '<informationRequirement><requiredDecision href="#other"/></informationRequirement>'
    '<informationRequirement><requiredInput href="urn:elsewhere#input"/></informationRequirement>'
    '<decisionTable id="t" hitPolicy="COLLECT" aggregation="SUM">'
    '<input id="i1" label="Amount"><inputExpression typeRef="number"><text>amount</text>'
    "</inputExpression><inputValues><text>&gt;= 0</text></inputValues></input>"
    '<output id="o1" name="fee" typeRef="number"><defaultOutputEntry><text>0</text>'
    "</defaultOutputEntry></output>"
    '<rule id="r1"><inputEntry><text>&gt; 10</text></inputEntry>'
    "<outputEntry><text>1</text></outputEntry></rule>"
    "</decisionTable></decision>"
)


def test_a_decision_table_is_read_completely() -> None:
    definitions = parse_dmn("d.dmn", _xml(TABLE))
    assert (definitions.id, definitions.name, definitions.namespace) == ("drg", "Drg", "urn:drg")
    decision = definitions.decisions["d"]
    assert (decision.name, decision.variable, decision.type_ref) == ("Decide", "result", "string")
    assert decision.requirements.decisions == (Ref("", "other"),)
    assert decision.requirements.inputs == (Ref("urn:elsewhere", "input"),)
    table = decision.logic
    assert isinstance(table, DecisionTable)
    assert (table.hit_policy, table.aggregation) == (HitPolicy.COLLECT, Aggregation.SUM)
    [clause] = table.inputs
    assert (clause.id, clause.label, clause.expression, clause.type_ref) == (
        "i1",
        "Amount",
        "amount",
        "number",
    )
    assert clause.input_values == ">= 0"
    [output] = table.outputs
    assert (output.id, output.name, output.default) == ("o1", "fee", "0")
    assert [(r.id, r.input_entries, r.output_entries) for r in table.rules] == [
        ("r1", ("> 10",), ("1",))
    ]


@pytest.mark.parametrize("version", sorted(DMN_NAMESPACES))
def test_every_namespace_is_read(version: str) -> None:
    assert parse_dmn("d.dmn", _xml(TABLE, version)).dmn_version == version


def test_dmn_1_1_qualified_type_refs_lose_their_prefix() -> None:
    body = (
        '<itemDefinition name="tName"><typeRef>feel:string</typeRef></itemDefinition>'
        '<decision id="d"><variable name="d" typeRef="feel:number"/>'
        "<literalExpression><text>1</text></literalExpression></decision>"
    )
    definitions = parse_dmn("d.dmn", _xml(body, "1.1"))
    assert definitions.items["tName"].type_ref == "string"
    assert definitions.decisions["d"].type_ref == "number"
    assert definitions.decisions["d"].name == "d"


def test_invocations_and_knowledge_models() -> None:
    body = (
        '<businessKnowledgeModel id="k" name="fee"><encapsulatedLogic>'
        '<formalParameter name="a" typeRef="number"/><literalExpression><text>a</text>'
        "</literalExpression></encapsulatedLogic></businessKnowledgeModel>"
        '<decision id="d"><knowledgeRequirement><requiredKnowledge href="#k"/>'
        "</knowledgeRequirement><invocation><literalExpression><text>fee</text>"
        '</literalExpression><binding><parameter name="a"/><literalExpression><text>1</text>'
        "</literalExpression></binding></invocation></decision>"
    )
    definitions = parse_dmn("d.dmn", _xml(body))
    bkm = definitions.knowledge_models["k"]
    assert bkm.logic is not None
    assert [(p.name, p.type_ref) for p in bkm.logic.parameters] == [("a", "number")]
    invocation = definitions.decisions["d"].logic
    assert isinstance(invocation, Invocation)
    assert invocation.callee == LiteralExpression("fee")
    assert [b.parameter for b in invocation.bindings] == ["a"]


def test_doctype_and_entities_are_refused() -> None:
    content = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><definitions/>'
    assert [p.message for p in _problems(content)] == [
        "DOCTYPE and ENTITY declarations are not allowed"
    ]


def test_a_non_dmn_document_is_refused() -> None:
    [problem] = _problems(b'<definitions xmlns="urn:other"/>')
    assert problem.message.startswith("Expected a DMN 'definitions' root element")


def test_deployment_refuses_feel_syntax_errors_naming_the_element() -> None:
    body = (
        '<decision id="d" name="D"><decisionTable id="t">'
        '<input id="i"><inputExpression><text>x +</text></inputExpression></input>'
        '<output id="o" name="a"/>'
        '<rule id="r"><inputEntry><text>&gt; 10L</text></inputEntry>'
        "<outputEntry><text>1</text></outputEntry></rule></decisionTable></decision>"
    )
    with pytest.raises(BpmnValidationError) as caught:
        parse_dmn_metadata("d.dmn", _xml(body))
    assert [(p.element_path, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("i", "FEEL expression"),
        ("r", "FEEL unary-tests"),
    ]
    assert str(caught.value).startswith("'d.dmn': - Element: i\n    - ERROR: FEEL expression: ")


def test_table_problems_name_their_element() -> None:
    body = (
        '<decision id="d"><decisionTable id="t" hitPolicy="SOMETIMES">'
        '<input id="i"><inputExpression><text>x</text></inputExpression></input>'
        '<output id="o" name="a"/><output id="o2"/>'
        '<rule id="r"><inputEntry><text>1</text></inputEntry></rule>'
        "</decisionTable></decision>"
        '<decision id="e"><decisionTable id="t2" hitPolicy="FIRST" aggregation="SUM">'
        '<output id="o3" name="x"/></decisionTable></decision>'
    )
    assert [(p.element_path, p.message) for p in _problems(_xml(body))] == [
        ("t", "Unknown hit policy 'SOMETIMES'"),
        ("r", "Expected 1 input entries and 2 output entries, but found 1 and 0"),
        ("t2", "An aggregation is only allowed with hit policy COLLECT, not FIRST"),
    ]
