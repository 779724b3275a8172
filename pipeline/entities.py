"""Named entities of an article with one canonical name each: "Trudeau" → "Justin Trudeau".

A surname or first name alone resolves to the full name mentioned elsewhere in the same article;
titles, possessives and page furniture are stripped, and what is left of junk is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LABELS = {
    "en": {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place",
           "NORP": "group", "LAW": "law"},
    "fr": {"PER": "person", "ORG": "organization", "LOC": "place"},
}
TITLES = re.compile(
    r"^((the|a|an|le|la|les|l')\s+)?((prime|foreign|immigration|public safety|border security|deputy|former|u\.s\.|us|"
    r"federal|provincial|premier|president|minister|mayor|senator|sen\.|rep\.|mr\.?|mrs\.?|ms\.?|dr\.?|judge|justice|"
    r"chief|councillor|mp|mpp|mla|secretary|spokesperson|spokesman|spokeswoman|premier ministre|ministre|"
    r"président|présidente|maire|mairesse|m\.|mme)\s+)+",
    re.I,
)
PLACE_ALIASES = {"U.S.": "United States", "US": "United States", "U.S": "United States", "USA": "United States",
                 "U.K.": "United Kingdom", "UK": "United Kingdom", "Britain": "United Kingdom",
                 "États-Unis": "United States", "Etats-Unis": "United States", "Que": "Quebec", "Que.": "Quebec"}
# "Border Security Minister Bill Blair": the ORG the model sees is part of a title, not an organisation
_TITLE_AFTER = {"minister", "critic", "ministre", "secretary", "commissioner"}
_POSSESSIVE = re.compile(r"['’]s?$")
_JUNK = re.compile(r"^(click|watch|read more|story|sponsored|advertisement|share|video|photo|image|getty|"
                   r"file|related|subscribe|copyright)\b|\b(below|advertisement)$", re.I)
_NAME_TOKEN = re.compile(r"^[A-ZÀ-Þ][\w'’.-]*$")


@dataclass
class Entity:
    text: str
    label: str  # person | organization | place | group | law
    canonical: str
    start: int
    end: int


def clean_mention(text: str, label: str) -> str:
    text = " ".join(text.split())
    if label == "person":
        text = TITLES.sub("", text)
    elif text.lower().startswith("the "):
        text = text[4:]
    text = _POSSESSIVE.sub("", text).strip(" ,;:-–—\"“”«»'’")
    if text.endswith(".") and text.count(".") == 1:  # a sentence full stop, not "U.S."
        text = text[:-1]
    return PLACE_ALIASES.get(text, text) if label == "place" else text


def is_junk(text: str, label: str) -> bool:
    if len(text) < 2 or "\n" in text or _JUNK.search(text):
        return True
    if text.isupper() and " " in text and label != "organization":  # "WATCH BELOW", "READ MORE"
        return True
    words = text.split()
    if label == "person" and not all(_NAME_TOKEN.match(w) for w in words):
        return True
    return not any(c.isupper() for c in text)


class PersonNames:
    """Resolve partial mentions of people to the full names used in the article."""

    def __init__(self, full_names: list[str]) -> None:
        self.full = []
        for name in full_names:
            if name not in self.full:
                self.full.append(name)

    def resolve(self, mention: str) -> str:
        words = mention.split()
        if len(words) >= 2:
            longer = [f for f in self.full if len(f.split()) > len(words) and f.endswith(mention)]
            return longer[0] if longer else mention
        candidates = [f for f in self.full if f.split()[-1] == mention] or \
                     [f for f in self.full if f.split()[0] == mention]
        return candidates[0] if candidates else mention

    def find_in(self, text: str) -> str | None:
        """The canonical person a speaker phrase names, if any ("press secretary Marie-Emmanuelle Cadieux")."""
        tokens = set(re.findall(r"[\w'’-]+", _POSSESSIVE.sub("", text)))
        tokens |= {_POSSESSIVE.sub("", t) for t in tokens}
        for name in self.full:
            if name.split()[-1] in tokens:
                return name
        return None


def extract_entities(doc, language: str = "en") -> tuple[list[Entity], PersonNames]:
    """Entities of a parsed doc, each with its canonical name, and the resolver for people."""
    labels = LABELS.get(language, LABELS["en"])
    raw = []
    for ent in doc.ents:
        label = labels.get(ent.label_)
        if not label:
            continue
        if label == "organization" and ent.end < len(doc) and doc[ent.end].lower_ in _TITLE_AFTER:
            continue
        text = clean_mention(ent.text, label)
        if is_junk(text, label):
            continue
        raw.append((text, label, ent.start_char, ent.end_char))
    people = PersonNames([t for t, lab, _, _ in raw if lab == "person" and len(t.split()) >= 2])
    entities = []
    for text, label, start, end in raw:
        canonical = people.resolve(text) if label == "person" else text
        entities.append(Entity(text, label, canonical, start, end))
    return entities, people
