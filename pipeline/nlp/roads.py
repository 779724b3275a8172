"""Roads the small models take for people or bodies: "Roxham" of "chemin Roxham", "Ridge" of "332, chemin Ridge",
"Chemin Roxham" opening a headline. Read by `entities.extract_entities` (such a name is a place) and
`people.persons` (never a person).
"""

from __future__ import annotations

import re

# a name right after "chemin", "rue" … or right before "Road", "Street" … names a way, not a person
_WAY_WORDS = r"(?:chemin|rue|route|boulevard|avenue|autoroute|pont|rang|montée)"  # written before the name
_WAY_BEFORE = re.compile(rf"\b{_WAY_WORDS}\s+$", re.IGNORECASE)
_WAY_AFTER = re.compile(r"^\s+(?:Road|Rd\.?|Street|St\.|Avenue|Ave\.?|Highway|Bridge|Boulevard|Crossing)\b")
_WAY_FIRST = re.compile(rf"^{_WAY_WORDS}\s", re.IGNORECASE)


def names_a_way(text: str, start: int, end: int) -> bool:
    """Also a name that starts with the way's word: a headline's "Chemin Roxham à Saint-Bernard-de-Lacolle"."""
    return bool(text) and bool(_WAY_BEFORE.search(text[max(0, start - 20): start]) or
                               _WAY_AFTER.match(text[end: end + 20]) or _WAY_FIRST.match(text[start:end]))


def way_start(text: str, start: int) -> int:
    """Where the road's name starts when its word stands before the tagged name ("chemin Roxham"), else `start`."""
    before = _WAY_BEFORE.search(text[max(0, start - 20): start])
    return max(0, start - 20) + before.start() if before else start


def road_name(text: str) -> str:
    """"Chemin Roxham" opening a headline is the "chemin Roxham" of the text: one spelling in the index."""
    first = _WAY_FIRST.match(text)
    return text[:first.end()].lower() + text[first.end():] if first else text
