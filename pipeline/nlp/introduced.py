"""Speakers news introduces by a description first and by name with the next quote.

"A spokeswoman for Trudeau said he is not going to shy away …. “…,” said Eleanore Catenaro." The
description speaks first, the name comes with the following quote; read one quote at a time, the first
stays "a spokeswoman for Trudeau" and the person's count misses it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pipeline.nlp.documents import DOCUMENTS
from pipeline.text import fold

if TYPE_CHECKING:
    from pipeline.nlp.speakers import Resolver


class Spoken(Protocol):
    """What is read of a quote here (`quotes.Quote`, which imports this module)."""

    speaker: str
    speaker_canonical: str
    start: int
    end: int


SPOKESPEOPLE = {"spokesperson", "spokesman", "spokeswoman", "representative", "aide"}
PLACE_ROLES = {"minister", "premier", "mayor", "chief", "president", "governor", "commissioner", "secretary", "leader",
               "senator", "ombudsman", "coroner", "ambassador", "envoy", "councillor", "councilor"}
NOMINATED = {"choice", "pick", "nominee", "appointee"}  # "President Trump’s choice to head …"
# a name followed by who its bearer is: "Shirley Hart, from Welcome House,", "Ann Lee, a nurse who …"
_WITH_WHO_THEY_ARE = re.compile(r"(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*,\s+(?:from|of|at|with|who|whose|an?|the)\b")


def described_then_named(quotes: Sequence[Spoken], resolver: Resolver) -> None:
    """"A spokeswoman for Trudeau said …. “…,” said Eleanore Catenaro.": a spokesperson the article describes,
    then names bare as the next speaker, a name it never wrote before, is that person (a cataphor news uses to
    introduce who speaks for someone); so is a wire lede's nominee ("President Trump’s choice to head Homeland
    Security said … Kirstjen Nielsen said …"). A new voice comes with words of its own ("said resident Ann Lee",
    "Shirley Hart, from Welcome House, said")."""
    i = 0
    while i < len(quotes):
        quote, last = quotes[i], i
        while last + 1 < len(quotes) and quotes[last + 1].speaker_canonical == quote.speaker_canonical:
            last += 1  # the description's run of quotes ("… said she believes …, but said she cannot …")
        following = quotes[last + 1] if last + 1 < len(quotes) else None
        role = _role_of_place(quote)
        if following is not None and (_introduces(quote) or role) and following.start - quotes[last].end <= 600:
            name = following.speaker_canonical
            named = following.speaker == name or bool(role) and role in following.speaker.lower().split()
            if named and resolver.people.is_person(name) and (role or not any(
                    at < quote.start and n == name for at, n in resolver.mentions)) \
                    and not _introduced_with_who(resolver, name, quotes[last].end):
                description = quote.speaker_canonical
                for described in quotes[i:]:  # "Toronto’s mayor says …", then "the mayor" it carried over
                    if described.speaker_canonical == description:
                        described.speaker_canonical = name
        i = last + 1


def _introduced_with_who(resolver: Resolver, name: str, after: int) -> bool:
    """Whether the first mention of `name` after `after` says who its bearer is, as a new voice's does."""
    at = next((at for at, n in sorted(resolver.mentions) if n == name and at >= after), None)
    return at is not None and bool(_WITH_WHO_THEY_ARE.match(resolver.text, at))


def _role_of_place(quote: Spoken) -> str:
    """The role of a wire lede's speaker described by place and office ("Canada’s public safety minister says",
    "Toronto’s mayor says", "says P.E.I. premier"), who is named with the next quote; "" for any other speaker."""
    words = quote.speaker.split()
    if quote.speaker_canonical != quote.speaker or not 2 <= len(words) <= 5 or words[-1].lower() not in PLACE_ROLES:
        return ""
    opening = words[0]
    by_place = opening[:1].isupper() and (opening.endswith(("’s", "'s")) or len(words) == 2 and "." in opening)
    return words[-1].lower() if by_place and all(w.islower() for w in words[1:]) else ""


def _introduces(quote: Spoken) -> bool:
    """A speaker described the way news introduces someone it names next: "a spokesperson for …", "X’s pick"."""
    if quote.speaker_canonical != quote.speaker:
        return False
    words = quote.speaker.lower().split()
    if words[:1] in (["a"], ["an"]):
        return bool(SPOKESPEOPLE & set(words[1:4]))
    return any(w.endswith(("’s", "'s")) and words[n + 1: n + 2] and words[n + 1] in NOMINATED
               for n, w in enumerate(words[:5]))


def document_then_maker(quotes: Sequence[Spoken]) -> None:
    """"… says a report highlighting the rise of casual contracts. The report by the University and College Union
    claims …": a document the article names before saying whose it is speaks, once said, for its maker."""
    for n, quote in enumerate(quotes):
        words = fold(quote.speaker).split()
        if quote.speaker_canonical != quote.speaker or len(words) < 2 or words[0] not in {"a", "an", "the"} \
                or words[1] not in DOCUMENTS:
            continue
        for later in quotes[n + 1:]:
            if later.start - quote.end > 1500:
                break
            if words[1] in fold(later.speaker).split()[:3] and later.speaker_canonical != later.speaker:
                quote.speaker_canonical = later.speaker_canonical
                break
