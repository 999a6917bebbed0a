"""Deleted definitions leave the read model; a process definition takes its instances' history
with it, as Operate does; a rebuild from the log gives the same."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
from operate_scenarios import DISH_DMN, ORDER

from zeebind.exporters.operate import OperateExporter
from zeebind.operate.service import OperateService
from zeebind.protocol.intent import DeploymentIntent, ResourceDeletionIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

OTHER = ORDER.replace('id="order" name="Order process"', 'id="other" name="Other"')


async def _total(http: httpx.AsyncClient, entity: str, body: dict[str, object]) -> int:
    answer = await http.post(f"/v1/{entity}/search", json=body)
    assert answer.status_code == 200, answer.text
    total: int = answer.json()["total"]
    return total


async def test_deleted_definitions_leave_the_read_model(tmp_path: Path) -> None:
    async with EngineHarness(tmp_path) as h:
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        try:
            deployed = await h.deploy(("order.bpmn", ORDER), ("other.bpmn", OTHER))
            keys = {
                p["bpmnProcessId"]: p["processDefinitionKey"]
                for p in deployed.value["processesMetadata"]
            }
            dmn = base64.b64encode(DISH_DMN.encode()).decode()
            decisions = await h.b.command(
                ValueType.DEPLOYMENT,
                DeploymentIntent.CREATE,
                {"resources": [{"resourceName": "dish.dmn", "resource": dmn}]},
            )
            [drd] = decisions.value["decisionRequirementsMetadata"]
            done = await h.create_instance("order", {"amount": 1})
            [(job, _)] = await h.activate_jobs("charge", max_jobs=1)
            await h.complete_job(job, {"charged": True})
            kept = await h.create_instance("other", {"amount": 2})
            assert h.is_completed(done)

            for key in (keys["order"], drd["decisionRequirementsKey"]):
                await h.b.command(
                    ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETE, {}, key=key
                )
            await operate.director.caught_up()
            async with httpx.AsyncClient(base_url=operate.url) as http:
                gone = await http.get(f"/v1/process-definitions/{keys['order']}")
                assert gone.status_code == 404
                assert (await http.get(f"/v1/process-definitions/{keys['other']}")).is_success
                assert (await http.get(f"/v1/process-instances/{done}")).status_code == 404
                for entity in ("flownode-instances", "variables", "sequence-flows"):
                    if entity == "sequence-flows":
                        flows = await http.get(f"/v1/process-instances/{done}/sequence-flows")
                        assert flows.json() == []
                    else:
                        body = {"filter": {"processInstanceKey": done}}
                        assert await _total(http, entity, body) == 0
                # the other process and its running instance are untouched
                assert (await http.get(f"/v1/process-instances/{kept}")).json()["state"] == "ACTIVE"
                body = {"filter": {"processInstanceKey": kept}}
                assert await _total(http, "flownode-instances", body) > 0
                drd_key = drd["decisionRequirementsKey"]
                assert (await http.get(f"/v1/drd/{drd_key}")).status_code == 404
                assert await _total(http, "decision-definitions", {}) == 0
            fresh = OperateExporter(None)
            fresh.catch_up(h.b.database.records, h.b.database.last_position())
            assert fresh.dump() == operate.exporter.dump()
            fresh.close()
        finally:
            await operate.stop()
