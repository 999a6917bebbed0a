"""DMN XML (1.1 to 1.5) to the DRG model. Parsing is safe (no DTDs, entities or network access).

`parse_dmn(resource_name, content)` returns the `Definitions`, or raises `BpmnValidationError`
(the deployment's error type) with every problem found, each naming its element.
"""

from __future__ import annotations

from zeebind.bpmn.document import XmlElement, local_name, namespace, parse_document
from zeebind.bpmn.findings import Findings
from zeebind.dmn.model import (
    Aggregation,
    Binding,
    BoxedExpression,
    BusinessKnowledgeModel,
    Conditional,
    Context,
    ContextEntry,
    Decision,
    DecisionService,
    DecisionTable,
    Definitions,
    Filter,
    FunctionDefinition,
    HitPolicy,
    Import,
    InputClause,
    InputData,
    Invocation,
    ItemDefinition,
    Iteration,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Parameter,
    Ref,
    Relation,
    Requirements,
    Rule,
)
from zeebind.dmn.namespaces import DMN_NAMESPACES, dmn_version

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
_HIT_POLICIES = {
    **{policy.value: policy for policy in HitPolicy},
    "U": HitPolicy.UNIQUE,
    "F": HitPolicy.FIRST,
    "P": HitPolicy.PRIORITY,
    "A": HitPolicy.ANY,
    "C": HitPolicy.COLLECT,
    "R": HitPolicy.RULE_ORDER,
    "O": HitPolicy.OUTPUT_ORDER,
}
_AGGREGATIONS = {
    **{a.value: a for a in Aggregation},
    "+": Aggregation.SUM,
    "#": Aggregation.COUNT,
    "<": Aggregation.MIN,
    ">": Aggregation.MAX,
}
_EXPRESSION_TAGS = frozenset(
    {
        "literalExpression",
        "decisionTable",
        "context",
        "list",
        "relation",
        "invocation",
        "functionDefinition",
        "conditional",
        "filter",
        "for",
        "some",
        "every",
    }
)


class _Parser:
    def __init__(self, root: XmlElement, findings: Findings) -> None:
        self.root = root
        self.ns = namespace(root)
        self.model_namespace = root.get("namespace") or ""
        self.findings = findings

    # -- XML helpers --

    def children(self, element: XmlElement, name: str) -> list[XmlElement]:
        return [c for c in element if namespace(c) == self.ns and local_name(c) == name]

    def child(self, element: XmlElement, name: str) -> XmlElement | None:
        for c in element:
            if namespace(c) == self.ns and local_name(c) == name:
                return c
        return None

    def text(self, element: XmlElement | None) -> str | None:
        """The `<text>` child's content (None when there is no such child)."""
        if element is None:
            return None
        text = self.child(element, "text")
        return None if text is None else str(text.text or "")

    def type_ref(self, element: XmlElement | None) -> str | None:
        if element is None:
            return None
        value: str | None = element.get("typeRef")
        if value is None:
            typed = self.child(element, "typeRef")
            value = str(typed.text or "") if typed is not None else None
        if value is None or not value.strip():
            return None
        value = value.strip()
        prefix, colon, rest = value.partition(":")
        if colon and (prefix in (element.nsmap or {}) or prefix == "feel"):
            return rest
        return value

    def ref(self, element: XmlElement) -> Ref:
        href = element.get("href") or ""
        target_namespace, _, ident = href.partition("#")
        if target_namespace == self.model_namespace:
            target_namespace = ""
        return Ref(target_namespace, ident)

    def refs(self, element: XmlElement, name: str) -> tuple[Ref, ...]:
        return tuple(self.ref(c) for c in self.children(element, name))

    def path(self, element: XmlElement) -> str:
        """The id path of an element: the nearest ids, as the deployment's messages use."""
        parts: list[str] = []
        node: XmlElement | None = element
        while node is not None and node is not self.root:
            ident = node.get("id")
            if ident:
                parts.append(ident)
                break
            parts.append(local_name(node))
            node = node.getparent()
        return " > ".join(reversed(parts)) or "definitions"

    # -- DRG --

    def definitions(self, version: str) -> Definitions:
        root = self.root
        definitions = Definitions(
            id=root.get("id") or "",
            name=root.get("name") or root.get("id") or "",
            namespace=self.model_namespace,
            dmn_version=version,
        )
        imports: list[Import] = []
        for element in root:
            if namespace(element) != self.ns:
                continue
            tag = local_name(element)
            # An element without an id (allowed by the schema) is known by its name.
            ident = element.get("id") or element.get("name") or ""
            name = element.get("name") or ident
            if tag == "decision":
                definitions.decisions[ident] = self.decision(element, ident, name)
            elif tag == "inputData":
                variable = self.child(element, "variable")
                definitions.inputs[ident] = InputData(ident, name, self.type_ref(variable))
            elif tag == "businessKnowledgeModel":
                definitions.knowledge_models[ident] = self.knowledge_model(element, ident, name)
            elif tag == "decisionService":
                variable = self.child(element, "variable")
                definitions.services[ident] = DecisionService(
                    ident,
                    name,
                    output_decisions=self.refs(element, "outputDecision"),
                    encapsulated_decisions=self.refs(element, "encapsulatedDecision"),
                    input_decisions=self.refs(element, "inputDecision"),
                    input_data=self.refs(element, "inputData"),
                    type_ref=self.type_ref(variable),
                )
            elif tag == "itemDefinition":
                item = self.item_definition(element)
                definitions.items[item.name] = item
            elif tag == "import":
                imports.append(Import(element.get("name") or "", element.get("namespace") or ""))
        definitions.imports = tuple(imports)
        for element in root.iter():
            language = element.get("expressionLanguage") if isinstance(element.tag, str) else None
            if language and "feel" not in language.lower():
                definitions.other_languages.append((self.path(element), language))
        return definitions

    def requirements(self, element: XmlElement) -> Requirements:
        decisions: list[Ref] = []
        inputs: list[Ref] = []
        knowledge: list[Ref] = []
        for requirement in self.children(element, "informationRequirement"):
            for target in self.children(requirement, "requiredDecision"):
                decisions.append(self.ref(target))
            for target in self.children(requirement, "requiredInput"):
                inputs.append(self.ref(target))
        for requirement in self.children(element, "knowledgeRequirement"):
            for target in self.children(requirement, "requiredKnowledge"):
                knowledge.append(self.ref(target))
        return Requirements(tuple(decisions), tuple(inputs), tuple(knowledge))

    def decision(self, element: XmlElement, ident: str, name: str) -> Decision:
        variable = self.child(element, "variable")
        return Decision(
            id=ident,
            name=name,
            variable=(variable.get("name") if variable is not None else None) or name,
            type_ref=self.type_ref(variable),
            logic=self.logic_of(element),
            requirements=self.requirements(element),
            version_tag=self.version_tag(element),
        )

    def version_tag(self, element: XmlElement) -> str | None:
        extensions = self.child(element, "extensionElements")
        for tag in extensions if extensions is not None else ():
            if namespace(tag) == ZEEBE_NS and local_name(tag) == "versionTag":
                value = tag.get("value")
                return str(value) if value is not None else None
        return None

    def knowledge_model(self, element: XmlElement, ident: str, name: str) -> BusinessKnowledgeModel:
        logic = self.child(element, "encapsulatedLogic")
        variable = self.child(element, "variable")
        return BusinessKnowledgeModel(
            ident,
            name,
            logic=self.function_definition(logic) if logic is not None else None,
            requirements=self.requirements(element),
            type_ref=self.type_ref(variable),
        )

    def item_definition(self, element: XmlElement) -> ItemDefinition:
        allowed = self.child(element, "allowedValues")
        function = self.child(element, "functionItem")
        parameters: tuple[Parameter, ...] = ()
        output: str | None = None
        if function is not None:
            parameters = tuple(
                Parameter(p.get("name") or "", self.type_ref(p))
                for p in self.children(function, "parameters")
            )
            output = function.get("outputTypeRef")
        return ItemDefinition(
            name=element.get("name") or "",
            type_ref=self.type_ref(element),
            is_collection=element.get("isCollection") == "true",
            components=tuple(
                self.item_definition(c) for c in self.children(element, "itemComponent")
            ),
            allowed_values=self.text(allowed),
            is_function=function is not None,
            function_parameters=parameters,
            function_output=output,
        )

    # -- boxed expressions --

    def logic_of(self, element: XmlElement) -> BoxedExpression | None:
        for c in element:
            if namespace(c) == self.ns and local_name(c) in _EXPRESSION_TAGS:
                return self.expression(c)
        return None

    def part(self, element: XmlElement, name: str) -> BoxedExpression:
        container = self.child(element, name)
        logic = self.logic_of(container) if container is not None else None
        if logic is None:
            self.findings.add(self.path(element), f"Expected a '{name}' with an expression")
            return LiteralExpression("null")
        return logic

    def expression(self, element: XmlElement) -> BoxedExpression:
        tag = local_name(element)
        type_ref = self.type_ref(element)
        if tag == "literalExpression":
            return LiteralExpression(self.text(element) or "", type_ref, element.get("id") or "")
        if tag == "decisionTable":
            return self.decision_table(element)
        if tag == "context":
            entries = []
            for entry in self.children(element, "contextEntry"):
                variable = self.child(entry, "variable")
                entries.append(
                    ContextEntry(
                        name=variable.get("name") or "" if variable is not None else None,
                        type_ref=self.type_ref(variable),
                        value=self.logic_of(entry),
                    )
                )
            return Context(tuple(entries), type_ref)
        if tag == "list":
            items = tuple(
                self.expression(c)
                for c in element
                if namespace(c) == self.ns and local_name(c) in _EXPRESSION_TAGS
            )
            return ListExpression(items, type_ref)
        if tag == "relation":
            columns = tuple(c.get("name") or "" for c in self.children(element, "column"))
            rows = tuple(
                tuple(
                    self.expression(c)
                    for c in row
                    if namespace(c) == self.ns and local_name(c) in _EXPRESSION_TAGS
                )
                for row in self.children(element, "row")
            )
            return Relation(columns, rows, type_ref)
        if tag == "invocation":
            callee = self.logic_of(element)
            if callee is None:
                self.findings.add(self.path(element), "Expected the invoked function's name")
                callee = LiteralExpression("null")
            bindings = []
            for binding in self.children(element, "binding"):
                parameter = self.child(binding, "parameter")
                bindings.append(
                    Binding(
                        (parameter.get("name") or "") if parameter is not None else "",
                        self.logic_of(binding),
                    )
                )
            return Invocation(callee, tuple(bindings), type_ref)
        if tag == "functionDefinition":
            return self.function_definition(element)
        if tag == "conditional":
            return Conditional(
                self.part(element, "if"),
                self.part(element, "then"),
                self.part(element, "else"),
                type_ref,
            )
        if tag == "filter":
            return Filter(self.part(element, "in"), self.part(element, "match"), type_ref)
        # for, some, every
        body = "return" if tag == "for" else "satisfies"
        return Iteration(
            tag,
            element.get("iteratorVariable") or "item",
            self.part(element, "in"),
            self.part(element, body),
            type_ref,
        )

    def function_definition(self, element: XmlElement) -> FunctionDefinition:
        parameters = tuple(
            Parameter(p.get("name") or "", self.type_ref(p))
            for p in self.children(element, "formalParameter")
        )
        return FunctionDefinition(
            parameters,
            self.logic_of(element),
            kind=element.get("kind") or "FEEL",
            type_ref=self.type_ref(element),
        )

    def decision_table(self, element: XmlElement) -> DecisionTable:
        path = self.path(element)
        policy_text = (element.get("hitPolicy") or "UNIQUE").strip()
        hit_policy = _HIT_POLICIES.get(policy_text)
        if hit_policy is None:
            self.findings.add(path, f"Unknown hit policy '{policy_text}'")
            hit_policy = HitPolicy.UNIQUE
        aggregation_text = element.get("aggregation")
        aggregation = None
        if aggregation_text is not None:
            aggregation = _AGGREGATIONS.get(aggregation_text.strip())
            if aggregation is None:
                self.findings.add(path, f"Unknown aggregation '{aggregation_text}'")
            elif hit_policy is not HitPolicy.COLLECT:
                self.findings.add(
                    path,
                    f"An aggregation is only allowed with hit policy COLLECT, not {policy_text}",
                )
                aggregation = None
        inputs = []
        for index, clause in enumerate(self.children(element, "input"), start=1):
            expression = self.child(clause, "inputExpression")
            text = self.text(expression) or ""
            inputs.append(
                InputClause(
                    id=clause.get("id") or f"input{index}",
                    label=clause.get("label") or text.strip(),
                    expression=text,
                    type_ref=self.type_ref(expression),
                    input_values=self.text(self.child(clause, "inputValues")),
                    expression_id=(expression.get("id") or "") if expression is not None else "",
                )
            )
        outputs = []
        for index, clause in enumerate(self.children(element, "output"), start=1):
            default = self.child(clause, "defaultOutputEntry")
            outputs.append(
                OutputClause(
                    id=clause.get("id") or f"output{index}",
                    name=clause.get("name") or "",
                    label=clause.get("label") or clause.get("name") or "",
                    type_ref=self.type_ref(clause),
                    output_values=self.text(self.child(clause, "outputValues")),
                    default=self.text(default) if default is not None else None,
                )
            )
        if not outputs:
            self.findings.add(path, "A decision table must have at least one output")
        rules = []
        for index, rule in enumerate(self.children(element, "rule"), start=1):
            rule_id = rule.get("id") or f"rule{index}"
            entries = tuple(self.text(e) or "" for e in self.children(rule, "inputEntry"))
            results = tuple(self.text(e) or "" for e in self.children(rule, "outputEntry"))
            if len(entries) != len(inputs) or len(results) != len(outputs):
                self.findings.add(
                    rule_id,
                    f"Expected {len(inputs)} input entries and {len(outputs)} output entries, "
                    f"but found {len(entries)} and {len(results)}",
                )
            rules.append(Rule(rule_id, entries, results))
        return DecisionTable(
            id=element.get("id") or "",
            hit_policy=hit_policy,
            aggregation=aggregation,
            inputs=tuple(inputs),
            outputs=tuple(outputs),
            rules=tuple(rules),
            type_ref=self.type_ref(element),
        )


def build_definitions(root: XmlElement, version: str, findings: Findings) -> Definitions:
    """The DRG of an already parsed DMN document; problems go to `findings`."""
    return _Parser(root, findings).definitions(version)


def parse_dmn(resource_name: str, content: bytes) -> Definitions:
    """Parse a DMN resource into its DRG; raise BpmnValidationError listing every problem."""
    root = parse_document(resource_name, content)
    findings = Findings()
    version = dmn_version(root)
    if version is None or local_name(root) != "definitions":
        findings.add(
            "",
            "Expected a DMN 'definitions' root element in a DMN 1.1 to 1.5 namespace, "
            f"but found '{root.tag}'",
        )
        findings.raise_if_any(resource_name)
    definitions = _Parser(root, findings).definitions(version or "")
    findings.raise_if_any(resource_name)
    return definitions


__all__ = ["DMN_NAMESPACES", "build_definitions", "parse_dmn"]
