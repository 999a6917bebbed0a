"""DMN resource metadata read at deploy time: the DRG id and name and its decisions.

The decision logic is validated as well (tables, FEEL syntax), so a deployed DRG can be evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zeebind.bpmn.document import local_name, namespace, parse_document
from zeebind.bpmn.findings import NOT_PRESENT, Findings
from zeebind.dmn.namespaces import DMN_NAMESPACES, dmn_version
from zeebind.dmn.parser import build_definitions
from zeebind.dmn.validation import check_logic


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class DecisionRequirements:
    """A DMN `definitions` element: the decision requirements graph (DRG) and its decisions."""

    id: str
    name: str
    decisions: list[Decision] = field(default_factory=list)
    dmn_version: str = ""


def parse_dmn_metadata(resource_name: str, content: bytes) -> DecisionRequirements:
    """Read the DRG id and name and the decisions; raise BpmnValidationError with all problems.

    A missing `name` falls back to the id, for the DRG and for each decision.
    """
    root = parse_document(resource_name, content)
    findings = Findings()
    version = dmn_version(root)
    if version is None or local_name(root) != "definitions":
        findings.add(
            "",
            "Expected a DMN 'definitions' root element in a DMN 1.1 to 1.5 namespace, "
            f"but found '{root.tag}'",
        )
        findings.raise_if_any(resource_name)
    drg_id = root.get("id") or ""
    if not drg_id.strip():
        findings.add("definitions", NOT_PRESENT.format("id"))
    decisions: list[Decision] = []
    seen: set[str] = set()
    for element in root:
        if namespace(element) != namespace(root) or local_name(element) != "decision":
            continue
        decision_id = element.get("id") or ""
        if not decision_id.strip():
            findings.add(f"{drg_id or 'definitions'} > decision", NOT_PRESENT.format("id"))
            continue
        if decision_id in seen:
            findings.add(decision_id, f"Duplicate decision id '{decision_id}'")
            continue
        seen.add(decision_id)
        decisions.append(Decision(decision_id, element.get("name") or decision_id))
    if not decisions and not findings.problems:
        findings.add(drg_id, "Must contain at least one decision")
    findings.raise_if_any(resource_name)
    # The decision logic too: tables well formed, every FEEL text parses (Zeebe rejects the rest).
    check_logic(build_definitions(root, version or "", findings), findings)
    findings.raise_if_any(resource_name)
    return DecisionRequirements(
        id=drg_id,
        name=root.get("name") or drg_id,
        decisions=decisions,
        dmn_version=version or "",
    )


__all__ = ["DMN_NAMESPACES", "Decision", "DecisionRequirements", "parse_dmn_metadata"]
