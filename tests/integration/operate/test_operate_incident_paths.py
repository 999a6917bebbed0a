"""An incident shows on every flow node and process instance of its tree path, as in Operate:
its element, the subprocess around it, the calling call activity and the parent instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from operate_scenarios import HEADER

from zeebind.operate.service import OperateService
from zeebind.protocol.intent import IncidentIntent, JobIntent, ProcessInstanceIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness

PARENT = (
    HEADER + '<bpmn:process id="parent" isExecutable="true">'
    '<bpmn:startEvent id="s"/>'
    '<bpmn:callActivity id="call"><bpmn:extensionElements>'
    '<zeebe:calledElement processId="child" propagateAllChildVariables="false"/>'
    "</bpmn:extensionElements></bpmn:callActivity>"
    '<bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
)
CHILD = (
    HEADER + '<bpmn:process id="child" isExecutable="true">'
    '<bpmn:startEvent id="cs"/>'
    '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
    '<bpmn:serviceTask id="pay"><bpmn:extensionElements>'
    '<zeebe:taskDefinition type="pay" retries="1"/></bpmn:extensionElements>'
    "</bpmn:serviceTask>"
    '<bpmn:endEvent id="se"/>'
    '<bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="pay"/>'
    '<bpmn:sequenceFlow id="g2" sourceRef="pay" targetRef="se"/>'
    "</bpmn:subProcess>"
    '<bpmn:endEvent id="ce"/>'
    '<bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="sub"/>'
    '<bpmn:sequenceFlow id="c2" sourceRef="sub" targetRef="ce"/>'
    "</bpmn:process></bpmn:definitions>"
)


async def _nodes(http: httpx.AsyncClient, instance: int) -> dict[str, dict[str, Any]]:
    answer = await http.post(
        "/v1/flownode-instances/search", json={"filter": {"processInstanceKey": instance}}
    )
    return {item["flowNodeId"]: item for item in answer.json()["items"]}


async def _instances(http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    answer = await http.post("/v1/process-instances/search", json={})
    return {item["bpmnProcessId"]: item for item in answer.json()["items"]}


async def _failing_child(h: EngineHarness) -> tuple[int, int]:
    """A parent instance whose child's task failed with no retries left: (parent, job)."""
    await h.deploy(("parent.bpmn", PARENT), ("child.bpmn", CHILD))
    parent = await h.create_instance("parent", {})
    [(job, _)] = await h.activate_jobs("pay", max_jobs=1)
    failure = {"retries": 0, "errorMessage": "no money", "retryBackoff": 0, "variables": {}}
    await h.b.command(ValueType.JOB, JobIntent.FAIL, failure, key=job)
    return parent, job


async def test_an_incident_in_a_called_subprocess_marks_its_whole_path(tmp_path: Path) -> None:
    async with EngineHarness(tmp_path) as h:
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        try:
            parent, job = await _failing_child(h)
            await operate.director.caught_up()
            async with httpx.AsyncClient(base_url=operate.url) as http:
                instances = await _instances(http)
                child = instances["child"]["key"]
                assert instances["child"]["parentKey"] == parent
                assert instances["child"]["incident"] is True
                assert instances["parent"]["incident"] is True  # through the call activity
                [incident] = (await http.post("/v1/incidents/search", json={})).json()["items"]
                assert incident["processInstanceKey"] == child
                nodes = await _nodes(http, child)
                assert nodes["pay"]["incident"] is True
                assert nodes["pay"]["incidentKey"] == incident["key"]
                assert nodes["sub"]["incident"] is True  # the subprocess around it
                assert "incidentKey" not in nodes["sub"]
                assert nodes["cs"]["incident"] is False  # not on its path
                calling = await _nodes(http, parent)
                assert calling["call"]["incident"] is True
                assert "incidentKey" not in calling["call"]
                assert calling["s"]["incident"] is False
                statistics = await http.get(f"/v1/process-instances/{parent}/statistics")
                by_node = {row["activityId"]: row for row in statistics.json()}
                assert by_node["call"]["incidents"] == 1

                # Resolved: the whole path is clear again, and the instances complete.
                retries = {"retries": 1}
                await h.b.command(ValueType.JOB, JobIntent.UPDATE_RETRIES, retries, key=job)
                await h.b.command(
                    ValueType.INCIDENT, IncidentIntent.RESOLVE, {}, key=incident["key"]
                )
                await operate.director.caught_up()
                instances = await _instances(http)
                assert instances["child"]["incident"] is False
                assert instances["parent"]["incident"] is False
                nodes = await _nodes(http, child)
                assert nodes["pay"]["incident"] is False
                assert "incidentKey" not in nodes["pay"]
                assert nodes["sub"]["incident"] is False
                assert (await _nodes(http, parent))["call"]["incident"] is False
                [(job, _)] = await h.activate_jobs("pay", max_jobs=1)
                await h.complete_job(job, {})
                await operate.director.caught_up()
                instances = await _instances(http)
                assert instances["parent"]["state"] == "COMPLETED"
                assert instances["child"]["state"] == "COMPLETED"
        finally:
            await operate.stop()


async def test_canceling_the_parent_clears_the_incident_from_the_whole_path(
    tmp_path: Path,
) -> None:
    async with EngineHarness(tmp_path) as h:
        operate = await OperateService.start(h.b, port=0, data_dir=tmp_path, connectors=False)
        try:
            parent, _ = await _failing_child(h)
            await h.b.command(
                ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, {}, key=parent
            )
            await operate.director.caught_up()
            async with httpx.AsyncClient(base_url=operate.url) as http:
                instances = await _instances(http)
                assert {i["state"] for i in instances.values()} == {"CANCELED"}
                assert not any(i["incident"] for i in instances.values())
                child = instances["child"]["key"]
                assert not any(n["incident"] for n in (await _nodes(http, child)).values())
                assert not (await _nodes(http, parent))["call"]["incident"]
        finally:
            await operate.stop()
