"""GET by key, XML, statistics, sequence flows, DELETE, decisions, auth and the OpenAPI document."""

from __future__ import annotations

import base64

import httpx
import pytest
from operate_scenarios import DISH_DMN, ORDER, scenario

from zeebind.protocol.intent import DeploymentIntent
from zeebind.protocol.record import ValueType


@pytest.mark.parametrize(
    ("entity", "attribute"),
    [
        ("process-instances", "completed"),
        ("process-definitions", "definition_key"),
        ("incidents", "incident_key"),
    ],
)
async def test_get_by_key_equals_the_search_item(entity: str, attribute: str) -> None:
    async with scenario() as s:
        key = getattr(s, attribute)
        answer = await s.http.get(f"/v1/{entity}/{key}")
        assert answer.status_code == 200
        [item] = await s.items(entity, {"filter": {"key": key}})
        assert answer.json() == item


async def test_get_flownode_instance_and_variable_by_key() -> None:
    async with scenario() as s:
        [node] = await s.items("flownode-instances", {"filter": {"flowNodeId": "done"}})
        assert (await s.http.get(f"/v1/flownode-instances/{node['key']}")).json() == node
        [variable] = await s.items(
            "variables", {"filter": {"name": "customer", "processInstanceKey": s.canceled}}
        )
        got = (await s.http.get(f"/v1/variables/{variable['key']}")).json()
        assert got == variable


async def test_unknown_and_malformed_keys() -> None:
    async with scenario() as s:
        missing = await s.http.get("/v1/process-instances/22517998149629301")
        assert missing.status_code == 404
        assert missing.json()["message"] == (
            "No process instances found for key 22517998149629301 "
        )
        assert missing.json()["type"] == "Requested resource not found"
        bad = await s.http.get("/v1/incidents/abc")
        assert bad.status_code == 400
        assert bad.json()["message"] == "'abc' is not a valid key: expected an integer (int64)"
        wrong_method = await s.http.put("/v1/incidents/1")
        assert wrong_method.status_code == 405
        assert wrong_method.json()["status"] == 405


async def test_process_definition_xml_is_the_deployed_resource() -> None:
    async with scenario() as s:
        answer = await s.http.get(f"/v1/process-definitions/{s.definition_key}/xml")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/xml")
        assert answer.text == ORDER
        assert (await s.http.get("/v1/process-definitions/1/xml")).status_code == 404


async def test_statistics_and_sequence_flows_of_an_instance() -> None:
    async with scenario() as s:
        stats = (await s.http.get(f"/v1/process-instances/{s.incident}/statistics")).json()
        assert stats == [
            {"activityId": "charge", "active": 0, "canceled": 0, "incidents": 1, "completed": 0},
            {"activityId": "received", "active": 0, "canceled": 0, "incidents": 0, "completed": 1},
        ]
        canceled = (await s.http.get(f"/v1/process-instances/{s.canceled}/statistics")).json()
        assert canceled[0] == {
            "activityId": "charge",
            "active": 0,
            "canceled": 1,
            "incidents": 0,
            "completed": 0,
        }
        flows = await s.http.get(f"/v1/process-instances/{s.completed}/sequence-flows")
        assert flows.json() == ["to-charge", "to-done"]
        assert (await s.http.get(f"/v1/process-instances/{s.active}/sequence-flows")).json() == [
            "to-charge"
        ]


MULTI = ORDER.replace(
    '<bpmn:serviceTask id="charge" name="Charge card"><bpmn:extensionElements>',
    '<bpmn:serviceTask id="charge" name="Charge card"><bpmn:multiInstanceLoopCharacteristics>'
    '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="= [1, 2, 3]" '
    'inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>'
    "<bpmn:extensionElements>",
).replace('id="order" name="Order process"', 'id="multi" name="Multi"')
MULTI = MULTI.replace('type="charge"', 'type="multi-charge"')  # not the scenario's jobs


async def test_statistics_count_inner_instances_of_a_multi_instance_not_its_body() -> None:
    async with scenario() as s:
        await s.harness.deploy(("multi.bpmn", MULTI))
        instance = await s.harness.create_instance("multi", {})
        jobs = await s.harness.activate_jobs("multi-charge", max_jobs=5)
        assert len(jobs) == 3
        await s.operate.director.caught_up()
        stats = (await s.http.get(f"/v1/process-instances/{instance}/statistics")).json()
        assert stats[0] == {
            "activityId": "charge",
            "active": 3,
            "canceled": 0,
            "incidents": 0,
            "completed": 0,
        }
        for job, _ in jobs:
            await s.harness.complete_job(job, {})
        assert s.harness.is_completed(instance)
        await s.operate.director.caught_up()
        stats = (await s.http.get(f"/v1/process-instances/{instance}/statistics")).json()
        assert stats[0] == {
            "activityId": "charge",
            "active": 0,
            "canceled": 0,
            "incidents": 0,
            "completed": 3,
        }


async def test_delete_removes_a_finished_instance_and_its_data_but_not_a_running_one() -> None:
    async with scenario() as s:
        running = await s.http.delete(f"/v1/process-instances/{s.active}")
        assert running.status_code == 400
        assert running.json()["message"] == (
            "Process instances needs to be in one of the states [COMPLETED, CANCELED]"
        )
        deleted = await s.http.delete(f"/v1/process-instances/{s.completed}")
        assert deleted.status_code == 200
        assert deleted.json() == {
            "message": f"Process instance and dependant data deleted for key '{s.completed}'",
            "deleted": 1,
        }
        assert (await s.http.get(f"/v1/process-instances/{s.completed}")).status_code == 404
        for entity in ("variables", "flownode-instances"):
            query = {"filter": {"processInstanceKey": s.completed}}
            assert await s.items(entity, query) == []
        again = await s.http.delete(f"/v1/process-instances/{s.completed}")
        assert again.status_code == 404
        # The instance stays deleted when the read model is rebuilt from the log.
        exporter = s.operate.exporter
        await s.operate.director.call(exporter.reset)
        await s.operate.director.call(
            lambda: exporter.catch_up(s.harness.b.database.records, 10**9)
        )
        keys = [i["key"] for i in await s.items("process-instances")]
        assert s.completed not in keys
        assert s.canceled in keys


async def test_decision_requirements_and_definitions() -> None:
    async with scenario() as s:
        resource = base64.b64encode(DISH_DMN.encode()).decode()
        await s.harness.b.command(
            ValueType.DEPLOYMENT,
            DeploymentIntent.CREATE,
            {"resources": [{"resourceName": "dish.dmn", "resource": resource}]},
        )
        [drd] = await s.items("drd")
        assert drd == {
            "id": str(drd["key"]),
            "key": drd["key"],
            "decisionRequirementsId": "dish-requirements",
            "name": "Dish requirements",
            "version": 1,
            "resourceName": "dish.dmn",
            "tenantId": "<default>",
        }
        assert (await s.http.get(f"/v1/drd/{drd['key']}")).json() == drd
        assert (await s.http.get(f"/v1/drd/{drd['key']}/xml")).text == DISH_DMN
        [decision] = await s.items("decision-definitions", {"filter": {"decisionId": "dish"}})
        assert decision == {
            "id": str(decision["key"]),
            "key": decision["key"],
            "decisionId": "dish",
            "name": "Dish",
            "version": 1,
            "decisionRequirementsId": "dish-requirements",
            "decisionRequirementsKey": drd["key"],
            "decisionRequirementsName": "Dish requirements",
            "decisionRequirementsVersion": 1,
            "tenantId": "<default>",
        }
        assert (await s.http.get(f"/v1/decision-definitions/{decision['key']}")).json() == decision


async def test_bearer_token_when_configured_and_the_token_endpoint() -> None:
    async with scenario(token="s3cret") as s:
        assert (await s.search("process-instances")).status_code == 200
        async with httpx.AsyncClient(base_url=s.operate.url) as anonymous:
            refused = await anonymous.post("/v1/process-instances/search", json={})
            assert refused.status_code == 401
            assert refused.json()["type"] == "Unauthorized"
            wrong = await anonymous.post(
                "/oauth/token",
                data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "x"},
            )
            assert wrong.status_code == 401
            issued = await anonymous.post(
                "/oauth/token",
                json={
                    "grant_type": "client_credentials",
                    "client_id": "c",
                    "client_secret": "s3cret",
                    "audience": "operate-api",
                },
            )
            assert issued.status_code == 200
            token = issued.json()["access_token"]
            assert issued.json()["token_type"] == "Bearer"
            ok = await anonymous.post(
                "/v1/process-instances/search",
                json={},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert ok.status_code == 200
            # The OpenAPI document needs no token.
            assert (await anonymous.get("/v3/api-docs")).status_code == 200


async def test_openapi_document_lists_every_endpoint() -> None:
    async with scenario() as s:
        document = (await s.http.get("/v3/api-docs")).json()
        paths = document["paths"]
        for entity in (
            "process-definitions",
            "process-instances",
            "flownode-instances",
            "variables",
            "incidents",
            "decision-definitions",
            "decision-instances",
            "drd",
        ):
            assert "post" in paths[f"/v1/{entity}/search"]
        assert "delete" in paths["/v1/process-instances/{key}"]
        assert "get" in paths["/v1/decision-instances/{id}"]
        assert "/v1/drd/{key}/xml" in paths
        assert document["components"]["schemas"]["Error"]["properties"].keys() == {
            "status",
            "message",
            "instance",
            "type",
        }
        assert (await s.http.get("/openapi.json")).json() == document


async def test_decision_instances_of_a_real_evaluation() -> None:
    from zeebind.protocol.intent import DecisionEvaluationIntent

    async with scenario() as s:
        resource = base64.b64encode(DISH_DMN.encode()).decode()
        await s.harness.b.command(
            ValueType.DEPLOYMENT,
            DeploymentIntent.CREATE,
            {"resources": [{"resourceName": "dish.dmn", "resource": resource}]},
        )
        evaluation = await s.harness.b.command(
            ValueType.DECISION_EVALUATION,
            DecisionEvaluationIntent.EVALUATE,
            {"decisionId": "dish", "decisionKey": -1, "variables": {"season": "Winter"}},
        )
        [instance] = await s.items("decision-instances", {"filter": {"decisionId": "dish"}})
        assert instance["id"] == f"{evaluation.key}-1"
        assert instance["key"] == evaluation.key
        assert instance["state"] == "EVALUATED"
        assert instance["decisionType"] == "DECISION_TABLE"
        assert instance["result"] == '"Roastbeef"'
        assert instance["evaluatedInputs"] == [
            {"id": "season-input", "name": "Season", "value": '"Winter"'}
        ]
        assert [o["ruleId"] for o in instance["evaluatedOutputs"]] == ["rule-winter"]
        assert "processInstanceKey" not in instance
        got = await s.http.get(f"/v1/decision-instances/{instance['id']}")
        assert got.json() == instance
        missing = await s.http.get("/v1/decision-instances/1-1")
        assert missing.status_code == 404
        assert missing.json()["message"] == "No decision instances found for id 1-1 "
