"""Who speaks together: a person with partners or company ("Tore Sohlberg and Lehla Abreder said", "Hansen and
his collaborators say"), as one speaker that "they" may mean next."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

    from pipeline.nlp.entities import PersonNames


def _with_compounds(tok: Token) -> str:
    """A name token with the words that make up the name before it: "Osei" → "Amara Osei"."""
    start = tok.i
    while start > 0 and tok.doc[start - 1].dep_ in {"compound", "flat", "flat:name"} and tok.doc[start - 1].head.i >= tok.i:
        start -= 1
    return tok.doc[start: tok.i + 1].text


def speaking_together(subject: Token, people: PersonNames) -> str | None:
    """"Tore Sohlberg and Lehla Abreder said", "Hansen and his collaborators say": a person and who speaks with
    them, as one speaker ("they" may mean them next)."""
    role = next((c for c in subject.children if c.dep_ == "conj" and c.pos_ == "NOUN"), None)
    partner = next((c for c in subject.children if c.dep_ == "appos" and c.ent_type_ in {"PERSON", "PER"}
                    and role is not None and c.left_edge.i == role.i + 1), None)
    if partner is not None and (first := people.find_in(subject.text)):  # "Amendola and defense attorney Karl
        return f"{first} and {people.find_in(_with_compounds(partner)) or _with_compounds(partner)}"  # Rominger"
    if subject.ent_type_ not in {"PERSON", "PER"}:  # "Stella's owners Tore Sohlberg and Lehla Abreder said"
        named = next((c for c in subject.children if c.dep_ == "appos" and c.ent_type_ in {"PERSON", "PER"}), None)
        return speaking_together(named, people) if named is not None and subject.pos_ == "NOUN" else None
    first = people.find_in(subject.text) or subject.text
    # "CNN’s Brian Stelter and Politico’s Michael Calderone": the parser hangs the first of two names, each
    # with its employer, on the second as if it owned it
    owner = next((c for c in subject.children if c.dep_ in {"nmod", "poss"} and c.ent_type_ in {"PERSON", "PER"}
                  and c.i < subject.i and any(t.lower_ == "and" for t in c.children)), None)
    if owner is not None and " " in (owned := people.find_in(_with_compounds(owner)) or _with_compounds(owner)):
        return f"{owned} and {first}"  # a full name: "Bressay and Lerwick north councillor Caroline Miller" is one
    partners = [c for c in subject.children if c.dep_ == "conj" and c.ent_type_ in {"PERSON", "PER", "ORG"}
                and c.pos_ == "PROPN"]  # the small model often calls the second name of a pair an ORG
    if partners:
        return " and ".join([first, *(people.find_in(c.text) or _with_compounds(c) for c in partners)])
    company = [c for c in subject.children if c.dep_ == "conj" and c.pos_ == "NOUN"
               and any(t.dep_ == "poss" or t.lower_ == "other" for t in c.children)]
    if company:
        return f"{first} and {subject.doc[company[0].left_edge.i: company[0].right_edge.i + 1].text}"
    return None
