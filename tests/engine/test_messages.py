"""Messages: publish, buffering with TTL, correlation, message ids, start events, receive tasks."""

from __future__ import annotations

import pytest
from engine_models import chain, end, model, service, start

from zeebind.broker import CommandRejected
from zeebind.protocol.intent import IncidentIntent, MessageIntent, MessageSubscriptionIntent
from zeebind.protocol.record import RejectionType, ValueType
from zeebind.testing import EngineHarness

CATCH = model(
    "catch",
    start(),
    '<bpmn:intermediateCatchEvent id="wait">'
    '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>',
    service("after", "after"),
    end(),
    chain("start", "wait", "after", "end"),
    extra='<bpmn:message id="m" name="order-paid"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>',
)

RECEIVE = model(
    "receive",
    start(),
    '<bpmn:receiveTask id="wait" messageRef="m"/>',
    end(),
    chain("start", "wait", "end"),
    extra='<bpmn:message id="m" name="ping"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=key"/></bpmn:extensionElements></bpmn:message>',
)

MESSAGE_START = model(
    "started",
    start(inner='<bpmn:messageEventDefinition messageRef="go"/>'),
    service("work", "started-work"),
    end(),
    chain("start", "work", "end"),
    extra='<bpmn:message id="go" name="go"/>',
)


async def test_message_correlates_to_the_waiting_instance_with_its_variables() -> None:
    async with EngineHarness() as h:
        await h.deploy(("catch.bpmn", CATCH))
        instance = await h.create_instance("catch", {"orderId": "o-1"})
        sub = h.records().of(ValueType.MESSAGE_SUBSCRIPTION, MessageSubscriptionIntent.CREATED)
        assert sub.only().value["correlationKey"] == "o-1"
        await h.publish("order-paid", "o-2")
        assert await h.activate_jobs("after") == []
        await h.publish("order-paid", "o-1", {"amount": 10})
        [(_, job)] = await h.activate_jobs("after")
        assert job["processInstanceKey"] == instance
        assert job["variables"] == {"orderId": "o-1", "amount": 10}


async def test_buffered_message_correlates_when_the_subscription_opens() -> None:
    async with EngineHarness() as h:
        await h.deploy(("catch.bpmn", CATCH))
        await h.publish("order-paid", "o-1", {"early": True}, ttl=10_000)
        await h.create_instance("catch", {"orderId": "o-1"})
        [(_, job)] = await h.activate_jobs("after")
        assert job["variables"]["early"] is True
        # the message was used by this process; a second instance does not get it
        await h.create_instance("catch", {"orderId": "o-1"})
        assert await h.activate_jobs("after") == []


async def test_expired_message_does_not_correlate() -> None:
    async with EngineHarness() as h:
        await h.deploy(("catch.bpmn", CATCH))
        await h.publish("order-paid", "o-1", ttl=1_000)
        await h.advance(1_000)
        assert len(h.records().of(ValueType.MESSAGE, MessageIntent.EXPIRED)) == 1
        await h.create_instance("catch", {"orderId": "o-1"})
        assert await h.activate_jobs("after") == []


async def test_duplicate_message_id_is_rejected_while_buffered() -> None:
    async with EngineHarness() as h:
        await h.publish("m", "k", ttl=5_000, message_id="id-1")
        with pytest.raises(CommandRejected) as err:
            await h.publish("m", "k", ttl=5_000, message_id="id-1")
        assert err.value.rejection_type is RejectionType.ALREADY_EXISTS
        assert "'id-1'" in err.value.reason
        await h.advance(5_000)
        await h.publish("m", "k", ttl=5_000, message_id="id-1")


async def test_message_start_event_creates_one_instance_per_correlation_key() -> None:
    async with EngineHarness() as h:
        await h.deploy(("started.bpmn", MESSAGE_START))
        await h.publish("go", "c-1", {"v": 1})
        await h.publish("go", "c-1", {"v": 2}, ttl=0)
        await h.publish("go", "c-2", {"v": 3})
        jobs = await h.activate_jobs("started-work")
        assert sorted(job["variables"]["v"] for _, job in jobs) == [1, 3]
        await h.publish("go", "", {"v": 4})
        await h.publish("go", "", {"v": 5})
        assert len(await h.activate_jobs("started-work")) == 2


async def test_receive_task_completes_on_its_message() -> None:
    async with EngineHarness() as h:
        await h.deploy(("receive.bpmn", RECEIVE))
        instance = await h.create_instance("receive", {"key": 42})
        sub = h.records().of(ValueType.MESSAGE_SUBSCRIPTION, MessageSubscriptionIntent.CREATED)
        assert sub.only().value["correlationKey"] == "42"
        await h.publish("ping", "42", {"pong": True})
        assert h.is_completed(instance)
        assert len(h.records().of(ValueType.MESSAGE_SUBSCRIPTION, "DELETED")) == 1


async def test_correlation_key_of_wrong_type_is_an_incident() -> None:
    async with EngineHarness() as h:
        await h.deploy(("receive.bpmn", RECEIVE))
        await h.create_instance("receive", {"key": [1]})
        incident = h.records().of(ValueType.INCIDENT, IncidentIntent.CREATED).only()
        assert incident.value["errorType"] == "EXTRACT_VALUE_ERROR"
        assert "Failed to extract the correlation key for 'key'" in incident.value["errorMessage"]
