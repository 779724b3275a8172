"""Who a speaker phrase names: surnames, pronouns, titles ("the minister") and short forms resolved to
one canonical name, using what the article has said so far.

`quotes` finds the quotes and the phrase of who said them; this module decides who that is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from pipeline.entities import TITLES, Entity, PersonNames
from pipeline.speech import PRONOUNS, SPEECH_VERBS, WEEKDAYS, inside

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_WORD = re.compile(r"\w+")


def speaker_phrase(subject: Token) -> str:
    """The subject's words, without relative clauses, appositions after a comma, or a heading above."""
    tokens: list[Token] = []
    for tok in subject.subtree:
        if tok.i > subject.i and (tok.text in {",", "(", "—", "–"} or tok.dep_ in {"relcl", "acl"} or "\n" in tok.text
                                  or tok.tag_ in {"WP", "WDT"}
                                  or tok.ent_type_ in {"DATE", "TIME"} or tok.lower_ in WEEKDAYS):
            break
        if tok.i < subject.i and ("\n" in tok.text_with_ws or tok.dep_ == "case" and tok.pos_ == "ADP"):
            tokens = []  # a heading above, or "selon" / "according to" before the speaker
            continue
        tokens.append(tok)
    if not tokens:
        return subject.text
    return subject.doc[tokens[0].i: tokens[-1].i + 1].text


def subject_of(verb: Token) -> Token | None:
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"}]
    if subjects:  # two subjects is a misparse of "CLAUSE, he said": the one next to the verb speaks
        return min(subjects, key=lambda c: abs(c.i - verb.i))
    if verb.dep_ in {"advcl", "xcomp", "conj", "ccomp", "pcomp"} and verb.head.i != verb.i:  # "…, adding …"
        return subject_of(verb.head)
    if verb.dep_ == "pobj" or verb.pos_ == "ADP" and verb.head.i != verb.i:  # "quoted as saying"
        return subject_of(verb.head)
    return None


class Resolver:
    """Turns a speaker phrase into a canonical name, using what the article has said so far."""

    def __init__(self, doc: Doc, people: PersonNames, persons: list[Entity], quote_spans: list[tuple[int, int]],
                 organizations: Sequence[Entity] = ()) -> None:
        self.people = people
        self.mentions: list[tuple[int, str]] = []  # (char offset, canonical) of people outside quotes
        self.subjects: list[tuple[int, str]] = []  # the same, where the person is a main clause's subject
        self.titles: dict[str, str] = {}  # "minister" → "Ahmed Hussen" from "Immigration Minister Ahmed Hussen"
        roles: Counter = Counter()  # (role word, person) seen close together: "McCallum's term as mayor"
        for entity in persons:
            span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
            if span is None or inside(quote_spans, entity.start):
                continue
            name = entity.canonical
            self.mentions.append((entity.start, name))
            root = span.root
            if root.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"} and root.head.dep_ == "ROOT":
                self.subjects.append((entity.start, name))
            if not people.is_person(name):
                continue
            for tok in reversed(doc[max(0, span.start - 3): span.start]):
                if tok.pos_ in {"ADP", "PUNCT", "DET", "CCONJ"}:
                    break  # "a spokeswoman for Trudeau" is not Trudeau
                if tok.is_alpha and tok.pos_ in {"NOUN", "PROPN"} and tok.ent_type_ not in {"PERSON", "PER"}:
                    self.titles[tok.lower_] = name
            for child in root.children:
                if child.dep_ == "appos" and child.pos_ == "NOUN":
                    self.titles[child.lower_] = name
            sent = span.sent
            for tok in doc[max(sent.start, span.start - 8): min(sent.end, span.end + 8)]:
                if tok.pos_ == "NOUN" and TITLES.match(tok.lower_ + " "):
                    between = doc[min(tok.i, span.end): max(tok.i, span.start)]
                    if not any(t.pos_ == "ADP" and t.lower_ in {"for", "to", "of", "with"} for t in between):
                        roles[(tok.lower_, name)] += 1
        for (role, name), _ in roles.most_common():
            self.titles.setdefault(role, name)
        self._surname_mentions(doc, quote_spans, {e.start for e in persons})
        self.gender = _genders(doc, persons, quote_spans)
        # short forms of organisations the article also names in full: "Suncor", "EDC"
        self.org_long = {(e.start, e.end): e.canonical for e in organizations if e.canonical != e.text}
        self.last_speaker: tuple[int, str] | None = None

    def _surname_mentions(self, doc: Doc, quote_spans: list[tuple[int, int]], seen: set[int]) -> None:
        """Surnames the model did not tag ("Easley offered to stay") still mention their person."""
        surnames: dict[str, list[str]] = {}
        for name in self.people.full:
            surnames.setdefault(name.split()[-1], []).append(name)
        for tok in doc:
            names = surnames.get(tok.text)
            if not names or len(names) > 1 or tok.idx in seen or tok.ent_type_ or inside(quote_spans, tok.idx):
                continue
            self.mentions.append((tok.idx, names[0]))
            if tok.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"} and tok.head.dep_ == "ROOT":
                self.subjects.append((tok.idx, names[0]))
        self.mentions.sort()
        self.subjects.sort()

    def resolve(self, phrase: str, subject: Token, pos: int) -> str:
        """`subject` is the phrase's head token: "a spokesperson for Blair" is not Blair."""
        if not phrase:
            return ""
        start = subject.i
        while start > 0 and not subject.doc[start - 1].whitespace_ and not subject.doc[start - 1].is_space:
            start -= 1  # "Wilson-Raybould" is three tokens
        glued = subject.doc[start: subject.i + 1].text
        partners = [c for c in subject.children if c.dep_ == "conj" and c.ent_type_ in {"PERSON", "PER"}]
        if partners and subject.ent_type_ in {"PERSON", "PER"}:  # "Tore Sohlberg and Lehla Abreder said"
            first = self.people.find_in(subject.text) or subject.text
            others = [self.people.find_in(c.text) or c.text for c in partners]
            return " and ".join([first, *others])
        if phrase in self.people.full:
            return phrase
        names = [glued, subject.text] + [c.text for c in subject.children if c.dep_ in {"appos", "flat", "flat:name"}]
        for name in names:
            named = self.people.find_in(name)
            if named:
                return named
        if subject.ent_type_ in {"PERSON", "PER"}:
            return self.people.resolve(phrase) if len(phrase.split()) <= 3 else subject.text
        for (start, end), name in self.org_long.items():
            if start <= subject.idx < end:
                return name
        head = subject.text.lower()
        words = [w.lower() for w in _WORD.findall(phrase)]
        if head in PRONOUNS:
            # the person the story was last about: a main clause's subject or the last speaker,
            # skipping people whose pronoun, as the article uses it, is the other one
            wanted = "f" if head in {"she", "her", "elle"} else "m"
            candidates = [m for m in self.subjects if m[0] < pos]
            if self.last_speaker and self.last_speaker[0] < pos:
                candidates.append(self.last_speaker)
            candidates.sort()
            fitting = [c for c in candidates if self.gender.get(c[1], wanted) == wanted] or candidates
            if fitting:
                return fitting[-1][1]
            before = [m for m in self.mentions if m[0] < pos]
            fitting = [m for m in before if self.gender.get(m[1], wanted) == wanted]
            return (fitting or before)[-1][1] if before else phrase
        if words and words[0] in {"the", "a", "an", "le", "la", "our", "his", "her"}:
            role = subject.lower_ if subject.lower_ in self.titles else words[-1]
            if role in self.titles:
                return self.titles[role]
        return phrase

    def spoke(self, pos: int, canonical: str, main: bool = True) -> None:
        if main and self.people.is_person(canonical):
            self.last_speaker = (pos, canonical)


def _genders(doc: Doc, persons: list[Entity], quote_spans: list[tuple[int, int]]) -> dict[str, str]:
    """"m" or "f" per person, from the pronouns that take over from them as a sentence's subject.

    Evidence: "Easley stayed. She crawled…" (the next sentence's main subject) and "Easley said she…"
    (the subject of what a person says). Object and possessive pronouns are left out: they usually
    point at someone else ("Easley stayed over to monitor his breathing").
    """
    main_subject: dict[int, str] = {}  # sentence start → the person who is its main subject
    speaker_of: dict[int, str] = {}  # token index of a speech verb → its person subject
    for entity in persons:
        span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
        if span is None or span.root.dep_ not in {"nsubj", "nsubjpass"}:
            continue
        verb = span.root.head
        if verb.dep_ == "ROOT":
            main_subject[span.sent.start] = entity.canonical
        if verb.lemma_.lower() in SPEECH_VERBS:
            speaker_of[verb.i] = entity.canonical
    votes: Counter = Counter()
    sentences = list(doc.sents)

    def vote(name: str, pronoun: Token) -> None:
        if inside(quote_spans, pronoun.idx):
            return
        if pronoun.lower_ in {"he", "il"}:
            votes[(name, "m")] += 1
        elif pronoun.lower_ in {"she", "elle"}:
            votes[(name, "f")] += 1

    for previous, sent in pairwise(sentences):
        name = main_subject.get(previous.start)
        subject = next((t for t in sent.root.children if t.dep_ in {"nsubj", "nsubjpass"}), None)
        if name and subject is not None and subject.pos_ == "PRON" and sent.start not in main_subject:
            vote(name, subject)
    for verb_i, name in speaker_of.items():
        for comp in doc[verb_i].children:
            if comp.dep_ == "ccomp":
                subject = next((t for t in comp.children if t.dep_ in {"nsubj", "nsubjpass"}), None)
                if subject is not None and subject.pos_ == "PRON":
                    vote(name, subject)
    genders = {}
    for name in {n for n, _ in votes}:
        m, f = votes[(name, "m")], votes[(name, "f")]
        if m != f:
            genders[name] = "m" if m > f else "f"
    return genders
