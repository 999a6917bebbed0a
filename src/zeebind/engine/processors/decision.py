"""DECISION_EVALUATION EVALUATE: evaluate a deployed decision by id (latest version) or key.

An evaluation failure is not a rejection: the FAILED event is the response.
"""

from __future__ import annotations

from zeebind.engine.behaviors.decisions import evaluate_decision, latest_decision
from zeebind.engine.context import Context, Processor
from zeebind.protocol.intent import DecisionEvaluationIntent
from zeebind.protocol.record import TENANT_DEFAULT, Record, RejectionType, ValueType


def evaluate(ctx: Context, command: Record) -> None:
    value = command.value
    decision_id = str(value.get("decisionId") or "")
    decision_key = int(value.get("decisionKey") or -1)
    tenant_id = str(value.get("tenantId") or TENANT_DEFAULT)
    variables = value.get("variables") or {}
    if not isinstance(variables, dict):
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected the variables of the decision evaluation to be a JSON object, "
            f"but was '{type(variables).__name__}'",
        )
        return
    if decision_id:
        definition = latest_decision(ctx.state, decision_id, tenant_id)
        if definition is None:
            ctx.result.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to evaluate decision '{decision_id}', but no decision found for id "
                f"'{decision_id}'",
            )
            return
    elif decision_key > 0:
        definition = ctx.state.decisions.get(decision_key)
        if definition is None or definition.tenant_id != tenant_id:
            ctx.result.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to evaluate decision with key '{decision_key}', but no decision found "
                f"for key '{decision_key}'",
            )
            return
    else:
        ctx.result.reject(
            command,
            RejectionType.INVALID_ARGUMENT,
            "Expected either a decision id or a valid decision key, but none provided",
        )
        return
    record, _ = evaluate_decision(ctx, definition, variables)
    ctx.result.respond(record)


PROCESSORS: dict[tuple[ValueType, str], Processor] = {
    (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATE): evaluate
}
