"""The shared corpus of real Zeebe models: every model Zeebe accepts parses, except the few that use
a feature zeebind leaves out on purpose (named below, each with its reason).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zeebind.bpmn import BpmnValidationError, parse_bpmn
from zeebind.bpmn.form import parse_form
from zeebind.bpmn.model import IntermediateCatchEvent, Process, SubProcess
from zeebind.dmn.metadata import parse_dmn_metadata

# CI keeps a copy of shared/ beside the repository clone.
CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "bpmn-corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no BPMN corpus at {CORPUS}")

# Files that are invalid on purpose (see the corpus README), with one problem each must report.
INVALID = {
    "Client-BrokenBpmn.bpmn": "Attribute 'type' must be present and not empty",
    "modeller7File.bpmn": "Premature end of data",
}
# Valid for Zeebe, but rejected as not supported yet: Camunda user tasks (`zeebe:userTask`) are
# completed through the REST API and write USER_TASK records, which zeebind does not implement.
# Every model Zeebe accepts parses (Camunda user tasks run as job-based user tasks).
UNSUPPORTED: dict[str, str] = {}


# DMN files that are invalid on purpose (dmn-scala's own tests): refused at deployment.
INVALID_DMN = {
    "decision_with_invalid_expression.dmn": "FEEL expression: failed to parse expression",
    "with_invalid_bkm.dmn": "FEEL expression: failed to parse expression",
    "with_invalid_decision.dmn": "FEEL expression: failed to parse expression",
    "invalid-expression.dmn": "FEEL unary-tests: failed to parse expression '> 10L'",
    "adjustments_empty_output_name.dmn": "no output name defined for `Discount`",
    "empty-expression.dmn": "The expression 'inputExpression1' must not be empty.",
    "expression-language.dmn": "Expression language 'groovy' is not supported",
    "cyclic-dependencies-in-decisions.dmn": "Cyclic dependencies between decisions detected.",
    "cyclic-dependencies-in-bkm.dmn": "Cyclic dependencies between BKMs detected.",
}


def corpus_files(suffix: str) -> list[Path]:
    return sorted(CORPUS.rglob(f"*{suffix}")) if CORPUS.is_dir() else []


def file_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def check_links(process: Process) -> None:
    """The model is closed: every id it mentions resolves, every node sits in exactly one scope."""
    scopes: dict[str, list[str]] = {process.bpmn_process_id: process.child_ids}
    scopes.update(
        {n.id: n.child_ids for n in process.elements.values() if isinstance(n, SubProcess)}
    )
    placed = [child for children in scopes.values() for child in children]
    assert sorted(placed) == sorted(process.elements)
    for scope_id, children in scopes.items():
        assert all(process.element(c).flow_scope_id == scope_id for c in children)
    for node in process.elements.values():
        assert all(process.flow(f).target_id == node.id for f in node.incoming)
        assert all(process.flow(f).source_id == node.id for f in node.outgoing)
        assert all(
            process.element(b).flow_scope_id == node.flow_scope_id for b in node.boundary_event_ids
        )
    for flow in process.sequence_flows.values():
        assert flow.id in process.element(flow.source_id).outgoing
        assert flow.id in process.element(flow.target_id).incoming


def deploy(path: Path) -> list[Process] | BpmnValidationError:
    try:
        return parse_bpmn(path.name, path.read_bytes())
    except BpmnValidationError as error:
        return error


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(".bpmn"), ids=file_id)
def test_corpus_model_parses(path: Path) -> None:
    outcome = deploy(path)
    if path.name in INVALID:
        assert isinstance(outcome, BpmnValidationError)
        assert INVALID[path.name] in str(outcome)
    elif path.name in UNSUPPORTED:
        assert isinstance(outcome, BpmnValidationError)
        assert UNSUPPORTED[path.name] in str(outcome)
        unexpected = [p for p in outcome.problems if "not supported yet" not in p.message]
        assert not unexpected, str(outcome)
    else:
        assert not isinstance(outcome, BpmnValidationError), str(outcome)
        assert outcome
        for process in outcome:
            check_links(process)


@needs_corpus
def test_collaboration_with_two_pools_gives_two_processes() -> None:
    [path] = [p for p in corpus_files(".bpmn") if p.name == "BpmnParser2.bpmn"]
    processes = parse_bpmn(path.name, path.read_bytes())
    assert [p.bpmn_process_id for p in processes] == ["msg-start-process", "emit-frame-process"]


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(".dmn"), ids=file_id)
def test_corpus_decision_metadata(path: Path) -> None:
    if path.name in INVALID_DMN:
        with pytest.raises(BpmnValidationError) as caught:
            parse_dmn_metadata(path.name, path.read_bytes())
        assert INVALID_DMN[path.name] in str(caught.value)
        return
    drg = parse_dmn_metadata(path.name, path.read_bytes())
    assert drg.id
    assert drg.decisions
    assert drg.dmn_version in {"1.1", "1.2", "1.3", "1.4", "1.5"}


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(".form"), ids=file_id)
def test_corpus_form_id(path: Path) -> None:
    assert parse_form(path.name, path.read_bytes())


@needs_corpus
def test_corpus_breadth_elements_are_built() -> None:
    """The corpus's call activities, event-based gateways and timers become their model nodes."""
    kinds: set[str] = set()
    for path in corpus_files(".bpmn"):
        outcome = deploy(path)
        if isinstance(outcome, BpmnValidationError):
            continue
        for process in outcome:
            for node in process.elements.values():
                kinds.add(type(node).__name__)
                if isinstance(node, IntermediateCatchEvent) and node.events.timer is not None:
                    kinds.add("timer catch")
    assert {"CallActivity", "EventBasedGateway", "timer catch", "SubProcess"} <= kinds
