"""Text helpers every stage shares: folded words and rule terms for matching, plain text from feed HTML, a labelled
item's text."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


# soft hyphen, zero-width space, non-joiner and joiner, word joiner, zero-width no-break space: a CMS leaves them
# inside words for line breaking, and "Asy\u00adlum seekers" was cut into "asy" and "lum" (asylum* missed it)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# "œ" and "æ" have no decomposition, so stripping accents kept them: "main-d’œuvre" never met "main-d'oeuvre"
_FOLD = {**_INVISIBLE, ord("œ"): "oe", ord("æ"): "ae"}


def fold(text: str) -> str:
    """Lower-case, strip accents and invisible characters, spell out œ and æ, and unify apostrophes so rules need
    one spelling. The result may be shorter or longer than `text`: offsets need a map (`Tokens.of` keeps one)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'").lower()  # ʼ too: "dʼasile"
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_TERM_WORD = re.compile(r"\w+\*?")


def term_words(term: str) -> tuple[tuple[str, bool], ...]:
    """A rule term as the matcher reads it: folded words, each with whether `*` after it makes it a prefix."""
    return tuple((w.rstrip("*"), w.endswith("*")) for w in _TERM_WORD.findall(fold(term)))


def in_capitals(term: str) -> bool:
    """A rule term written entirely in capitals, two letters or more ("ICE", "UNHCR"): an acronym, which matches
    only the same capitals. Case-folded, the context term ICE kept "Black ice blamed for crash" beside a Home Office
    minister."""
    letters = [c for c in term if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def plain_text(value: str) -> str:
    """Feed titles and summaries often carry HTML; alerts and matching want words, their accents composed (NFC):
    a feed that sends "é" as "e" and a combining accent must match "réfugiés" like any other. Invisible characters
    go too: a soft hyphen (U+00AD) a CMS left inside "Asylum" for line breaking cut it in two for every reader of
    words."""
    text = html.unescape(_TAG.sub(" ", value or "")).translate(_INVISIBLE)
    return unicodedata.normalize("NFC", _SPACE.sub(" ", text).strip())


def item_text(item: dict[str, Any]) -> str:
    """A labelled feed item's title and description as the poller passes them to the rules (`plain_text` on each):
    training and evaluation read accents composed and invisible characters gone, or they judged a text the poller
    never sees (an NFD title matched nothing here and everything in production)."""
    return f"{plain_text(item.get('title') or '')}\n{plain_text(item.get('description') or '')}"


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
