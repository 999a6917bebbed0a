"""XML Schema / XPath regular expressions (``matches``, ``replace``, ``split``) on top of ``re``.

Translates the XPath dialect to Python's: flags ``s m i x q``, ``.`` not matching CR/LF, ``$``
anchoring at the very end, character-class subtraction ``[a-z-[aeiou]]``, ``\\p{..}``/``\\P{..}``
categories and blocks, and XPath-style ``$1`` group references in replacements.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache


class PatternError(ValueError):
    pass


_FLAGS = {"s": re.DOTALL, "m": re.MULTILINE, "i": re.IGNORECASE}

_BLOCKS = {
    "BasicLatin": (0x0000, 0x007F),
    "Latin-1Supplement": (0x0080, 0x00FF),
    "LatinExtended-A": (0x0100, 0x017F),
    "LatinExtended-B": (0x0180, 0x024F),
    "Greek": (0x0370, 0x03FF),
    "GreekandCoptic": (0x0370, 0x03FF),
    "Cyrillic": (0x0400, 0x04FF),
    "Hebrew": (0x0590, 0x05FF),
    "Arabic": (0x0600, 0x06FF),
    "CJKUnifiedIdeographs": (0x4E00, 0x9FFF),
    "Hiragana": (0x3040, 0x309F),
    "Katakana": (0x30A0, 0x30FF),
}


@lru_cache(maxsize=64)
def _category_class(name: str) -> str:
    """A character class body for a Unicode general category (``L``, ``Lu``, ``Nd``...)."""
    if name.startswith("Is"):
        block = _BLOCKS.get(name[2:])
        if block is None:
            raise PatternError(f"unknown block '{name}'")
        return f"\\u{block[0]:04x}-\\U{block[1]:08x}"
    ranges: list[tuple[int, int]] = []
    start = -1
    for cp in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        hit = cat == name if len(name) == 2 else cat[0] == name
        if hit and start < 0:
            start = cp
        elif not hit and start >= 0:
            ranges.append((start, cp - 1))
            start = -1
    if start >= 0:
        ranges.append((start, sys.maxunicode))
    if not ranges:
        raise PatternError(f"unknown category '{name}'")
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


def _translate(pattern: str, dotall: bool, multiline: bool) -> tuple[str, int]:
    out: list[str] = []
    i = 0
    n = len(pattern)
    groups = 0
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise PatternError("trailing backslash")
            nxt = pattern[i + 1]
            if nxt in "pP":
                body, i = _property(pattern, i)
                out.append(f"[{'^' if nxt == 'P' else ''}{body}]")
                continue
            if nxt.isdigit():
                if nxt == "0":
                    raise PatternError("invalid back-reference \\0")
                j = i + 1
                while j < n and pattern[j].isdigit() and int(pattern[i + 1 : j + 1]) <= groups:
                    j += 1
                ref = int(pattern[i + 1 : j]) if j > i + 1 else int(nxt)
                if ref > groups:
                    raise PatternError(f"back-reference \\{ref} to a group that does not exist")
                out.append(f"(?:\\{ref})")
                i = j
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[":
            body, i = _char_class(pattern, i)
            out.append(body)
            continue
        if ch == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                raise PatternError("unsupported group syntax")
            if not pattern.startswith("(?:", i):
                groups += 1
            out.append(ch)
            i += 1
            continue
        if ch == "." and not dotall:
            out.append("[^\\n\\r]")
            i += 1
            continue
        if ch == "$" and not multiline:
            out.append("(?!.|\\n)")
            i += 1
            continue
        if ch == "{" and (not out or out[-1] in ("(", "|")):
            raise PatternError("quantifier without a target")
        out.append(ch)
        i += 1
    return "".join(out), groups


def _property(pattern: str, i: int) -> tuple[str, int]:
    if i + 2 >= len(pattern) or pattern[i + 2] != "{":
        raise PatternError("expected '{' after \\p")
    end = pattern.find("}", i + 3)
    if end < 0:
        raise PatternError("unterminated \\p{...}")
    name = pattern[i + 3 : end]
    return _category_class(name), end + 1


def _char_class(pattern: str, i: int) -> tuple[str, int]:
    """Translates ``[...]`` starting at ``i``; returns the Python text and the index after it."""
    n = len(pattern)
    j = i + 1
    negated = False
    if j < n and pattern[j] == "^":
        negated = True
        j += 1
    parts: list[str] = []
    first = True
    while j < n:
        ch = pattern[j]
        if ch == "]" and not first:
            return ("[" + ("^" if negated else "") + "".join(parts) + "]", j + 1)
        first = False
        if ch == "-" and j + 1 < n and pattern[j + 1] == "[":
            inner, k = _char_class(pattern, j + 1)
            if k >= n or pattern[k] != "]":
                raise PatternError("a subtraction must end the character class")
            base = "[" + ("^" if negated else "") + "".join(parts) + "]"
            return (f"(?:(?!{inner}){base})", k + 1)
        if ch == "\\":
            if j + 1 >= n:
                raise PatternError("trailing backslash")
            nxt = pattern[j + 1]
            if nxt.isdigit():
                raise PatternError("back-reference inside a character class")
            if nxt in "pP":
                body, j = _property(pattern, j)
                if nxt == "P":
                    raise PatternError("\\P inside a character class is not supported")
                parts.append(body)
                continue
            parts.append(pattern[j : j + 2])
            j += 2
            continue
        if ch == "[":
            parts.append("\\[")
            j += 1
            continue
        parts.append(ch)
        j += 1
    raise PatternError("unterminated character class")


def _strip_whitespace(pattern: str) -> str:
    out = []
    depth = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] not in " \t\n\r":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        if ch in " \t\n\r" and depth == 0:
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, flags: str = "") -> re.Pattern[str]:
    py_flags = 0
    for f in flags:
        if f in _FLAGS:
            py_flags |= _FLAGS[f]
        elif f not in "xq":
            raise PatternError(f"invalid regular expression flag '{f}'")
    if "q" in flags:
        return re.compile(re.escape(pattern), py_flags)
    if "x" in flags:
        pattern = _strip_whitespace(pattern)
    text, _ = _translate(pattern, "s" in flags, "m" in flags)
    try:
        return re.compile(text, py_flags)
    except re.error as err:
        raise PatternError(f"invalid regular expression '{pattern}': {err}") from None


def translate_replacement(replacement: str, flags: str = "", groups: int = 99) -> str:
    """XPath ``$1``/``\\$`` replacement syntax as a Python ``re.sub`` template."""
    if "q" in flags:
        return replacement.replace("\\", "\\\\")
    out: list[str] = []
    i = 0
    n = len(replacement)
    while i < n:
        ch = replacement[i]
        if ch == "\\":
            if i + 1 < n and replacement[i + 1] in "\\$":
                out.append("\\\\" if replacement[i + 1] == "\\" else "$")
                i += 2
                continue
            raise PatternError("invalid escape in replacement")
        if ch == "$":
            j = i + 1
            if j >= n or not replacement[j].isdigit():
                raise PatternError("'$' without a group number in replacement")
            j += 1
            while j < n and replacement[j].isdigit() and int(replacement[i + 1 : j + 1]) <= groups:
                j += 1
            number = int(replacement[i + 1 : j])
            if number <= groups:
                out.append(f"\\g<{number}>")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)
