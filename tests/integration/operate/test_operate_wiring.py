"""`--operate-port` on `zeebind engine` / `zeebind run`, and EngineApp serving the Operate API."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys

import httpx
import pytest

from zeebind.app import EngineApp
from zeebind.cli import build_parser
from zeebind.cli.run import options

OPERATE_LINE = re.compile(r"Operate API on (?P<url>http://\S+)")


async def test_engine_app_serves_the_operate_api_on_its_broker() -> None:
    async with EngineApp(data_dir=None, port=0, operate_port=0) as app:
        assert app.operate is not None
        async with httpx.AsyncClient(base_url=app.operate.url) as http:
            answer = await http.post("/v1/process-definitions/search", json={})
            assert answer.json() == {"items": [], "sortValues": [], "total": 0}
    assert app.operate is None


async def test_a_taken_operate_port_fails_unless_it_is_optional() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=rf"cannot listen on 127.0.0.1:{port} \(Operate API\)"):
            await EngineApp(data_dir=None, port=0, operate_port=port).start()
        async with EngineApp(
            data_dir=None, port=0, operate_port=port, operate_optional=True
        ) as app:
            assert app.operate is None
            assert app.port > 0


def test_the_flags_of_both_commands() -> None:
    parser = build_parser()
    engine = parser.parse_args(["engine"])
    assert (engine.operate_port, engine.no_operate) == (None, False)
    run = parser.parse_args(["run", "--operate-port", "9000", "--operate-token", "t"])
    settings = options(run)
    assert (settings.operate_port, settings.operate_token, settings.operate_optional) == (
        9000,
        "t",
        False,
    )
    default = options(parser.parse_args(["run"]))
    assert (default.operate_port, default.operate_optional) == (8081, True)
    assert options(parser.parse_args(["run", "--no-operate"])).operate_port is None
    with pytest.raises(ValueError, match="--operate-port must be between 0 and 65535"):
        options(parser.parse_args(["run", "--operate-port", "70000"]))


async def test_zeebind_engine_prints_the_operate_url_and_serves_it() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "zeebind", "engine", "--port", "0", "--in-memory",
        "--operate-port", "0", "--operate-token", "t0ken",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        url = None
        for _ in range(20):
            line = (await asyncio.wait_for(process.stderr.readline(), 20)).decode()
            found = OPERATE_LINE.search(line)
            if found:
                url = found.group("url")
                break
        assert url is not None
        async with httpx.AsyncClient(base_url=url) as http:
            refused = await http.post("/v1/process-instances/search", json={})
            assert refused.status_code == 401
            answer = await http.post(
                "/v1/process-instances/search", json={}, headers={"Authorization": "Bearer t0ken"}
            )
            assert answer.json()["total"] == 0
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 15)
    assert process.returncode == 0
