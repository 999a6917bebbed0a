"""FEEL (Friendly Enough Expression Language) as used by Camunda 8 / Zeebe: a pure library.

>>> from zeebind.feel import compile_expression
>>> compile_expression("a.b + 1 > x").evaluate({"a": {"b": 2}, "x": 1}).value
True
"""

from zeebind.feel.errors import FeelEvaluationError, FeelSyntaxError
from zeebind.feel.expression import (
    EvaluationResult,
    Expression,
    UnaryTests,
    compile_expression,
    compile_unary_tests,
)
from zeebind.feel.values import (
    FeelFunction,
    Range,
    YearsMonthsDuration,
    format_value,
    from_python,
    to_json,
    to_string,
    type_name,
)

__all__ = [
    "EvaluationResult",
    "Expression",
    "FeelEvaluationError",
    "FeelFunction",
    "FeelSyntaxError",
    "Range",
    "UnaryTests",
    "YearsMonthsDuration",
    "compile_expression",
    "compile_unary_tests",
    "format_value",
    "from_python",
    "to_json",
    "to_string",
    "type_name",
]
