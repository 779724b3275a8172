"""A speaker phrase and the name set off by commas beside it: "A spokeswoman for Trudeau, Eleanore Catenaro,
said", and "Idowu Owohunwa, the police commissioner told" where the closing comma was left out."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from pipeline.nlp.entities import Entity
from pipeline.nlp.titles import TITLES

if TYPE_CHECKING:
    from spacy.tokens import Token


def named_after(subject: Token, named: Sequence[Entity], full: Collection[str], text: str) -> str | None:
    """"A spokeswoman for Trudeau, Eleanore Catenaro, said": the name set off by commas after the phrase (a rank
    may stand before it)."""
    doc = subject.doc
    last = max(t.i for t in subject.subtree)
    for tok in doc[subject.i: last + 1]:
        if tok.text == ",":
            last = tok.i - 1
            break
    if last + 1 >= len(doc) or doc[last + 1].text != ",":
        return None
    first = last + 2
    while first + 1 < len(doc) and doc[first].is_alpha and (doc[first].is_upper or TITLES.fullmatch(doc[first].lower_ + " ")):
        first += 1  # "The Divisional Crime Officer, DSP Omari Boakye, told …": a rank before the name
    after = {doc[k].idx for k in range(last + 2, min(first, len(doc) - 1) + 1)}  # the name, or its rank the model tagged
    person = next((e for e in named if e.start in after and e.canonical in full), None)
    if person is None or person.end >= len(text) or text[person.end: person.end + 1] != ",":
        return None
    if TITLES.fullmatch(person.canonical.split()[-1].lower() + " "):
        return None  # "Matshidiso Mothapo, Municipal Spokesperson,": an office the model tagged a person
    return person.canonical


def named_before(subject: Token, named: Sequence[Entity], full: Collection[str]) -> str | None:
    """"Idowu Owohunwa, the police commissioner told journalists": the apposition's closing comma left out, the
    parse makes the description the subject; the person named right before its comma is who spoke."""
    start = subject.left_edge.i
    if start < 2 or subject.doc[start].lower_ != "the" or subject.doc[start - 1].text != ",":
        return None
    comma = subject.doc[start - 1].idx
    person = next((e for e in named if e.end == comma and e.canonical in full), None)
    return person.canonical if person is not None else None


def misparsed_apposition(name: Token) -> bool:
    """"council cabinet member for transport Manda Rigby said": the parse may join the name to the role as a
    conjunct; with no "and", "or" or comma between them it is the role's holder, not a second speaker."""
    between = name.doc[name.head.i + 1: name.left_edge.i]
    return name.ent_type_ in {"PERSON", "PER"} and not any(t.dep_ == "cc" or t.is_punct for t in between)


def described_before_name(subject: Token, body: Entity) -> bool:
    """"Spanish NGO Proactiva Open Arms", "the Dutch charity Stichting X": the words of a speaker phrase before a
    body's name only say what it is (articles, lower-case words, a nationality, a kind's initials), so the phrase
    is the body. Not when they are capitalised words of a longer name the model cut
    ("The California Governor's Office of Emergency Services", "the World Travel and Tourism Council")."""
    name_start = body.end - len(body.text)  # its name ends the entity ("NGO Proactiva Open Arms" is the name's)
    before = [t for t in subject.doc[subject.left_edge.i: subject.i + 1] if t.idx < name_start]
    based = next((k for k, t in enumerate(before) if t.lower_ == "based" and k and before[k - 1].text == "-"), None)
    if based is not None:  # "Irving, Texas-based Exxon", "London-based charity Oxfam": where it sits says what it is
        before = [t for t in before[based + 1:] if t.lower_ not in {"a", "an", "the"}]
        if not before:
            return True
    kind = [t for t in before if t.is_upper and len(t) <= 4 and t.is_alpha or t.is_lower and t.pos_ == "NOUN"]
    return bool(kind) and all(t.is_lower or t.lower_ in {"a", "an", "the"} or t.ent_type_ == "NORP" or t.pos_ == "ADJ"
                              or t in kind for t in before)  # "Spanish Red Cross" is a name: no kind before it
