"""Appliers for the MIGRATED events of a process instance migration.

The migrated element instances, jobs, incidents, timers and subscriptions keep their keys; they
take the values the events carry (the target's process definition key, process id, version and
element id). Variables hold no process data in the state: VARIABLE MIGRATED changes nothing.
"""

from __future__ import annotations

from zeebind.engine.result import Applier
from zeebind.engine.state import State
from zeebind.protocol.intent import (
    IncidentIntent,
    JobIntent,
    MessageSubscriptionIntent,
    ProcessInstanceIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from zeebind.protocol.record import Record, ValueType


def element_migrated(state: State, record: Record) -> None:
    instance = state.element_instances.get(record.key)
    if instance is not None:
        instance.value = dict(record.value)


def job_migrated(state: State, record: Record) -> None:
    job = state.jobs.get(record.key)
    if job is not None:
        job.value = dict(record.value)


def incident_migrated(state: State, record: Record) -> None:
    incident = state.incidents.get(record.key)
    if incident is not None:
        incident.value = dict(record.value)


def subscription_migrated(state: State, record: Record) -> None:
    subscription = state.subscriptions.get(record.key)
    if subscription is not None:
        subscription.value = dict(record.value)


def timer_migrated(state: State, record: Record) -> None:
    timer = state.timers.get(record.key)
    if timer is not None:
        timer.value = dict(record.value)


def signal_subscription_migrated(state: State, record: Record) -> None:
    subscription = state.signal_subscriptions.get(record.key)
    if subscription is not None:
        subscription.value = dict(record.value)


APPLIERS: dict[tuple[ValueType, str], Applier] = {
    (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_MIGRATED): element_migrated,
    (ValueType.JOB, JobIntent.MIGRATED): job_migrated,
    (ValueType.INCIDENT, IncidentIntent.MIGRATED): incident_migrated,
    (ValueType.MESSAGE_SUBSCRIPTION, MessageSubscriptionIntent.MIGRATED): subscription_migrated,
    (ValueType.TIMER, TimerIntent.MIGRATED): timer_migrated,
    (
        ValueType.SIGNAL_SUBSCRIPTION,
        SignalSubscriptionIntent.MIGRATED,
    ): signal_subscription_migrated,
}
