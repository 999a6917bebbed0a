"""Decision tables: hit policies, aggregations, no-match results, input entries and the audit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zeebind.dmn.evaluator import DecisionResult, DrgEvaluator
from zeebind.dmn.metadata import DMN_NAMESPACES
from zeebind.dmn.parser import parse_dmn


def _table(
    policy: str,
    rules: list[tuple[str, ...]],
    *,
    outputs: tuple[str, ...] = ("out",),
    aggregation: str | None = None,
    output_values: str | None = None,
    default: str | None = None,
    inputs: tuple[str, ...] = ("x",),
) -> str:
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    clauses = "".join(
        f'<input id="in_{i}" label="In {i}"><inputExpression><text>{expression}</text>'
        "</inputExpression></input>"
        for i, expression in enumerate(inputs, 1)
    )
    values = f"<outputValues><text>{output_values}</text></outputValues>" if output_values else ""
    default_entry = (
        f"<defaultOutputEntry><text>{default}</text></defaultOutputEntry>" if default else ""
    )
    outs = "".join(
        f'<output id="out_{name}" name="{name}">{values if i == 0 else ""}'
        f"{default_entry if i == 0 else ''}</output>"
        for i, name in enumerate(outputs)
    )
    body = ""
    for i, rule in enumerate(rules, 1):
        entries, results = rule[: len(inputs)], rule[len(inputs) :]
        body += f'<rule id="r{i}">'
        body += "".join(f"<inputEntry><text>{e}</text></inputEntry>" for e in entries)
        body += "".join(f"<outputEntry><text>{o}</text></outputEntry>" for o in results)
        body += "</rule>"
    return (
        f'<?xml version="1.0"?><definitions xmlns="{DMN_NAMESPACES["1.3"]}" id="drg" name="drg" '
        'namespace="urn:t"><decision id="d" name="D">'
        f'<decisionTable id="t" hitPolicy="{policy}"{agg}>{clauses}{outs}{body}</decisionTable>'
        "</decision></definitions>"
    )


def _evaluate(xml: str, variables: dict[str, Any], *, strict: bool = False) -> DecisionResult:
    return DrgEvaluator(parse_dmn("t.dmn", xml.encode()), strict=strict).evaluate("d", variables)


def _output(xml: str, variables: dict[str, Any], *, strict: bool = False) -> Any:
    result = _evaluate(xml, variables, strict=strict)
    assert not result.failed, result.failure_message
    return result.output


OVERLAPPING = [("&lt; 10", '"a"'), ("&lt; 20", '"b"'), ("-", '"c"')]


@pytest.mark.parametrize(
    ("policy", "x", "expected"),
    [
        ("FIRST", 5, "a"),
        ("FIRST", 15, "b"),
        ("RULE ORDER", 5, ["a", "b", "c"]),
        ("COLLECT", 15, ["b", "c"]),
        ("OUTPUT ORDER", 5, ["c", "b", "a"]),
        ("PRIORITY", 5, "c"),
        ("PRIORITY", 15, "c"),
    ],
)
def test_hit_policies_over_overlapping_rules(policy: str, x: int, expected: Any) -> None:
    xml = _table(policy, OVERLAPPING, output_values='"c","b","a"')
    assert _output(xml, {"x": x}) == expected


def test_unique_allows_one_match_and_fails_on_several() -> None:
    xml = _table("UNIQUE", OVERLAPPING)
    assert _output(xml, {"x": 25}) == "c"
    result = _evaluate(xml, {"x": 5})
    assert result.failed
    assert result.failed_decision_id == "d"
    assert result.failure_message == (
        "Expected to evaluate decision 'd', but multiple values aren't allowed for UNIQUE hit "
        "policy. found: 'List(Map(out -> a), Map(out -> b), Map(out -> c))'"
    )
    assert [r.rule_index for r in result.evaluated_decisions[0].matched_rules] == [1, 2, 3]


def test_any_needs_equal_outputs() -> None:
    xml = _table("ANY", [("&lt; 10", '"a"'), ("&lt; 20", '"a"'), ("&gt; 15", '"z"')])
    assert _output(xml, {"x": 5}) == "a"
    failed = _evaluate(xml, {"x": 17})
    assert "different values aren't allowed for ANY hit policy" in failed.failure_message


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("SUM", Decimal(6)), ("COUNT", Decimal(3)), ("MIN", Decimal(1)), ("MAX", Decimal(3))],
)
def test_collect_aggregations(aggregation: str, expected: Decimal) -> None:
    xml = _table("COLLECT", [("-", "1"), ("-", "2"), ("-", "3")], aggregation=aggregation)
    assert _output(xml, {"x": 0}) == expected


def test_sum_of_non_numbers_fails() -> None:
    xml = _table("COLLECT", [("-", '"a"')], aggregation="SUM")
    assert "expected number but found '\"a\"'" in _evaluate(xml, {"x": 1}).failure_message


def test_several_outputs_give_a_context_and_a_list_of_contexts() -> None:
    rules = [("&lt; 10", '"a"', "1"), ("-", '"b"', "2")]
    first = _table("FIRST", rules, outputs=("name", "rank"))
    assert _output(first, {"x": 1}) == {"name": "a", "rank": 1}
    collect = _table("COLLECT", rules, outputs=("name", "rank"))
    assert _output(collect, {"x": 1}) == [{"name": "a", "rank": 1}, {"name": "b", "rank": 2}]


@pytest.mark.parametrize("policy", ["UNIQUE", "FIRST", "COLLECT", "RULE ORDER"])
def test_no_match_is_null_in_zeebe_and_follows_the_standard_in_strict_mode(policy: str) -> None:
    xml = _table(policy, [("&lt; 0", '"neg"')])
    assert _output(xml, {"x": 1}) is None
    strict = _output(xml, {"x": 1}, strict=True)
    assert strict == ([] if policy in ("COLLECT", "RULE ORDER") else None)


def test_no_match_uses_the_default_output_entry() -> None:
    xml = _table("UNIQUE", [("&lt; 0", '"neg"')], default='"other"')
    assert _output(xml, {"x": 1}) == "other"


@pytest.mark.parametrize(
    ("entry", "x", "matches"),
    [
        ("-", 7, True),
        ("", 7, True),
        ("[1..10]", 7, True),
        ("(7..10]", 7, False),
        ("1, 7, 9", 7, True),
        ("not(7)", 7, False),
        ("&gt;= 7", 7, True),
        ("? &gt; 3 and ? &lt; 8", 7, True),
        ("limit", 7, False),
        ("&lt;= limit", 7, True),
    ],
)
def test_input_entries(entry: str, x: int, matches: bool) -> None:
    xml = _table("FIRST", [(entry, "true"), ("-", "false")])
    assert _output(xml, {"x": x, "limit": 8}) is matches


def test_several_inputs_all_must_match() -> None:
    xml = _table(
        "FIRST",
        [('"gold"', "&gt; 100", '"vip"'), ('"gold"', "-", '"good"'), ("-", "-", '"normal"')],
        inputs=("tier", "spent"),
    )
    assert _output(xml, {"tier": "gold", "spent": 500}) == "vip"
    assert _output(xml, {"tier": "gold", "spent": 5}) == "good"
    assert _output(xml, {"tier": "silver", "spent": 500}) == "normal"


def test_the_audit_lists_inputs_and_matched_rules() -> None:
    xml = _table("COLLECT", OVERLAPPING)
    [audit] = _evaluate(xml, {"x": 15}).evaluated_decisions
    assert audit.decision_type == "DECISION_TABLE"
    assert [(i.input_id, i.input_name, i.value) for i in audit.evaluated_inputs] == [
        ("in_1", "In 1", Decimal(15))
    ]
    assert [(r.rule_id, r.rule_index) for r in audit.matched_rules] == [("r2", 2), ("r3", 3)]
    assert [
        (o.output_id, o.output_name, o.value) for o in audit.matched_rules[0].evaluated_outputs
    ] == [("out_out", "out", "b")]


def test_first_reports_only_the_first_match() -> None:
    [audit] = _evaluate(_table("FIRST", OVERLAPPING), {"x": 1}).evaluated_decisions
    assert [r.rule_index for r in audit.matched_rules] == [1]


def test_input_values_and_output_values_are_enforced_in_strict_mode() -> None:
    xml = _table("FIRST", [("-", '"big"')], output_values='"small","medium"')
    assert _output(xml, {"x": 1}) == "big"
    assert (
        "is not one of the allowed values" in _evaluate(xml, {"x": 1}, strict=True).failure_message
    )


def test_a_failing_input_expression_names_the_expression() -> None:
    xml = _table("FIRST", [("-", "1")], inputs=('assert(x, x &gt; 0, "x must be positive")',))
    failure = _evaluate(xml, {"x": -1}).failure_message
    assert failure.startswith(
        "Expected to evaluate decision 'd', but failed to evaluate expression"
    )
    assert "x must be positive" in failure
