"""The DMN decision requirements graph (DRG) as the parser builds it: definitions only, no state.

Boxed expressions are plain dataclasses; FEEL text is kept as text (compiled when evaluated, the
FEEL library caches compilations). References between DRG elements are `Ref`s: the namespace of
the model that holds the target ("" for the same model) and the target's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class HitPolicy(StrEnum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(StrEnum):
    SUM = "SUM"
    COUNT = "COUNT"
    MIN = "MIN"
    MAX = "MAX"


class DecisionType(StrEnum):
    """Zeebe's `decisionType` of an evaluated decision."""

    DECISION_TABLE = "DECISION_TABLE"
    LITERAL_EXPRESSION = "LITERAL_EXPRESSION"
    CONTEXT = "CONTEXT"
    LIST = "LIST"
    RELATION = "RELATION"
    INVOCATION = "INVOCATION"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Ref:
    namespace: str  # "" = the model holding the reference
    id: str


# --- boxed expressions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiteralExpression:
    text: str
    type_ref: str | None = None
    id: str = ""


@dataclass(frozen=True, slots=True)
class InputClause:
    id: str
    label: str
    expression: str
    type_ref: str | None = None
    input_values: str | None = None  # unary tests the input value must satisfy
    expression_id: str = ""  # the inputExpression element's id


@dataclass(frozen=True, slots=True)
class OutputClause:
    id: str
    name: str
    label: str
    type_ref: str | None = None
    output_values: str | None = None  # unary tests listing the allowed values (priority order)
    default: str | None = None  # the default output entry's FEEL text


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    input_entries: tuple[str, ...]
    output_entries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DecisionTable:
    id: str
    hit_policy: HitPolicy
    aggregation: Aggregation | None
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[Rule, ...]
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ContextEntry:
    name: str | None  # None: the final result entry
    type_ref: str | None
    value: BoxedExpression | None


@dataclass(frozen=True, slots=True)
class Context:
    entries: tuple[ContextEntry, ...]
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ListExpression:
    items: tuple[BoxedExpression, ...]
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    columns: tuple[str, ...]
    rows: tuple[tuple[BoxedExpression, ...], ...]
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Binding:
    parameter: str
    value: BoxedExpression | None


@dataclass(frozen=True, slots=True)
class Invocation:
    callee: BoxedExpression
    bindings: tuple[Binding, ...]
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionDefinition:
    parameters: tuple[Parameter, ...]
    body: BoxedExpression | None
    kind: str = "FEEL"
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Conditional:
    condition: BoxedExpression
    then: BoxedExpression
    otherwise: BoxedExpression
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Filter:
    source: BoxedExpression
    match: BoxedExpression
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Iteration:
    """DMN 1.5 boxed `for` / `some` / `every`."""

    kind: str  # "for", "some" or "every"
    variable: str
    source: BoxedExpression
    body: BoxedExpression
    type_ref: str | None = None


BoxedExpression = (
    LiteralExpression
    | DecisionTable
    | Context
    | ListExpression
    | Relation
    | Invocation
    | FunctionDefinition
    | Conditional
    | Filter
    | Iteration
)


# --- DRG elements ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemDefinition:
    name: str
    type_ref: str | None = None
    is_collection: bool = False
    components: tuple[ItemDefinition, ...] = ()
    allowed_values: str | None = None
    is_function: bool = False
    function_parameters: tuple[Parameter, ...] = ()
    function_output: str | None = None


@dataclass(frozen=True, slots=True)
class Requirements:
    decisions: tuple[Ref, ...] = ()
    inputs: tuple[Ref, ...] = ()
    knowledge: tuple[Ref, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    name: str
    variable: str  # the result name: the variable's name, else the decision name
    type_ref: str | None
    logic: BoxedExpression | None
    requirements: Requirements = Requirements()
    version_tag: str | None = None  # zeebe:versionTag, for bindingType="versionTag"


@dataclass(frozen=True, slots=True)
class InputData:
    id: str
    name: str
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class BusinessKnowledgeModel:
    id: str
    name: str
    logic: FunctionDefinition | None
    requirements: Requirements = Requirements()
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionService:
    id: str
    name: str
    output_decisions: tuple[Ref, ...]
    encapsulated_decisions: tuple[Ref, ...]
    input_decisions: tuple[Ref, ...]
    input_data: tuple[Ref, ...]
    type_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Import:
    name: str
    namespace: str


@dataclass(slots=True)
class Definitions:
    """One DMN `definitions` element (a DRG)."""

    id: str
    name: str
    namespace: str
    dmn_version: str
    decisions: dict[str, Decision] = field(default_factory=dict)
    inputs: dict[str, InputData] = field(default_factory=dict)
    knowledge_models: dict[str, BusinessKnowledgeModel] = field(default_factory=dict)
    services: dict[str, DecisionService] = field(default_factory=dict)
    items: dict[str, ItemDefinition] = field(default_factory=dict)
    imports: tuple[Import, ...] = ()
    # Elements (id or path) that declare an expression language other than FEEL, and the language.
    other_languages: list[tuple[str, str]] = field(default_factory=list)

    def decision_by_name(self, name: str) -> Decision | None:
        for decision in self.decisions.values():
            if decision.name == name:
                return decision
        return None

    def service_by_name(self, name: str) -> DecisionService | None:
        for service in self.services.values():
            if service.name == name:
                return service
        return None

    def knowledge_model_by_name(self, name: str) -> BusinessKnowledgeModel | None:
        for bkm in self.knowledge_models.values():
            if bkm.name == name:
                return bkm
        return None
