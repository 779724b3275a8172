"""Social-media posts pasted into an article, with their author: the post's words are the author's quote.

Sites render an embedded post as its text followed by a signature line,
"… pic.twitter.com/x — Josh Marshall (@joshtpm) November 8, 2017", and article extraction keeps it as
plain text: no quotation marks and no verb of saying, so neither the direct-quote nor the
reported-speech finder sees words that are verbatim someone's, and whose they are is written under
them. The Gender Gap Tracker's annotators (whose conventions the quote scorer follows) take such a
post as a quote by its author, and so does `quotes.extract_quotes`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# "— Name (@handle) Month D, YYYY" closing a line; the date is optional (some sites drop it)
_SIGNATURE = re.compile(r"[—–]\s*(?P<name>[^\n()@—–]{2,80}?)\s*\(@\w{1,15}\)"
                        r"(?:\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4})?[ \t]*$", re.MULTILINE)
# the post's links and media, which its text ends with and which are nobody's words
_TRAILING_LINKS = re.compile(r"(?:\s*(?:pic\.twitter\.com/\S+|https?://\S+))+\s*$")
MIN_WORDS = 3


@dataclass(frozen=True)
class Post:
    start: int  # character offsets of the post's words in the text
    end: int
    author: str  # the display name of the signature


def embedded_posts(text: str) -> list[Post]:
    """Every post the text carries, in order. The words are those before the signature on its line or,
    when the signature stands on a line of its own, the line before it."""
    posts: list[Post] = []
    for sig in _SIGNATURE.finditer(text):
        line_start = text.rfind("\n", 0, sig.start()) + 1
        start, end = line_start, sig.start()
        if not text[start:end].strip():  # the signature alone on its line: the post is the line above
            end = len(text[:line_start].rstrip())
            start = text.rfind("\n", 0, end) + 1
        words = text[start:end]
        links = _TRAILING_LINKS.search(words)
        if links:
            end = start + links.start()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if len(text[start:end].split()) >= MIN_WORDS and not (posts and start < posts[-1].end):
            posts.append(Post(start, end, " ".join(sig.group("name").split())))
    return posts


def author_canonical(author: str, people: list[str]) -> str:
    """The article's name for the post's author: a display name often adds a middle initial or a long
    first name ("Donald J. Trump", "Ravinder S. Bhalla") to the person the article calls "Donald Trump"
    or "Ravi Bhalla"; the one other person of the article with the same surname is that person (the
    signature is itself a mention of the author, as written there)."""
    surname = author.split()[-1].lower()
    same = {name for name in people if len(name.split()) > 1 and name.split()[-1].lower() == surname} - {author}
    return same.pop() if len(same) == 1 else author


# "FM Lavrov: all established facts point …": up to two title words, then a name, then a colon
_QUOTED_BY_ACCOUNT = re.compile(r"(?P<speaker>(?:[A-Z][A-Za-z.]{0,11}\s+){0,2}?"
                                r"(?P<name>[A-Z][\w'’.-]*[a-z][\w'’.-]*(?:\s+[A-Z][\w'’.-]+){0,2}))\s*:\s+(?=\S)")


def quoted_in_post(text: str, post: Post, people: Collection[str]) -> tuple[int, str, str] | None:
    """(start, speaker, canonical) of the words a post quotes from someone the article names: an account
    posting "FM Lavrov: …" quotes Lavrov, so the words after the colon are his as well as the account's.
    Only a person the article names counts, so "NEW: …" or "Update: …" quotes no one."""
    match = _QUOTED_BY_ACCOUNT.match(text, post.start, post.end)
    if match is None:
        return None
    surname = match.group("name").split()[-1]
    canonical = next((name for name in people if name.split()[-1] == surname), None)
    return (match.end(), match.group("speaker"), canonical) if canonical else None
