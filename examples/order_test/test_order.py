"""An order process tested in memory: a gateway, a message, a timer, a job worker, an incident.

Run with `pytest examples/order_test`. The `zeebe_engine` fixture comes from zeebind's pytest
plugin (installed with zeebind); the tests are async and run by pytest-asyncio, in its strict
mode as in its auto mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from zeebind import ZeebeWorker
from zeebind.testing import InMemoryEngine

ORDER = Path(__file__).with_name("order.bpmn")

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def engine(zeebe_engine: InMemoryEngine) -> InMemoryEngine:
    await zeebe_engine.deploy(ORDER)
    return zeebe_engine


def order_worker(engine: InMemoryEngine, stock: dict[str, int]) -> ZeebeWorker:
    """The handlers the application would run, here on the test engine's client."""
    worker = engine.worker()

    @worker.task("check-stock")
    async def check_stock(item: str) -> dict[str, Any]:
        return {"available": stock.get(item, 0)}

    @worker.task("ship-order")
    def ship(reference: str) -> dict[str, Any]:
        return {"trackingNumber": f"TRACK-{reference}"}

    return worker


async def test_paid_order_is_shipped(engine: InMemoryEngine) -> None:
    worker = order_worker(engine, {"book": 5})
    key = await engine.start_instance("order", {"orderId": "A-1", "item": "book", "quantity": 2})

    await engine.run_worker(worker)
    engine.assert_that(key).has_passed("check-stock").is_waiting_at("wait-for-payment")

    await engine.publish_message("payment-received", "A-1", {"paid": 40.0})
    await engine.run_worker(worker)

    engine.assert_that(key).is_completed().has_passed("ship", "order-shipped").has_variables(
        {"available": 5, "paid": 40.0, "trackingNumber": "TRACK-A-1"}
    )


async def test_order_without_stock_ends_at_once(engine: InMemoryEngine) -> None:
    key = await engine.start_instance("order", {"orderId": "A-2", "item": "lamp", "quantity": 1})

    await engine.complete_job("check-stock", {"available": 0})

    engine.assert_that(key).is_completed().has_passed("out-of-stock").has_not_passed(
        "wait-for-payment"
    )


async def test_unpaid_order_is_cancelled_after_a_day(engine: InMemoryEngine) -> None:
    key = await engine.start_instance("order", {"orderId": "A-3", "item": "book", "quantity": 1})
    await engine.complete_job("check-stock", {"available": 3})

    await engine.advance(hours=23)
    engine.assert_that(key).is_waiting_at("wait-for-payment")

    await engine.advance(hours=1)  # time travel: the boundary timer falls due
    engine.assert_that(key).is_completed().has_passed("payment-overdue", "order-cancelled")


async def test_failing_shipment_raises_an_incident(engine: InMemoryEngine) -> None:
    key = await engine.start_instance("order", {"orderId": "A-4", "item": "book", "quantity": 1})
    await engine.complete_job("check-stock", {"available": 1})
    await engine.publish_message("payment-received", "A-4")

    await engine.fail_job("ship-order", "the carrier is down", retries=0)

    engine.assert_that(key).is_active().is_waiting_at("ship").has_incident("JOB_NO_RETRIES")


async def test_missing_quantity_is_an_incident_at_the_gateway(engine: InMemoryEngine) -> None:
    key = await engine.start_instance("order", {"orderId": "A-5", "item": "book"})
    await engine.complete_job("check-stock", {"available": 1})

    engine.assert_that(key).has_incident("EXTRACT_VALUE_ERROR", element_id="in-stock")
