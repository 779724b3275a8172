"""Who is a person in an analysed article: the `persons` and `quoted` lists analysts and subscriptions read.

The small models tag a road ("Roxham" of "chemin Roxham") as a person now and then, and a quote's
speaker may be a document ("l’appel d’offres", the call for tenders) or an institution. A person
here is a person entity whose name is not also a place's or an organisation's in the same article;
a quoted speaker counts when they are such a person, or when their name is a name (capitalised
words, none a place or organisation of the article).
"""

from __future__ import annotations

import re

from pipeline.nlp.analysis import Analysis
from pipeline.nlp.name_forms import initials
from pipeline.nlp.names import name_key
from pipeline.nlp.roads import names_a_way

_NAME = re.compile(r"[A-ZÀ-Þ][\w’'.-]*(?:[ -](?:[A-ZÀ-Þ][\w’'.-]*|de|du|van|von|der|la|le|St\.?))*(?: [A-ZÀ-Þ][\w’'.-]*)")


_INSTITUTION = re.compile(
    r"\b(?:Agency|Agence|Department|Ministry|Minist[eè]re|Office|Bureau|Council|Conseil|Union|Association|Services?|"
    r"Commission|Committee|Comit[ée]|Cent(?:re|er)|Police|Government|Gouvernement|Health|Sant[ée]|Court|Cour|"
    r"Universit[yé]|Bank|Banque|Company|Inc|Ltd|Corp|News|Post|Press|Presse|Group|Groupe|Institute?|Foundation|"
    r"Fondation|Party|Parti|City|Ville|Canada|Qu[ée]bec|Ontario|Statistics|Energy|Development|Action)\b")


def _not_people(analysis: Analysis) -> tuple[set[str], set[str]]:
    """Names and single words of the article's places and organisations."""
    names = {n for e in analysis.entities if e.label in ("place", "organization") for n in (e.text, e.canonical)}
    words = {w for n in names for w in re.findall(r"[\w’'-]+", n)}
    return names, words


def persons(analysis: Analysis, text: str = "") -> list[str]:
    """Canonical person names, most mentioned first, without places and organisations tagged as people.

    `text` is the analysed text (entity offsets point into it): a name every mention of which names a
    road ("chemin Roxham", "Roxham Road") is not a person.
    """
    names, words = _not_people(analysis)
    counts: dict[str, int] = {}
    for entity in analysis.entities:
        if entity.label != "person" or names_a_way(text, entity.start, entity.end):
            continue
        canonical = entity.canonical
        if canonical in names or (" " not in canonical and canonical in words):
            continue
        counts[canonical] = counts.get(canonical, 0) + 1
    return sorted(counts, key=lambda n: -counts[n])


def quoted(analysis: Analysis, people: list[str] | None = None) -> list[str]:
    """The canonical names of the people quoted: persons of the article, or names (capitalised words) that are
    no place of the article, nor one of its organisations that the model never also tagged a person."""
    people = persons(analysis) if people is None else people
    places = {n for e in analysis.entities if e.label == "place" for n in (e.text, e.canonical)}
    speakers = {q.speaker_canonical for q in analysis.quotes if q.speaker_canonical}
    # someone who speaks with a name's shape is a person, even where the small model calls them an
    # organisation ("Megda Belkacemi"), unless the name is an institution's or a place's
    return sorted(s for s in speakers if s in people or (_NAME.fullmatch(s) and s not in places
                                                          and not _INSTITUTION.search(s)))


def speaker_kind(name: str | None, analysis: Analysis) -> str:
    """person, organization or other: what a quote's speaker is, for the "quotes by people" views. The kind of
    the article's entity of that name, spelling and "the" aside; else an organisation whose acronym the article
    tags ("Agence des services frontaliers du Canada", tagged only as "ASFC")."""
    if not name:
        return "other"
    kinds = {name_key(e.canonical): e.label for e in analysis.entities if e.label in ("person", "organization")}
    kind = kinds.get(name_key(name))
    if kind:
        return kind
    acronyms = {e.canonical for e in analysis.entities if e.label == "organization" and e.canonical.isupper()}
    spelt = initials(re.findall(r"[\w’'-]+", name))
    return "organization" if name[:1].isupper() and len(spelt) >= 2 and spelt in acronyms else "other"
