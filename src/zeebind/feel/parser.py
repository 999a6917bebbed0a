"""Pratt parser for FEEL expressions and unary tests.

Precedence, lowest first (DMN 1.5 grammar, checked by TCK 0075): ``for/if/some/every/function`` <
``or`` < ``and`` < comparisons, ``between``, ``in``, ``instance of`` < ``+ -`` < ``* /`` < ``**``
(left-associative) < unary ``-`` (so ``-3 ** 2`` is 9) < postfix ``.name``, ``[filter]``,
``(args)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from zeebind.feel import ast
from zeebind.feel.errors import FeelSyntaxError
from zeebind.feel.lexer import KEYWORDS, Kind, Lexer, Token

# Built-in names and type names that contain a keyword: the word joiner may cross the keyword only
# to build one of these.
KEYWORD_NAMES = frozenset(
    {
        "date and time",
        "years and months duration",
        "days and time duration",
        "get or else",
    }
)

_OR, _AND, _COMPARE, _ADD, _MUL, _POW = 10, 20, 30, 40, 50, 60
_INFIX = {
    "+": _ADD,
    "-": _ADD,
    "*": _MUL,
    "/": _MUL,
    "**": _POW,
    "=": _COMPARE,
    "!=": _COMPARE,
    "<": _COMPARE,
    "<=": _COMPARE,
    ">": _COMPARE,
    ">=": _COMPARE,
}
_COMPARISONS = ("<", "<=", ">", ">=")
_GENERIC_TYPES = ("list", "range", "context", "function")


class Parser:
    def __init__(self, text: str, known_names: Iterable[str] = ()) -> None:
        names = set(known_names)
        self.text = text
        self.tokens = Lexer(text, names).tokens()
        self.i = 0
        self.keyword_names = KEYWORD_NAMES | {
            n for n in names if any(w in KEYWORDS for w in n.split())
        }
        self.keyword_prefixes = {
            " ".join(n.split()[:k]) for n in self.keyword_names for k in range(1, len(n.split()))
        }
        self.depth = 0
        self.range_end_depth = -1  # bracket depth at which '[' closes a range instead of filtering

    # -- token helpers -------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        j = min(self.i + offset, len(self.tokens) - 1)
        return self.tokens[j]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not Kind.EOF:
            self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind is Kind.OP and tok.text in ops

    def at_keyword(self, *words: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind is Kind.NAME and not tok.quoted and tok.text in words

    def error(self, message: str, tok: Token | None = None) -> FeelSyntaxError:
        tok = tok or self.tok
        return FeelSyntaxError(message, tok.pos, self.text)

    def expect_op(self, op: str, context: str = "") -> Token:
        if not self.at_op(op):
            where = f" {context}" if context else ""
            raise self.error(f"expected '{op}'{where} but found {self.tok.describe()}")
        return self.advance()

    def expect_keyword(self, word: str, context: str = "") -> Token:
        if not self.at_keyword(word):
            where = f" {context}" if context else ""
            raise self.error(f"expected '{word}'{where} but found {self.tok.describe()}")
        return self.advance()

    def expect_end(self) -> None:
        if self.tok.kind is not Kind.EOF:
            raise self.error(f"unexpected {self.tok.describe()}")

    # -- entry points --------------------------------------------------------------------------

    def parse_expression_text(self) -> ast.Node:
        if self.tok.kind is Kind.EOF:
            raise self.error("empty expression")
        node = self.expression()
        self.expect_end()
        return node

    def parse_unary_tests_text(self) -> ast.UnaryTests:
        start = self.tok
        if start.kind is Kind.EOF:
            raise self.error("empty unary tests")
        if self.at_op("-") and self.peek().kind is Kind.EOF:
            self.advance()
            return ast.UnaryTests(start.pos, [], any=True)
        if self.at_keyword("not") and self.peek().kind is Kind.OP and self.peek().text == "(":
            save = self.i
            self.advance()
            self.advance()
            self.depth += 1
            tests = self.positive_unary_tests()
            if self.at_op(")") and self.peek().kind is Kind.EOF:
                self.advance()
                self.depth -= 1
                return ast.UnaryTests(start.pos, tests, negated=True)
            self.i = save
            self.depth -= 1
        tests = self.positive_unary_tests()
        self.expect_end()
        return ast.UnaryTests(start.pos, tests)

    def positive_unary_tests(self) -> list[ast.Node]:
        tests = [self.positive_unary_test(0)]
        while self.at_op(","):
            self.advance()
            tests.append(self.positive_unary_test(0))
        return tests

    def positive_unary_test(self, min_bp: int) -> ast.Node:
        tok = self.tok
        if tok.kind is Kind.OP and tok.text in ("<", "<=", ">", ">=", "=", "!="):
            self.advance()
            return ast.UnaryCompare(tok.pos, tok.text, self.expression(_COMPARE))
        return self.expression(min_bp)

    # -- expressions ---------------------------------------------------------------------------

    def expression(self, min_bp: int = 0) -> ast.Node:
        left = self.prefix()
        while True:
            tok = self.tok
            if tok.kind is Kind.OP:
                bp = _INFIX.get(tok.text)
                if bp is None or bp <= min_bp:
                    return left
                self.advance()
                right = self.expression(bp)
                left = ast.Binary(tok.pos, tok.text, left, right)
                continue
            if tok.kind is not Kind.NAME or tok.quoted:
                return left
            word = tok.text
            if word == "or" and min_bp < _OR:
                self.advance()
                left = ast.Or(tok.pos, left, self.expression(_OR))
            elif word == "and" and min_bp < _AND:
                self.advance()
                left = ast.And(tok.pos, left, self.expression(_AND))
            elif word == "between" and min_bp < _COMPARE:
                self.advance()
                low = self.expression(_COMPARE)
                self.expect_keyword("and", "in 'between'")
                high = self.expression(_COMPARE)
                left = ast.Between(tok.pos, left, low, high)
            elif word == "in" and min_bp < _COMPARE:
                self.advance()
                left = ast.In(tok.pos, left, self.in_tests())
            elif word == "instance" and min_bp < _COMPARE:
                self.advance()
                self.expect_keyword("of", "after 'instance'")
                left = ast.InstanceOf(tok.pos, left, self.type_spec())
            else:
                return left

    def in_tests(self) -> list[ast.Node]:
        if self.at_op("?"):
            # `x in ? < 10`: a condition on the tested value (Camunda)
            return [self.expression(_AND)]
        if not self.at_op("("):
            return [self.positive_unary_test(_COMPARE)]
        open_tok = self.advance()
        self.depth += 1
        first = self.positive_unary_test(0)
        if self.at_op("..") and not isinstance(first, ast.UnaryCompare):
            self.advance()
            end = self.range_end()
            closer = self.advance()
            self.depth -= 1
            if closer.kind is not Kind.OP or closer.text not in (")", "]", "["):
                raise self.error("expected the end of a range", closer)
            return [ast.RangeLiteral(open_tok.pos, first, end, False, closer.text == "]")]
        tests = [first]
        while self.at_op(","):
            self.advance()
            tests.append(self.positive_unary_test(0))
        self.expect_op(")", "to close the tests of 'in'")
        self.depth -= 1
        if len(tests) == 1 and not isinstance(first, ast.UnaryCompare):
            # plain parentheses: allow postfix and operators to continue the operand
            node = self.postfix(first)
            return [node]
        return tests

    def prefix(self) -> ast.Node:
        tok = self.tok
        kind = tok.kind
        if kind is Kind.OP:
            op = tok.text
            if op == "-":
                self.advance()
                operand = self.prefix_unary_operand()
                if isinstance(operand, ast.Literal) and isinstance(operand.value, Decimal):
                    return ast.Literal(tok.pos, -operand.value)
                return ast.Negate(tok.pos, operand)
            if op == "+":
                self.advance()
                return self.prefix_unary_operand()
            if op in _COMPARISONS or (op in ("=", "!=") and self.after_open_paren()):
                self.advance()
                return ast.UnaryCompare(tok.pos, op, self.expression(_COMPARE))
            if op in ("=", "!="):
                hint = " (FEEL compares with a single '=')" if op == "=" else ""
                raise self.error(f"unexpected '{op}'{hint}")
        if kind is Kind.NAME and not tok.quoted:
            word = tok.text
            if word == "if":
                return self.if_expression()
            if word in ("for", "some", "every"):
                return self.iteration_expression()
            if word == "function":
                return self.function_definition()
        return self.postfix(self.primary())

    def after_open_paren(self) -> bool:
        """``(= 10)``: a unary test as a value is only written in parentheses."""
        previous = self.tokens[self.i - 1] if self.i > 0 else None
        return previous is not None and previous.kind is Kind.OP and previous.text == "("

    def prefix_unary_operand(self) -> ast.Node:
        if self.at_op("-"):
            tok = self.advance()
            return ast.Negate(tok.pos, self.prefix_unary_operand())
        return self.postfix(self.primary())

    def postfix(self, node: ast.Node) -> ast.Node:
        while True:
            tok = self.tok
            if tok.kind is not Kind.OP:
                return node
            if tok.text == ".":
                self.advance()
                name_tok = self.tok
                if name_tok.kind is Kind.NAME:
                    node = ast.Path(tok.pos, node, self.name_words(allow_keywords=True))
                elif name_tok.kind is Kind.STRING:
                    self.advance()
                    node = ast.Path(tok.pos, node, name_tok.text)
                else:
                    raise self.error(f"expected a name after '.' but found {name_tok.describe()}")
            elif tok.text == "[":
                if self.range_end_depth == self.depth:
                    return node
                self.advance()
                self.depth += 1
                condition = self.expression()
                self.expect_op("]", "to close the filter")
                self.depth -= 1
                node = ast.Filter(tok.pos, node, condition)
            elif tok.text == "(":
                node = self.call(node)
            else:
                return node

    def call(self, callee: ast.Node) -> ast.Node:
        open_tok = self.advance()
        self.depth += 1
        args: list[ast.Node] = []
        named: list[tuple[str, ast.Node]] = []
        if not self.at_op(")"):
            while True:
                if self.tok.kind is Kind.NAME and self.is_named_argument():
                    name = self.name_words(allow_keywords=True)
                    self.expect_op(":")
                    named.append((name, self.expression()))
                else:
                    if named:
                        raise self.error("positional argument after named arguments")
                    args.append(self.expression())
                if not self.at_op(","):
                    break
                self.advance()
        self.expect_op(")", "to close the argument list")
        self.depth -= 1
        return ast.Call(open_tok.pos, callee, args, named if named else None)

    def is_named_argument(self) -> bool:
        j = self.i
        while self.tokens[j].kind is Kind.NAME:
            j += 1
        tok = self.tokens[j]
        return j > self.i and tok.kind is Kind.OP and tok.text == ":"

    def primary(self) -> ast.Node:
        tok = self.tok
        kind = tok.kind
        if kind is Kind.NUMBER:
            self.advance()
            try:
                return ast.Literal(tok.pos, Decimal(tok.text))
            except InvalidOperation:
                raise self.error(f"invalid number {tok.text!r}", tok) from None
        if kind is Kind.STRING:
            self.advance()
            return ast.Literal(tok.pos, tok.text)
        if kind is Kind.TEMPORAL:
            self.advance()
            return ast.TemporalLiteral(tok.pos, tok.text)
        if kind is Kind.NAME:
            if not tok.quoted:
                word = tok.text
                if word == "true" or word == "false":
                    self.advance()
                    return ast.Literal(tok.pos, word == "true")
                if word == "null":
                    self.advance()
                    return ast.Literal(tok.pos, None)
                if (
                    word in ("and", "or")
                    and self.peek().kind is Kind.OP
                    and self.peek().text == "("
                ):
                    self.advance()
                    return ast.Name(tok.pos, word)
                if word in KEYWORDS and not self.starts_keyword_name():
                    raise self.error(f"unexpected keyword '{word}'")
            return ast.Name(tok.pos, self.name_words())
        if kind is Kind.OP:
            op = tok.text
            if op == "?":
                self.advance()
                return ast.Name(tok.pos, "?")
            if op == "(":
                return self.parenthesized()
            if op == "[":
                return self.list_or_range()
            if op == "]":
                return self.range_from(tok, False)
            if op == "{":
                return self.context()
        if kind is Kind.EOF:
            raise self.error("unexpected end of expression")
        raise self.error(f"unexpected {tok.describe()}")

    def starts_keyword_name(self) -> bool:
        return self.tok.text in self.keyword_prefixes or self.tok.text in self.keyword_names

    def name_words(self, allow_keywords: bool = False) -> str:
        """Join adjacent words into one name (``Monthly Salary``, ``date and time``)."""
        first = self.advance()
        if first.kind is not Kind.NAME:
            raise self.error(f"expected a name but found {first.describe()}", first)
        if first.quoted:
            return first.text
        parts = [first.text]
        best_len = 1
        best_i = self.i
        pending = first.text in KEYWORDS and not first.quoted and not allow_keywords
        j = self.i
        while True:
            tok = self.tokens[j]
            if tok.kind is not Kind.NAME or tok.quoted:
                break
            candidate = " ".join([*parts, tok.text])
            is_keyword = tok.text in KEYWORDS
            if is_keyword or pending:
                if candidate in self.keyword_names:
                    parts.append(tok.text)
                    j += 1
                    best_len, best_i, pending = len(parts), j, False
                    continue
                if candidate in self.keyword_prefixes:
                    parts.append(tok.text)
                    j += 1
                    pending = True
                    continue
                break
            parts.append(tok.text)
            j += 1
            best_len, best_i = len(parts), j
        self.i = best_i
        if best_len == 1:
            return parts[0]
        # keep the spacing as written (`foo   bar` is not `foo bar`), but not line breaks
        last = self.tokens[best_i - 1]
        raw = self.text[first.pos : last.end]
        return raw if "\n" not in raw and "\t" not in raw else " ".join(parts[:best_len])

    def parenthesized(self) -> ast.Node:
        open_tok = self.advance()
        self.depth += 1
        inner = self.expression()
        if self.at_op(".."):
            self.depth -= 1
            return self.range_rest(open_tok, False, inner)
        self.expect_op(")", "to close the parenthesis")
        self.depth -= 1
        return inner

    def list_or_range(self) -> ast.Node:
        open_tok = self.advance()
        self.depth += 1
        items: list[ast.Node] = []
        if self.at_op("]"):
            self.advance()
            self.depth -= 1
            return ast.ListLiteral(open_tok.pos, items)
        first = self.expression()
        if self.at_op(".."):
            self.depth -= 1
            return self.range_rest(open_tok, True, first)
        items.append(first)
        while self.at_op(","):
            self.advance()
            items.append(self.expression())
        self.expect_op("]", "to close the list")
        self.depth -= 1
        return ast.ListLiteral(open_tok.pos, items)

    def range_from(self, open_tok: Token, start_included: bool) -> ast.Node:
        self.advance()
        self.depth += 1
        start = self.expression()
        self.depth -= 1
        return self.range_rest(open_tok, start_included, start)

    def range_rest(self, open_tok: Token, start_included: bool, start: ast.Node) -> ast.Node:
        self.expect_op("..", "in a range")
        self.depth += 1
        end = self.range_end()
        self.depth -= 1
        closer = self.advance()
        if closer.kind is not Kind.OP or closer.text not in (")", "]", "["):
            raise self.error(f"expected the end of a range but found {closer.describe()}", closer)
        return ast.RangeLiteral(open_tok.pos, start, end, start_included, closer.text == "]")

    def range_end(self) -> ast.Node:
        saved = self.range_end_depth
        self.range_end_depth = self.depth
        try:
            return self.expression()
        finally:
            self.range_end_depth = saved

    def context(self) -> ast.Node:
        open_tok = self.advance()
        self.depth += 1
        entries: list[tuple[str, ast.Node]] = []
        seen: set[str] = set()
        if not self.at_op("}"):
            while True:
                key_tok = self.tok
                if key_tok.kind is Kind.STRING:
                    self.advance()
                    key = key_tok.text
                elif key_tok.kind is Kind.NAME:
                    key = self.context_key()
                else:
                    raise self.error(f"expected a context key but found {key_tok.describe()}")
                if key in seen:
                    raise self.error(f"duplicate context key '{key}'", key_tok)
                seen.add(key)
                self.expect_op(":", "after a context key")
                entries.append((key, self.expression()))
                if not self.at_op(","):
                    break
                self.advance()
        self.expect_op("}", "to close the context")
        self.depth -= 1
        return ast.ContextLiteral(open_tok.pos, entries)

    def context_key(self) -> str:
        """A context key: a name, which may contain ``+ - * / . '`` and digits before the ':'."""
        start = self.i
        j = start
        while True:
            tok = self.tokens[j]
            if (
                tok.kind is Kind.NAME
                or tok.kind is Kind.NUMBER
                or (tok.kind is Kind.OP and tok.text in ("+", "-", "*", "/", ".", "?"))
            ):
                j += 1
            else:
                break
        tok = self.tokens[j]
        if (
            j - start > 1
            and tok.kind is Kind.OP
            and tok.text == ":"
            and any(t.kind is Kind.OP for t in self.tokens[start:j])
        ):
            first, last = self.tokens[start], self.tokens[j - 1]
            self.i = j
            return self.text[first.pos : last.end]
        return self.name_words(allow_keywords=True)

    def if_expression(self) -> ast.Node:
        tok = self.advance()
        condition = self.expression()
        self.expect_keyword("then", "in 'if' expression")
        then = self.expression()
        self.expect_keyword("else", "in 'if' expression")
        otherwise = self.expression()
        return ast.If(tok.pos, condition, then, otherwise)

    def iteration_expression(self) -> ast.Node:
        tok = self.advance()
        iterations: list[ast.Iteration] = []
        while True:
            if self.tok.kind is not Kind.NAME:
                raise self.error(f"expected a variable name after '{tok.text}'")
            name = self.name_words()
            self.expect_keyword("in", f"after the variable of '{tok.text}'")
            source = self.expression()
            range_end = None
            if self.at_op(".."):
                self.advance()
                range_end = self.expression()
            iterations.append(ast.Iteration(name, source, range_end))
            if not self.at_op(","):
                break
            self.advance()
        if tok.text == "for":
            self.expect_keyword("return", "in 'for' expression")
            return ast.For(tok.pos, iterations, self.expression())
        self.expect_keyword("satisfies", f"in '{tok.text}' expression")
        return ast.Quantified(tok.pos, tok.text == "every", iterations, self.expression())

    def function_definition(self) -> ast.Node:
        tok = self.advance()
        self.expect_op("(", "after 'function'")
        params: list[tuple[str, ast.TypeSpec | None]] = []
        if not self.at_op(")"):
            while True:
                if self.tok.kind is not Kind.NAME:
                    raise self.error(f"expected a parameter name but found {self.tok.describe()}")
                name = self.name_words()
                type_spec = None
                if self.at_op(":"):
                    self.advance()
                    type_spec = self.type_spec()
                params.append((name, type_spec))
                if not self.at_op(","):
                    break
                self.advance()
        self.expect_op(")", "to close the parameters")
        external = False
        if self.at_keyword("external"):
            self.advance()
            external = True
        body = self.expression()
        return ast.FunctionDefinition(tok.pos, params, body, external)

    def type_spec(self) -> ast.TypeSpec:
        tok = self.tok
        if tok.kind is not Kind.NAME:
            raise self.error(f"expected a type name but found {tok.describe()}")
        if tok.text == "null" and not tok.quoted:
            self.advance()
            return ast.TypeSpec("Null")
        name = self.name_words(allow_keywords=True)
        if name in _GENERIC_TYPES and self.at_op("<"):
            self.advance()
            spec = ast.TypeSpec(name)
            if name == "context":
                while True:
                    key = self.name_words(allow_keywords=True)
                    self.expect_op(":", "in a context type")
                    spec.entries.append((key, self.type_spec()))
                    if not self.at_op(","):
                        break
                    self.advance()
            elif not (name == "function" and self.at_op(">")):
                while True:
                    spec.args.append(self.type_spec())
                    if not self.at_op(","):
                        break
                    self.advance()
            self.expect_op(">", "to close the type")
            if name == "function":
                self.expect_op("->", "in a function type")
                spec.result = self.type_spec()
            return spec
        return ast.TypeSpec(name)


def parse_expression(text: str, known_names: Iterable[str] = ()) -> ast.Node:
    try:
        return Parser(text, known_names).parse_expression_text()
    except RecursionError:
        raise FeelSyntaxError("the expression is nested too deeply", 0, text) from None


def parse_unary_tests(text: str, known_names: Iterable[str] = ()) -> ast.UnaryTests:
    try:
        return Parser(text, known_names).parse_unary_tests_text()
    except RecursionError:
        raise FeelSyntaxError("the expression is nested too deeply", 0, text) from None
