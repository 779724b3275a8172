"""People the model finds only in a headline written in title case, which are seldom people.

"Migration Minister Says Border Monitoring May Breach International Law": in a headline that capitalises
every word the small English model reads runs of capitals as names, and "Border Monitoring May" becomes a
person whom "the Greek prime minister" in the story is then taken for. A person the story names does
appear in its body; a name that lives only in such a headline, with no word of it in the body, is dropped.
"""

from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T", bound=tuple)
_WORD = re.compile(r"\w+")


def _title_cased(line: str) -> bool:
    words = [w for w in line.split() if w[:1].isalpha()]
    return len(words) >= 5 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


def without_headline_guesses(text: str, raw: list[T]) -> list[T]:
    """`raw`: (text, label, start, end) entities; persons wholly inside a title-cased first line whose words
    never occur in the rest of the text are left out."""
    end = text.find("\n")
    if end < 0 or not _title_cased(text[:end]):
        return raw
    body = set(_WORD.findall(text[end:]))
    kept = [r for r in raw if not (r[1] == "person" and r[3] <= end and body.isdisjoint(_WORD.findall(str(r[0]))))]
    return [_as_in_body(r, text, end) if r[3] <= end and r[1] in ("person", "organization") else r for r in kept]


def _as_in_body(entity: T, text: str, end: int) -> T:
    """A headline's name cut to the longest of its leading words the body writes as a name, when the body never
    writes it whole: "Federal-Mogul Moves to Close Bearing Plant" tagged the verb with the company, and every
    "Federal-Mogul" of the story then resolved to "Federal-Mogul Moves"."""
    name, start = str(entity[0]), int(entity[2])
    if text[start:int(entity[3])] != name or _written(name, text, end) or _written(name, text, end, re.I):
        return entity  # "UN Refugee Agency" where the body writes "UN refugee agency" is that name
    words = name.split()
    for k in range(len(words) - 1, 0, -1):
        if _written(lead := " ".join(words[:k]), text, end) and lead[:1].isupper():
            return type(entity)((lead, entity[1], start, start + len(lead), *entity[4:]))
    return entity


def _written(name: str, text: str, end: int, flags: int = 0) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text[end:], flags) is not None
