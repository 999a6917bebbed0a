"""`zeebind instances` and `zeebind incidents`: rich tables from the Operate API over HTTP."""

from __future__ import annotations

import asyncio

import pytest
from operate_scenarios import scenario

from zeebind.cli import main


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


async def test_instances_lists_the_newest_first_and_filters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with scenario() as s:
        code, out, _ = await run(capsys, "instances", "--operate-url", s.operate.url)
        assert code == 0
        assert "Process instances (4 of 4)" in out
        rows = [line for line in out.splitlines() if "order" in line]
        assert [int(r.split()[1]) for r in rows] == sorted(s.keys, reverse=True)
        assert "CANCELED" in out
        assert "COMPLETED" in out
        code, out, _ = await run(
            capsys, "instances", "--operate-url", s.operate.url, "--state", "active", "--incidents"
        )
        assert code == 0
        assert "(1 of 1)" in out
        assert str(s.incident) in out
        assert str(s.active) not in out


async def test_incidents_lists_active_incidents_with_their_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with scenario(token="t0ken") as s:
        code, out, _ = await run(
            capsys, "incidents", "--operate-url", s.operate.url, "--operate-token", "t0ken"
        )
        assert code == 0
        assert "Incidents (1 of 1)" in out
        assert "JOB_NO_RETRIES" in out
        assert "card declined" in out
        assert str(s.incident) in out
        code, _, err = await run(capsys, "incidents", "--operate-url", s.operate.url)
        assert code == 1
        assert err.startswith("zeebind incidents: error: the Operate API answered 401:")


async def test_an_unreachable_api_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = await run(capsys, "instances", "--operate-url", "http://127.0.0.1:9")
    assert code == 1
    assert out == ""
    assert err.startswith("zeebind instances: error: cannot reach the Operate API at")
    assert "Traceback" not in err
