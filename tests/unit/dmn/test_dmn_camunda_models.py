"""The DMN models of Zeebe's engine (dmn-scala's test models, in the shared corpus) give the
results dmn-scala's own tests expect: hit policies, DRGs, BKMs, contexts and failure texts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from zeebind.bpmn import BpmnValidationError
from zeebind.dmn.evaluator import DrgEvaluator
from zeebind.dmn.metadata import parse_dmn_metadata
from zeebind.dmn.parser import parse_dmn
from zeebind.feel import to_json

MODELS = (
    Path(__file__).resolve().parents[3]
    / ".."
    / "shared"
    / "bpmn-corpus"
    / "camunda-dmn-scala"
    / "src"
    / "test"
    / "resources"
)
pytestmark = pytest.mark.skipif(not MODELS.is_dir(), reason=f"no dmn-scala models at {MODELS}")


def _evaluate(model: str, decision_id: str, variables: dict[str, Any]) -> Any:
    content = (MODELS / model).read_bytes()
    parse_dmn_metadata(model, content)  # deployable
    result = DrgEvaluator(parse_dmn(model, content)).evaluate(decision_id, variables)
    if result.failed:
        return Failure(result.failure_message.split("', but ", 1)[1])
    return _plain(result.output)


class Failure(str):
    """A failed evaluation's reason (after Zeebe's "Expected to evaluate decision 'x', but ")."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return to_json(value)


def _routing(*rows: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"routing": a, "reviewLevel": b, "reason": c} for a, b, c in rows]


TOO_YOUNG = ("DECLINE", "NONE", "Applicant too young")
DEPT_REVIEW = ("REFER", "LEVEL 2", "Applicant under dept review")
HIGH_RISK = ("REFER", "LEVEL 1", "High risk application")
ACCEPTABLE = ("ACCEPT", "NONE", "Acceptable")

CASES: list[tuple[str, str, dict[str, Any], Any]] = [
    ("decisiontable/discount.dmn", "discount", {"customer": "Business", "orderSize": 7}, 0.1),
    ("decisiontable/discount.dmn", "discount", {"customer": "Business", "orderSize": 15}, 0.15),
    ("decisiontable/discount.dmn", "discount", {"customer": "Private", "orderSize": 9}, 0.05),
    (
        "decisiontable/discount.dmn",
        "discount",
        {"customer": "Something else", "orderSize": 9},
        None,
    ),
    (
        "decisiontable/discount.dmn",
        "discount",
        {"customer": "Business", "orderSize": 9},
        Failure(
            "multiple values aren't allowed for UNIQUE hit policy. found: "
            "'List(Map(discount -> 0.1), Map(discount -> 0.15))'"
        ),
    ),
    (
        "decisiontable/discount_default-output.dmn",
        "discount",
        {"customer": "Something else", "orderSize": 9},
        0.05,
    ),
    (
        "decisiontable/adjustments.dmn",
        "adjustments",
        {"customer": "Business", "orderSize": 7},
        {"discount": 0.1, "shipping": "Air"},
    ),
    (
        "decisiontable/adjustments.dmn",
        "adjustments",
        {"customer": "Something else", "orderSize": 9},
        None,
    ),
    (
        "decisiontable/adjustments_default-output.dmn",
        "adjustments",
        {"customer": "Something else", "orderSize": 9},
        {"discount": 0.05, "shipping": "Ground"},
    ),
    (
        "decisiontable/routingRules.dmn",
        "routingRules",
        {"age": 17, "riskCategory": "HIGH", "deptReview": True},
        _routing(TOO_YOUNG, DEPT_REVIEW, HIGH_RISK, ACCEPTABLE),
    ),
    (
        "decisiontable/routingRules.dmn",
        "routingRules",
        {"age": 25, "riskCategory": "MEDIUM", "deptReview": True},
        _routing(DEPT_REVIEW, ACCEPTABLE),
    ),
    (
        "decisiontable/routingRules.dmn",
        "routingRules",
        {"age": 25, "riskCategory": "MEDIUM", "deptReview": False},
        _routing(ACCEPTABLE),
    ),
    *[
        (
            "decisiontable/applicantRiskRating.dmn",
            "applicantRiskRating",
            {"applicantAge": age, "medicalHistory": history},
            rating,
        )
        for age, history, rating in [
            (65, "good", "Medium"),
            (40, "bad", "Medium"),
            (22, "bad", "Medium"),
            (65, "bad", "High"),
            (22, "good", "Low"),
        ]
    ],
    (
        "decisiontable/personLoanCompliance.dmn",
        "personLoanCompliance",
        {"creditRating": "B", "creditBalance": 10000, "loanBalance": 50000},
        "Not Compliant",
    ),
    (
        "decisiontable/personLoanCompliance.dmn",
        "personLoanCompliance",
        {"creditRating": "A", "creditBalance": 5000, "loanBalance": 10000},
        "Compliant",
    ),
    *[
        (
            "decisiontable/applicantRiskRating_priority.dmn",
            "applicantRiskRating",
            {"applicantAge": age, "medicalHistory": history},
            rating,
        )
        for age, history, rating in [
            (65, "bad", "High"),
            (55, "bad", "Medium"),
            (30, "good", "Medium"),
            (20, "bad", "Medium"),
            (20, "good", "Low"),
        ]
    ],
    *[
        (
            "decisiontable/specialDiscount.dmn",
            "specialDiscount",
            {"typeOfOrder": "Web", "customerLocation": location, "typeOfCustomer": customer},
            discount,
        )
        for location, customer, discount in [
            ("Non-US", "Retailer", 0),
            ("US", "Retailer", 5),
            ("US", "Wholesaler", 10),
        ]
    ],
    *[
        ("decisiontable/holidays_collect_sum.dmn", "holidays", {"age": a, "yearsOfService": y}, s)
        for a, y, s in [(58, 31, 30), (25, 2, 22), (16, 1, 27), (46, 19, 24)]
    ],
    *[
        (
            "decisiontable/discount_collect_max.dmn",
            "discount",
            {"customer": c, "orderSize": n},
            d,
        )
        for c, n, d in [
            ("Business", 8, 0.1),
            ("Business", 12, 0.15),
            ("Private", 17, 0.06),
            ("Private", 13, 0.05),
        ]
    ],
    *[
        ("decisiontable/insuranceFee.dmn", "insuranceFee", {"years": y}, fee)
        for y, fee in [(1, 200), (4, 190), (16, 100)]
    ],
    (
        "decisiontable/holidays_collect.dmn",
        "holidays",
        {"age": 58, "yearsOfService": 31},
        [22, 3, 5],
    ),
    ("decisiontable/holidays_collect.dmn", "holidays", {"age": 25, "yearsOfService": 2}, [22]),
    *[
        (
            "decisiontable/holidays_output_order.dmn",
            "holidays",
            {"age": a, "yearsOfService": y},
            days,
        )
        for a, y, days in [
            (58, 31, [22, 5, 3]),
            (25, 2, [22]),
            (16, 1, [22, 5]),
            (46, 19, [22, 2, 2]),
            (40, 19, [22, 2]),
        ]
    ],
    *[
        (
            "decisiontable/studentFinancialPackageEligibility.dmn",
            "eligibility",
            {"gpa": gpa, "acitvitiesCount": 4, "socialMembership": member},
            packages,
        )
        for gpa, member, packages in [
            (3.6, "Yes", ["20% Scholarship", "30% Loan"]),
            (3.6, "No", ["20% Work-On-Campus"]),
            (3.0, "Yes", ["5% Work-On-Campus"]),
        ]
    ],
    ("requirements/discount.dmn", "price", {"customer": "Business", "orderSize": 7}, 10),
    ("requirements/ApplicantData.dmn", "income", {}, 10000),
    ("bkm/BkmWithLiteralExpression.dmn", "literalExpression", {"x": 2, "y": 3}, 5),
    ("bkm/BkmWithContext.dmn", "context", {"x": 2, "y": 3}, {"Sum": 5, "Multiply": 6}),
    (
        "bkm/BkmWithRelation.dmn",
        "relation",
        {"x": 2, "y": 3},
        [{"rate": "A", "fee": 5}, {"rate": "B", "fee": 7.5}, {"rate": "C", "fee": 8.75}],
    ),
    ("bkm/BkmWithDecisionTable.dmn", "decisionTable", {"x": "Business", "y": 7}, 0.1),
    ("bkm/BkmWithoutEncapsulatedLogic.dmn", "literalExpression", {"x": 2, "y": 3}, 5),
    (
        "context/SimpleContext.dmn",
        "applicantData",
        {},
        {
            "Age": 51,
            "MaritalStatus": "M",
            "EmploymentStatus": "EMPLOYED",
            "ExistingCustomer": False,
        },
    ),
    (
        "context/ContextWithInvocation.dmn",
        "discount",
        {"Customer": "Business", "OrderSize": 7},
        {"Discount": 0.1, "ExistingCustomer": False},
    ),
    (
        "context/NestedContext.dmn",
        "applicantData",
        {},
        {
            "EmploymentStatus": "EMPLOYED",
            "Monthly": {"Income": 10000, "Repayments": 2500, "Expenses": 3000},
        },
    ),
    (
        "context/Eligibility.dmn",
        "eligibility",
        {
            "Applicant": {"Age": 51, "Monthly": {"Income": 10000.00}},
            "Affordability": {"PreBureauRiskCategory": "DECLINE", "InstallmentAffordable": True},
        },
        "INELIGIBLE",
    ),
    ("functionDefinition/FeelUserFunction.dmn", "userFunction", {}, 5),
    ("functionDefinition/RequiredDecisionWithFunction.dmn", "calculation", {}, 5),
    ("functionDefinition/RequiredDecisionWithContext.dmn", "calculation", {}, 5),
    ("list/ApplicantData.dmn", "applicantData", {}, {"MonthlyOutgoings": [2500, 3000]}),
    (
        "relation/ApplicantData.dmn",
        "applicantData",
        {},
        {
            "CreditHistory": [
                {"recordDate": dt.date(2008, 3, 12), "event": "home mortgage", "weight": 100},
                {"recordDate": dt.date(2011, 4, 1), "event": "foreclosure warning", "weight": 150},
            ]
        },
    ),
    ("literalexpression/greeting.dmn", "greeting", {"name": "John"}, "Hello John"),
    (
        "literalexpression/type-mismatch.dmn",
        "greeting",
        {"name": "Frank"},
        Failure("""expected 'number' but found '"Hello Frank"'"""),
    ),
    ("invocation/discount.dmn", "discount", {"Customer": "Business", "OrderSize": 7}, 0.1),
    (
        "invocation/discount.dmn",
        "discount",
        {"Customer": "Business", "OrderSize": "foo"},
        Failure("""expected 'number' but found '"foo"'"""),
    ),
    (
        "invocation/missingParameters.dmn",
        "discount",
        {"OrderSize": 7},
        Failure("no parameter found with name 'customer'"),
    ),
    *[(f"dmn1.{v}/greeting.dmn", "greeting", {"name": "John"}, "Hello John") for v in range(1, 6)],
]


@pytest.mark.parametrize(
    ("model", "decision_id", "variables", "expected"),
    CASES,
    ids=[f"{m}:{d}:{i}" for i, (m, d, _, _) in enumerate(CASES)],
)
def test_dmn_scala_model(
    model: str, decision_id: str, variables: dict[str, Any], expected: Any
) -> None:
    actual = _evaluate(model, decision_id, variables)
    if isinstance(expected, Failure):
        assert isinstance(actual, Failure)
        assert actual == expected
    else:
        assert actual == expected


@pytest.mark.parametrize(
    ("model", "problem"),
    [
        ("decisiontable/invalid-expression.dmn", "FEEL unary-tests: failed to parse expression"),
        ("decisiontable/expression-language.dmn", "Expression language 'groovy' is not supported"),
        (
            "decisiontable/empty-expression.dmn",
            "The expression 'inputExpression1' must not be empty.",
        ),
        (
            "decisiontable/adjustments_empty_output_name.dmn",
            "no output name defined for `Discount`",
        ),
        (
            "requirements/cyclic-dependencies-in-decisions.dmn",
            "Invalid DMN model: Cyclic dependencies between decisions detected.",
        ),
        (
            "requirements/cyclic-dependencies-in-bkm.dmn",
            "Invalid DMN model: Cyclic dependencies between BKMs detected.",
        ),
    ],
)
def test_invalid_models_are_refused_at_deployment(model: str, problem: str) -> None:
    with pytest.raises(BpmnValidationError) as caught:
        parse_dmn_metadata(model, (MODELS / model).read_bytes())
    assert problem in str(caught.value)


def test_nested_requirements_without_a_cycle_are_deployable() -> None:
    model = "requirements/non-cyclic-nested-dependencies-in-decisions.dmn"
    drg = parse_dmn_metadata(model, (MODELS / model).read_bytes())
    assert [d.id for d in drg.decisions] == ["C", "B", "A"]
