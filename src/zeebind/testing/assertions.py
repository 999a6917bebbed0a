"""Fluent assertions on one process instance, read from the engine's record stream.

    assert_that(engine, key).has_passed("approve").is_waiting_at("ship").has_variables({...})

A failed assertion says what was expected and lists the instance's records, in log order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from zeebind.protocol.record import Record, RecordType, ValueType

_ABSENT = object()


class ProcessInstanceAssert:
    """Assertions on the process instance `key`; each returns `self`, so they chain."""

    def __init__(self, records: Callable[[], Iterable[Record]], key: int) -> None:
        self._records = records
        self.key = key

    # --- the state of the instance --------------------------------------------------------

    def is_completed(self) -> ProcessInstanceAssert:
        if not self._root("ELEMENT_COMPLETED"):
            self._fail("to be completed", f"it is {self._state()}")
        return self

    def is_terminated(self) -> ProcessInstanceAssert:
        if not self._root("ELEMENT_TERMINATED"):
            self._fail("to be terminated", f"it is {self._state()}")
        return self

    def is_active(self) -> ProcessInstanceAssert:
        if self._state() != "active":
            self._fail("to be active", f"it is {self._state()}")
        return self

    def is_started(self) -> ProcessInstanceAssert:
        if self._state() == "not started":
            self._fail("to be started", "there is no record of it")
        return self

    # --- elements --------------------------------------------------------------------------

    def has_passed(self, *element_ids: str, times: int | None = None) -> ProcessInstanceAssert:
        """Each element completed (`times`: exactly that many times)."""
        for element_id in element_ids:
            count = self._count(element_id, "ELEMENT_COMPLETED")
            if (times is None and count == 0) or (times is not None and count != times):
                wanted = "at least once" if times is None else f"{times} times"
                self._fail(f"to have passed {element_id!r} {wanted}", f"it passed it {count} times")
        return self

    def has_not_passed(self, *element_ids: str) -> ProcessInstanceAssert:
        for element_id in element_ids:
            count = self._count(element_id, "ELEMENT_COMPLETED")
            if count:
                self._fail(f"not to have passed {element_id!r}", f"it passed it {count} times")
        return self

    def is_waiting_at(self, *element_ids: str) -> ProcessInstanceAssert:
        """Each element is active now (a task with its job, a catch event, a receive task …)."""
        waiting = self.waiting_at()
        for element_id in element_ids:
            if element_id not in waiting:
                self._fail(f"to be waiting at {element_id!r}", f"it waits at {sorted(waiting)}")
        return self

    def is_not_waiting_at(self, *element_ids: str) -> ProcessInstanceAssert:
        waiting = self.waiting_at()
        for element_id in element_ids:
            if element_id in waiting:
                self._fail(f"not to be waiting at {element_id!r}", f"it waits at {sorted(waiting)}")
        return self

    def waiting_at(self) -> set[str]:
        """The ids of the elements (other than the process) active now."""
        last: dict[int, Record] = {}
        for record in self._instance_events(ValueType.PROCESS_INSTANCE):
            if record.value.get("bpmnElementType") != "PROCESS":
                last[record.key] = record
        return {r.value["elementId"] for r in last.values() if r.intent == "ELEMENT_ACTIVATED"}

    # --- incidents ------------------------------------------------------------------------

    def has_incident(
        self, error_type: str | None = None, *, element_id: str | None = None
    ) -> ProcessInstanceAssert:
        """An open (unresolved) incident, of `error_type` (e.g. `EXTRACT_VALUE_ERROR`)."""
        found = self.incidents()
        matching = [
            i
            for i in found
            if (error_type is None or i.get("errorType") == error_type)
            and (element_id is None or i.get("elementId") == element_id)
        ]
        if not matching:
            wanted = "an incident" + (f" of type {error_type}" if error_type else "")
            wanted += f" at {element_id!r}" if element_id else ""
            seen = [f"{i.get('errorType')} at {i.get('elementId')!r}" for i in found]
            self._fail(f"to have {wanted}", f"its open incidents are {seen or 'none'}")
        return self

    def has_no_incidents(self) -> ProcessInstanceAssert:
        found = self.incidents()
        if found:
            seen = [f"{i.get('errorType')}: {i.get('errorMessage')}" for i in found]
            self._fail("to have no open incident", f"it has {seen}")
        return self

    def incidents(self) -> list[dict[str, Any]]:
        """The values of the instance's open incidents."""
        open_: dict[int, dict[str, Any]] = {}
        for record in self._instance_events(ValueType.INCIDENT):
            if record.intent == "CREATED":
                open_[record.key] = record.value
            elif record.intent == "RESOLVED":
                open_.pop(record.key, None)
        return list(open_.values())

    # --- variables ------------------------------------------------------------------------

    def has_variables(self, expected: Mapping[str, Any]) -> ProcessInstanceAssert:
        """The instance's (root scope) variables include `expected`, with equal values."""
        actual = self.variables()
        wrong = {
            name: actual.get(name, "<absent>")
            for name, value in expected.items()
            if actual.get(name, _ABSENT) != value
        }
        if wrong:
            self._fail(
                f"to have the variables {dict(expected)}",
                f"{wrong} differ; its variables are {actual}",
            )
        return self

    def has_variable(self, name: str, value: Any = _ABSENT) -> ProcessInstanceAssert:
        actual = self.variables()
        if name not in actual:
            self._fail(f"to have a variable {name!r}", f"its variables are {actual}")
        if value is not _ABSENT and actual[name] != value:
            self._fail(f"to have {name} = {value!r}", f"{name} = {actual[name]!r}")
        return self

    def variables(self) -> dict[str, Any]:
        """The root scope's variables, as last set (they remain readable after completion)."""
        values: dict[str, Any] = {}
        for record in self._instance_events(ValueType.VARIABLE):
            if record.value.get("scopeKey") == self.key:
                values[record.value["name"]] = json.loads(record.value["value"])
        return values

    # --- reading the log ------------------------------------------------------------------

    def describe(self) -> str:
        """The instance's events, one a line: position, value type, intent, element."""
        lines = [
            f"{r.position:>6} {r.value_type:26} {r.intent:22} {_subject(r)}"
            for r in self._instance_events(None)
        ]
        return "\n".join(lines) or "(no records)"

    def _instance_events(self, value_type: ValueType | None) -> list[Record]:
        return [
            r
            for r in self._records()
            if r.record_type is RecordType.EVENT
            and (value_type is None or r.value_type is value_type)
            and (r.value.get("processInstanceKey") == self.key)
        ]

    def _root(self, intent: str) -> bool:
        return any(
            r.key == self.key and r.intent == intent
            for r in self._instance_events(ValueType.PROCESS_INSTANCE)
        )

    def _state(self) -> str:
        intents = [
            r.intent for r in self._instance_events(ValueType.PROCESS_INSTANCE) if r.key == self.key
        ]
        if not intents:
            return "not started"
        if "ELEMENT_COMPLETED" in intents:
            return "completed"
        if "ELEMENT_TERMINATED" in intents:
            return "terminated"
        return "active"

    def _count(self, element_id: str, intent: str) -> int:
        return sum(
            1
            for r in self._instance_events(ValueType.PROCESS_INSTANCE)
            if r.intent == intent and r.value.get("elementId") == element_id
        )

    def _fail(self, expected: str, actual: str) -> None:
        raise AssertionError(
            f"expected process instance {self.key} {expected}, but {actual}.\n"
            f"Its records:\n{self.describe()}"
        )


def _subject(record: Record) -> str:
    value = record.value
    if record.value_type is ValueType.VARIABLE:
        return f"{value.get('name')} = {value.get('value')}"
    subject = str(value.get("elementId", ""))
    if "errorType" in value:
        subject += f" ({value['errorType']}: {value.get('errorMessage', '')})"
    elif record.value_type is ValueType.JOB and "type" in value:
        subject += f" [{value['type']}]"
    return subject
