"""The Operate exporter: the live read model equals a rebuild from the log; catch-up on start."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from operate_scenarios import ORDER, run_scenario, scenario

from zeebind.exporters.operate import OperateExporter
from zeebind.operate.service import READ_MODEL_FILE, OperateService
from zeebind.protocol.record import Record, RecordType, ValueType
from zeebind.store.database import Database
from zeebind.testing import EngineHarness


def rebuilt(log: EngineHarness) -> OperateExporter:
    fresh = OperateExporter(None)
    fresh.catch_up(log.b.database.records, log.b.database.last_position())
    return fresh


async def test_the_live_read_model_equals_a_rebuild_from_the_log(tmp_path: Path) -> None:
    async with scenario(tmp_path) as s:
        await s.operate.director.caught_up()
        live = s.operate.exporter.dump()
        fresh = rebuilt(s.harness)
        assert fresh.dump() == live
        assert fresh.position == s.operate.exporter.position == s.harness.b.database.last_position()
        assert len(live["process_instances"]) == 4
        assert len(live["incidents"]) == 1
        fresh.close()


async def test_a_restarted_service_catches_up_with_what_was_committed_meanwhile(
    tmp_path: Path,
) -> None:
    async with EngineHarness(tmp_path) as h:
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        await h.deploy(("order.bpmn", ORDER))
        await operate.stop()
        keys = await run_scenario(h)  # nothing exports these
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        try:
            async with httpx.AsyncClient(base_url=operate.url) as http:
                answer = await http.post("/v1/process-instances/search", json={})
                assert answer.json()["total"] == 4
                assert keys["completed"] in [i["key"] for i in answer.json()["items"]]
            await operate.director.caught_up()
            assert operate.exporter.dump() == rebuilt(h).dump()
        finally:
            await operate.stop()
    assert (tmp_path / READ_MODEL_FILE).exists()


async def test_a_read_model_ahead_of_the_log_is_rebuilt(tmp_path: Path) -> None:
    async with EngineHarness(tmp_path / "old") as h:
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        await run_scenario(h)
        await operate.stop()
    async with EngineHarness(tmp_path / "new") as h:  # a fresh, empty log
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        try:
            assert operate.exporter.dump()["process_instances"] == []
            assert operate.exporter.position == 0
        finally:
            await operate.stop()


async def test_a_read_model_of_another_schema_version_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / READ_MODEL_FILE
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE process_instances (nonsense TEXT)")
    connection.execute("PRAGMA user_version=99")
    connection.commit()
    connection.close()
    async with EngineHarness(tmp_path) as h:
        await run_scenario(h)
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        try:
            assert len(operate.exporter.dump()["process_instances"]) == 4
        finally:
            await operate.stop()


async def test_an_in_memory_engine_gets_an_in_memory_read_model() -> None:
    async with scenario() as s:
        assert s.operate.exporter.path is None
        assert len(await s.items("process-instances")) == 4


def _evaluation(intent: str, *, failed: bool) -> Record:
    decision = {
        "decisionId": "dish",
        "decisionName": "Dish",
        "decisionKey": 2251799813685300,
        "decisionVersion": 1,
        "decisionType": "DECISION_TABLE",
        "decisionOutput": '"Salad"',
        "evaluatedInputs": [{"inputId": "season-input", "inputName": "Season",
                             "inputValue": '"Summer"'}],
        "matchedRules": [{"ruleId": "rule-other", "ruleIndex": 2, "evaluatedOutputs": [
            {"outputId": "dish-output", "outputName": "dish", "outputValue": '"Salad"'}]}],
        "tenantId": "<default>",
    }  # fmt: skip
    return Record(
        RecordType.EVENT,
        ValueType.DECISION_EVALUATION,
        intent,
        {
            "decisionKey": 2251799813685300,
            "decisionId": "dish",
            "decisionOutput": '"Salad"',
            "processDefinitionKey": 2251799813685250,
            "processInstanceKey": 2251799813685251,
            "elementInstanceKey": 2251799813685256,
            "evaluatedDecisions": [decision, {**decision, "decisionId": "drink"}],
            "evaluationFailureMessage": "no rule matched" if failed else "",
            "failedDecisionId": "drink" if failed else "",
            "tenantId": "<default>",
        },
        key=2251799813685400,
        position=1,
        timestamp=1_700_000_000_123,
    )


def test_decision_evaluations_become_one_decision_instance_per_evaluated_decision() -> None:
    from zeebind.operate.queries import get, parse, search
    from zeebind.operate.schemas import DECISION_INSTANCES

    exporter = OperateExporter(None)
    exporter.export([_evaluation("FAILED", failed=True)])
    first = get(exporter.connection, DECISION_INSTANCES, "2251799813685400-1")
    assert first == {
        "id": "2251799813685400-1",
        "key": 2251799813685400,
        "state": "EVALUATED",
        "evaluationDate": "2023-11-14T22:13:20.123+0000",
        "processDefinitionKey": 2251799813685250,
        "processInstanceKey": 2251799813685251,
        "decisionId": "dish",
        "decisionDefinitionId": "2251799813685300",
        "decisionName": "Dish",
        "decisionVersion": 1,
        "decisionType": "DECISION_TABLE",
        "result": '"Salad"',
        "evaluatedInputs": [{"id": "season-input", "name": "Season", "value": '"Summer"'}],
        "evaluatedOutputs": [{"id": "dish-output", "name": "dish", "value": '"Salad"',
                              "ruleId": "rule-other", "ruleIndex": 2}],
        "tenantId": "<default>",
    }  # fmt: skip
    failed = search(
        exporter.connection,
        DECISION_INSTANCES,
        parse(DECISION_INSTANCES, {"filter": {"state": "FAILED"}}),
    )
    assert [i["id"] for i in failed["items"]] == ["2251799813685400-2"]
    assert failed["items"][0]["evaluationFailure"] == "no rule matched"
    exporter.close()


async def test_rows_of_earlier_flushes_are_updated_and_still_equal_a_rebuild(
    tmp_path: Path,
) -> None:
    from zeebind.protocol.intent import IncidentIntent, JobIntent

    async with EngineHarness(tmp_path) as h:
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        try:
            keys = await run_scenario(h, operate.director.caught_up)
            incident_key = operate.exporter.connection.execute(
                "SELECT key FROM incidents"
            ).fetchone()[0]
            job = keys["incident_job"]
            await h.b.command(ValueType.JOB, JobIntent.UPDATE_RETRIES, {"retries": 1}, key=job)
            await h.b.command(ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident_key)
            await operate.director.caught_up()
            async with httpx.AsyncClient(base_url=operate.url) as http:
                incident = (await http.get(f"/v1/incidents/{incident_key}")).json()
                assert incident["state"] == "RESOLVED"
                instance = (await http.get(f"/v1/process-instances/{keys['incident']}")).json()
                assert instance["incident"] is False
                nodes = await http.post(
                    "/v1/flownode-instances/search",
                    json={
                        "filter": {"processInstanceKey": keys["incident"], "flowNodeId": "charge"}
                    },
                )
                [charge] = nodes.json()["items"]
                assert charge["incident"] is False
                assert "incidentKey" not in charge
                canceled = (await http.get(f"/v1/process-instances/{keys['canceled']}")).json()
                assert canceled["state"] == "CANCELED"
                assert canceled["endDate"] == "2023-11-14T22:13:21.000+0000"
            assert operate.exporter.dump() == rebuilt(h).dump()
        finally:
            await operate.stop()


async def test_in_loop_export_gives_the_same_read_model(tmp_path: Path) -> None:
    async with EngineHarness(tmp_path) as h:
        operate = await OperateService.start(
            h.b, port=0, data_dir=tmp_path, connectors=False, threaded_export=False
        )
        try:
            await run_scenario(h, operate.director.caught_up)
            await operate.director.caught_up()
            assert operate.exporter.dump() == rebuilt(h).dump()
        finally:
            await operate.stop()


@pytest.mark.parametrize("threaded", [True, False])
async def test_a_failed_write_is_caught_up_from_the_log(
    tmp_path: Path, threaded: bool, caplog: pytest.LogCaptureFixture
) -> None:
    async with EngineHarness(tmp_path) as h:
        operate = await OperateService.start(
            h.b, port=0, data_dir=tmp_path, connectors=False, threaded_export=threaded
        )
        exporter = operate.exporter
        real_apply = exporter.apply
        failures = []

        def flaky_apply(statements: Any, position: int) -> None:
            if not failures:
                failures.append(position)
                raise sqlite3.OperationalError("disk I/O error (simulated)")
            real_apply(statements, position)

        exporter.apply = flaky_apply  # type: ignore[method-assign]
        try:
            await h.deploy(("order.bpmn", ORDER))
            await operate.director.caught_up()  # this write fails
            assert failures
            await run_scenario(h, operate.director.caught_up)
            await operate.director.caught_up()
            assert exporter.dump() == rebuilt(h).dump()
            assert "catching up from the log" in caplog.text
        finally:
            await operate.stop()


@pytest.fixture(scope="module")
def scenario_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The log file of the four-instance scenario (completed, canceled, incident, active)."""
    data_dir = tmp_path_factory.mktemp("scenario-log")

    async def run() -> None:
        async with EngineHarness(data_dir) as h:
            await run_scenario(h)

    asyncio.run(run())
    return data_dir / "zeebind.db"


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=10_000), max_size=12), by_log=st.booleans())
def test_any_batching_of_the_log_gives_the_same_read_model(
    scenario_log: Path, cuts: list[int], by_log: bool
) -> None:
    """An element's start and end in one batch or in different ones (its end then updates the
    row of an earlier batch), read from the log or from JSON rows: the same rows."""
    database = Database(scenario_log)
    records = list(database.records(0))
    database.close()
    whole = OperateExporter(None)
    whole.export(records)
    batched = OperateExporter(None, log_path=scenario_log if by_log else None)
    bounds = [0, *sorted({cut % len(records) for cut in cuts}), len(records)]
    for start, end in itertools.pairwise(bounds):
        batched.export(records[start:end])
    try:
        assert batched.dump() == whole.dump()
        assert batched.position == whole.position == records[-1].position
        states = {row[9] for row in whole.dump()["process_instances"]}
        assert states == {"COMPLETED", "CANCELED", "ACTIVE"}
    finally:
        whole.close()
        batched.close()
