"""FEEL (Friendly Enough Expression Language) as used by Camunda 8 / Zeebe: a pure library.

>>> from zeebind.feel import compile_expression
>>> compile_expression("a.b + 1 > x").evaluate({"a": {"b": 2}, "x": 1}).value
True

Entry points
    ``compile_expression(text, known_names=())`` parses and compiles once (cached by text) and
    raises ``FeelSyntaxError(message, position)``. ``Expression.evaluate(variables, *, now=None,
    uuid=None, types=None)`` returns an ``EvaluationResult(value, warnings, failure)``.
    ``compile_unary_tests(text)`` gives ``UnaryTests.matches(input, variables)`` for decision
    tables (``?`` is the input). ``to_json`` and ``type_name`` convert results for Zeebe.

Semantics (Camunda FEEL 1.17+, as in Zeebe 8.3+)
    * null-friendly: a missing variable or context entry, a type mismatch or bad built-in
      arguments give null plus a warning such as
      ``[NO_VARIABLE_FOUND] No variable found with name 'x'``; an unknown function, a wrong
      number of arguments or a failed ``assert`` fail the evaluation (``failure``);
    * numbers are ``Decimal`` with 34 significant digits, half-even;
    * ``now()``/``today()`` read the injected clock (one instant per evaluation), ``uuid()`` and
      ``random number()`` the injected uuid source;
    * names may contain spaces (``Monthly Salary``); names with operator characters or digit
      words (``a-b``, ``Extra days case 1``) need ``known_names`` or backticks.

Value model: see ``zeebind.feel.values``. Built-ins: ``zeebind.feel.library``.
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
