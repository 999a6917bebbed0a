"""POST /v1/<entity>/search: filters, sorts, paging and the 400s that name the wrong field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from operate_scenarios import Scenario, scenario

# The searches only read: one scenario serves the whole module.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def s() -> AsyncIterator[Scenario]:
    async with scenario() as shared:
        yield shared


async def test_default_search_is_ten_items_by_key_ascending_with_the_total(s: Scenario) -> None:
    answer = await s.search("process-instances")
    assert answer.status_code == 200
    body = answer.json()
    assert [i["key"] for i in body["items"]] == sorted(s.keys)
    assert body["total"] == 4
    assert body["sortValues"] == [max(s.keys)]
    first = body["items"][0]
    assert first == {
        "key": s.completed,
        "processVersion": 1,
        "processVersionTag": "v1.2",
        "bpmnProcessId": "order",
        "startDate": "2023-11-14T22:13:20.000+0000",
        "endDate": "2023-11-14T22:13:20.000+0000",
        "state": "COMPLETED",
        "incident": False,
        "processDefinitionKey": s.definition_key,
        "tenantId": "<default>",
    }
    # Running instances have no endDate at all (null fields are left out).
    assert "endDate" not in body["items"][-1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "COMPLETED"}, ["completed"]),
        ({"state": "CANCELED"}, ["canceled"]),
        ({"state": "ACTIVE"}, ["incident", "active"]),
        ({"incident": True}, ["incident"]),
        ({"incident": False, "state": "ACTIVE"}, ["active"]),
        (
            {"bpmnProcessId": "order", "processVersion": 1},
            ["completed", "canceled", "incident", "active"],
        ),
        ({"bpmnProcessId": "nope"}, []),
        ({"startDate": "2023-11-14T22:13:21.000+0000"}, ["canceled"]),
        ({"startDate": "2023-11-14T22:13:22.000Z"}, ["incident"]),
        (
            {"startDate": "2023-11-14T22:13:20.000+0000||/m"},
            ["completed", "canceled", "incident", "active"],
        ),
        ({"startDate": "2023-11-14T23:13:21.000+0100||/s"}, ["canceled"]),
        ({"endDate": "2023-11-14T22:13:21.000+0000"}, ["canceled"]),
        ({"parentProcessInstanceKey": 1}, []),
        ({"state": None}, ["completed", "canceled", "incident", "active"]),
    ],
)
async def test_process_instance_filters(
    query: dict[str, Any], expected: list[str], s: Scenario
) -> None:
    answer = await s.search("process-instances", {"filter": query})
    assert answer.status_code == 200, answer.text
    assert [i["key"] for i in answer.json()["items"]] == [getattr(s, n) for n in expected]
    assert answer.json()["total"] == len(expected)


async def test_definition_key_filter_and_big_keys_as_strings(s: Scenario) -> None:
    as_number = await s.items("process-instances", {"filter": {"key": s.active}})
    as_text = await s.items("process-instances", {"filter": {"key": str(s.active)}})
    assert as_number == as_text
    assert [i["key"] for i in as_number] == [s.active]
    by_definition = await s.items(
        "process-instances", {"filter": {"processDefinitionKey": s.definition_key}}
    )
    assert len(by_definition) == 4


async def test_sort_descending_by_start_date_gives_sort_values_with_the_key_tie_breaker(
    s: Scenario,
) -> None:
    answer = await s.search(
        "process-instances", {"sort": [{"field": "startDate", "order": "DESC"}], "size": 2}
    )
    body = answer.json()
    assert [i["key"] for i in body["items"]] == [s.active, s.incident]
    # Dates sort as epoch milliseconds (as Elasticsearch gives them), then the key.
    assert body["sortValues"] == [1700000002000, s.incident]


async def page_through(s: Scenario, entity: str, body: dict[str, Any]) -> list[int]:
    keys: list[int] = []
    query = dict(body)
    for _ in range(20):
        answer = (await s.search(entity, query)).json()
        if not answer["items"]:
            return keys
        keys += [i["key"] for i in answer["items"]]
        query["searchAfter"] = answer["sortValues"]
    raise AssertionError("paging did not end")


@pytest.mark.parametrize(
    "sort",
    [
        None,
        [{"field": "key", "order": "DESC"}],
        [{"field": "endDate", "order": "ASC"}],
        [{"field": "endDate", "order": "DESC"}],
        [{"field": "state"}, {"field": "startDate", "order": "DESC"}],
        [{"field": "incident", "order": "DESC"}],
    ],
)
async def test_search_after_pages_through_everything_once_in_order(
    sort: list[dict[str, str]] | None, s: Scenario
) -> None:
    body: dict[str, Any] = {"size": 1000}
    if sort is not None:
        body["sort"] = sort
    everything = [i["key"] for i in await s.items("process-instances", body)]
    paged = await page_through(s, "process-instances", {**body, "size": 1})
    assert paged == everything
    assert sorted(paged) == sorted(s.keys)


async def test_nulls_sort_last_in_both_directions(s: Scenario) -> None:
    for order in ("ASC", "DESC"):
        items = await s.items("process-instances", {"sort": [{"field": "endDate", "order": order}]})
        assert [("endDate" in i) for i in items] == [True, True, False, False]


async def test_flownode_instance_search(s: Scenario) -> None:
    nodes = await s.items("flownode-instances", {"filter": {"processInstanceKey": s.incident}})
    assert [(n["flowNodeId"], n["state"], n["type"]) for n in nodes] == [
        ("received", "COMPLETED", "START_EVENT"),
        ("charge", "ACTIVE", "SERVICE_TASK"),
    ]
    charge = nodes[1]
    assert charge["flowNodeName"] == "Charge card"
    assert charge["incident"] is True
    assert charge["incidentKey"] == s.incident_key
    assert "endDate" not in charge
    # flowNodeName falls back to the id when the element has no name (as Operate does).
    ends = await s.items("flownode-instances", {"filter": {"flowNodeId": "done"}})
    assert [(n["processInstanceKey"], n["flowNodeName"]) for n in ends] == [(s.completed, "done")]
    terminated = await s.items("flownode-instances", {"filter": {"state": "TERMINATED"}})
    assert [(n["processInstanceKey"], n["flowNodeId"]) for n in terminated] == [
        (s.canceled, "charge")
    ]
    with_incident = await s.items("flownode-instances", {"filter": {"incident": True}})
    assert [n["key"] for n in with_incident] == [charge["key"]]


async def test_variable_search_truncates_long_values_and_get_returns_them_whole(
    s: Scenario,
) -> None:
    own = await s.items(
        "variables",
        {"filter": {"processInstanceKey": s.completed}, "sort": [{"field": "name"}]},
    )
    assert [(v["name"], v["value"]) for v in own] == [
        ("amount", "10"),
        ("charged", "true"),
        ("customer", '"ada"'),
    ]
    assert all(v["scopeKey"] == s.completed and v["truncated"] is False for v in own)
    [notes] = await s.items("variables", {"filter": {"name": "notes"}})
    assert notes["truncated"] is True
    assert len(notes["value"]) == 8191
    full = (await s.http.get(f"/v1/variables/{notes['key']}")).json()
    assert full["value"] == '"' + "x" * 9000 + '"'
    assert full["truncated"] is False
    truncated = await s.items("variables", {"filter": {"truncated": True}})
    assert [v["key"] for v in truncated] == [notes["key"]]


async def test_incident_search(s: Scenario) -> None:
    [incident] = await s.items("incidents", {"filter": {"state": "ACTIVE"}})
    assert incident == {
        "key": s.incident_key,
        "processDefinitionKey": s.definition_key,
        "processInstanceKey": s.incident,
        "type": "JOB_NO_RETRIES",
        "message": "card declined",
        "creationTime": "2023-11-14T22:13:22.000+0000",
        "state": "ACTIVE",
        "jobKey": s.incident_job,
        "tenantId": "<default>",
    }
    assert await s.items("incidents", {"filter": {"type": "IO_MAPPING_ERROR"}}) == []
    assert await s.items("incidents", {"filter": {"jobKey": s.incident_job}}) == [incident]


async def test_process_definition_search(s: Scenario) -> None:
    assert await s.items("process-definitions", {"filter": {"bpmnProcessId": "order"}}) == [
        {
            "key": s.definition_key,
            "name": "Order process",
            "version": 1,
            "versionTag": "v1.2",
            "bpmnProcessId": "order",
            "tenantId": "<default>",
        }
    ]


@pytest.mark.parametrize(
    ("entity", "body", "status", "kind", "message"),
    [
        ("process-instances", {"filter": {"color": "red"}}, 400, "Data invalid",
         "Filter has invalid field(s): color"),
        ("incidents", {"filter": {"message": "x"}}, 400, "Data invalid",
         "Filter has invalid field(s): message"),
        ("process-instances", {"sort": [{"field": "color"}]}, 400, "Data invalid",
         "Sort has invalid field(s): color"),
        ("process-instances", {"sort": [{"order": "ASC"}]}, 400, "Data invalid",
         "No 'field' given in sort."),
        ("process-instances", {"sort": [{"field": "key", "order": "UP"}]}, 400,
         "Invalid request", "sort order of 'key' must be ASC or DESC"),
        ("process-instances", {"size": 0}, 400, "Invalid request",
         "size should be greater than zero and equal or less than 1000"),
        ("process-instances", {"size": 1001}, 400, "Invalid request",
         "size should be greater than zero and equal or less than 1000"),
        ("process-instances", {"size": "ten"}, 400, "Invalid request", "size should be"),
        ("process-instances", {"filter": {"key": "abc"}}, 400, "Invalid request",
         "Filter field 'key' must be an integer (int64), not \"abc\""),
        ("process-instances", {"filter": {"processVersion": 2**40}}, 400, "Invalid request",
         "Filter field 'processVersion' must be an integer (int32)"),
        ("process-instances", {"filter": {"incident": "yes"}}, 400, "Invalid request",
         "Filter field 'incident' must be true or false"),
        ("process-instances", {"filter": {"state": "DONE"}}, 400, "Invalid request",
         "Filter field 'state' must be one of ACTIVE, COMPLETED, CANCELED"),
        ("process-instances", {"filter": {"startDate": "yesterday"}}, 400, "Invalid request",
         "Filter field 'startDate': 'yesterday' is not a date"),
        ("process-instances", {"filter": {"startDate": "2023-11-14T22:13:20.000+0000||/q"}}, 400,
         "Invalid request", "Filter field 'startDate': 'q' is not a date rounding"),
        ("process-instances", {"searchAfter": [1, 2]}, 400, "Data invalid",
         "searchAfter should have a 1 values"),
        ("process-instances", {"searchAfter": []}, 400, "Data invalid",
         "searchAfter should have a least 1 value"),
        ("process-instances", {"filter": []}, 400, "Invalid request", "'filter' must be an object"),
        ("process-instances", {"page": {}}, 400, "Invalid request", "unknown search field"),
        ("process-instances", [], 400, "Invalid request", "the search body must be a JSON object"),
        ("colors", {}, 404, "Requested resource not found", "no such resource: /v1/colors/search"),
    ],
)  # fmt: skip
async def test_bad_searches_answer_operates_error_body_naming_the_field(
    entity: str, body: Any, status: int, kind: str, message: str, s: Scenario
) -> None:
    answer = await s.http.post(f"/v1/{entity}/search", json=body)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    error = answer.json()
    assert set(error) == {"status", "message", "instance", "type"}
    assert error["status"] == status
    assert error["type"] == kind
    assert error["message"].startswith(message), error["message"]
    assert len(error["instance"]) == 36


async def test_bodies_that_are_not_json_or_too_large_are_refused(s: Scenario) -> None:
    answer = await s.http.post("/v1/variables/search", content=b"{nope")
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("the request body is not valid JSON")
    answer = await s.http.post("/v1/variables/search", content=b" " * (4 * 1024 * 1024 + 1))
    assert answer.status_code == 413
    assert answer.json()["message"] == "the request body exceeds 4194304 bytes"
    empty = await s.http.post("/v1/variables/search", content=b"")
    assert empty.status_code == 200
