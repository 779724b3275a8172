"""Keep the words inside a sentence when trafilatura's precision mode prunes page furniture.

Precision mode drops every `span`, `div` or `p` whose class is the token "link" (or "bottom…") or whose style
draws a border: on most pages those are link blocks and footers. Some sites wrap the links *inside* a
sentence the same way: CBS News writes `especially high for <span class="link"><a …>Joe Biden</a></span>.`,
and the page came out as "especially high for ." — the named people of the story gone, quotes left without
their speaker, nothing to say that anything was lost. An inline element that sits in running text (its
paragraph has words of its own around it) is part of the sentence, never a block of furniture, so its
class, id and style are removed before extraction; a link block standing alone keeps them and is still
pruned. Measured on the 45 captured pages of `../shared/data/html/`: only the CBS page's text changes,
and only by the words that had been cut.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lxml loads with trafilatura, only when a page is extracted
    from lxml.html import HtmlElement

INLINE_TAGS = ("a", "span", "em", "strong", "b", "i", "u", "small", "abbr", "cite", "time", "font", "sup", "sub",
               "mark", "q", "bdi", "var", "code")
_BLOCKS = frozenset({"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "td", "figcaption"})
_MARKS = ("class", "id", "style")  # what trafilatura's discard rules read
_LETTER = re.compile(r"[^\W\d_]")
MIN_OWN_LETTERS = 20  # letters the paragraph has outside the element: it sits in a sentence, not alone


def _letters(element: HtmlElement) -> int:
    return len(_LETTER.findall(element.text_content()))


def keep_running_text(tree: HtmlElement) -> int:
    """Strip the marks of inline elements that sit inside a paragraph's prose; return how many."""
    letters: dict[HtmlElement, int] = {}
    changed = 0
    for element in tree.iter(*INLINE_TAGS):
        if not any(mark in element.attrib for mark in _MARKS):
            continue
        block = next((parent for parent in element.iterancestors() if parent.tag in _BLOCKS), None)
        if block is None:
            continue
        if block not in letters:
            letters[block] = _letters(block)
        if letters[block] - _letters(element) < MIN_OWN_LETTERS:
            continue
        for mark in _MARKS:
            element.attrib.pop(mark, None)
        changed += 1
    return changed
