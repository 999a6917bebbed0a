"""Tokenizer for FEEL.

FEEL names may contain spaces (``Monthly Salary``, ``date and time``); the lexer therefore emits one
``NAME`` token per *word* and the parser joins adjacent words into names. Names that contain other
characters (``-``, ``+``, ``/``, ``.``, ``*``) can be declared with ``known_names``: the lexer then
matches them as a whole wherever they start.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from zeebind.feel.errors import FeelSyntaxError


class Kind(Enum):
    NUMBER = "number"
    STRING = "string"
    NAME = "name"
    OP = "operator"
    TEMPORAL = "temporal literal"
    EOF = "end of expression"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # decoded value for strings, source text otherwise
    pos: int
    end: int
    quoted: bool = False  # a backtick name or a declared name: never split, never a keyword

    def describe(self) -> str:
        if self.kind is Kind.EOF:
            return "end of expression"
        if self.kind is Kind.STRING:
            return f'string "{self.text}"'
        return f"'{self.text}'"


KEYWORDS = frozenset(
    {
        "true",
        "false",
        "null",
        "and",
        "or",
        "if",
        "then",
        "else",
        "for",
        "in",
        "return",
        "some",
        "every",
        "satisfies",
        "between",
        "instance",
        "function",
        "external",
    }
)

# Longest first, so that "**" wins over "*" and ".." over ".".
_OPERATORS = (
    "**",
    "..",
    "!=",
    "<=",
    ">=",
    "->",
    "+",
    "-",
    "*",
    "/",
    "=",
    "<",
    ">",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "?",
)

_HINTS = {
    "&&": " (FEEL uses 'and')",
    "||": " (FEEL uses 'or')",
    "!": " (FEEL uses 'not(...)' and '!=')",
    "'": ' (FEEL strings use double quotes: "text")',
    "&": " (FEEL uses 'and')",
    "|": " (FEEL uses 'or')",
}

_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def is_name_start(ch: str) -> bool:
    if ch.isalpha() or ch == "_":
        return True
    return ord(ch) > 0x7F and unicodedata.category(ch)[0] not in "ZCP"


def is_name_part(ch: str) -> bool:
    if ch.isalnum() or ch in "_'":
        return True
    return ord(ch) > 0x7F and unicodedata.category(ch)[0] not in "ZC"


def _needs_whole_match(name: str) -> bool:
    """Would the word rules split this name (operator characters, words starting with digits)?"""
    if not all(is_name_part(c) or c == " " for c in name):
        return True
    return any(not is_name_start(word[0]) for word in name.split())


class Lexer:
    def __init__(self, text: str, known_names: Iterable[str] = ()) -> None:
        self.text = text
        self.pos = 0
        # Only names that the word rules would split need matching as a whole.
        self.special_names = sorted(
            (n for n in known_names if n and _needs_whole_match(n)),
            key=len,
            reverse=True,
        )

    def error(self, message: str, pos: int) -> FeelSyntaxError:
        return FeelSyntaxError(message, pos, self.text)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            tok = self.next_token()
            out.append(tok)
            if tok.kind is Kind.EOF:
                return out

    def skip_space_and_comments(self) -> None:
        text = self.text
        n = len(text)
        while self.pos < n:
            ch = text[self.pos]
            if ch.isspace():
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated comment", self.pos)
                self.pos = end + 2
            else:
                return

    def next_token(self) -> Token:
        self.skip_space_and_comments()
        text = self.text
        start = self.pos
        if start >= len(text):
            return Token(Kind.EOF, "", start, start)
        ch = text[start]
        if self.special_names and (is_name_start(ch) or ch in "?_"):
            for name in self.special_names:
                if text.startswith(name, start):
                    end = start + len(name)
                    if end >= len(text) or not is_name_part(text[end]):
                        self.pos = end
                        return Token(Kind.NAME, name, start, end, quoted=True)
        if ch.isdigit() or (ch == "." and start + 1 < len(text) and text[start + 1].isdigit()):
            return self.number(start)
        if ch == '"':
            value, end = self.string(start)
            self.pos = end
            return Token(Kind.STRING, value, start, end)
        if ch == "@" and start + 1 < len(text) and text[start + 1] == '"':
            value, end = self.string(start + 1)
            self.pos = end
            return Token(Kind.TEMPORAL, value, start, end)
        if ch == "`":
            end = text.find("`", start + 1)
            if end < 0:
                raise self.error("unterminated backtick name", start)
            self.pos = end + 1
            return Token(Kind.NAME, text[start + 1 : end], start, end + 1, quoted=True)
        if is_name_start(ch):
            end = start + 1
            while end < len(text) and is_name_part(text[end]):
                end += 1
            self.pos = end
            return Token(Kind.NAME, text[start:end], start, end)
        for op in _OPERATORS:
            if text.startswith(op, start):
                self.pos = start + len(op)
                return Token(Kind.OP, op, start, self.pos)
        hint = _HINTS.get(text[start : start + 2]) or _HINTS.get(ch, "")
        raise self.error(f"unexpected character {ch!r}{hint}", start)

    def number(self, start: int) -> Token:
        text = self.text
        n = len(text)
        end = start
        while end < n and text[end].isdigit():
            end += 1
        if end < n and text[end] == "." and not text.startswith("..", end):
            end += 1
            while end < n and text[end].isdigit():
                end += 1
        if end < n and text[end] in "eE":
            exp = end + 1
            if exp < n and text[exp] in "+-":
                exp += 1
            if exp < n and text[exp].isdigit():
                end = exp
                while end < n and text[end].isdigit():
                    end += 1
        self.pos = end
        return Token(Kind.NUMBER, text[start:end], start, end)

    def string(self, start: int) -> tuple[str, int]:
        text = self.text
        n = len(text)
        i = start + 1
        parts: list[str] = []
        while i < n:
            ch = text[i]
            if ch == '"':
                return _join_surrogates("".join(parts)), i + 1
            if ch == "\\" and i + 1 < n:
                esc = text[i + 1]
                if esc in _ESCAPES:
                    parts.append(_ESCAPES[esc])
                    i += 2
                    continue
                if esc == "u":
                    digits = text[i + 2 : i + 6]
                    if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                        parts.append(chr(int(digits, 16)))
                        i += 6
                        continue
                    raise self.error("invalid unicode escape", i)
                if esc == "U":
                    digits = text[i + 2 : i + 8]
                    if len(digits) == 6 and all(c in "0123456789abcdefABCDEF" for c in digits):
                        parts.append(chr(int(digits, 16)))
                        i += 8
                        continue
                    raise self.error("invalid unicode escape", i)
                parts.append(ch)
                parts.append(esc)
                i += 2
                continue
            parts.append(ch)
            i += 1
        raise self.error("unterminated string", start)


def _join_surrogates(value: str) -> str:
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
