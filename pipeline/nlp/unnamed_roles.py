"""Someone introduced by a role and a body and never named ("A police spokesman said"): a later "the spokesman",
or the next spokesperson named, is that person only if nothing says they speak for another body."""

from __future__ import annotations

import re

from pipeline.text import fold


def introduced_unnamed(text: str, role: str, pos: int) -> bool:
    """Whether the article introduced someone by `role` and a body before `pos` ("A police spokesman said") whom
    the `role` named after it, being of another body ("John Doe, spokesman for the drivers union"), is not."""
    intro = list(re.finditer(rf"\b[Aa]n?\s+((?:[\w’'-]+\s+){{1,3}}){re.escape(role)}\b", text[:pos]))
    named = re.search(rf"\b{re.escape(role)}\s+(?:for|of|at|with)\s+([^,.;]+)", text[pos:])
    return bool(intro) and named is not None and another_body(intro[-1].group(1), named.group(1))


def another_body(described_by: str, body: str) -> bool:
    """Whether words describing a role's body ("police", "department") are none of a body's name's words."""
    said_for = {fold(w) for w in described_by.split() if w.isalpha()}
    return bool(said_for) and said_for.isdisjoint(fold(w) for w in re.findall(r"\w+", body))
