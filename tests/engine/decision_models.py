"""DMN text for the decision scenario tests (DMN 1.3, as Camunda Modeler writes it)."""

from __future__ import annotations

DMN_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
    'id="{drg}" name="{drg} name" namespace="http://camunda.org/schema/1.0/dmn">'
)


def dmn(drg: str, *decisions: str) -> str:
    return DMN_HEADER.format(drg=drg) + "".join(decisions) + "</definitions>"


def rule(rule_id: str, *entries: str) -> str:
    *inputs, output = entries
    body = "".join(f"<inputEntry><text>{e}</text></inputEntry>" for e in inputs)
    return f'<rule id="{rule_id}">{body}<outputEntry><text>{output}</text></outputEntry></rule>'


def table(
    decision_id: str,
    inputs: list[tuple[str, str]],
    output: str,
    rules: list[str],
    hit_policy: str = "UNIQUE",
    requires: tuple[str, ...] = (),
) -> str:
    """A decision table: inputs as (id, expression), one output named `output`."""
    required = "".join(
        f'<informationRequirement id="ir_{decision_id}_{r}"><requiredDecision href="#{r}"/>'
        "</informationRequirement>"
        for r in requires
    )
    clauses = "".join(
        f'<input id="{input_id}" label="{input_id}"><inputExpression typeRef="string">'
        f"<text>{expression}</text></inputExpression></input>"
        for input_id, expression in inputs
    )
    return (
        f'<decision id="{decision_id}" name="{decision_id} name">{required}'
        f'<decisionTable id="dt_{decision_id}" hitPolicy="{hit_policy}">{clauses}'
        f'<output id="out_{decision_id}" name="{output}" typeRef="string"/>'
        + "".join(rules)
        + "</decisionTable></decision>"
    )


def literal(decision_id: str, text: str, requires: tuple[str, ...] = ()) -> str:
    required = "".join(
        f'<informationRequirement id="ir_{decision_id}_{r}"><requiredDecision href="#{r}"/>'
        "</informationRequirement>"
        for r in requires
    )
    return (
        f'<decision id="{decision_id}" name="{decision_id} name">{required}'
        f'<literalExpression id="le_{decision_id}"><text>{text}</text></literalExpression>'
        "</decision>"
    )


DISH = table(
    "dish",
    [("season", "season"), ("guests", "guestCount")],
    "dish",
    [
        rule("r_fall", '"Fall"', "&lt;= 8", '"Spareribs"'),
        rule("r_winter", '"Winter"', "&lt;= 8", '"Roastbeef"'),
        rule("r_spring", '"Spring"', "&lt;= 4", '"Dry Aged Gourmet Steak"'),
        rule("r_big", "-", "&gt; 8", '"Stew"'),
        rule("r_any_spring", '"Spring"', "-", '"Salad"'),
    ],
)
BEVERAGES = table(
    "beverages",
    [("dish_in", "dish")],
    "beverage",
    [
        rule("b_water", "-", '"Water"'),
        rule("b_wine", '"Spareribs","Roastbeef","Stew"', '"Red wine"'),
    ],
    hit_policy="COLLECT",
    requires=("dish",),
)
DINNER = dmn("dinner", DISH, BEVERAGES)
GREETING = dmn("greeting", literal("greet", '"Hello " + name'))
