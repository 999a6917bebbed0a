"""Evaluating deployed decisions: DECISION_EVALUATION records and business rule tasks (§4.18)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from zeebind.bpmn.errors import BpmnValidationError
from zeebind.bpmn.model import CalledDecisionTask
from zeebind.dmn.results import DecisionResult, EvaluatedDecision, json_text
from zeebind.engine.behaviors import variables as variable_behavior
from zeebind.engine.behaviors.expressions import Failure, ScopeVariables, evaluate_string
from zeebind.engine.behaviors.incidents import raise_incident
from zeebind.engine.context import Context
from zeebind.engine.decision_cache import drg_evaluator
from zeebind.engine.state import DecisionDefinition, ElementInstance, State
from zeebind.feel import to_json
from zeebind.protocol.intent import DecisionEvaluationIntent, ProcessInstanceIntent
from zeebind.protocol.record import Record, ValueType

# The process context of an evaluation requested through the gateway (no process involved).
NO_PROCESS: dict[str, Any] = {
    "bpmnProcessId": "",
    "processDefinitionKey": -1,
    "processInstanceKey": -1,
    "elementId": "",
    "elementInstanceKey": -1,
}


def latest_decision(state: State, decision_id: str, tenant_id: str) -> DecisionDefinition | None:
    versions = state.decision_versions.get((decision_id, tenant_id))
    return state.decisions[versions[-1]] if versions else None


def _decisions_of_drg(state: State, drg_key: int) -> dict[str, DecisionDefinition]:
    return {
        d.decision_id: d for d in state.decisions.values() if d.decision_requirements_key == drg_key
    }


def _audit(
    evaluated: EvaluatedDecision, definitions: Mapping[str, DecisionDefinition], tenant_id: str
) -> dict[str, Any]:
    definition = definitions.get(evaluated.decision_id)
    return {
        "decisionId": evaluated.decision_id,
        "decisionName": evaluated.decision_name,
        "decisionKey": definition.key if definition is not None else -1,
        "decisionVersion": definition.version if definition is not None else -1,
        "decisionType": str(evaluated.decision_type),
        "decisionOutput": json_text(evaluated.output),
        "evaluatedInputs": [
            {"inputId": i.input_id, "inputName": i.input_name, "inputValue": json_text(i.value)}
            for i in evaluated.evaluated_inputs
        ],
        "matchedRules": [
            {
                "ruleId": rule.rule_id,
                "ruleIndex": rule.rule_index,
                "evaluatedOutputs": [
                    {
                        "outputId": o.output_id,
                        "outputName": o.output_name,
                        "outputValue": json_text(o.value),
                    }
                    for o in rule.evaluated_outputs
                ],
            }
            for rule in evaluated.matched_rules
        ],
        "tenantId": tenant_id,
    }


def _evaluate(
    state: State, definition: DecisionDefinition, variables: Mapping[str, Any]
) -> DecisionResult:
    drg = state.drgs[definition.decision_requirements_key]
    try:
        evaluator = drg_evaluator(drg)
    except BpmnValidationError as err:
        return DecisionResult(
            definition.decision_id,
            definition.name,
            None,
            [],
            definition.decision_id,
            f"Expected to evaluate decision '{definition.decision_id}', but the decision "
            f"requirements '{drg.decision_requirements_id}' cannot be read: {err}",
        )
    return evaluator.evaluate(definition.decision_id, variables)


def evaluate_decision(
    ctx: Context,
    definition: DecisionDefinition,
    variables: Mapping[str, Any],
    process: Mapping[str, Any] | None = None,
) -> tuple[Record, DecisionResult]:
    """Evaluate a deployed decision; writes DECISION_EVALUATION EVALUATED or FAILED."""
    result = _evaluate(ctx.state, definition, variables)
    definitions = _decisions_of_drg(ctx.state, definition.decision_requirements_key)
    tenant_id = definition.tenant_id
    value: dict[str, Any] = {
        "decisionKey": definition.key,
        "decisionId": definition.decision_id,
        "decisionName": definition.name,
        "decisionVersion": definition.version,
        "decisionRequirementsId": definition.decision_requirements_id,
        "decisionRequirementsKey": definition.decision_requirements_key,
        "decisionOutput": "null" if result.failed else json_text(result.output),
        **(process if process is not None else NO_PROCESS),
        "evaluatedDecisions": [
            _audit(e, definitions, tenant_id) for e in result.evaluated_decisions
        ],
        "evaluationFailureMessage": result.failure_message,
        "failedDecisionId": result.failed_decision_id,
        "tenantId": tenant_id,
    }
    intent = (
        DecisionEvaluationIntent.FAILED if result.failed else DecisionEvaluationIntent.EVALUATED
    )
    record = ctx.result.append_event(ValueType.DECISION_EVALUATION, intent, ctx.key(), value)
    return record, result


Behavior = Callable[[Context, ElementInstance, Any, dict[str, Any]], None]
# Completes an element with result variables: (ctx, instance, element, variables).
Completion = Callable[[Context, ElementInstance, Any, dict[str, Any]], None]


def _version_tag(state: State, definition: DecisionDefinition) -> str | None:
    try:
        evaluator = drg_evaluator(state.drgs[definition.decision_requirements_key])
    except BpmnValidationError:
        return None
    decision = evaluator.definitions.decisions.get(definition.decision_id)
    return decision.version_tag if decision is not None else None


def _definitions(state: State) -> tuple[Mapping[int, object], ...]:
    return (state.processes, state.drgs, state.decisions, state.forms)


def _same_deployment(
    state: State, deployment_key: int, decision_id: str, tenant_id: str
) -> DecisionDefinition | None:
    """The version of the decision deployed together with a process (deployment key K).

    A deployment mints its keys in one step, in order: K, then one key per new definition. So
    its definitions hold the keys K+1, K+2, ... up to the first key that is no definition's.
    """
    key = deployment_key + 1
    while any(key in definitions for definitions in _definitions(state)):
        decision = state.decisions.get(key)
        if decision is not None and (decision.decision_id, decision.tenant_id) == (
            decision_id,
            tenant_id,
        ):
            return decision
        key += 1
    return None


def _called_decision(
    ctx: Context, instance: ElementInstance, task: CalledDecisionTask, decision_id: str
) -> DecisionDefinition | str:
    """The decision a business rule task calls (by its binding type), or the incident text."""
    state = ctx.state
    tenant_id = instance.value["tenantId"]
    if task.binding_type == "deployment":
        process = state.processes[instance.process_definition_key]
        definition = _same_deployment(state, process.deployment_key, decision_id, tenant_id)
        if definition is None:
            return (
                f"Expected to evaluate decision with id '{decision_id}' with binding type "
                f"'deployment', but no such decision found in the deployment with key "
                f"{process.deployment_key} which contained the current process. To resolve "
                "this incident, migrate the process instance to a process definition that is "
                "deployed together with the intended decision to evaluate."
            )
        return definition
    if task.binding_type == "versionTag":
        for key in reversed(state.decision_versions.get((decision_id, tenant_id), [])):
            if _version_tag(state, state.decisions[key]) == task.version_tag:
                return state.decisions[key]
        return (
            f"Expected to evaluate decision with id '{decision_id}' and version tag "
            f"'{task.version_tag}', but no such decision found. To resolve this incident, "
            "deploy a decision with the given id and version tag."
        )
    latest = latest_decision(state, decision_id, tenant_id)
    if latest is None:
        return (
            f"Expected to evaluate decision '{decision_id}', but no decision found for id "
            f"'{decision_id}'"
        )
    return latest


def _fail(ctx: Context, instance: ElementInstance, failure: Failure) -> None:
    raise_incident(ctx, instance, failure.error_type, failure.message)


def _activate_called_decision(
    ctx: Context,
    instance: ElementInstance,
    task: CalledDecisionTask,
    complete: Completion | None,
) -> None:
    failure = variable_behavior.apply_inputs(ctx, instance.key, task.inputs)
    if failure is not None:
        _fail(ctx, instance, failure)
        return
    decision_id = evaluate_string(task.decision_id, ScopeVariables(ctx.state, instance.key))
    if isinstance(decision_id, Failure):
        _fail(ctx, instance, decision_id)
        return
    v = instance.value
    found = _called_decision(ctx, instance, task, decision_id)
    if isinstance(found, str):
        raise_incident(ctx, instance, "CALLED_DECISION_ERROR", found)
        return
    definition = found
    process = {
        "bpmnProcessId": v["bpmnProcessId"],
        "processDefinitionKey": v["processDefinitionKey"],
        "processInstanceKey": v["processInstanceKey"],
        "elementId": v["elementId"],
        "elementInstanceKey": instance.key,
    }
    visible = ctx.state.visible_variables(instance.key)
    _, result = evaluate_decision(ctx, definition, visible, process)
    if result.failed:
        raise_incident(ctx, instance, "DECISION_EVALUATION_ERROR", result.failure_message)
        return
    ctx.result.append_event(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_ACTIVATED, instance.key, v
    )
    output = {task.result_variable: to_json(result.output)}
    if complete is not None:
        complete(ctx, instance, task, output)
        return
    ctx.result.follow_up(
        ValueType.PROCESS_INSTANCE,
        ProcessInstanceIntent.COMPLETE_ELEMENT,
        instance.key,
        {**v, "variables": output},
    )


def business_rule_task(job_task: Behavior, complete: Completion | None = None) -> Behavior:
    """The activation of business rule tasks: `zeebe:calledDecision` here, jobs by `job_task`.

    `complete` completes the task at once with its result variables (the element lifecycle's
    completion); without it the task completes through a COMPLETE_ELEMENT command.
    """

    def activate(
        ctx: Context, instance: ElementInstance, element: Any, command: dict[str, Any]
    ) -> None:
        if isinstance(element, CalledDecisionTask):
            _activate_called_decision(ctx, instance, element, complete)
        else:
            job_task(ctx, instance, element, command)

    return activate
