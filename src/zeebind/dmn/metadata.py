"""DMN resource metadata read at deploy time: the DRG id and name and its decisions."""

from __future__ import annotations

from dataclasses import dataclass, field

from zeebind.bpmn.document import XmlElement, local_name, namespace, parse_document
from zeebind.bpmn.findings import NOT_PRESENT, Findings

# The model namespace of each DMN version Zeebe (dmn-scala) reads, by version.
DMN_NAMESPACES = {
    "1.1": "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "1.2": "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "1.3": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "1.4": "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "1.5": "https://www.omg.org/spec/DMN/20230324/MODEL/",
}


def _normalized(uri: str) -> str:
    """Tools differ in http/https and the trailing slash; the versions do not depend on either."""
    return uri.removeprefix("https://").removeprefix("http://").rstrip("/")


_VERSIONS = {_normalized(uri): version for version, uri in DMN_NAMESPACES.items()}


def dmn_version(root: XmlElement) -> str | None:
    """The DMN version of a document by its root's namespace (None for a non-DMN namespace)."""
    return _VERSIONS.get(_normalized(namespace(root)))


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
    return DecisionRequirements(
        id=drg_id,
        name=root.get("name") or drg_id,
        decisions=decisions,
        dmn_version=version or "",
    )
