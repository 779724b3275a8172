"""Documents that speak for whoever made them: "a study released Monday by Civic Action" is Civic Action's,
"Infrastructure Canada's database" Infrastructure Canada's, and "the study" later the same one's.

The speaker resolver (`speakers`) asks this module before it treats a description as a description.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_tokens
from pipeline.nlp.entities import Entity
from pipeline.nlp.speech import ACCESS_VERBS
from pipeline.nlp.subjects import speaker_phrase
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Token

# documents that speak for whoever made them ("the study" → the institute behind it)
DOCUMENTS = {"study", "report", "survey", "poll", "memo", "release", "statement", "data", "number", "numbers",
             "figure", "figures", "database", "analysis", "document", "letter", "complaint", "filing", "lawsuit",
             "ruling", "decision", "paper", "research", "audit", "review", "notice", "bulletin", "estimate", "statistic",
             "statistics", "statistiques", "book", "poem", "essay", "column", "tweet", "post", "memoir", "biography",
             "etude", "rapport", "sondage", "donnees", "donnee", "chiffre", "chiffres", "statistique", "communique",
             "note", "lettre", "texte", "bilan", "avis",  # French lemmas are singular: "données" → "donnée"
             # and words spoken that speak for their speaker: "Ortiz’s remarks suggested …"
             "remark", "comment", "explanation", "testimony", "message", "speech", "announcement", "reply", "response",
             "propos", "declaration", "discours", "reponse"}


def _reached_by_access(token: Token, head: Token) -> bool:
    """Whether the token hangs from the document through a verb of access, or in an adverbial or complement
    clause of its own ("statistics released on Friday as Minister Ahmed Hussen met …" are not his); a relative
    clause may name the maker ("a report, which was prepared by the Maple Policy Institute")."""
    while token.i != head.i and token.head.i != token.i:
        if token.pos_ == "VERB" and fold(token.lemma_) in ACCESS_VERBS or token.dep_ in {"advcl", "ccomp"}:
            return True
        token = token.head
    return False


def named_inside(subject: Token, phrase: str, named: Sequence[Entity], documents: dict[str, str],
                 person: Callable[[str], str | None] = lambda _: None,
                 body: Callable[[str, int], str | None] = lambda _kind, _at: None) -> str | None:
    """A document that speaks for whoever made it: "a study released Monday by Civic Action",
    "Infrastructure Canada's database"; later, "the study" is the same one. `person` reads a possessor
    the model did not tag as anyone back to the person the article names ("Greer’s statement"); `body` a
    maker described by its kind ("a statement from the agency") back to the body named before."""
    kind = fold(subject.lemma_ or subject.text)
    if kind not in DOCUMENTS:
        return None
    words = [t for t in subject.subtree if not t.is_punct and not _reached_by_access(t, subject)]
    start, end = words[0].idx, words[-1].idx + len(words[-1])
    inside_phrase = [e.canonical for e in named if start <= e.start and e.end <= end]
    inside_phrase += [found for c in subject.children if c.dep_ == "poss" and c.pos_ == "PROPN" and (found := person(c.text) or next(
        (e.canonical for e in named if e.label == "organization" and e.text == c.text), None))]  # "ICE’s statement"
    inside_phrase += [maker for c in subject.children if (maker := _made_by(c))]
    inside_phrase += [maker for c in subject.children if c.dep_ == "prep" and c.lower_ in {"from", "by"}
                      for kind in c.children if kind.dep_ == "pobj" and kind.pos_ == "NOUN" and kind.is_lower
                      and any(d.lower_ == "the" for d in kind.children) and (maker := body(kind.lemma_, kind.idx))]
    inside_phrase += _maker_described(subject)  # last: "a statement from the hospital", no hospital named before
    if inside_phrase:
        documents[kind] = inside_phrase[0]
        return inside_phrase[0]
    if phrase.lower().startswith(("the ", "this ", "that ", "le ", "la ", "l'", "l’", "ce ", "cette ")):
        return documents.get(kind) or (_prosecutors(subject) if kind in CHARGING else None)
    return None


def _maker_described(document: Token) -> list[str]:
    """"A statement from the hospital", "a report attributed to the police": the maker, described, when the
    article names no body of that kind; the document speaks for them, not for itself. Not who got hold of it
    ("obtained by the newspaper") nor whom it went to ("a letter to the council")."""
    heads = [document, *(c for c in document.children if c.dep_ == "acl" and c.tag_ == "VBN"
                         and fold(c.lemma_) not in ACCESS_VERBS)]  # "a report obtained by the newspaper": not its maker
    return [f"the {noun.text}" for head in heads for prep in head.children
            if prep.dep_ in {"prep", "agent"} and (prep.lower_ in {"from", "by"} or prep.lower_ == "to" and fold(head.lemma_) == "attribute")
            for noun in prep.children if noun.dep_ == "pobj" and noun.pos_ == "NOUN" and noun.is_lower
            and any(d.lower_ == "the" for d in noun.children) and not any(c.dep_ in {"prep", "amod", "compound"} for c in noun.children)]


# what a prosecution files: "according to the complaint", with no maker named, is the prosecutors' account
CHARGING = {"complaint", "indictment"}


def _prosecutors(subject: Token) -> str | None:
    """The prosecutors the article mentions ("Prosecutors say more charges could come"), if it does."""
    found = next((t for t in doc_tokens(subject.doc) if t.lemma_.lower() == "prosecutor" and t.tag_ == "NNS"), None)
    return speaker_phrase(found) if found is not None else None


def _made_by(participle: Token) -> str | None:
    """The agent of "a document published by the British government": a body the model tags as no one is the
    maker all the same (a verb of access names who got hold of it, not who made it)."""
    if participle.dep_ != "acl" or participle.tag_ != "VBN" or fold(participle.lemma_) in ACCESS_VERBS:
        return None
    agent = next((c for c in participle.children if c.dep_ == "agent"), None)
    maker = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    return speaker_phrase(maker) if maker is not None and maker.pos_ in {"NOUN", "PROPN"} else None


def record_medium(subject: Token, maker: str, documents: dict[str, str]) -> None:
    """"In a letter to employers, MOM said …", "she said in a statement": the document the words came in is the
    speaker's, so that "said the letter" later speaks for them too."""
    for prep in subject.head.children:
        if prep.dep_ == "prep" and prep.lower_ in {"in", "dans"} and maker:
            documents.update({fold(c.lemma_): maker for c in prep.children
                              if c.dep_ == "pobj" and fold(c.lemma_) in DOCUMENTS})


ISSUING = {"issue", "release", "publish", "post", "send", "put", "share", "file"}


def issuer(document: Token) -> Token | None:
    """"Hospital spokeswoman Maria Margiotta issued a statement that said …", "She issued a statement as well,
    which said …": the subject who put the document out, for whom it speaks (it spoke for itself)."""
    if fold(document.lemma_) not in DOCUMENTS or document.dep_ != "dobj" or fold(document.head.lemma_) not in ISSUING:
        return None
    return next((c for c in document.head.children if c.dep_ == "nsubj"), None)
