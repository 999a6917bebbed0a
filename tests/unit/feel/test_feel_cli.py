"""`zeebind feel`: single expressions, unary tests, batch mode, errors without tracebacks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from zeebind.cli import main
from zeebind.cli.feel import run_batch


def test_expression_with_context(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feel", "a.b + 1 > x", "--context", '{"a": {"b": 2}, "x": 1}']) == 0
    assert capsys.readouterr().out.strip() == "true"


def test_temporal_result_is_feel_string(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feel", 'date("2024-01-01") + duration("P1D")']) == 0
    assert json.loads(capsys.readouterr().out) == "2024-01-02"


def test_injected_clock(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feel", "today()", "--now", "2024-05-06T10:00:00Z"]) == 0
    assert json.loads(capsys.readouterr().out) == "2024-05-06"


def test_unary_tests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feel", "< 10, > 20", "--unary", "25"]) == 0
    assert capsys.readouterr().out.strip() == "true"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["feel", "1 +"], "syntax error: unexpected end of expression"),
        (["feel", "f(1)"], "evaluation failed: no function found with name 'f'"),
        (["feel", "x", "--context", "{"], "--context is not valid JSON"),
        (["feel", "x", "--context", "[1]"], "the context must be a JSON object"),
        (["feel"], "an expression (or --batch FILE) is required"),
        (["feel", "--batch", "/nonexistent/file.jsonl"], "cannot read"),
    ],
)
def test_errors_go_to_stderr(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_batch_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        '{"expression": "1 + 1"}\n'
        '{"expression": "x * 2", "context": {"x": 2.5}}\n'
        "\n"
        '{"expression": "x"}\n'
    )
    assert main(["feel", "--batch", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {"result": 2, "warnings": []},
        {"result": 5, "warnings": []},
        {"result": None, "warnings": ["[NO_VARIABLE_FOUND] No variable found with name 'x'"]},
    ]


def test_batch_errors_are_per_line() -> None:
    out = io.StringIO()
    status = run_batch(["not json\n", '{"expression": "1 +"}\n', '{"x": 1}\n'], out, None)
    assert status == 1
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["line"] for a in answers] == [1, 2, 3]
    assert answers[1]["error"].startswith("syntax error")
