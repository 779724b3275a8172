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
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plain_text(value: str) -> str:
    """Feed titles and summaries often carry HTML; alerts and matching want words."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def item_text(item: dict[str, Any]) -> str:
    """A labelled feed item's title and description, tags dropped: what topic training and evaluation read."""
    return f"{item.get('title') or ''}\n{_TAG.sub(' ', html.unescape(item.get('description') or ''))}"
