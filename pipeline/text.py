"""Text helpers every stage shares: folded words for matching, plain text from feed HTML, a labelled item's text."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes so rules need one spelling."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'").lower()  # ʼ too: "dʼasile"
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plain_text(value: str) -> str:
    """Feed titles and summaries often carry HTML; alerts and matching want words, their accents composed (NFC):
    a feed that sends "é" as "e" and a combining accent must match "réfugiés" like any other."""
    return unicodedata.normalize("NFC", _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip())


def item_text(item: dict[str, Any]) -> str:
    """A labelled feed item's title and description, tags dropped: what topic training and evaluation read."""
    return f"{item.get('title') or ''}\n{_TAG.sub(' ', html.unescape(item.get('description') or ''))}"


_SENTENCE_END = re.compile(r"[.!?…][»”\"')\]]*\s")
_ORPHAN_START = re.compile(r"^[’'][a-z]{1,2}\b\s*")  # "’s the lowest…": a quote that starts inside a word
_PAIRS = (("«", "»"), ("“", "”"))


def clip(text: str, limit: int) -> str:
    """`text` in at most about `limit` characters, cut at a sentence end or else between words, never inside one.

    What an analyst reads (a top quote, a snippet) then ends on a word, with "…" where words were left
    out and its quotation marks balanced (« » and “ ” in pairs, straight quotes even).
    """
    text = _SPACE.sub(" ", text).strip()
    lead = ""
    orphan = _ORPHAN_START.match(text)
    if orphan:
        text, lead = text[orphan.end():], "…"
    if len(text) > limit:
        window = text[: limit + 1]
        ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() >= limit // 2]
        cut = ends[-1] if ends else (window.rfind(" ") if window.rfind(" ") > limit // 2 else limit)
        text = text[:cut].rstrip(" ,;:—–-") + ("" if ends else "…")
    return balanced(lead + text)


def balanced(text: str) -> str:
    """Close a quotation mark left open, and open one that is closed without being opened."""
    for opening, closing in _PAIRS:
        depth = low = 0
        for char in text:
            depth += (char == opening) - (char == closing)
            low = min(low, depth)
        text = opening + " " * (opening == "«") + text if low < 0 else text
        depth -= low
        text += (" " * (closing == "»") + closing) * depth
    if text.count('"') % 2:
        text += '"'
    return text
