"""DMN metadata: DRG id and name and its decisions, in every DMN version Zeebe reads."""

from __future__ import annotations

import pytest

from zeebind.bpmn import BpmnValidationError, Problem
from zeebind.dmn.metadata import DMN_NAMESPACES, Decision, DecisionRequirements, parse_dmn_metadata


def dmn(body: str, *, namespace: str = DMN_NAMESPACES["1.3"], attributes: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{namespace}" {attributes}>'
        f"{body}</definitions>"
    ).encode()


def problems(content: bytes) -> list[Problem]:
    with pytest.raises(BpmnValidationError) as caught:
        parse_dmn_metadata("d.dmn", content)
    return caught.value.problems


@pytest.mark.parametrize("version", sorted(DMN_NAMESPACES))
def test_every_dmn_version_is_read(version: str) -> None:
    content = dmn(
        '<decision id="d1" name="Discount"><literalExpression><text>1</text>'
        '</literalExpression></decision><inputData id="i"/><decision id="d2" name="Rate"/>',
        namespace=DMN_NAMESPACES[version],
        attributes='id="drg" name="Pricing"',
    )
    assert parse_dmn_metadata("d.dmn", content) == DecisionRequirements(
        id="drg",
        name="Pricing",
        decisions=[Decision("d1", "Discount"), Decision("d2", "Rate")],
        dmn_version=version,
    )


def test_http_and_https_spellings_of_a_namespace_are_accepted() -> None:
    content = dmn(
        '<decision id="d"/>',
        namespace="http://www.omg.org/spec/DMN/20191111/MODEL",
        attributes='id="drg"',
    )
    assert parse_dmn_metadata("d.dmn", content).dmn_version == "1.3"


def test_missing_names_fall_back_to_ids() -> None:
    drg = parse_dmn_metadata("d.dmn", dmn('<decision id="d"/>', attributes='id="drg"'))
    assert (drg.name, drg.decisions) == ("drg", [Decision("d", "d")])


def test_definitions_need_at_least_one_decision() -> None:
    content = dmn('<businessKnowledgeModel id="bkm"/>', attributes='id="drg"')
    assert problems(content) == [Problem("drg", "Must contain at least one decision")]


def test_missing_and_duplicate_ids_are_all_reported() -> None:
    content = dmn('<decision name="x"/><decision id="a"/><decision id="a"/>')
    assert problems(content) == [
        Problem("definitions", "Attribute 'id' must be present and not empty"),
        Problem("definitions > decision", "Attribute 'id' must be present and not empty"),
        Problem("a", "Duplicate decision id 'a'"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="x"/>',
        b'<definitions id="x"><decision id="d"/></definitions>',
        b'<decision xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x"/>',
    ],
)
def test_root_must_be_dmn_definitions(content: bytes) -> None:
    [problem] = problems(content)
    assert problem.element_path == ""
    assert problem.message.startswith("Expected a DMN 'definitions' root element")


def test_syntax_error_names_the_resource() -> None:
    with pytest.raises(BpmnValidationError) as caught:
        parse_dmn_metadata("rules.dmn", b"<definitions")
    assert str(caught.value).startswith("'rules.dmn': ")
