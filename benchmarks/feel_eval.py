"""FEEL throughput: parses per second (uncached) and evaluations per second (compiled, cached).

    .venv/bin/python benchmarks/feel_eval.py [--seconds 1]

Prints one JSON line per expression: {"expression", "parse_per_s", "eval_per_s"}.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from zeebind.feel import Expression, compile_expression
from zeebind.feel.parser import parse_expression

CASES: list[tuple[str, dict[str, Any]]] = [
    ('x > 5 and y = "a"', {"x": 10, "y": "a"}),
    ("order.total * 1.19", {"order": {"total": 100}}),
    ("count(items[price > 10]) > 0", {"items": [{"price": p} for p in range(20)]}),
    ('if is defined(customer.vip) then "gold" else "standard"', {"customer": {}}),
    ('date("2024-01-01") + duration("P1D")', {}),
    ("{total: sum(items.price), n: count(items)}", {"items": [{"price": 1}] * 10}),
]


def rate(fn: Callable[[], object], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            fn()
        count += 100
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    for text, variables in CASES:
        expression = compile_expression(text)

        def parse(text: str = text) -> object:
            return parse_expression(text)

        def evaluate(expression: Expression = expression, variables: Any = variables) -> object:
            return expression.evaluate(variables)

        line = {
            "expression": text,
            "parse_per_s": round(rate(parse, args.seconds)),
            "eval_per_s": round(rate(evaluate, args.seconds)),
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
