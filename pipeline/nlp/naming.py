"""Quoted phrases that are someone's words without a verb of saying: what they named something, what they bade.

"Rempel called him “chicken”", "analysts called it the “end of an era”", "describing her daughter as “brave,
strong, and smart”", "telling his lawyer to “control your client”", "described as “heartbreaking” by the
department": too short, or too embedded in the sentence, to pass for a quote by themselves, yet the words
are the speaker's, and the Gender Gap Tracker's annotators take them as quotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.nlp.coreference import GENDERED_NOUNS
from pipeline.nlp.name_forms import PERSON_NOUNS
from pipeline.nlp.speakers import ORGANIZATION_KINDS
from pipeline.nlp.subjects import english_speaker

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

NAMING_VERBS = {"call", "dub", "label", "brand", "describe", "term"}
# verbs that name something only through "as": "criticised as a broadcaster of “fake news”", "hailed as “historic”"
AS_VERBS = {"criticise", "criticize", "dismiss", "denounce", "decry", "deride", "hail", "praise", "slam", "condemn",
            "characterise", "characterize", "portray", "tout", "refer"}
BIDDING_VERBS = {"tell", "urge", "ask", "warn", "implore", "beg", "order"}  # "urged Nielsen to “educate yourself”"
NOT_SPEAKERS = {"it", "this", "that", "which", "what"}


def naming_verb(doc: Doc, qstart: int, qend: int) -> Token | None:
    """The verb of "X called it “…”", "describing her daughter as “…”", "telling his lawyer to “…”" and "described
    as “…” by Y": a quoted phrase that is what someone named something, or bade someone do, is theirs."""
    span = doc.char_span(qstart, qend, alignment_mode="expand")
    if span is None:
        return None
    for tok in span:
        head = tok.head.head if tok.head.lower_ == "as" and tok.head.i < span.start else tok.head
        lemma = head.lemma_.lower()
        if lemma not in NAMING_VERBS and (labelled := _named_as(tok, span.start)) is not None:
            head, lemma = labelled, labelled.lemma_.lower()
        elif head.i >= span.start or head.pos_ != "VERB" or not (
                lemma in NAMING_VERBS or lemma in BIDDING_VERBS and tok.dep_ == "xcomp" and tok.tag_ == "VB"):
            continue  # bidding is an order in the quoted words: "to “control your client”", not a title
        passive = any(c.dep_ == "auxpass" for c in head.children) or (  # "they were … and referred to as": the
            head.dep_ == "conj" and head.head.lemma_ == "be" and head.tag_ in {"VBD", "VBN"})  # "were" is shared
        if passive and not any(c.dep_ == "agent" for c in head.children):
            continue  # "they were referred to as “George’s boys”": named by nobody the sentence says
        speaker = english_speaker(head)
        if speaker is not None and _can_speak(speaker):
            return head
    return None


def _named_as(tok: Token, start: int) -> Token | None:
    """The verb a quoted phrase names something with through "as", a few words up: "criticised as a
    broadcaster of “fake news”", "dismissed the report as “nonsense”"."""
    passed_as = False
    for _ in range(5):
        tok = tok.head
        if tok.i >= start or tok.head.i == tok.i and tok.pos_ != "VERB":
            return None
        if tok.pos_ == "VERB":
            lemma = tok.lemma_.lower()
            return tok if passed_as and (lemma in AS_VERBS or lemma in NAMING_VERBS) else None
        passed_as = passed_as or tok.lower_ == "as"
    return None


def _can_speak(token: Token) -> bool:
    """Someone, or some body, that can name or bid: a name, a pronoun for people, people in the plural, or a
    noun for a person or a body ("the victim's mother", "the department"); not "another strand" of a story."""
    if token.pos_ in {"PROPN", "PRON"}:
        return token.lower_ not in NOT_SPEAKERS
    lemma = token.lemma_.lower()
    return token.pos_ == "NOUN" and ("Plur" in token.morph.get("Number", []) or lemma in PERSON_NOUNS
                                      or lemma in ORGANIZATION_KINDS or lemma in GENDERED_NOUNS)
