"""The engine: processes one command into records, and replays events into state.

Processing is deterministic: time comes from the command's timestamp, keys from the state's key
generator. Follow-up commands are processed in the same step, so a step ends at a wait state.
"""

from __future__ import annotations

import heapq

from zeebind.engine.appliers import APPLIERS
from zeebind.engine.context import Context
from zeebind.engine.processors import PROCESSORS
from zeebind.engine.result import ResultBuilder
from zeebind.engine.state import JobState, State
from zeebind.protocol.intent import JobIntent, MessageIntent, TimerIntent
from zeebind.protocol.record import Record, RecordType, RejectionType, ValueType


class Engine:
    def __init__(self, state: State | None = None) -> None:
        self.state = state if state is not None else State()

    def process(self, command: Record) -> ResultBuilder:
        """Processes `command` and every follow-up command it causes; returns what was written."""
        result = ResultBuilder(self.state, APPLIERS, command.timestamp)
        self.state.now_ms = command.timestamp
        ctx = Context(self.state, result, self._process_one)
        self._process_one(ctx, command, log_command=True)
        # The caller is answered for its own command; follow-ups (e.g. a signal broadcast by a
        # throw event) respond to nobody.
        answer = (result.response, result.rejection, result.awaiting_result_key)
        while result.follow_ups:
            self._process_one(ctx, result.follow_ups.popleft())
        result.response, result.rejection, result.awaiting_result_key = answer
        return result

    def _process_one(self, ctx: Context, command: Record, *, log_command: bool = False) -> None:
        # The command a caller (or the clock) gave is logged; the follow-up commands the engine
        # gives itself inside the step are not: their events say all there is (fewer rows per
        # step, and replay only reads events anyway).
        if log_command:
            ctx.result.write_command(command)
        processor = PROCESSORS.get((command.value_type, command.intent))
        if processor is None:
            ctx.result.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected to process command '{command.intent}' of '{command.value_type}', but "
                "this command is not supported yet",
            )
            return
        processor(ctx, command)

    def replay(self, record: Record) -> None:
        """Applies one logged record to the state (events only; commands are already reflected)."""
        state = self.state
        state.last_position = max(state.last_position, record.position)
        if record.record_type is RecordType.EVENT:
            state.observe_key(record.key)
            applier = APPLIERS.get((record.value_type, record.intent))
            if applier is not None:
                applier(state, record)

    # --- time ----------------------------------------------------------------------------------

    def next_due(self) -> int | None:
        """The earliest moment (epoch ms) at which a time-based command may be due."""
        heads = [
            h[0][0]
            for h in (
                self.state.job_deadlines,
                self.state.job_backoffs,
                self.state.message_deadlines,
                self.state.timer_due_dates,
            )
            if h
        ]
        return min(heads) if heads else None

    def due_commands(self, now: int, limit: int) -> list[Record]:
        """Commands for what is due at `now` (job time-outs, back-offs, timers, message expiry),
        at most `limit`, earliest first within each kind; the rest stay due for the next call."""
        state = self.state
        room = limit
        commands: list[Record] = []
        while room > len(commands) and state.job_deadlines and state.job_deadlines[0][0] <= now:
            deadline, key = heapq.heappop(state.job_deadlines)
            job = state.jobs.get(key)
            if job and job.state == JobState.ACTIVATED and job.value["deadline"] == deadline:
                commands.append(_command(ValueType.JOB, JobIntent.TIME_OUT, key))
        while room > len(commands) and state.job_backoffs and state.job_backoffs[0][0] <= now:
            due, key = heapq.heappop(state.job_backoffs)
            job = state.jobs.get(key)
            if job and job.state == JobState.FAILED and job.value["recurringTime"] == due:
                commands.append(_command(ValueType.JOB, JobIntent.RECUR_AFTER_BACKOFF, key))
        while room > len(commands) and state.timer_due_dates and state.timer_due_dates[0][0] <= now:
            due, key = heapq.heappop(state.timer_due_dates)
            timer = state.timers.get(key)
            if timer and timer.value["dueDate"] == due:
                commands.append(_command(ValueType.TIMER, TimerIntent.TRIGGER, key))
        while (
            room > len(commands)
            and state.message_deadlines
            and state.message_deadlines[0][0] <= now
        ):
            deadline, key = heapq.heappop(state.message_deadlines)
            message = state.messages.get(key)
            if message and message.value["deadline"] == deadline:
                commands.append(_command(ValueType.MESSAGE, MessageIntent.EXPIRE, key))
        return commands


def _command(value_type: ValueType, intent: str, key: int) -> Record:
    return Record(RecordType.COMMAND, value_type, intent, {}, key=key)
