"""EngineHarness: a broker on a real SQLite file with a manual clock, plus record assertions."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from types import TracebackType
from typing import Any

from zeebind.broker import Broker, ManualClock
from zeebind.engine.engine import Engine
from zeebind.protocol.intent import (
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceMigrationIntent,
)
from zeebind.protocol.record import Record, RecordType, ValueType


class RecordStream:
    """A filterable view of records, in log order."""

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def of(
        self,
        value_type: ValueType | None = None,
        intent: str | None = None,
        *,
        record_type: RecordType | None = RecordType.EVENT,
        **value: Any,
    ) -> RecordStream:
        def keep(r: Record) -> bool:
            if record_type is not None and r.record_type is not record_type:
                return False
            if value_type is not None and r.value_type is not value_type:
                return False
            if intent is not None and r.intent != str(intent):
                return False
            return all(r.value.get(k) == v for k, v in value.items())

        return RecordStream([r for r in self.records if keep(r)])

    def intents(self) -> list[str]:
        return [r.intent for r in self.records]

    def first(self) -> Record:
        assert self.records, "no record matches"
        return self.records[0]

    def only(self) -> Record:
        assert len(self.records) == 1, f"expected exactly one record, got {len(self.records)}"
        return self.records[0]

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.records)

    def describe(self) -> str:
        return "\n".join(
            f"{r.position:>5} {r.record_type[:5]:5} {r.value_type:28} {r.intent:26} "
            f"{r.key} {r.value.get('elementId', '')}"
            for r in self.records
        )


class EngineHarness:
    """Runs the real broker and engine on a SQLite file; time moves only via `advance`."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir
        self.clock = ManualClock()
        self.broker: Broker | None = None

    async def __aenter__(self) -> EngineHarness:
        self.broker = await Broker.open(self.data_dir, clock=self.clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.assert_replay_matches()
        assert self.broker is not None
        await self.broker.close()

    @property
    def b(self) -> Broker:
        assert self.broker is not None, "use the harness with 'async with'"
        return self.broker

    # --- commands ----------------------------------------------------------------------------

    async def deploy(self, *resources: tuple[str, str | bytes]) -> Record:
        encoded = [
            {
                "resourceName": name,
                "resource": base64.b64encode(
                    content.encode() if isinstance(content, str) else content
                ).decode(),
            }
            for name, content in resources
        ]
        return await self.b.command(
            ValueType.DEPLOYMENT, DeploymentIntent.CREATE, {"resources": encoded}
        )

    async def create_instance(
        self, bpmn_process_id: str, variables: dict[str, Any] | None = None
    ) -> int:
        record = await self.b.command(
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE,
            {"bpmnProcessId": bpmn_process_id, "version": -1, "variables": variables or {}},
        )
        return int(record.value["processInstanceKey"])

    async def activate_jobs(
        self, job_type: str, max_jobs: int = 10, timeout: int = 60_000
    ) -> list[tuple[int, dict[str, Any]]]:
        record = await self.b.command(
            ValueType.JOB_BATCH,
            JobBatchIntent.ACTIVATE,
            {"type": job_type, "worker": "test", "timeout": timeout, "maxJobsToActivate": max_jobs},
        )
        return list(zip(record.value["jobKeys"], record.value["jobs"], strict=True))

    async def complete_job(self, job_key: int, variables: dict[str, Any] | None = None) -> Record:
        return await self.b.command(
            ValueType.JOB, JobIntent.COMPLETE, {"variables": variables or {}}, key=job_key
        )

    async def migrate(
        self, instance_key: int, target_definition_key: int, *mappings: tuple[str, str]
    ) -> Record:
        """Migrates an instance to another definition; mappings are (source, target) ids."""
        return await self.b.command(
            ValueType.PROCESS_INSTANCE_MIGRATION,
            ProcessInstanceMigrationIntent.MIGRATE,
            {
                "targetProcessDefinitionKey": target_definition_key,
                "mappingInstructions": [
                    {"sourceElementId": s, "targetElementId": t} for s, t in mappings
                ],
            },
            key=instance_key,
        )

    async def publish(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any] | None = None,
        ttl: int = 60_000,
        message_id: str = "",
    ) -> Record:
        return await self.b.command(
            ValueType.MESSAGE,
            MessageIntent.PUBLISH,
            {
                "name": name,
                "correlationKey": correlation_key,
                "timeToLive": ttl,
                "messageId": message_id,
                "variables": variables or {},
            },
        )

    async def advance(self, ms: int) -> None:
        """Moves the clock and lets the broker process whatever fell due."""
        self.clock.advance(ms)
        await self.settle()

    async def settle(self) -> None:
        """Waits until the broker has processed everything queued (internal commands included)."""
        import asyncio

        for _ in range(1000):
            await asyncio.sleep(0)
            if self.b.is_idle:
                return
        raise AssertionError("the broker did not settle")

    # --- inspection --------------------------------------------------------------------------

    def records(self) -> RecordStream:
        return RecordStream(list(self.b.database.records()))

    def process_instance_intents(self, element_id: str) -> list[str]:
        return self.records().of(ValueType.PROCESS_INSTANCE, elementId=element_id).intents()

    def variables(self, scope_key: int) -> dict[str, Any]:
        return {
            name: json.loads(v.text)
            for name, v in self.b.engine.state.variables.get(scope_key, {}).items()
        }

    def is_completed(self, process_instance_key: int) -> bool:
        completed = self.records().of(
            ValueType.PROCESS_INSTANCE, "ELEMENT_COMPLETED", bpmnElementType="PROCESS"
        )
        return any(r.key == process_instance_key for r in completed)

    def assert_replay_matches(self) -> None:
        """Rebuilding the state from the logged events gives exactly the live state."""
        replayed = Engine()
        for record in self.b.database.records():
            replayed.replay(record)
        live = self.b.engine.state.dump()
        rebuilt = replayed.state.dump()
        for name in live:
            assert live[name] == rebuilt[name], f"replayed state differs in '{name}'"
