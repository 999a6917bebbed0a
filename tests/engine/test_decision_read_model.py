"""Decision records in the Operate read model: definitions and decision instances with audits."""

from __future__ import annotations

from typing import Any

from decision_models import DINNER

from zeebind.exporters.operate import OperateExporter
from zeebind.operate import queries
from zeebind.operate.schemas import DECISION_DEFINITIONS, DECISION_INSTANCES, Entity
from zeebind.protocol.intent import DecisionEvaluationIntent
from zeebind.protocol.record import ValueType
from zeebind.testing import EngineHarness


def _search(exporter: OperateExporter, entity: Entity) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = queries.search(
        exporter.connection, entity, queries.parse(entity, {})
    )["items"]
    return items


async def test_decision_definitions_and_instances_are_searchable() -> None:
    async with EngineHarness() as h:
        await h.deploy(("dinner.dmn", DINNER))
        for season in ("Fall", "Spring"):
            await h.b.command(
                ValueType.DECISION_EVALUATION,
                DecisionEvaluationIntent.EVALUATE,
                {
                    "decisionId": "beverages",
                    "decisionKey": -1,
                    "variables": {"season": season, "guestCount": 3},
                },
            )
        exporter = OperateExporter(None)
        exporter.export(list(h.records()))
        definitions = _search(exporter, DECISION_DEFINITIONS)
        assert [(d["decisionId"], d["version"]) for d in definitions] == [
            ("dish", 1),
            ("beverages", 1),
        ]
        instances = _search(exporter, DECISION_INSTANCES)
        assert [(i["decisionId"], i["state"]) for i in instances] == [
            ("dish", "EVALUATED"),
            ("beverages", "EVALUATED"),
            ("dish", "FAILED"),
        ]
        dish = instances[0]
        assert dish["result"] == '"Spareribs"'
        assert [i["value"] for i in dish["evaluatedInputs"]] == ['"Fall"', "3"]
        assert [(o["ruleId"], o["ruleIndex"]) for o in dish["evaluatedOutputs"]] == [("r_fall", 1)]
        assert "multiple values aren't allowed for UNIQUE" in instances[2]["evaluationFailure"]
