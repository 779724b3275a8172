"""A headline or a lead that gives a speaker by role only ("…, says refugee lawyer", "GOP senator says …", "the
shadow home secretary has said"), before the article names anyone: wire copy names that person right after,
and the role stands for them."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from pipeline.nlp.entities import Entity
from pipeline.nlp.name_forms import PERSON_NOUNS
from pipeline.nlp.offices import OFFICE_NOUNS
from pipeline.nlp.quotes import Quote
from pipeline.nlp.titles import TITLES

_WORD = re.compile(r"[\w’'-]+")
LEAD_CHARS = 600  # a headline and a lead paragraph


def _a_role(phrase: str) -> bool:
    """"refugee lawyer", "GOP senator", "the shadow home secretary": lower-case words (an acronym or a first
    capital aside) ending in a role, and no name among them."""
    words = _WORD.findall(phrase)
    if not words or len(words) > 6 or words[0].lower() in {"a", "an", "one", "another", "some", "two", "three"}:
        return False  # "an official", "a collision expert": someone the article keeps unnamed
    head = words[-1].lower()
    if not (head in OFFICE_NOUNS or head in PERSON_NOUNS or TITLES.fullmatch(head + " ")):
        return False
    return all(w.islower() or w.isupper() or k == 0 for k, w in enumerate(words))


def roles_named_after(quotes: Sequence[Quote], entities: Sequence[Entity], people: Collection[str]) -> None:
    """Give a quote whose speaker is a role, in the headline or lead before anyone is named, to the first
    person named after it who speaks in the article (by their full name)."""
    persons = sorted((e for e in entities if e.label == "person"), key=lambda e: e.start)
    speakers = {q.speaker_canonical for q in quotes}
    for quote in quotes:
        if quote.start > LEAD_CHARS or quote.speaker_canonical != quote.speaker or not _a_role(quote.speaker):
            continue
        if any(e.start < quote.start for e in persons):
            continue  # someone is named before: the resolver judged the role against them
        named = next((e.canonical for e in persons if e.canonical in speakers and e.canonical in people
                      and len(e.canonical.split()) >= 2), None)
        if named:
            quote.speaker_canonical = named
