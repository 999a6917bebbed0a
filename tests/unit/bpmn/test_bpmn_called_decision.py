"""Business rule tasks with zeebe:calledDecision: the model and the deploy-time rules."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems

from zeebind.bpmn.model import CalledDecisionTask, Expression, JobTask, Static

FLOWS = (
    '<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end"/>'
)


def _task(extensions: str) -> str:
    return (
        f'<bpmn:businessRuleTask id="t"><bpmn:extensionElements>{extensions}'
        "</bpmn:extensionElements></bpmn:businessRuleTask>" + FLOWS
    )


def test_called_decision_is_read(parse: Parse) -> None:
    process = parse(
        _task(
            '<zeebe:calledDecision decisionId="dish" resultVariable="meal" '
            'bindingType="versionTag" versionTag="v2"/>'
        )
    )
    task = process.element("t")
    assert isinstance(task, CalledDecisionTask)
    assert (task.decision_id, task.result_variable) == (Static("dish"), "meal")
    assert (task.binding_type, task.version_tag) == ("versionTag", "v2")


def test_decision_id_may_be_an_expression_and_binding_defaults_to_latest(parse: Parse) -> None:
    task = parse(_task('<zeebe:calledDecision decisionId="=which" resultVariable="r"/>')).element(
        "t"
    )
    assert isinstance(task, CalledDecisionTask)
    assert task.decision_id == Expression("which")
    assert task.binding_type == "latest"


def test_a_task_definition_makes_it_a_job(parse: Parse) -> None:
    task = parse(_task('<zeebe:taskDefinition type="dmn"/>')).element("t")
    assert isinstance(task, JobTask)


@pytest.mark.parametrize(
    ("extension", "problem"),
    [
        (
            '<zeebe:calledDecision resultVariable="r"/>',
            (
                "t > extensionElements > calledDecision",
                "Attribute 'decisionId' must be present and not empty",
            ),
        ),
        (
            '<zeebe:calledDecision decisionId="d"/>',
            (
                "t > extensionElements > calledDecision",
                "Attribute 'resultVariable' must be present and not empty",
            ),
        ),
        (
            '<zeebe:calledDecision decisionId="d" resultVariable="r" bindingType="sometimes"/>',
            (
                "t > extensionElements > calledDecision",
                "Attribute 'bindingType' must be one of latest, deployment, versionTag, "
                "but was 'sometimes'",
            ),
        ),
        (
            '<zeebe:calledDecision decisionId="d" resultVariable="r" bindingType="versionTag"/>',
            (
                "t > extensionElements > calledDecision",
                "Attribute 'versionTag' must be present and not empty",
            ),
        ),
        (
            '<zeebe:calledDecision decisionId="d" resultVariable="r"/>'
            '<zeebe:taskDefinition type="dmn"/>',
            (
                "t",
                "Must have either one 'zeebe:calledDecision' or one 'zeebe:taskDefinition' "
                "extension element",
            ),
        ),
    ],
)
def test_called_decision_rules(
    problems: Problems, extension: str, problem: tuple[str, str]
) -> None:
    assert problems(_task(extension)) == [problem]
