"""Evaluate FEEL expressions: `zeebind feel EXPR [--context JSON]` or `--batch FILE.jsonl`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from zeebind.feel import (
    EvaluationResult,
    FeelSyntaxError,
    compile_expression,
    compile_unary_tests,
    to_json,
)

PROG = "zeebind feel"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", nargs="?", help="the FEEL expression to evaluate")
    parser.add_argument(
        "--context", default="{}", help="variables as a JSON object, e.g. '{\"x\": 1}'"
    )
    parser.add_argument(
        "--batch",
        metavar="FILE",
        help='JSON lines {"expression", "context"} ("-" = stdin); one JSON result line each',
    )
    parser.add_argument(
        "--unary",
        metavar="INPUT",
        help="evaluate EXPR as unary tests (a decision-table cell) against this JSON input value",
    )
    parser.add_argument(
        "--now", help="the clock of now()/today() as an ISO date-time (default: the system clock)"
    )
    parser.add_argument(
        "--warnings", action="store_true", help="also print the evaluation warnings on stderr"
    )


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


def _parse_now(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def evaluate_one(
    expression: str, context: Any, now: dt.datetime | None, unary_input: Any = None
) -> EvaluationResult:
    """Evaluate (raises FeelSyntaxError, ValueError for a context that is not an object)."""
    if not isinstance(context, dict):
        raise ValueError("the context must be a JSON object")
    if unary_input is not None:
        return compile_unary_tests(expression).matches(unary_input[0], context, now=now)
    return compile_expression(expression).evaluate(context, now=now)


def main(args: argparse.Namespace) -> int:
    try:
        now = _parse_now(args.now)
    except ValueError:
        return _error(f"invalid --now date-time {args.now!r}")
    if args.batch is not None:
        if args.expression is not None:
            return _error("give either EXPR or --batch, not both")
        try:
            if args.batch == "-":
                return run_batch(sys.stdin, sys.stdout, now)
            with open(args.batch, encoding="utf-8") as stream:
                return run_batch(stream, sys.stdout, now)
        except OSError as err:
            return _error(f"cannot read {args.batch}: {err.strerror}")
    if args.expression is None:
        return _error("an expression (or --batch FILE) is required")
    try:
        context = json.loads(args.context)
    except json.JSONDecodeError as err:
        return _error(f"--context is not valid JSON: {err}")
    unary_input = None
    if args.unary is not None:
        try:
            unary_input = (json.loads(args.unary),)
        except json.JSONDecodeError as err:
            return _error(f"--unary is not valid JSON: {err}")
    try:
        result = evaluate_one(args.expression, context, now, unary_input)
    except FeelSyntaxError as err:
        return _error(f"syntax error: {err}")
    except ValueError as err:
        return _error(str(err))
    if args.warnings:
        for warning in result.warnings:
            print(f"{PROG}: warning: {warning}", file=sys.stderr)
    if result.failure is not None:
        return _error(f"evaluation failed: {result.failure}")
    print(_dumps(to_json(result.value)))
    return 0


def run_batch(lines: Iterable[str], out: TextIO, now: dt.datetime | None) -> int:
    """Answer one JSON line per input line; exit status 1 when any line failed."""
    status = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        answer = _batch_line(line, number, now)
        if "error" in answer:
            status = 1
        out.write(_dumps(answer) + "\n")
        out.flush()
    return status


def _batch_line(line: str, number: int, now: dt.datetime | None) -> dict[str, Any]:
    try:
        request = json.loads(line)
    except json.JSONDecodeError as err:
        return {"line": number, "error": f"invalid JSON: {err}"}
    if not isinstance(request, dict) or not isinstance(request.get("expression"), str):
        return {"line": number, "error": 'expected an object with a string "expression"'}
    context = request.get("context", {})
    try:
        result = evaluate_one(request["expression"], context if context is not None else {}, now)
    except FeelSyntaxError as err:
        return {"line": number, "error": f"syntax error: {err}"}
    except ValueError as err:
        return {"line": number, "error": str(err)}
    if result.failure is not None:
        return {"line": number, "error": f"evaluation failed: {result.failure}"}
    return {"result": to_json(result.value), "warnings": result.warnings}
