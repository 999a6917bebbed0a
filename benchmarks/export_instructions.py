"""What the Operate exporter costs the broker's loop, counted in instructions (valgrind).

    .venv/bin/python benchmarks/export_instructions.py [--small 500] [--large 2500]

Wall-clock rates on a shared 2-core machine drift by ±20 % between rounds (benchmarks/read_api.py
measures them side by side and reports medians); instruction counts do not. This runs the
workload of read_api.py (a one-task process to completion, 32 clients, two job workers, on a
durable SQLite log) for a fixed number of instances under `valgrind --tool=callgrind
--separate-threads=yes`, with the exporter off, on the export thread (the default) and in the
broker's loop, and counts each thread's instructions. Two sizes per mode, so that start-up
(imports, opening the databases) cancels out: per instance = (large - small) / (large - small
instances). Prints one JSON line per mode and a summary with the loop thread's ratio.

What it leaves out: valgrind runs one thread at a time, so the export thread's effect on the
loop through the machine's shared caches and memory bandwidth is not in these counts (read_api.py
measures it with the rest). Needs valgrind on the PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

MODES = ("off", "thread", "loop")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # read_api, beside this file


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


async def workload(data_dir: Path, instances: int, mode: str) -> None:
    """Runs `instances` one-task instances to completion (in the process valgrind watches)."""
    import read_api

    from zeebind.store.library import turn_off_memory_statistics

    turn_off_memory_statistics()  # as `zeebind engine` does
    broker, operate = await read_api.open_broker(data_dir, mode)
    try:
        await read_api.deploy(broker)
        stop = asyncio.Event()
        jobs = [asyncio.create_task(read_api.run_jobs(broker, stop)) for _ in range(2)]
        started = 0

        async def client() -> None:
            nonlocal started
            while started < instances:
                started += 1
                await read_api.create(broker, started, await_result=True)

        await asyncio.gather(*(client() for _ in range(32)))
        stop.set()
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        if operate is not None:
            await operate.director.caught_up()
    finally:
        if operate is not None:
            await operate.stop()
        await broker.close()


def counted(instances: int, mode: str, tmp: Path) -> dict[str, int]:
    """Instructions per thread name ("loop" = the main thread) of one workload run."""
    out_dir = Path(tempfile.mkdtemp(dir=tmp))
    data_dir = out_dir / "data"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--separate-threads=yes",
        f"--callgrind-out-file={out_dir}/cg.out",
        sys.executable,
        __file__,
        "--workload",
        str(instances),
        mode,
        str(data_dir),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same hashing, run after run
    subprocess.run(command, check=True, capture_output=True, env=env)
    threads: dict[str, int] = {}
    for part in sorted(out_dir.glob("cg.out*")):
        text = part.read_text(errors="replace")
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
        thread = re.search(r"^thread: (\d+)", text, re.MULTILINE)
        if total and thread:
            name = "loop" if thread.group(1) == "1" else f"thread-{thread.group(1)}"
            threads[name] = threads.get(name, 0) + int(total.group(1))
    shutil.rmtree(out_dir, ignore_errors=True)
    return threads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=2500)
    parser.add_argument("--modes", default=",".join(MODES), type=lambda t: t.split(","))
    parser.add_argument("--workload", nargs=3, metavar=("INSTANCES", "MODE", "DIR"))
    args = parser.parse_args()
    if args.workload:
        count, mode, directory = args.workload
        asyncio.run(workload(Path(directory), int(count), mode))
        return 0
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not on the PATH")
    unknown = set(args.modes) - set(MODES)
    if unknown or "off" not in args.modes:
        parser.error(f"--modes: from {', '.join(MODES)}, with off")
    if args.large <= args.small:
        parser.error("--large must be more than --small")
    per_instance: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="zeebind-bench-") as tmp:
        for mode in (m for m in MODES if m in args.modes):
            small = counted(args.small, mode, Path(tmp))
            large = counted(args.large, mode, Path(tmp))
            n = args.large - args.small
            per = {
                name: (large.get(name, 0) - small.get(name, 0)) / n
                for name in sorted(set(small) | set(large))
            }
            per_instance[mode] = per
            emit(
                measure="instructions per instance",
                exporter=mode,
                loop=round(per.get("loop", 0)),
                other_threads=round(sum(v for k, v in per.items() if k != "loop")),
            )
    base = per_instance["off"]["loop"]
    summary = {
        f"loop_ratio_{mode}": round(base / per["loop"], 4)
        for mode, per in per_instance.items()
        if mode != "off"
    }
    emit(measure="instructions summary", loop_per_instance_off=round(base), **summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
