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
    return [r for r in raw if not (r[1] == "person" and r[3] <= end and body.isdisjoint(_WORD.findall(str(r[0]))))]
