"""Places of a parsed text resolved to GeoNames, and its focus: where the story happens.

Names are found by the gazetteer over capitalised word runs, kept where spaCy's entities allow them (a
city needs a place entity or a big population; no name inside a person's name; never a title such as
"Prince of Wales"), and resolved by context: the story's other places (their countries and states), an
explicit qualifier ("Paris, Texas"), the outlet's country. Countries and states inside organisation names
count ("UK government", "Homes for Ukraine"); nationality adjectives never match a name. Hands on
`locate(doc)` → `Located(places, focus)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from pipeline.nlp.doc_cache import doc_text, doc_tokens
from pipeline.nlp.gazetteer import (
    CITY_SPELLINGS,
    STATE_CONTEXT,
    Gazetteer,
    Place,
    gazetteer,
    modern_spelling,
    nationality_country,
)
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc

MAX_WORDS = 6
CONNECTORS = {"of", "and", "de", "du", "des", "la", "le", "-", "'", "d'", "the", "upon", "on", "-sur-", "sur", "en"}
TITLES = {"prince", "princess", "duke", "duchess", "earl", "countess", "archbishop", "bishop", "king", "queen",
          "baron", "baroness", "lord", "lady", "mayor", "marquess", "viscount", "emperor", "prinz", "prince-"}
PLACE_ENTS = {"GPE", "LOC", "FAC"}
NAME_ENTS = {"ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "MISC"}
BIG_CITY = 100_000  # a city this large is a place even where the entity recogniser missed it
SMALL_TOWN = 15_000  # a town this small needs its country named in the story too
REGNAL = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI"}
CALENDAR_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                  "saturday", "sunday", "christmas", "easter", "ramadan", "eid", "diwali", "hanukkah", "passover"}
TOWN_AS_WORD = 50_000  # a town this large may be meant even where its name is also a word ("at Wembley")
DOMINANT = 5  # a reading this many times larger than any other city of the name is the one people mean
PLACE_CUES = {"city", "town", "village", "port", "capital", "suburb", "district", "resort", "hometown", "ville",
              "commune"}
# after a US state's name, words of its government: "Georgia Rep.", "New York Attorney General", "Texas Gov."
STATE_OFFICES = {"Rep.", "Sen.", "Gov.", "Governor", "Attorney", "Legislature", "lawmakers", "legislators",
                 "Assembly", "Assemblyman", "Assemblywoman", "Senator", "Congressman", "Congresswoman"}
LOCATIVE = {"in", "at", "near", "outside", "à"}
ORG_HEADS = {"United", "City", "Town", "Rovers", "Athletic", "Albion", "Wanderers", "FC", "Airport", "Stadium",
             "Arena", "Times", "Post", "Police", "Council", "University", "College", "Marathon", "Olympics",
             "Station", "Harbour", "Harbor"}
SHORT_BEFORE_CLUB = {"Man": "Manchester"}  # "Man City", "Man United": never the Isle of Man
CLUB_HEADS = ORG_HEADS | {"Utd"}
# the second word of a club, a paper or an institution named after its city ("Manchester United"): never a
# surname, so a run the recogniser calls a person still holds its city
CAPITAL_OVER_STATE = 500_000  # "Washington" is the city and "New York" the city unless "state" follows (US only:
# "Québec" is the province unless the French says "à Québec")


@dataclass
class Mention:
    start: int  # token offsets
    end: int
    text: str
    candidates: list[Place]
    place: Place | None = None
    cued: bool = False  # the words around it say it is a place ("in X", "the town of X")


@dataclass
class Located:
    places: list[dict[str, Any]] = field(default_factory=list)  # one per place, first mention first
    focus: dict[str, Any] | None = None
    mentions: list[Mention] = field(default_factory=list, repr=False)  # in text order, for figures


def place_dict(place: Place, text: str) -> dict[str, Any]:
    return {"text": text, "name": place.name, "geonameid": place.geonameid, "lat": place.lat, "lon": place.lon,
            "country": place.country, "kind": place.kind, "admin1": place.admin1}


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or (word[:1].isdigit() is False and word[:2].upper() == word[:2] and word[:1].isalpha())


def find_mentions(doc: Doc, gaz: Gazetteer | None = None, home: str | None = None) -> list[Mention]:
    """Gazetteer names over runs of capitalised words, longest first, kept where the entities allow.

    `home`, the outlet's country, lets a town the words call a place ("in Fleetwood") be read as the home
    country's town even when a larger one of the name exists abroad: a local paper's towns are local."""
    gaz = gaz or gazetteer()
    people = tuple((e.start, e.text) for e in doc.ents if e.label_ in ("PERSON", "PER") and len(e) > 1)  # read once
    named = frozenset(c.country for e in doc.ents if e.label_ in PLACE_ENTS
                      for c in gaz.candidates(e.text.strip()) if c.kind in ("country", "admin1"))
    ent_of: dict[int, Any] = {}
    for ent in doc.ents:
        start, end = ent.start, ent.end
        while end > start and doc[end - 1].is_space:
            end -= 1  # "Lampedusa\n" is the name "Lampedusa"
        trimmed = doc[start:end]
        if len(trimmed):
            trimmed.label_ = ent.label_
        for i in range(start, end):
            ent_of[i] = trimmed
    mentions: list[Mention] = []
    tokens = doc_tokens(doc)
    texts = [t.text for t in tokens]
    text, starts = doc_text(doc), [t.idx for t in tokens]  # a run's words are cut from the text, not joined
    upper = [w[:1].isupper() for w in texts]
    in_name = [u or t.lower_ in CONNECTORS for u, t in zip(upper, tokens, strict=True)]
    i, n = 0, len(doc)
    while i < n:
        state = state_after(doc, i - 1, gaz) if i > 1 else None
        if state is None and i > 1 and texts[i - 1] == "-":
            state = gaz.states.get(texts[i])
        if state and upper[i - 2]:
            mentions.append(Mention(i, i + 1, texts[i], [state]))  # "Atlanta, GA", "R-GA", "EMERSON, Man."
            i += 1
            continue
        if not upper[i]:
            i += 1
            continue
        found = None
        for size in range(min(MAX_WORDS, n - i), 0, -1):
            if not upper[i + size - 1] or not all(in_name[i:i + size]):
                continue
            written = text[starts[i]: starts[i + size - 1] + len(texts[i + size - 1])]
            club = i + size < n and texts[i + size] in CLUB_HEADS and written in SHORT_BEFORE_CLUB
            candidates = gaz.candidates(SHORT_BEFORE_CLUB[written] if club else written)  # "Man City"
            if candidates:
                kept = _allowed(doc, i, i + size, candidates, ent_of, gaz, named, home, people)
                if kept:
                    label = ent_of[i].label_ if i in ent_of else ""
                    biggest = max((c.population for c in kept if c.kind == "city"), default=0)
                    found = Mention(i, i + size, written, kept, cued=_cued(doc, i, i + size, gaz, label, biggest))
                    break
        if found:
            mentions.append(found)
            i = found.end
        else:
            i += 1
    return mentions


def _allowed(doc: Doc, start: int, end: int, candidates: list[Place], ent_of: dict[int, Any],
             gaz: Gazetteer, named: frozenset[str | None] = frozenset(), home: str | None = None,
             people: tuple[tuple[int, str], ...] = ()) -> list[Place]:
    """The readings a name's surroundings allow (empty: not a place here)."""
    state = state_after(doc, end, gaz)
    if state is not None:  # "MILTON, Ont.", "Gordon, Wis.": a town of that state or province, even in capitals
        local = [c for c in candidates if c.kind == "city" and c.country == state.country
                 and (state.admin1 is None or c.admin1 == state.admin1)]
        if local:
            return local
    ent = ent_of.get(start)
    inside = ent is not None and ent.start <= start and ent.end >= end
    larger = ent is not None and inside and (ent.start < start or ent.end > end)
    label = ent.label_ if ent is not None and inside else ""
    club = ent is not None and larger and label in ("PERSON", "PER") and ent.start == start and end < len(doc) \
        and doc[end].text in ORG_HEADS  # "Manchester United's" called a person
    if label in ("PERSON", "PER") and larger and not club:
        return []  # "Jordan Henderson", "Paris Hilton"
    if start >= 2 and doc[start - 1].lower_ in ("of", "de") and doc[start - 2].lower_ in TITLES:
        return []  # "Prince of Wales": a title, not a place
    if end < len(doc) and doc[end].text in REGNAL:
        return []  # "Elizabeth II", "Charles III": a sovereign's name
    if end < len(doc) and doc[end].like_num and not doc[end].is_sent_start:
        return []  # "Channel 4", "Paris 2024"
    written = doc[start:end].text
    if start > 0 and doc[start - 1].like_num and written.isupper() and len(written) <= 3:
        return []  # "5 GB": a unit
    if start > 1 and doc[start - 1].text in ("-", "–") and not doc[start - 2].whitespace_ \
            and not doc[start - 1].whitespace_ and not gaz.candidates(doc[start - 2].text):
        return []  # "KwaZulu-Natal": the second half of a name that is not two places ("Pharr-Reynosa" is)
    after = doc[end].text if end < len(doc) else ""
    if after in STATE_CONTEXT or after in STATE_OFFICES:
        states = [c for c in candidates if c.kind == "admin1"]
        candidates = states or candidates
    text = fold(written)
    before = doc[start - 1] if start > 0 else None
    beside_name = any(t is not None and t.pos_ == "PROPN" and t.is_alpha and t.text[:1].isupper() and not t.is_stop
                      and not gaz.candidates(t.text) for t in (before, doc[end] if end < len(doc) else None))
    in_longer_place = larger and label in PLACE_ENTS and beside_name  # "Florida Panhandle", "Irvine Cove"
    person_elsewhere = any(written in name and at != start and fold(name.strip()) != text for at, name in people)
    surname = end - start == 1 and any(at != start and len(name.split()) >= 2 and name.split()[-1] == written
                                       for at, name in people)
    spelling = CITY_SPELLINGS.get(written, ("",))[0]  # "Odessa" is GeoNames' "Odesa"
    cities = [c.population for c in candidates if c.kind == "city" and fold(c.name) in (text, fold(spelling))]
    cue = _cued(doc, start, end, gaz, label, max(cities or [0]))
    kept = []
    for c in candidates:
        if c.kind == "city":
            primary = _as_written(c, written)  # not another name (Twickenham)
            big = c.population >= BIG_CITY and primary
            dominant = c.population >= DOMINANT * max([p for p in cities if p != c.population] or [0])
            cued = primary and cue and (dominant and c.population >= SMALL_TOWN or c.country in named
                                        or c.country == home)
            club_head = end < len(doc) and doc[end].text in ORG_HEADS  # "Manchester City" tagged a place
            if doc[start].is_stop or larger and label in ("GPE", "LOC") and not club_head \
                    or label == "NORP" and text.endswith("s") and not _described_as_place(doc, end):
                continue  # "We", "Irvine Cove", "Boulder County", "some Brits" (a people, never a town)
            if larger:  # a place inside a name counts: "Melbourne Airport", "Wembley Stadium", "Manchester United"
                person = label in ("PERSON", "PER")
                ordinary = end < len(doc) and (doc[end].text in ORG_HEADS or _common_word(doc[end].text))
                if big and (club and dominant or not person and (label != "FAC" or ordinary)) \
                        or cued and not person and ent is not None and ent.start < start - 1:
                    kept.append(c)  # a facility needs an ordinary word after the city (not "Paris Hilton");
                    # a town inside a body's name with its own cue ("Rossall School in Fleetwood", not "at Wells")
                continue
            if beside_name and label not in PLACE_ENTS:
                if not label and big and dominant and not person_elsewhere and end < len(doc) \
                        and _common_word(doc[end].text):
                    kept.append(c)  # "Kyiv Mules": a city, then an ordinary word (not "Mila Turchyn")
                elif cued:
                    kept.append(c)
                continue
            if label in PLACE_ENTS or (big and not person_elsewhere
                                       and (label or _not_sentence_word(doc, start, c, home))):
                kept.append(c)  # the recogniser often calls Kyiv a person and Liverpool an organisation
            elif cued:
                kept.append(c)  # "the town of Lalibela", "a fight at Wembley", "Dumas, Arkansas"
        elif in_longer_place:
            continue
        elif c.kind == "other" and end - start == 1 and label in NAME_ENTS and larger:
            continue  # "BBC News Channel"
        elif label in ("PERSON", "PER") and c.kind == "admin1":
            continue  # "Kent said": a surname; countries, seas and islands are rarely anyone's name
        elif surname and not (before is not None and before.pos_ == "ADP"):
            continue  # unless the article names the person in full: "Health Minister Mark Holland … Holland said"
            # is no Netherlands ("in Jordan", after a preposition, stays the country)
        else:
            kept.append(c)
    if before is not None and before.lower_ == "à" and any(c.kind == "city" for c in kept):
        kept = [c for c in kept if c.kind == "city"] or kept  # "à Québec": the city; "au Québec": the province
    if after not in STATE_CONTEXT and after not in STATE_OFFICES:
        capitals = {c.country for c in kept if c.kind == "city" and c.population >= CAPITAL_OVER_STATE
                    and c.country == "US"}
        kept = [c for c in kept if not (c.kind == "admin1" and c.country in capitals)]
    return kept


def state_after(doc: Doc, end: int, gaz: Gazetteer) -> Place | None:
    """The state or province a comma and its abbreviation name after a town ("Atlanta, GA", "Emerson, Man.")."""
    if end + 1 >= len(doc) or doc[end].text != ",":
        return None
    word = doc[end + 1].text
    return gaz.states.get(word) or (gaz.states.get(word + ".") if end + 2 < len(doc) and doc[end + 2].text == "."
                                    else None)


def _cued(doc: Doc, start: int, end: int, gaz: Gazetteer, label: str = "", population: int = 0) -> bool:
    """Words around a name that say it is a place: "the town of X", "Ethiopia's X", "X, Arkansas", and
    "in/at/near X" unless the recogniser called X a date, or a body or person whose name is a word of the
    language and no large town ("in March", "in Congress", "in Time" name no town; "at Wembley" does); never
    for an abbreviation ("the UK's PA") or a month, weekday or feast, whatever the tagger says."""
    if not doc[start].text[1:].islower() or end < len(doc) and doc[end].text in ("-", "–"):
        return False  # an abbreviation, or the first half of a longer name ("Mohyliv-Podilskyi")
    if doc[start:end].text.lower() in CALENDAR_WORDS:
        return False
    before = doc[start - 1] if start > 0 else None
    if before is not None and before.lower_ in LOCATIVE:  # "in Congress", "in Time" are words, not towns
        return label in ("", *PLACE_ENTS) or label not in ("DATE", "TIME") and (
            population >= TOWN_AS_WORD or not _common_word(doc[start:end].text))
    if start >= 2 and before is not None and before.lower_ in ("of", "de") and doc[start - 2].lower_ in PLACE_CUES:
        return True
    if start >= 2 and before is not None and before.text in ("'s", "’s") and any(
            c.kind in ("country", "admin1") for c in gaz.candidates(doc[start - 2].text)):
        return True
    if start >= 2 and before is not None and before.text == "," and doc[start - 2].lower_ in PLACE_CUES:
        return True  # "their hometown, Bucha"
    if _described_as_place(doc, end):
        return True  # "Petropolis, a town in …"
    return end + 1 < len(doc) and doc[end].text == "," and any(
        c.kind in ("country", "admin1") for c in gaz.candidates(doc[end + 1].text))


def _described_as_place(doc: Doc, end: int) -> bool:
    """The name is followed by a description of it as a place: "Petropolis, a town in Brazil's …"."""
    return end + 2 < len(doc) and doc[end].text == "," and doc[end + 1].lower_ in ("a", "an", "the") \
        and doc[end + 2].lower_ in PLACE_CUES


@cache
def _common_word(word: str) -> bool:
    """Whether a capitalised word is an ordinary noun or adjective of the language (in the English model's
    lemmatizer index: "Mules", "United"), not a name ("Turchyn", "Hilton")."""
    from pipeline.nlp.query_lemmas import MODELS, query_lemmas, string_id, tables

    for model in MODELS["en"]:
        found = tables(model)
        if found is None:
            continue
        index = found.get("lemma_index", {})
        return any(f"\n{lemma}\n" in index.get(string_id(pos), "")
                   for lemma in query_lemmas(word, model) or [] for pos in ("noun", "adj"))
    return False


def _not_sentence_word(doc: Doc, start: int, place: Place, home: str | None) -> bool:
    """A capitalised word that opens a sentence or a headline's clause ("Haringey: Man in court") may be any
    word. There a city needs a name no dictionary holds ("Kyiv:", whatever the tagger calls it), or to be a
    large city of the outlet's own country read as a noun ("Swansea riot:", "Reading: Man arrested", not
    "Reading the report"): an ordinary word of the language ("Man") is not taken for a foreign city."""
    word = doc[start]
    opening = word.is_sent_start or start > 0 and doc[start - 1].text in (":", "|", "–", "—")
    if not opening or not _common_word(word.text):
        return True
    return place.country == home and word.pos_ in ("PROPN", "NOUN")


@cache
def _country_names() -> dict[str, str]:
    return {fold(p.name): p.country for places in gazetteer().by_name.values() for p in places
            if p.kind == "country" and p.country}


def nationalities(doc: Doc) -> set[str]:
    """Countries the text's nationality words name: never places themselves, but "the Ukrainian port city of
    Odesa" is Ukraine's Odesa as surely as if Ukraine were named."""
    found = {_nationality(t.text) for ent in doc.ents if ent.label_ == "NORP" for t in ent if t.text[:1].isupper()}
    return {c for c in found if c}


@cache
def _nationality(word: str) -> str | None:
    return nationality_country(word, _country_names())  # a scan of every country: once per word


def _as_written(place: Place, text: str) -> bool:
    """Whether a city goes by the name as written (or its spelling of another era): "Manchester" is
    Manchester, and only by an old name Richmond, Virginia."""
    key = fold(text)
    return fold(place.name) in (key, f"{key} city") or CITY_SPELLINGS.get(text, ("",))[0] == place.name \
        or fold(modern_spelling(place.name, place.country)) == key


def resolve(mentions: list[Mention], doc: Doc, home: str | None = None) -> None:
    """Each mention's reading: the prior, plus the countries and states of the story's other places, plus an
    explicit qualifier after a comma, plus the outlet's country; twice, so resolved context feeds the rest."""
    qualifier: dict[int, list[Place]] = {}
    partners: dict[int, list[Mention]] = {}  # "Ukraine and Georgia": names joined by and/or are of a kind
    for a, b in zip(mentions, mentions[1:], strict=False):
        if b.start == a.end + 1 and doc[a.end].text == ",":
            qualifier[id(a)] = [c for c in b.candidates if c.kind in ("country", "admin1")]
        if b.start == a.end + 1 and doc[a.end].lower_ in ("and", "or", "et", "ou"):
            partners.setdefault(id(a), []).append(b)
            partners.setdefault(id(b), []).append(a)
    for m in mentions:
        m.place = max(m.candidates, key=lambda c: c.prior() + (1.0 if c.country == home else 0.0))
    peoples = nationalities(doc)
    for _ in range(2):
        for m in mentions:
            others = [o.place for o in mentions if o.place is not None and o.text != m.text]
            countries = {p.country for p in others if p.country} | {c for p in others for c in p.context} | peoples
            states = {(p.country, p.admin1) for p in others if p.admin1 and p.kind == "admin1"}
            city_states = {(p.country, p.admin1) for p in others if p.admin1 and p.kind == "city"}
            quals = qualifier.get(id(m), [])
            kinds = {o.place.kind for o in partners.get(id(m), []) if o.place is not None and len(o.candidates) == 1}

            def score(c: Place, countries: set = countries, states: set = states, city_states: set = city_states,
                      quals: list[Place] = quals, kinds: set = kinds, written: str = m.text) -> float:
                s = c.prior() + (1.0 if c.country == home else 0.0) + (2.0 if c.kind in kinds else 0.0)
                s += 1.0 if c.kind == "city" and _as_written(c, written) else 0.0  # not another city's old name
                s += 1.0 if c.country in countries else 0.0  # never enough alone to overturn a 100-fold size gap
                if c.kind == "city" and ((c.country, c.admin1) in states or (c.country, c.admin1) in city_states):
                    s += 0.5  # "LA … West Hollywood": California's
                if c.kind == "admin1" and (c.country, c.admin1) in city_states:
                    s += 2.0  # "Atlanta … Georgia": the state
                if any(q.country == c.country and (q.kind == "country" or q.admin1 == c.admin1) for q in quals):
                    s += 5.0
                return s

            m.place = max(m.candidates, key=score)


def qualifying(mentions: list[Mention], doc: Doc) -> set[int]:
    """Ids of the mentions that only say where the town before them is ("San Antonio, Texas", "Milton, Ont.")."""
    return {id(b) for a, b in zip(mentions, mentions[1:], strict=False)
            if b.start == a.end + 1 and doc[a.end].text == "," and a.place and b.place
            and b.place.kind in ("admin1", "country") and a.place.country == b.place.country}


def focus_of(mentions: list[Mention], doc: Doc) -> Mention | None:
    """Where the story happens: the place named most, first sentence (the headline) counting double, the most
    specific kind winning ties; continents and oceans only when nothing else is named."""
    if not mentions:
        return None
    first_end = next((s.end for s in doc.sents), len(doc))
    weight: dict[Any, float] = {}
    first: dict[Any, Mention] = {}
    qualifiers = qualifying(mentions, doc)  # "Milton, Ont." names Milton twice, not Ontario
    for m in mentions:
        assert m.place is not None
        if id(m) in qualifiers:
            continue
        key = m.place.geonameid or m.place.name
        first.setdefault(key, m)
        weight[key] = weight.get(key, 0.0) + (2.0 if m.start < first_end else 1.0)
    specific = {"city": 0.6, "other": 0.5, "admin1": 0.4, "country": 0.0}

    def rank(key: Any) -> tuple[bool, float]:
        place = first[key].place
        assert place is not None
        broad = place.kind == "other" and place.country is None and not place.context
        return (not broad, weight[key] + specific[place.kind])

    return first[max(first, key=rank)]


def _supported(m: Mention, mentions: list[Mention], home: str | None = None) -> bool:
    """A small town is kept only when its country (or a region of it) is named too, not merely another town
    of that country (else "Earth" beside Los Angeles is a hamlet in Texas)."""
    place = m.place
    if place is None or place.kind != "city" or place.population >= SMALL_TOWN:
        return place is not None
    if m.cued and place.country == home:
        return True  # "near Melrose" in a Scottish paper
    return any(o.place is not None and o is not m and o.place.kind != "city"
               and place.country in (o.place.country, *o.place.context) for o in mentions)


def locate(doc: Doc, home: str | None = None) -> Located:
    """The text's places, one entry per place in first-mention order, and its focus."""
    mentions = find_mentions(doc, home=home)
    resolve(mentions, doc, home)
    mentions = [m for m in mentions if _supported(m, mentions, home)]
    seen: dict[Any, dict[str, Any]] = {}
    for m in mentions:
        assert m.place is not None
        seen.setdefault((m.place.geonameid, m.place.name), place_dict(m.place, m.text))  # as `where_and_how_many`
        # looks them up: two places under one id (a curated id from memory that is a city's) crashed the story
    focus = focus_of(mentions, doc)
    return Located(list(seen.values()), place_dict(focus.place, focus.text) if focus and focus.place else None,
                   mentions)
