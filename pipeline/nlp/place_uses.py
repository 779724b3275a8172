"""Places the small model tags as people, told by how the article uses them.

Towns and camps the English model has rarely seen come out as PERSON: "the Dadaab and Kakuma refugee
camps", "neighbouring Kano", "in Taura, Jigawa". A person tagged there is a candidate for every later
"he" or "she", so one such tag sends a pronoun to a town. The sentence says what the model could not: a
name that modifies "camp" or "village", follows "in" or "neighbouring", or stands in apposition to a place
is a place, unless the article also lets it speak or gives it a title.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from pipeline.nlp.given_names import first_names
from pipeline.nlp.places import LOCATIVE
from pipeline.nlp.speech import SPEECH_VERBS
from pipeline.nlp.titled_names import personal_title
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

PLACE_NOUNS = frozenset({"village", "villages", "town", "city", "camp", "camps", "area", "district", "county",
                         "province", "region", "state", "settlement", "township", "valley", "neighbourhood",
                         "neighborhood", "suburb", "municipality", "ward", "constituency", "island"})
_LOCATIVE = frozenset(LOCATIVE | {"inside", "across", "throughout", "around", "within"})
_NEIGHBOURING = frozenset({"neighbouring", "neighboring", "nearby"})
_PLACE_TAGS = frozenset({"GPE", "LOC", "FAC"})


def _used_as_place(doc: Doc, ent: Span) -> bool:
    root = first = ent.root
    while first.dep_ == "conj" and first.head.i < first.i:
        first = first.head  # "the Dadaab and Kakuma refugee camps": the first conjunct carries the relation
    head = first
    while head.dep_ in {"compound", "nmod"} and head.head.i > head.i:
        head = head.head
        if head.lower_ in PLACE_NOUNS:
            return True  # "the Kakuma refugee camps", "Larabar Gurgunya village"
    before = doc[ent.start - 1] if ent.start else None
    if before is not None and (before.lower_ in _NEIGHBOURING or root.dep_ == "pobj" and root.head == before and (
            before.lower_ in _LOCATIVE or before.lower_ == "of" and before.i and doc[before.i - 1].text == ",")):
        return True  # "in Kano", "neighbouring Kano", an address: "Firth, of Whitby Way, Darlington"
    return root.dep_ in {"appos", "conj"} and root.head.ent_type_ in _PLACE_TAGS  # "Taura, Jigawa"


def _speaks_or_titled(doc: Doc, ent: Span) -> bool:
    root = ent.root
    speaks = root.dep_ in {"nsubj", "nsubjpass"} and root.head.lemma_.lower() in SPEECH_VERBS
    return speaks or ent.start > 0 and personal_title(doc[ent.start - 1]) or any(personal_title(t) for t in ent)


def names_used_as_places(doc: Doc, person_names: Collection[str]) -> set[str]:
    """Names of one or two words tagged PERSON that the article uses as places (tagged one somewhere, or
    written as one), that never speak or carry a title, and that share no word with another person's name."""
    mentions: dict[str, list[Span]] = {}
    for ent in doc.ents:
        mentions.setdefault(ent.text, []).append(ent)
    found = set()
    for text, spans in mentions.items():
        people = [e for e in spans if e.label_ == "PERSON"]
        words = set(text.split())
        if not people or len(words) > 2 or any(n != text and words & set(n.split()) for n in person_names) \
                or len(words) == 2 and fold(text.split()[0]) in first_names():
            continue  # "Israel and Miguel Serrano": a word shared with a person's name, or a first name, is a person's
        if any(_speaks_or_titled(doc, e) for e in people):
            continue
        if any(e.label_ in _PLACE_TAGS for e in spans) or any(_used_as_place(doc, e) for e in people):
            found.add(text)
    return found
