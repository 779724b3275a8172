"""Who a speech verb's subject is, and the words that name them as the article writes them.

The parse alone decides both; `speakers.Resolver` then reads the words back to a person or a body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_text
from pipeline.nlp.speech import ACCESS_VERBS, SPEECH_VERBS, WEEKDAYS
from pipeline.nlp.titles import TITLES

if TYPE_CHECKING:
    from collections.abc import Collection

    from spacy.tokens import Token


_CLOSING = {"\u201d", '"', "\u00bb", ")", "\u2019", "'"}  # a phrase keeps the mark that closes what it opened
_MARKS = {"\u201c", "\u201d", '"', "\u00ab", "\u00bb"}


_DASHES = {"-", "--", "–", "—"}  # "Lagos - Barrister Femi Falana said": what the dash follows is where it was filed


def speaker_phrase(subject: Token) -> str:
    """The subject's words, without relative clauses, appositions after a comma, or a heading above."""
    tokens: list[Token] = []
    listed = max((c.i for c in subject.children if c.dep_ == "conj"), default=-1) if subject.pos_ == "NOUN" else -1
    for tok in subject.subtree:
        if tok.text == "," and tok.i < listed:
            tokens.append(tok)  # "Black voters, campaign organizers and veteran volunteers said": all of them
            continue
        # a participle stays ("a group representing rural counties", "evidence presented at trial"), unless it
        # tells how the reporter got hold of the words ("intelligence reports seen by Reuters") or quotes them
        # ("a report highlighting the “alarming rise of …”": the quoted words are a quote of their own)
        if tok.i > subject.i and (tokens and tok.i > tokens[-1].i + 1  # an apposition the parse hung past the verb
                                  or tok.text in {",", "(", "—", "–"} or tok.dep_ == "relcl" or "\n" in tok.text
                                  or tok.dep_ == "acl" and (tok.tag_ not in {"VBG", "VBN"}
                                                            or tok.lemma_.lower() in ACCESS_VERBS
                                                            or tok.lemma_.lower() in SPEECH_VERBS  # "a woman … clamored"
                                                            or any(t.text in _MARKS for t in tok.subtree))
                                  or tok.tag_ in {"WP", "WDT"} or tok.dep_ == "cc" and _clause_after(tok, subject)
                                  or tok.ent_type_ in {"DATE", "TIME"} or tok.lower_ in WEEKDAYS
                                  or tok.dep_ == "prep" and tok.head.i == subject.i and subject.pos_ == "PROPN"
                                  and tok.lower_ in {"in", "on", "during"}  # "Meili in the press release"
                                  or _in_a_medium(tok, subject)):
            break
        if tok.i < subject.i and ("\n" in tok.text_with_ws or tok.dep_ == "case" and tok.pos_ == "ADP"
                                  or tok.text in {"\"", "\u201c", "\u201d", "\u00ab", "\u00bb"}
                                  or tok.text in _DASHES and tok.whitespace_ and tok.i and tok.nbor(-1).whitespace_):
            tokens = []  # a heading above, "selon" / "according to" before the speaker, the quote's end, a dateline
            continue
        tokens.append(tok)
    while tokens and tokens[-1].i > subject.i and (tokens[-1].pos_ in {"PART", "ADP", "DET", "CCONJ", "SCONJ", "PUNCT"}
                                                   and tokens[-1].text not in _CLOSING or tokens[-1].dep_ == "acl"):
        tokens.pop()  # "choice to" of "choice to head the department", "statistics released" of "… on Friday"
    if not tokens:
        return subject.text
    return doc_text(subject.doc)[tokens[0].idx: tokens[-1].idx + len(tokens[-1])]  # the article's characters


# what words reach readers through: "said a Sudanese migrant in a video published by …" names the migrant only
_MEDIA = {"statement", "email", "e-mail", "video", "interview", "post", "letter", "tweet", "message", "release",
          "speech", "broadcast", "podcast", "op-ed", "column", "clip", "recording", "footage"}


def _in_a_medium(tok: Token, subject: Token) -> bool:
    return (tok.dep_ == "prep" and tok.head.i == subject.i and tok.lower_ in {"in", "on"}
            and any(c.dep_ == "pobj" and c.lemma_.lower() in _MEDIA for c in tok.children))


def _clause_after(cc: Token, subject: Token) -> bool:
    """"according to the SMMT and sales have fallen": the words after "and" are the subject of a clause of
    their own (a finite verb follows them that is not the speaker's), not a second speaker."""
    conj = next((c for c in cc.head.children if c.dep_ == "conj" and c.i > cc.i), None)
    after = conj.right_edge.i + 1 if conj is not None else len(cc.doc)
    return (after < len(cc.doc) and cc.doc[after].tag_ in {"VBP", "VBZ", "VBD", "MD"}
            and subject.head.i not in {cc.doc[after].i, cc.doc[after].head.i})


# verbs whose object did what their infinitive says: "led / forced / prompted the company to announce" (not
# "asked Trump to confirm that …", a request: what follows is the asker's)
OBJECT_CONTROL = {"lead", "force", "prompt", "cause", "compel", "drive", "spur"}


def subject_of(verb: Token) -> Token | None:
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"}] or [
        t for t in verb.doc[verb.sent.start: verb.i] if t.dep_ in {"nsubj", "nsubj:pass"}
        and t.head.pos_ in {"ADP", "ADV"} and t.head.head == verb]  # "Martin Coiteux a en outre affirmé": the
    # subject hung on the adverb the parse took for its head
    if len(subjects) > 1:  # a noun right after a preposition is its object, whatever the parse says: "a
        # spokesperson who did not wish to be named because of agency policy said" is the spokesperson's, and
        # "Nancy Pelosi (D-CA) told" hers: what stands in brackets is no subject
        objects = [c for c in subjects if c.left_edge.i and (verb.doc[c.left_edge.i - 1].pos_ == "ADP"
                                                              or verb.doc[c.left_edge.i - 1].text == "(")]
        subjects = [c for c in subjects if c not in objects] or subjects
    if subjects:  # two subjects is a misparse of "CLAUSE, he said": the one next to the verb speaks
        subject = min(subjects, key=lambda c: abs(c.i - verb.i))
        if _dateline(subject):  # "WASHINGTON (AP) — President Trump's choice … said": the choice speaks
            return max((c for c in subject.children if c.dep_ == "appos"), key=lambda c: c.i, default=None)
        opening = subject.left_edge
        if opening.text == "(" and opening.i > 0 and verb.doc[opening.i - 1].pos_ in {"PROPN", "NOUN"}:
            return verb.doc[opening.i - 1]  # "UNHCR (the UN refugee agency) said": the name before the brackets
        if subject.tag_ == "WP" and subject.lower_ in {"who", "that"}:  # "Thomas Pearson, who … called it “…”"
            clause = next((v for v in [verb, *verb.ancestors] if v.dep_ == "relcl"), None)
            if clause is not None and clause.head.pos_ in {"PROPN", "NOUN"}:
                return clause.head
        return subject
    misread = next((c for c in verb.children if c.dep_ in {"advmod", "npadvmod"} and c.i < verb.i and c.text[:1].isupper()
                    and (c.pos_ == "PROPN" and all(t.pos_ == "ADV" for t in verb.doc[c.i + 1: verb.i])
                         or c.pos_ == "ADV" and c.i == verb.i - 1 and c.lower_.endswith("ly"))), None)
    if misread is not None:  # "Connelly said", "Kelly told": a surname in -ly the parse took for an adverb
        return misread
    controller = next((c for c in verb.head.children if c.dep_ == "dobj" and c.i < verb.i), None)
    if verb.dep_ == "xcomp" and controller is not None and verb.head.lemma_.lower() in OBJECT_CONTROL:
        return controller  # "its cutback led the French manufacturer to announce …": the manufacturer announced
    reported = verb.head if verb.dep_ == "conj" and verb.lemma_.lower() in SPEECH_VERBS else None
    if reported is not None and reported.dep_ == "ccomp" and reported.lemma_.lower() not in SPEECH_VERBS and (
            reported.head.lemma_.lower() in SPEECH_VERBS and any(c.text == "," or c.dep_ in {"nsubjpass", "nsubj:pass"}
                                                                 for c in reported.children)):
        return subject_of(reported.head)  # "He said repairs could wait, but assured …": he assured, not the repairs;
        # "Evans says their claims have been refused but admits …": what was done to is no one who admits
    if verb.dep_ in {"advcl", "xcomp", "conj", "ccomp", "pcomp"} and verb.head.i != verb.i:  # "…, adding …"
        if verb.tag_ == "VBG" and verb.lemma_.lower() in SPEECH_VERBS and verb.dep_ == "advcl":
            # "Higgs has said the province will stick to it, insisting …": the participle goes on with what the
            # one who said it says, wherever the parse hung it inside the reported clause
            ancestor = next((a for a in verb.ancestors if a.lemma_.lower() in SPEECH_VERBS and a.pos_ == "VERB"), None)
            if ancestor is not None:
                return subject_of(ancestor)
        return subject_of(verb.head)
    if verb.dep_ == "pobj" or verb.pos_ == "ADP" and verb.head.i != verb.i:  # "quoted as saying"
        return subject_of(verb.head)
    return _apposition_before(verb)


def _apposition_before(verb: Token) -> Token | None:
    """"Responding to questions from an opposition leader, Cllr Neil Parkin, who represents St Nicolas Ward,
    said": the parse hung the name on the phrase before it and left the verb with no subject; a named person
    in apposition whose words (with their relative clause) end right before the verb, commas aside, speaks."""
    doc = verb.doc
    for tok in reversed(doc[verb.sent.start: verb.i]):
        if tok.dep_ == "appos" and tok.ent_type_ in {"PERSON", "PER"} and tok.right_edge.i < verb.i \
                and all(t.is_punct for t in doc[tok.right_edge.i + 1: verb.i]):
            return tok
    return None


def _dateline(token: Token) -> bool:
    """"WASHINGTON (AP) —", "LOS ANGELES (Reuters) -": capitals that open the story and name where it was filed,
    then a dash set apart by spaces ("UNHCR (the agency) said", "EDC says it is self-funding" are no datelines)."""
    sent = token.sent
    opening = token.doc[sent.start: token.i + 1]
    after = token.doc[token.i + 1: min(token.i + 8, sent.end)]  # "SEOUL, Aug. 20 (Yonhap) --"
    return (all(t.text.isupper() or t.is_punct for t in opening) and len(token.text) > 1
            and any(t.text in {"—", "–", "-", "--"} and t.whitespace_ and t.doc[t.i - 1].whitespace_ for t in after))


def english_speaker(verb: Token) -> Token | None:
    """Who speaks through an English verb of saying: the agent of a passive, the object of "according to",
    the subject, or the capitalised word the parse left between a quote and its verb."""
    if verb.dep_ == "pcomp" and verb.head.lower_ == "as" and verb.head.head.lemma_ == "quote":
        verb = verb.head.head  # "Reuters quoted the minister as saying that …": the one quoted says it
    quoted = next((c for c in verb.children if c.dep_ == "nsubjpass"), None) if verb.lemma_ == "quote" else None
    if quoted is None and verb.lemma_ == "quote" and any(c.lower_ == "as" for c in verb.children):
        quoted = next((c for c in verb.children if c.dep_ in {"dobj", "obj"}), None)  # "the BBC quoted Dickov as saying"
    if quoted is not None:  # "Morrison was quoted by SBS as saying": the medium quoted him; he speaks
        return quoted
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    named_by = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if named_by is not None:  # "described as “heartbreaking” by the conservation department"
        return named_by
    if verb.lower_ == "according":
        to = verb.doc[verb.i + 1]
        direct = [c for c in to.children if c.dep_ == "pobj"]  # "according to former governor David Dodge"
        if direct:
            return direct[0]
        for tok in to.subtree:
            if tok.dep_ in {"pobj", "obj", "nmod", "obl"} and tok.pos_ in {"PROPN", "NOUN", "PRON"}:
                return tok
        return None
    subject = subject_of(verb)
    if subject is None and verb.i > 1:  # "“…,” DeBoer said": the word between the quote and the verb speaks,
        before = verb.doc[verb.i - 1]  # whatever dependency the parser gave it
        if before.text[:1].isupper() and verb.doc[verb.i - 2].text in {"”", '"', "’", "'", ","}:
            return before
        if before.lower_ == "old" and verb.i > 3 and verb.doc[verb.i - 2].text == "-" \
                and verb.doc[verb.i - 3].lower_ == "year":
            return before  # "“…,” the 34-year-old said", parsed with no subject
        if before.pos_ == "PROPN" and before.text[:1].isupper() and _titles_then_name(verb):
            return before  # "“…,” chairman, CEO and president Craig Menear said", parsed as a list after the quote
        if verb.dep_ == "ROOT" and name_run_before(verb):  # "Responding to a series of questions, Minister of
            return before  # State for Home Kiren Rijiju said …": the name parsed as the object of the phrase before
        head = verb.head  # "“…,” Pierre Gignac, EDC’s chief risk officer, mentioned": read as "Gignac, mentioned in";
        # "“…,” a woman in the river clamored": read as a woman who clamored
        if verb.dep_ == "acl" and head.pos_ in {"PROPN", "NOUN"} and head.i < verb.i and any(
                t.text in {"”", '"'} for t in verb.doc[max(0, min(head.i - 4, head.left_edge.i - 2)): head.i]):
            return head
    return subject


def name_run_before(verb: Token) -> str:
    """The name (two or more capitalised proper nouns, and nothing else) right before the verb in its sentence,
    after a title, a preposition or a comma: a name the parse hung elsewhere ("" for none). After a preposition
    the first word is the office's ("Minister of State for Home Kiren Rijiju")."""
    run: list[Token] = []
    for tok in reversed(verb.doc[verb.sent.start: verb.i]):
        if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_ in {"GPE", "ORG", "DATE", "NORP"}:
            if len(run) < 2 or not (tok.pos_ == "ADP" or tok.text == "," or TITLES.match(tok.lower_ + " ")):
                return ""
            names = run[::-1][1:] if tok.pos_ == "ADP" and len(run) >= 3 else run[::-1]
            return " ".join(t.text for t in names)
        run.append(tok)
    return ""


def _titles_then_name(verb: Token) -> bool:
    """Whether the words between a closing quotation mark and the verb are titles and a name, no clause."""
    for tok in reversed(verb.doc[max(0, verb.i - 12): verb.i]):
        if tok.text in {"”", '"'}:
            return True
        if tok.pos_ in {"VERB", "AUX", "PRON", "DET", "ADP", "SCONJ"} or tok.text in {".", ";", ":", "“"}:
            return False
    return False


def plural_antecedent(subject: Token, people_nouns: Collection[str], unread: list[tuple[int, int]]) -> str | None:
    """"Several auto-industry executives have warned … They say …": "they" as a speaker are the people the
    sentence before (or the one before that) made its subject in the plural, outside quotes."""
    doc = subject.doc
    sentences = [s for s in doc.sents if s.end <= subject.sent.start][-2:]
    for sent in reversed(sentences):
        for tok in reversed(sent):
            # a subject, or a plural the parser hung on a noun before it though a verb follows ("the biggest
            # concern and several executives have warned")
            acting = tok.dep_ in {"nsubj", "nsubjpass"} or tok.dep_ == "conj" and tok.i + 1 < len(doc) and doc[
                tok.i + 1].pos_ in {"AUX", "VERB"}
            if (acting and tok.tag_ == "NNS" and tok.lemma_.lower() in people_nouns
                    and not any(a <= tok.idx < b for a, b in unread)):
                return speaker_phrase(tok)
    return None

