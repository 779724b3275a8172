"""What a report verb reports: its complement clause, the clause it is tacked onto, or the sentence an
"as reported by" clause introduces, cut where a second speaker takes over.

`quotes` finds the verbs and their speakers; this module draws the edges of what they said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.nlp.speech import REPORT_VERBS, SPEECH_VERBS
from pipeline.nlp.subjects import subject_of
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def content_of(tok: Token, sent: Span, language: str = "en") -> Span | None:
    """What a speech verb reports: its clausal complement, or the clause it is tacked onto.

    "X said (that) CLAUSE" → CLAUSE; "CLAUSE, X said." and "CLAUSE, X said, CLAUSE" (the verb hangs off
    the main clause as parataxis) → the sentence without the attribution.
    """
    doc = sent.doc
    comp = [c for c in tok.children if c.dep_ == "ccomp" and (c.pos_ in {"VERB", "AUX"} or language == "fr")]
    if language == "fr" and not comp:  # "a annoncé que deux embarcations … étaient arrivées", the clause misparsed
        comp = [c for c in tok.children if c.dep_ in {"advcl", "obj", "acl", "obl:arg"} and c.i > tok.i
                and c.left_edge.i > tok.i and c.left_edge.lower_ in QUE]
        if not comp and (que := _que_after(tok, sent)) is not None:
            return doc[que.i: sent.end]  # the clause hung elsewhere by the parse: what follows "que" is what was said
    if language == "fr" and not comp:  # "l'ASFC admet être dans l'obligation de …": an infinitive says it
        comp = [c for c in tok.children if c.dep_ == "xcomp" and any(t.pos_ == "AUX" or t.tag_ == "VerbForm=Inf"
                                                                       for t in c.subtree)]
    if language == "en" and not comp:  # "said in a statement that the new king would be sworn in"
        comp = [c for p in tok.children if p.dep_ == "prep" and p.i > tok.i
                for n in p.children if n.dep_ == "pobj" for c in n.children if _that_clause(c)]
    if language == "en" and not comp:  # "told a news conference that officers took cover": no relative clause
        comp = [c for n in tok.children if n.dep_ == "dobj" and fold(n.lemma_) in AUDIENCES
                for c in n.children if c.dep_ == "relcl" and c.left_edge.lower_ == "that" and c.i > n.i
                and any(s.dep_ in SUBJECTS and s.lower_ != "that" for s in c.children)]
    if comp:
        sub = list(comp[0].subtree)
        if language == "en":
            return doc[slice(*_complement(tok, comp[0], sub))]
        return doc[sub[0].i: sub[-1].i + 1]
    said_by = subject_of(tok)  # "Since Friday, the authorities said, they had rescued …": set off by commas
    set_off = (tok.dep_ == "parataxis" and tok.head.i > tok.i + 1 and said_by is not None and said_by.i < tok.i
               and said_by.left_edge.i > sent.start and doc[said_by.left_edge.i - 1].text == "," and doc[tok.i + 1].text == ",")
    if tok.dep_ in {"parataxis", "ccomp"} and tok.head.i != tok.i and tok.head.i < tok.i and not _a_thing_done(tok) or set_off:
        if tok.head.lemma_.lower() in REPORT_VERBS and not any(t.is_punct for t in doc[tok.head.i + 1: tok.i]):
            return None  # "Others reported supervisors demanding credit": what was reported, not who reports
        if set_off:  # the sentence around it, as "CLAUSE, X said, CLAUSE" ("Many of the prisons, she said, are …")
            return doc[sent.start: sent.end]
        attribution = {t.i for t in tok.subtree}
        outside = [t for t in sent if t.i not in attribution]
        if outside:
            return doc[outside[0].i: outside[-1].i + 1]
    if (tok.dep_ == "ccomp" and tok.head.i > tok.right_edge.i and tok.left_edge.i == sent.start
            and doc[tok.right_edge.i + 1].text == "," and subject_of(tok) is not None
            and not any(c.dep_ == "neg" for c in tok.children)  # "X didn't respond to requests, so …"
            and fold(tok.head.lemma_) not in SPEECH_VERBS):  # "Italy had declared a state of emergency, officials said":
        return doc[tok.right_edge.i + 2: sent.end]  # what they said; "Chapman admits in this instance, there were fatalities."
    subject = subject_of(tok)
    if (subject is not None and tok.dep_ == "ROOT" and subject.i == tok.i - 1 and subject.i > sent.start + 4
            and doc[subject.i - 1].text == "," and tok.i >= sent.end - 3 and not _leads_in(tok, sent)):
        return doc[sent.start: subject.i - 1]  # "CLAUSE, he said." parsed with "said" as the root
    if (subject is not None and tok.dep_ == "ROOT" and subject.i > tok.i > sent.start + 4 and doc[tok.i - 1].text == ","
            and all(t.is_punct or t.is_space for t in doc[subject.right_edge.i + 1: sent.end])):
        return doc[sent.start: tok.i - 1]  # "CLAUSE, reports Unwired View." with the clause's verb misread
    return None


def _a_thing_done(verb: Token) -> bool:
    """"… said that it was worrying that Italy had declared a state of emergency": a subordinate clause whose
    verb takes a thing (no audience) is what was said, no attribution of the words around it."""
    return any(c.dep_ == "mark" for c in verb.children) and any(
        c.dep_ == "dobj" and c.pos_ == "NOUN" and fold(c.lemma_) not in AUDIENCES for c in verb.children)


def _leads_in(tok: Token, sent: Span) -> bool:
    """"Speaking after the verdict, Ejimakor said:" and "Asked about the plan, she said": the words before the
    speaker say when or why they spoke, and what they said comes after (a colon, or the next paragraph)."""
    doc = sent.doc
    first = doc[sent.start]
    return tok.i + 1 < len(doc) and doc[tok.i + 1].text == ":" or (
        first.dep_ == "advcl" and first.head.i == tok.i and first.tag_ in {"VBG", "VBN"})


SUBJECTS = {"nsubj", "nsubjpass", "expl", "csubj", "csubjpass"}
QUE = {"que", "qu'", "qu’"}


def _que_after(tok: Token, sent: Span) -> Token | None:
    """The "que" that opens a French verb's reported clause a few words after it ("a déclaré jeudi à l’AFP que …",
    "affirment, dans un reportage diffusé à TVA, que …": an aside between commas is passed over)."""
    doc, i, end = sent.doc, tok.i + 1, min(tok.i + 16, sent.end)
    while i < end:
        t = doc[i]
        if t.lower_ in QUE:
            return t
        if t.text == ",":  # an aside: go on after the comma that closes it
            close = next((k for k in range(i + 1, min(i + 12, end)) if doc[k].text == ","), None)
            if close is None:
                return None
            i = close + 1
            continue
        if t.is_punct or t.pos_ == "VERB" or i - tok.i > 7:
            return None
        i += 1
    return None
CONTRAST = {"while", "whereas", "whilst"}  # a second speaker's clause set against the first's


# whom news tells something: after "told a news conference", a "that" clause is what was told
AUDIENCES = {"conference", "briefing", "reporter", "journalist", "committee", "hearing", "meeting", "audience",
             "crowd", "council", "legislature", "assembly", "parliament", "senate", "court", "jury", "rally", "forum",
             "gathering", "inquiry", "panel", "summit", "convention", "media"}


def _that_clause(clause: Token) -> bool:
    """A finite "that" clause the parser hung on the noun of the speech verb's phrase ("said in a statement
    that the king would be sworn in" read as the statement's clause): what was said, not a relative clause,
    whose "that" would be its subject ("a statement that was released Monday")."""
    return (clause.dep_ in {"acl", "relcl"} and clause.i > clause.head.i
            and any(c.dep_ == "mark" and c.lower_ == "that" and c.i < clause.i for c in clause.children)
            and any(c.dep_ in SUBJECTS for c in clause.children))


def _complement(verb: Token, comp: Token, sub: list[Token]) -> tuple[int, int]:
    """The token range of what `verb` reports through its complement `comp`: the complement's subtree, but
    not a second attribution the parser hung in it ("EHS says that … cases but Chapman says that's not …"),
    and from right after the verb when the parser hung the clause's first words on the verb instead
    ("the union says in Nova Scotia ambulances are too often missing the mark": a finite complement
    without a subject of its own)."""
    doc = verb.doc
    start, end = sub[0].i, before_second_attribution(doc, sub[0].i, sub[-1].i + 1, comp.i)
    between = doc[verb.i + 1: start]
    finite = comp.tag_ in {"VBZ", "VBD", "VBP"} or any(c.dep_ in {"aux", "auxpass"} for c in comp.children)
    if (len(between) and between[0].dep_ == "prep" and between[0].head.i == verb.i and finite
            and not any(t.is_punct for t in between) and not any(c.dep_ in SUBJECTS for c in comp.children)):
        start = verb.i + 1
    return start, end


def as_reported_by(verb: Token) -> Token | None:
    """Who "As reported by the Guardian, …" or "As Kevin Fox noted, …" credits: a report verb in an "as"
    clause hands the sentence it introduces to its agent or subject, as "according to" does (unless the clause
    says something of its own: "As he said he would, …")."""
    if verb.tag_ not in {"VBN", "VBD", "VBZ", "VBP"} or verb.dep_ != "advcl" or verb.head.i < verb.i:
        return None
    if verb.lemma_.lower() not in REPORT_VERBS or not any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
        return None
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        return next((c for c in agent.children if c.dep_ == "pobj"), None)
    if any(c.dep_ in {"ccomp", "xcomp", "dobj", "nsubjpass"} for c in verb.children):
        return None
    return next((c for c in verb.children if c.dep_ == "nsubj" and (c.pos_ != "PRON" or c.lower_ in {"he", "she"})), None)


def before_second_attribution(doc: Doc, start: int, end: int, after: int) -> int:
    """The end of a reported range cut before a second speaker's verb coordinated into it ("… cases but
    Chapman says that's not what the union is seeing") or set against it ("…, while Labour MP David Lammy said
    …"): that clause is another quote."""
    for t in doc[after + 1: end]:
        if ((t.dep_ == "conj" or t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONTRAST for c in t.children))
                and t.lemma_.lower() in REPORT_VERBS and any(c.dep_ in SUBJECTS for c in t.children)):
            end = min(x.i for x in t.subtree)
            while end > start and (doc[end - 1].dep_ == "cc" or doc[end - 1].is_punct):
                end -= 1
            break
    return end
