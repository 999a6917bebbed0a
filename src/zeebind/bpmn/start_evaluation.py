"""Deploy-time evaluation of the expressions of process-level start events, as Zeebe does.

A timer start event is scheduled, and a message or signal start event subscribed, when the process
is deployed, before any variable exists. Zeebe therefore evaluates their expressions (timer
values, message and signal names) at deploy time, without variables, and rejects the deployment
if one fails or gives a value of the wrong type. Only the type of the value matters here, so the
evaluation uses a fixed clock: the result (accept or reject) does not depend on when it runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from zeebind.bpmn.findings import Findings
from zeebind.bpmn.model import (
    BpmnEventType,
    Expression,
    ExpressionOrStatic,
    Process,
    StartEvent,
    TimerKind,
)
from zeebind.bpmn.timer import parse_cycle, parse_date_time, parse_duration
from zeebind.feel import FeelSyntaxError, YearsMonthsDuration, compile_expression, type_name

_FIXED_NOW = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_LABELS = {TimerKind.DURATION: "duration", TimerKind.DATE: "date", TimerKind.CYCLE: "cycle"}


def check_start_expressions(process: Process, findings: Findings) -> None:
    """Reject process-level start events whose expressions cannot be evaluated without variables."""
    for child_id in process.child_ids:
        start = process.elements[child_id]
        if not isinstance(start, StartEvent):
            continue
        named: ExpressionOrStatic | None = None
        if start.event_type is BpmnEventType.MESSAGE and start.message is not None:
            named = start.message.name
        elif start.event_type is BpmnEventType.SIGNAL and start.events.signal is not None:
            named = start.events.signal.name
        timer = start.events.timer if start.event_type is BpmnEventType.TIMER else None
        expression = timer.value if timer is not None else named
        if not isinstance(expression, Expression) or not expression.source.strip():
            continue
        try:
            result = compile_expression(expression.source).evaluate({}, now=_FIXED_NOW)
        except FeelSyntaxError:
            continue  # already reported by the syntax check
        source = expression.source
        warnings = (
            " The evaluation reported the following warnings:\n" + "\n".join(result.warnings)
            if result.warnings
            else ""
        )
        problem: str | None
        if result.failure is not None:
            problem = f"failed to evaluate expression '{source}': {result.failure}{warnings}"
        elif timer is None:
            problem = _expect_string(source, result.value, warnings)
        else:
            problem = _timer_problem(timer.kind, source, result.value, warnings)
        if problem is not None and timer is not None:
            problem = f"Invalid timer {_LABELS[timer.kind]} expression ({problem})"
        if problem is not None:
            findings.add(start.id, problem)


def _expect_string(source: str, value: Any, warnings: str) -> str | None:
    if isinstance(value, str):
        return None
    return (
        f"Expected result of the expression '{source}' to be 'STRING', but was "
        f"'{type_name(value)}'.{warnings}"
    )


def _timer_problem(kind: TimerKind, source: str, value: Any, warnings: str) -> str | None:
    if kind is TimerKind.DURATION and isinstance(value, dt.timedelta | YearsMonthsDuration):
        return None
    if kind is TimerKind.DATE and isinstance(value, dt.datetime):
        return None
    if not isinstance(value, str):
        expected = {
            TimerKind.DURATION: "one of 'DAYS_TIME_DURATION', 'YEARS_MONTHS_DURATION', 'STRING'",
            TimerKind.DATE: "one of 'DATE_TIME', 'STRING'",
            TimerKind.CYCLE: "'STRING'",
        }[kind]
        return (
            f"Expected result of the expression '{source}' to be {expected}, but was "
            f"'{type_name(value)}'.{warnings}"
        )
    parse = {
        TimerKind.DURATION: parse_duration,
        TimerKind.DATE: parse_date_time,
        TimerKind.CYCLE: parse_cycle,
    }[kind]
    try:
        parse(value)
    except ValueError as err:
        return f"{err} for expression '{source}'"
    return None
