"""Speakers news introduces by a description first and by name with the next quote.

"A spokeswoman for Trudeau said he is not going to shy away …. “…,” said Eleanore Catenaro." The
description speaks first, the name comes with the following quote; read one quote at a time, the first
stays "a spokeswoman for Trudeau" and the person's count misses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pipeline.nlp.speakers import Resolver


class Spoken(Protocol):
    """What is read of a quote here (`quotes.Quote`, which imports this module)."""

    speaker: str
    speaker_canonical: str
    start: int
    end: int


SPOKESPEOPLE = {"spokesperson", "spokesman", "spokeswoman", "representative", "aide"}


def described_then_named(quotes: Sequence[Spoken], resolver: Resolver) -> None:
    """"A spokeswoman for Trudeau said …. “…,” said Eleanore Catenaro.": a spokesperson the article describes,
    then names bare as the next speaker, a name it never wrote before, is that person (a cataphor news uses to
    introduce who speaks for someone). A new voice comes with words of its own ("said resident Ann Lee")."""
    for quote, following in zip(quotes, quotes[1:], strict=False):
        words = quote.speaker.lower().split()
        if (words[:1] not in (["a"], ["an"]) or not SPOKESPEOPLE & set(words[1:4])
                or quote.speaker_canonical != quote.speaker or following.start - quote.end > 600):
            continue
        name = following.speaker_canonical
        if following.speaker == name and resolver.people.is_person(name) and not any(
                at < quote.start and n == name for at, n in resolver.mentions):
            quote.speaker_canonical = name
