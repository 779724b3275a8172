"""People the article may only name by initials or a pseudonym: "the man, who can only be identified as KN".

Asylum and court stories protect their subjects this way, and the small model tags neither "KN" nor
"Ahmed (not his real name)" as anyone. Read as names here, they become people like any other (a "he" can
be them), and the description they are given to ("the man") speaks with that name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

_NAME = r"([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,2})"
_NAMED_AS = re.compile(
    r"\b(?:(?:can|could|may)\s+(?:only\s+)?be\s+(?:identified|named)|(?:identified|known|named|referred\s+to)\s+only|"
    r"asked\s+to\s+be\s+(?:identified|named|called)(?:\s+only)?|gave\s+(?:his|her|their)\s+(?:first\s+)?name(?:\s+only)?)"
    rf"\s+(?:as|by\s+(?:his|her|their)\s+(?:first\s+name|initials),?)\s+{_NAME}(?=[\s,.;:)]|$)")
_NOT_REAL = re.compile(rf"\b{_NAME}\s+\((?:not\s+(?:his|her|their)\s+real\s+name|a\s+pseudonym)\)")


def pseudonyms(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of the names an article gives people who cannot be named in full."""
    found = [(m.group(1), m.start(1), m.end(1)) for m in _NAMED_AS.finditer(text)]
    found += [(m.group(1), m.start(1), m.end(1)) for m in _NOT_REAL.finditer(text)]
    return sorted((name.rstrip("."), a, a + len(name.rstrip("."))) for name, a, _ in found)


def pseudonym_of(subject: Token, named: list[tuple[str, int, int]]) -> str | None:
    """The name a description's own clause gives it: "the man, who can only be identified as KN," is KN."""
    tokens = list(subject.subtree)
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    return next((name for name, a, _ in named if start <= a < end), None)
