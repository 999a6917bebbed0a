"""Every sortable field pages correctly with searchAfter; every filterable field selects exactly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from operate_scenarios import Scenario, run_scenario, scenario

from zeebind.operate.schemas import ENTITIES

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def s() -> AsyncIterator[Scenario]:
    async with scenario() as shared:
        for _ in range(4):  # five rounds of the four instances, clock moving on
            await run_scenario(shared.harness)
        yield shared


def sortable(path: str) -> list[str]:
    return [f.name for f in ENTITIES[path].fields if f.searchable]


CASES = [
    (path, name, order)
    for path in ("process-instances", "flownode-instances", "variables")
    for name in sortable(path)
    for order in ("ASC", "DESC")
]


def reference_order(items: list[dict[str, Any]], name: str, descending: bool) -> list[int]:
    """Operate's order: by the field (missing values last either way), then by key."""
    present = [i for i in items if name in i]
    missing = [i for i in items if name not in i]
    present.sort(key=lambda i: (i[name], i["key"]), reverse=descending)
    missing.sort(key=lambda i: i["key"], reverse=descending)
    return [i["key"] for i in present + missing]


@pytest.mark.parametrize(("path", "name", "order"), CASES)
async def test_pages_of_seven_equal_the_reference_order(
    s: Scenario, path: str, name: str, order: str
) -> None:
    everything = await s.items(path, {"size": 1000})
    assert len(everything) > 14
    sort = [{"field": name, "order": order}]
    keys: list[int] = []
    body: dict[str, Any] = {"size": 7, "sort": sort}
    while True:
        answer = (await s.search(path, body)).json()
        if not answer["items"]:
            break
        assert answer["total"] == len(everything)
        keys += [i["key"] for i in answer["items"]]
        body["searchAfter"] = answer["sortValues"]
    assert keys == reference_order(everything, name, order == "DESC")


FILTER_CASES = [
    (path, f.name)
    for path in ("process-instances", "flownode-instances", "variables", "incidents")
    for f in ENTITIES[path].fields
    if f.searchable and f.name != "value"
]


@pytest.mark.parametrize(("path", "name"), FILTER_CASES)
async def test_filtering_on_each_value_of_a_field_selects_exactly_those_items(
    s: Scenario, path: str, name: str
) -> None:
    everything = await s.items(path, {"size": 1000})
    values = {json.dumps(i[name]) for i in everything if name in i}
    assert values or name in ("parentKey", "parentFlowNodeInstanceKey", "processVersionTag",
                              "incidentKey", "endDate", "jobKey")  # fmt: skip
    for value in sorted(values)[:6]:
        expected = [i["key"] for i in everything if name in i and json.dumps(i[name]) == value]
        found = await s.items(path, {"filter": {name: json.loads(value)}, "size": 1000})
        assert [i["key"] for i in found] == expected, (name, value)
