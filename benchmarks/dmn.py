"""DMN throughput: decision-table evaluations per second (a 20-rule, 3-input table).

    .venv/bin/python benchmarks/dmn.py [--seconds 1]

Prints one JSON line per case: {"case", "hit_policy", "rules", "inputs", "evals_per_s"}. The table
is parsed once; each evaluation evaluates the 3 input expressions, tests the rules' unary tests
and builds the audit (matched rules, evaluated inputs), as the engine does per evaluation.
The last line is the same table through the broker (DECISION_EVALUATION EVALUATE commands, 32 in
flight, in-memory SQLite): what EvaluateDecision costs without the gRPC layer.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from collections.abc import Callable
from typing import Any

from zeebind.dmn.evaluator import DrgEvaluator
from zeebind.dmn.metadata import DMN_NAMESPACES
from zeebind.dmn.parser import parse_dmn
from zeebind.protocol.intent import DecisionEvaluationIntent, DeploymentIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

SEASONS = ('"Spring"', '"Summer"', '"Fall"', '"Winter"', "-")


def table(hit_policy: str, rules: int = 20) -> bytes:
    """Rules over season (string), guests (number) and vegetarian (boolean)."""
    body = ""
    for i in range(rules):
        season = SEASONS[i % len(SEASONS)]
        low = (i // len(SEASONS)) * 4
        guests = f"[{low}..{low + 3}]"
        vegetarian = ("true", "false", "-")[i % 3]
        body += (
            f'<rule id="r{i + 1}"><inputEntry><text>{season}</text></inputEntry>'
            f"<inputEntry><text>{guests}</text></inputEntry>"
            f"<inputEntry><text>{vegetarian}</text></inputEntry>"
            f'<outputEntry><text>"dish {i + 1}"</text></outputEntry></rule>'
        )
    return (
        f'<?xml version="1.0"?><definitions xmlns="{DMN_NAMESPACES["1.3"]}" id="bench" '
        'name="bench" namespace="urn:bench"><decision id="dish" name="Dish">'
        f'<decisionTable id="t" hitPolicy="{hit_policy}">'
        '<input id="season" label="Season"><inputExpression typeRef="string">'
        "<text>season</text></inputExpression></input>"
        '<input id="guests" label="Guests"><inputExpression typeRef="number">'
        "<text>guests</text></inputExpression></input>"
        '<input id="veg" label="Vegetarian"><inputExpression typeRef="boolean">'
        "<text>vegetarian</text></inputExpression></input>"
        f'<output id="dish" name="dish" typeRef="string"/>{body}</decisionTable></decision>'
        "</definitions>"
    ).encode()


CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("first match late", "FIRST", {"season": "Winter", "guests": 13, "vegetarian": False}),
    ("unique, one match", "UNIQUE", {"season": "Winter", "guests": 13, "vegetarian": False}),
    ("collect, all rules tested", "COLLECT", {"season": "Fall", "guests": 2, "vegetarian": True}),
]


def rate(fn: Callable[[], object], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


async def through_the_broker(seconds: float) -> float:
    variables = CASES[0][2]
    async with EngineHarness() as h:
        resource = base64.b64encode(table("FIRST")).decode()
        await h.b.command(
            ValueType.DEPLOYMENT,
            DeploymentIntent.CREATE,
            {"resources": [{"resourceName": "bench.dmn", "resource": resource}]},
        )
        command = {"decisionId": "dish", "decisionKey": -1, "variables": variables}

        async def evaluate() -> None:
            await h.b.command(
                ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATE, command
            )

        count = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            await asyncio.gather(*(evaluate() for _ in range(32)))
            count += 32
        return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    for name, hit_policy, variables in CASES:
        evaluator = DrgEvaluator(parse_dmn("bench.dmn", table(hit_policy)))
        result = evaluator.evaluate("dish", variables)
        assert not result.failed, result.failure_message

        def evaluate(evaluator: DrgEvaluator = evaluator, variables: Any = variables) -> object:
            return evaluator.evaluate("dish", variables)

        line = {
            "case": name,
            "hit_policy": hit_policy,
            "rules": 20,
            "inputs": 3,
            "output": result.output,
            "evals_per_s": round(rate(evaluate, args.seconds)),
        }
        print(json.dumps(line), flush=True)
    broker_rate = asyncio.run(through_the_broker(args.seconds))
    line = {
        "case": "through the broker",
        "hit_policy": "FIRST",
        "rules": 20,
        "inputs": 3,
        "evals_per_s": round(broker_rate),
    }
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
