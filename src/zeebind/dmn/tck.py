"""DMN TCK runner for the DMN engine (compliance levels 2 and 3).

Usage: ``python -m zeebind.dmn.tck [TCK_DIR] [--folder SUBSTRING] [--verbose]``

Every folder's models are parsed with `zeebind.dmn.parser` (imports resolved by namespace) and
each result node is evaluated with `DrgEvaluator` in strict (standard DMN) mode. Prints the passing
test cases (a test case passes when all its result nodes do) and result nodes per folder, per
level and in total. Test files are read with the FEEL runner's value reader and comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zeebind.bpmn.errors import BpmnValidationError
from zeebind.dmn.evaluator import DecisionEvaluationError, DrgEvaluator
from zeebind.dmn.model import Definitions
from zeebind.dmn.parser import parse_dmn
from zeebind.feel import format_value
from zeebind.feel.tck import child, child_text, children, parse_value, same

LEVELS = ("compliance-level-2", "compliance-level-3")
_NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


@dataclass(slots=True)
class CaseOutcome:
    case: str
    passed: bool
    nodes: int
    nodes_passed: int
    messages: list[str]


@dataclass(slots=True)
class FolderOutcome:
    name: str
    cases: list[CaseOutcome]

    @property
    def cases_passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def nodes(self) -> int:
        return sum(c.nodes for c in self.cases)

    @property
    def nodes_passed(self) -> int:
        return sum(c.nodes_passed for c in self.cases)


def _load(folder: Path) -> tuple[dict[str, Definitions], dict[str, str]]:
    models: dict[str, Definitions] = {}
    errors: dict[str, str] = {}
    for path in sorted(folder.glob("*.dmn")):
        try:
            models[path.name] = parse_dmn(path.name, path.read_bytes())
        except BpmnValidationError as err:
            errors[path.name] = str(err)
    return models, errors


def run_folder(folder: Path) -> FolderOutcome:
    models, errors = _load(folder)
    by_namespace = {m.namespace: m for m in models.values()}
    evaluators: dict[str, DrgEvaluator] = {}
    cases: list[CaseOutcome] = []
    for test_file in sorted(folder.glob("*-test-*.xml")):
        root = ET.parse(test_file).getroot()
        model_name = (child_text(root, "modelName") or "").strip()
        if model_name in errors or model_name not in models:
            problem = errors.get(model_name, f"no model named '{model_name}'")
            for case in children(root, "testCase"):
                count = len(children(case, "resultNode"))
                cases.append(CaseOutcome(case.get("id", ""), False, count, 0, [problem]))
            continue
        evaluator = evaluators.get(model_name)
        if evaluator is None:
            model = models[model_name]
            imports = {ns: m for ns, m in by_namespace.items() if m is not model}
            evaluator = DrgEvaluator(model, imports, strict=True, now=_NOW)
            evaluators[model_name] = evaluator
        for case in children(root, "testCase"):
            cases.append(_run_case(evaluator, case))
    return FolderOutcome(folder.name, cases)


def _run_case(evaluator: DrgEvaluator, case: ET.Element) -> CaseOutcome:
    inputs: dict[str, Any] = {}
    by_namespace: dict[str, dict[str, Any]] = {}
    for node in children(case, "inputNode"):
        value = parse_value(node)
        inputs[node.get("name", "")] = value
        if node.get("namespace"):
            by_namespace.setdefault(node.get("namespace", ""), {})[node.get("name", "")] = value
    messages: list[str] = []
    nodes = children(case, "resultNode")
    passed = 0
    for node in nodes:
        ok, message = _check(evaluator, case, inputs, by_namespace, node)
        passed += ok
        if not ok:
            messages.append(f"{node.get('name', '')}: {message}")
    return CaseOutcome(case.get("id", ""), passed == len(nodes), len(nodes), passed, messages)


def _check(
    evaluator: DrgEvaluator,
    case: ET.Element,
    inputs: dict[str, Any],
    by_namespace: dict[str, dict[str, Any]],
    node: ET.Element,
) -> tuple[bool, str]:
    name = node.get("name", "")
    expected_el = child(node, "expected")
    expected = parse_value(expected_el) if expected_el is not None else None
    error_expected = node.get("errorResult") == "true"
    try:
        if case.get("type") == "decisionService":
            actual = evaluator.invoke_service(case.get("invocableName", name), inputs)
            if isinstance(actual, dict) and name in actual and not isinstance(expected, dict):
                actual = actual[name]
        else:
            result = evaluator.evaluate_by_name(name, inputs, by_namespace)
            if result.failed:
                raise DecisionEvaluationError(result.failed_decision_id, result.failure_message)
            actual = result.output
    except DecisionEvaluationError as err:
        if error_expected or expected is None:
            return True, ""
        return False, f"error: {err.message}"
    except Exception as err:  # an engine crash is a failure of the test, reported with its type
        return False, f"CRASH {type(err).__name__}: {err}"
    if error_expected:
        return actual is None, f"expected an error, got {format_value(actual)}"
    if same(expected, actual):
        return True, ""
    return False, f"expected {format_value(expected)}, got {format_value(actual)}"


def run(cases_dir: Path, folder_filter: str | None = None) -> Iterator[tuple[str, FolderOutcome]]:
    for level in LEVELS:
        level_dir = cases_dir / level
        if not level_dir.is_dir():
            continue
        for folder in sorted(p for p in level_dir.iterdir() if p.is_dir()):
            if folder_filter and folder_filter not in folder.name:
                continue
            yield level, run_folder(folder)


def _share(passed: int, count: int) -> str:
    return f"{passed}/{count} ({100.0 * passed / count if count else 0.0:.1f}%)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zeebind.dmn.tck", description=__doc__)
    default = Path(__file__).resolve().parents[3] / ".." / "shared" / "dmn-tck"
    parser.add_argument("tck", nargs="?", default=str(default), help="the dmn-tck directory")
    parser.add_argument("--folder", help="only folders whose name contains this text")
    parser.add_argument("--verbose", "-v", action="store_true", help="print each failure")
    args = parser.parse_args(argv)
    base = Path(args.tck)
    cases_dir = base / "TestCases" if (base / "TestCases").is_dir() else base
    if not cases_dir.is_dir():
        print(f"error: no TCK test cases at {cases_dir}", file=sys.stderr)
        return 1
    totals: dict[str, list[int]] = {}
    for level, outcome in run(cases_dir, args.folder):
        print(
            f"{level}/{outcome.name}: test cases {outcome.cases_passed}/{len(outcome.cases)}, "
            f"result nodes {outcome.nodes_passed}/{outcome.nodes}"
        )
        if args.verbose:
            for case in outcome.cases:
                for message in case.messages:
                    print(f"    FAIL {case.case} {message}")
        for key in (level, "total"):
            bucket = totals.setdefault(key, [0, 0, 0, 0])
            bucket[0] += outcome.cases_passed
            bucket[1] += len(outcome.cases)
            bucket[2] += outcome.nodes_passed
            bucket[3] += outcome.nodes
    print()
    for key, (cases_passed, cases, nodes_passed, nodes) in totals.items():
        print(
            f"{key}: test cases {_share(cases_passed, cases)}, "
            f"result nodes {_share(nodes_passed, nodes)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
