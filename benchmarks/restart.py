"""Restart time of the engine with a long log: from the shutdown snapshot vs a full replay.

    .venv/bin/python benchmarks/restart.py [--instances 20000]

Prints JSON lines: records in the log, seconds to open with the snapshot and without it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import shutil
import tempfile
import time
from pathlib import Path

from zeebind.broker import Broker
from zeebind.protocol.intent import (
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
)
from zeebind.protocol.record import ValueType
from zeebind.store.database import Database

MODEL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bpmn" / "one-task.bpmn"


async def fill(data_dir: Path, instances: int) -> int:
    broker = await Broker.open(data_dir)
    resource = base64.b64encode(MODEL.read_bytes()).decode()
    await broker.command(
        ValueType.DEPLOYMENT,
        DeploymentIntent.CREATE,
        {"resources": [{"resourceName": MODEL.name, "resource": resource}]},
    )
    for offset in range(0, instances, 500):
        await asyncio.gather(
            *(
                broker.command(
                    ValueType.PROCESS_INSTANCE_CREATION,
                    ProcessInstanceCreationIntent.CREATE,
                    {"bpmnProcessId": "one-task", "version": -1, "variables": {"n": offset + i}},
                )
                for i in range(min(500, instances - offset))
            )
        )
        # leave every other batch waiting at its task: live state for the snapshot
        if offset % 1000 == 0:
            batch = await broker.command(
                ValueType.JOB_BATCH,
                JobBatchIntent.ACTIVATE,
                {
                    "type": "one-task-work",
                    "worker": "w",
                    "timeout": 600_000,
                    "maxJobsToActivate": 500,
                },
            )
            await asyncio.gather(
                *(
                    broker.command(ValueType.JOB, JobIntent.COMPLETE, {"variables": {}}, key=k)
                    for k in batch.value["jobKeys"]
                )
            )
    records = broker.engine.state.last_position
    await broker.close()
    return records


async def open_time(data_dir: Path, *, use_snapshot: bool) -> float:
    start = time.perf_counter()
    broker = Broker(Database(data_dir / "zeebind.db"))
    broker.recover(use_snapshot=use_snapshot)
    elapsed = time.perf_counter() - start
    broker.database.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=20_000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="zeebind-restart-"))
    records = asyncio.run(fill(data_dir, args.instances))
    with_snapshot = asyncio.run(open_time(data_dir, use_snapshot=True))
    full = asyncio.run(open_time(data_dir, use_snapshot=False))
    print(
        json.dumps(
            {
                "instances": args.instances,
                "records": records,
                "open_with_snapshot_s": round(with_snapshot, 3),
                "open_full_replay_s": round(full, 3),
            }
        )
    )
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
