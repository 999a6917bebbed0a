"""Timers at scale: N timers due at the same moment, and memory over many timers.

    .venv/bin/python benchmarks/timers.py [--timers 10000] [--runs 3] [--rounds 100]

1. `burst`: N process instances wait at a PT1M timer catch event, all due at the same moment.
   The clock (a ManualClock) jumps to that moment; we measure the wall time until every timer has
   TRIGGERED and every instance COMPLETED, and check that they fired in due order.
2. `memory`: `rounds` x N timers created and fired (a million with the defaults); the process's
   traced memory after each round must stay flat (state keeps only live timers).
Prints JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import shutil
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from zeebind.broker import Broker, ManualClock
from zeebind.protocol.intent import DeploymentIntent, ProcessInstanceCreationIntent
from zeebind.protocol.record import ValueType

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="sleepy" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nap"/>
    <bpmn:intermediateCatchEvent id="nap">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1M</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="nap" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


async def _create(broker: Broker, count: int) -> None:
    for offset in range(0, count, 1000):
        await asyncio.gather(
            *(
                broker.command(
                    ValueType.PROCESS_INSTANCE_CREATION,
                    ProcessInstanceCreationIntent.CREATE,
                    {"bpmnProcessId": "sleepy", "version": -1},
                )
                for _ in range(min(1000, count - offset))
            )
        )


async def _fire(broker: Broker, clock: ManualClock) -> tuple[float, float]:
    """Moves the clock past the due date; returns (wall, CPU) seconds until no timer is left.

    The CPU time of this process is the figure to compare on a shared, loaded machine: the
    wall time also counts the time other processes had the cores.
    """
    start = time.perf_counter()
    cpu = time.process_time()
    clock.advance(60_000)
    while broker.engine.state.timers or not broker.is_idle:
        await asyncio.sleep(0.001)
    return time.perf_counter() - start, time.process_time() - cpu


async def close_broker(broker: Broker) -> None:
    """Closes the broker and removes its data directory (a million timers write gigabytes)."""
    await broker.close()
    if broker.database.path is not None:
        shutil.rmtree(broker.database.path.parent, ignore_errors=True)


async def open_broker() -> tuple[Broker, ManualClock]:
    clock = ManualClock()
    broker = await Broker.open(Path(tempfile.mkdtemp(prefix="zeebind-timers-")), clock=clock)
    resource = base64.b64encode(MODEL.encode()).decode()
    await broker.command(
        ValueType.DEPLOYMENT,
        DeploymentIntent.CREATE,
        {"resources": [{"resourceName": "sleepy.bpmn", "resource": resource}]},
    )
    return broker, clock


async def burst(count: int) -> dict[str, object]:
    broker, clock = await open_broker()
    await _create(broker, count)
    first_position = broker.engine.state.last_position
    seconds, cpu_seconds = await _fire(broker, clock)
    fired = []
    completed = 0
    for record in broker.database.records(first_position):
        if record.value_type is ValueType.TIMER and record.intent == "TRIGGERED":
            fired.append((record.value["dueDate"], record.key))
        if (
            record.value_type is ValueType.PROCESS_INSTANCE
            and record.intent == "ELEMENT_COMPLETED"
            and record.value["bpmnElementType"] == "PROCESS"
        ):
            completed += 1
    await close_broker(broker)
    return {
        "benchmark": "burst",
        "timers": count,
        "fired": len(fired),
        "completed_instances": completed,
        "in_due_order": fired == sorted(fired),
        "seconds_to_fire_all": round(seconds, 3),
        "cpu_seconds_to_fire_all": round(cpu_seconds, 3),
    }


async def memory(count: int, rounds: int) -> None:
    broker, clock = await open_broker()
    tracemalloc.start()
    baseline = None
    for round_number in range(1, rounds + 1):
        await _create(broker, count)
        await _fire(broker, clock)
        current, _ = tracemalloc.get_traced_memory()
        baseline = baseline or current
        if round_number in (1, 2, 5) or round_number % 10 == 0 or round_number == rounds:
            print(
                json.dumps(
                    {
                        "benchmark": "memory",
                        "timers_fired": round_number * count,
                        "traced_mib": round(current / 2**20, 1),
                        "vs_first_round": round(current / baseline, 2),
                        "live_timers": len(broker.engine.state.timers),
                    }
                ),
                flush=True,
            )
    tracemalloc.stop()
    await close_broker(broker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="bursts, each on a fresh broker")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    bursts = []
    for run in range(args.runs):
        result = asyncio.run(burst(args.timers))
        bursts.append(result)
        print(json.dumps({**result, "run": run}), flush=True)
    print(
        json.dumps(
            {
                "summary": "burst medians",
                "runs": args.runs,
                "timers": args.timers,
                "all_fired_in_due_order": all(
                    b["in_due_order"] and b["fired"] == args.timers for b in bursts
                ),
                "seconds_to_fire_all": statistics.median(
                    float(str(b["seconds_to_fire_all"])) for b in bursts
                ),
                "cpu_seconds_to_fire_all": statistics.median(
                    float(str(b["cpu_seconds_to_fire_all"])) for b in bursts
                ),
            }
        ),
        flush=True,
    )
    if not args.skip_memory:
        asyncio.run(memory(args.timers, args.rounds))


if __name__ == "__main__":
    main()
