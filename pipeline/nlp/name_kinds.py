"""One-word names the model gives the wrong kind, read back from what the article says of them.

A start-up's or product's name is often a plain word or an invented one, and the small model reads a
capitalised subject that "says" and "launches" as a person: "Square", "Asana". The article itself tells: a
person does not own "its" apps, has no founders, merchants or customers of their own, and is not "a
revolutionary service". A name is taken for a body when the article says so twice in these ways, and only when
it is one word, no first name, and no surname of a person the article names in full (so "Trump's campaign"
never turns "Trump" into a body). The other way, a surname the model tags as a body ("Lavrov") is a person's
when the article says what office or trade the name holds: "Lavrov is Russia's longtime foreign minister".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_text, doc_tokens
from pipeline.nlp.given_names import first_names
from pipeline.nlp.titled_names import NOT_A_NAME
from pipeline.nlp.titles import TITLES
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# what a body is called when the article says what it is ("Asana, the web-based productivity service")
KINDS = {"company", "companies", "service", "startup", "start-up", "firm", "app", "platform", "network", "website",
         "site", "maker", "retailer", "provider", "brand", "manufacturer", "chain", "business", "corporation",
         "carrier", "airline", "bank", "publisher", "developer", "giant", "subsidiary", "marketplace", "tool"}
# what only a body has: "Asana's founders", "Square's merchants", "Square's technology"
OWNED = {"founder", "founders", "co-founder", "cofounder", "co-founders", "cofounders", "ceo", "cto", "cfo",
         "employees", "staff", "customers", "users", "merchants", "subscribers", "shareholders", "investors",
         "app", "apps", "technology", "platform", "website", "site", "product", "products", "shares", "stock",
         "headquarters", "valuation", "revenue", "revenues", "ipo", "stores", "service", "services", "software"}


def _subject_of(tok: Token) -> Token | None:
    """The subject of the nearest clause above a token (the token's own, if it heads one)."""
    for node in [tok, *tok.ancestors]:
        subject = next((c for c in node.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is not None:
            return subject
    return None


def _evidence(tok: Token) -> bool:
    """One mention that only a body fits: owner of "its …", of a founder or a merchant, or called a service."""
    doc = tok.doc
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if nxt is not None and nxt.tag_ == "POS" and tok.head.lower_ in OWNED:
        return True
    if any(c.dep_ == "appos" and c.lower_ in KINDS for c in tok.children):
        return True
    head = tok.head
    if tok.dep_ in {"nsubj", "nsubjpass"}:
        if head.lemma_ == "be" and any(c.dep_ == "attr" and c.lower_ in KINDS for c in head.children):
            return True
        owned = [t for t in head.subtree if t.lower_ == "its" and t.dep_ == "poss"]
        return any((subject := _subject_of(t)) is not None and subject.i == tok.i for t in owned)
    return False


def companies_named_as_people(doc: Doc, people: Collection[str], full_names: Collection[str]) -> set[str]:
    """The one-word "people" of an article that it shows, at least twice, to be bodies; and those set beside a
    group's plural noun ("insurgents, Boko Haram")."""
    surnames = {w for name in full_names for w in name.split()}
    candidates = {p for p in people if " " not in p and p not in surnames and fold(p.lower()) not in first_names()}
    shown: Counter[str] = Counter(t.text for t in doc_tokens(doc) if t.text in candidates and _evidence(t)) \
        if candidates else Counter()
    return {name for name, n in shown.items() if n >= 2} | groups_in_apposition(doc, people) | after_their_kind(doc, people) \
        | counted(doc, people)


# plural nouns for armed or organised groups: a name set beside one is the group's ("insurgents, Boko Haram")
_GROUP_NOUNS = {"insurgent", "militant", "rebel", "force", "extremist", "jihadist", "gang", "terrorist", "separatist",
                "militia", "faction", "group", "fighter", "guerrilla", "cartel", "outfit"}


def groups_in_apposition(doc: Doc, people: Collection[str]) -> set[str]:
    """"clashes between regional military forces and insurgents, Boko Haram": a "person" set off by a comma after
    a plural noun for a group is that group (it was "the Nigerian military" later, by its apposed "forces");
    never two people named beside a plural ("two brothers, Adam and Ben")."""
    found = set()
    for ent in doc.ents:
        head = ent.root.head
        if ent.label_ == "PERSON" and ent.text in people and ent.root.dep_ == "appos" and head.tag_ == "NNS" \
                and ent.start > 0 and doc[ent.start - 1].text == "," and not any(c.dep_ == "conj" for c in ent.root.children) \
                and ({head.lemma_.lower()} | {c.lemma_.lower() for c in head.children if c.dep_ == "conj"}) & _GROUP_NOUNS:
            found.add(ent.text)
    return found


# what a body is called right before its name, in lower case ("radio station Citi Fm", "the charity Refugee Action")
_KIND_BEFORE = {"station", "broadcaster", "newspaper", "tabloid", "charity", "company", "firm", "startup", "network", "channel",
                "outlet", "website", "magazine", "agency", "organisation", "organization", "group", "band", "club"}


def after_their_kind(doc: Doc, people: Collection[str]) -> set[str]:
    """"Speaking to Accra-based radio station Citi Fm, he said": a "person" right after a body's kind, in lower
    case, is that body (as a person it was whom "he" meant); never "group leader Ann Lee" (a role between)."""
    return {ent.text for ent in doc.ents if ent.label_ == "PERSON" and ent.text in people and ent.start > 0
            and (kind := doc[ent.start - 1]).pos_ == "NOUN" and kind.is_lower and kind.lemma_ in _KIND_BEFORE}


# numbers of things: "three Baitul Mahabbah have a capacity of 300" counts places, never people by a full name
_COUNTS = r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many)"


def counted(doc: Doc, people: Collection[str]) -> set[str]:
    """The "people" of two words or more the article counts ("three Baitul Mahabbah"): things, not a person."""
    text = doc_text(doc)
    return {p for p in people if " " in p and re.search(rf"\b{_COUNTS}\s+{re.escape(p)}\b(?!['’])", text)}


# what only a person is: "Lavrov is Russia’s longtime foreign minister", "Lavrov, the foreign minister"
ROLES = {"minister", "president", "secretary", "senator", "governor", "mayor", "premier", "chancellor", "spokesman",
         "spokeswoman", "spokesperson", "guy", "man", "woman", "lawyer", "judge", "ceo", "chairman", "chairwoman",
         "economist", "professor", "journalist", "reporter", "actor", "actress", "singer", "coach", "author",
         "diplomat", "ambassador", "prosecutor"}


def _said_to_be_someone(tok: Token) -> bool:
    """One mention that only a person fits: called a minister or a lawyer, in apposition or after "is"."""
    head = tok.head
    if any(c.dep_ == "appos" and c.lower_ in ROLES for c in tok.children):
        return True
    return tok.dep_ == "nsubj" and head.lemma_ == "be" and any(
        c.dep_ == "attr" and c.lower_ in ROLES and c.tag_ == "NN" for c in head.children)


def people_named_as_bodies(doc: Doc, bodies: Collection[str]) -> set[str]:
    """The one-word "organisations" of an article that it says hold an office or a trade."""
    candidates = {b for b in bodies if " " not in b and not b.isupper()}
    return {t.text for t in doc_tokens(doc) if t.text in candidates and _said_to_be_someone(t)}


def _spelt(name: str) -> str:
    return " ".join(re.split(r"[\s.\-–]+", name.lower())).strip()


def surnames_of_people(names: Collection[str], people: Collection[str]) -> set[str]:
    """The names of two words or more that end a person's longer name: "St. Onge" of "Mark St. Onge", "St. Pierre"
    of "Marie St-Pierre" are that person's surname, whatever the model tagged them (a saint's town, a body)."""
    tails: set[str] = set()
    for person in people:
        words = _spelt(person).split()
        tails.update(" ".join(words[k:]) for k in range(1, len(words) - 1))  # two words or more, never the whole
    return {n for n in names if " " in (spelt := _spelt(n)) and spelt in tails}


_CORPORATE = {"corp", "inc", "ltd", "llc", "plc", "holdings", "capital", "investments", "platforms", "partners", "media",
              "group", "bank", "airlines", "motors", "energy", "technologies", "systems", "industries", "pharma"}
# roles a company may fill: "the paper's owner, News Corp," is no person
_NOT_HELD_BY_PEOPLE = {"owner", "manager", "host", "agent", "founder", "centre", "center", "general", "resident", "operator",
                       "provider", "partner", "sponsor", "parent", "publisher", "distributor", "buyer", "seller", "lender"}


def people_in_apposition(doc: Doc, bodies: Collection[str]) -> set[str]:
    """"South Africa’s home affairs minister, Malusi Gigaba, said": capitalised words set off by commas after an
    office name its holder, whatever the model tagged them (an organisation, here)."""
    found = set()
    for ent in doc.ents:
        if ent.label_ != "ORG" or ent.text not in bodies or not 2 <= len(ent) <= 3 or ent.start == 0:
            continue
        head = ent.root.head
        if ent.root.dep_ == "appos" and doc[ent.start - 1].text == "," and all(t.is_title and t.is_alpha for t in ent) \
                and head.i < ent.start and TITLES.fullmatch(head.lower_ + " ") and head.lower_ not in _NOT_HELD_BY_PEOPLE \
                and (ent.end == len(doc) or doc[ent.end].text == ",") and not any(fold(t.lower_) in NOT_A_NAME | _CORPORATE for t in ent):
            found.add(ent.text)
    return found


def people_among_bodies(doc: Doc, bodies: Collection[str], persons: Collection[str]) -> set[str]:
    """The "organisations" of an article that are people: said to hold an office or a trade, a person's surname
    ("St. Onge"), or an office holder in apposition ("the minister, Malusi Gigaba,")."""
    return people_named_as_bodies(doc, bodies) | surnames_of_people(bodies, persons) | people_in_apposition(doc, bodies)
