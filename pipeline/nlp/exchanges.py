"""Who speaks a quote no verb attributes when the article lays out an exchange: a transcript's speaker label
("Prelogar: “I can’t think of anything else …”"), or the answer to a question another party just asked.

Read one quote at a time, an untagged quote goes to whoever spoke last; in a court argument or an interview
that is the one who asked, not the one who answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.nlp.introduced import Spoken
from pipeline.nlp.subjects import speaker_phrase
from pipeline.nlp.titles import TITLES

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from pipeline.nlp.speakers import Resolver

_LABEL = re.compile(r"^\s*([A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,2})\s*:\s*$")
_LABEL_LINE = re.compile(r"((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+)(?:,[^:\n]{1,60})?:")
_CLOSING = "\u201d\u00bb\"' "
_STOP = re.compile(r"[.!?][\"”’]?\s+")
_INTERJECTION = 4  # words: "On the man," put in by the interviewer, not a turn of its own
_SIGNED = re.compile(r"[ \t]+[-–—][ \t]+([^\n“”\"]{3,80}?)[ \t.]*")  # the paragraph's end after the quote


def labelled_speaker(doc: Doc, text: str, para_start: int, qstart: int, resolver: Resolver) -> str | None:
    """"Prelogar: “…”": a paragraph that opens with a name and a colon, then the quote, is that person's; so
    is a quote a clause with a colon leads in ("Alito cut her off: “No, …”"), whose subject is a person."""
    lead = text[para_start:qstart]
    if not lead.strip():  # a line of its own before the quote: "Gov. Matt Mead:", "Sen. Phil Nicholas, budget bill:"
        line = _LABEL_LINE.fullmatch(text[:para_start].rstrip().rpartition("\n")[2].strip())
        known = resolver.people.find_in(line.group(1)) if line else None
        return known if known and resolver.people.is_person(known) else None
    label = _LABEL.match(lead)
    if label is not None:
        known = resolver.people.find_in(label.group(1))  # the model may read a bare surname as anything
        if known:
            return known
        span = doc.char_span(para_start + label.start(1), para_start + label.end(1), alignment_mode="expand")
        subject = span.root if span is not None and span.root.pos_ == "PROPN" else None
    elif lead.rstrip().endswith(":"):
        stops = list(_STOP.finditer(lead))
        start = para_start + (stops[-1].end() if stops else 0)
        span = doc.char_span(start, para_start + len(lead.rstrip()) - 1, alignment_mode="expand")
        subject = next((t for t in span if t.dep_ == "nsubj" and t.head.i == span.root.i and t.pos_ == "PROPN"),
                       None) if span is not None and len(span) else None
    else:
        return None
    if subject is None:
        return None
    canonical = resolver.resolve(speaker_phrase(subject), subject, qstart)
    return canonical if resolver.people.is_person(canonical) else None


def signed_after_dash(text: str, qend: int, para_end: int, resolver: Resolver) -> str | None:
    """"“I chose the best possible squad” - Springbok coach Allister Coetzee": a quote the paragraph (a
    headline) closes with a dash and its speaker's titles and name, a person the article names."""
    signed = _SIGNED.fullmatch(text[qend:para_end])
    words = signed.group(1).rstrip(".").split() if signed else []  # titles and a name, no clause ("a view held by …")
    if not words or not all(w[:1].isupper() or TITLES.fullmatch(w.lower() + " ") for w in words):
        return None
    known = resolver.people.find_in(" ".join(words))
    return known if known and words[-1] == known.split()[-1] else None


def answerer(quotes: Sequence[Spoken], paragraphs: Sequence[tuple[int, int]], text: str, qstart: int) -> str | None:
    """An untagged quote that opens its paragraph right after a paragraph ending in another's question, itself
    after a paragraph where a third voice spoke: the answer is that voice's ("“That can be true,” Prelogar
    said. / “But there is some risk,” Alito interjected. “Do you dispute that?” / “There can be …”"). A few words
    put in cut an answer short the same way, once the two have been taking turns: "… Brat began to reply. /
    “On the man,” Harlow said. / “I don’t think …”" (Harlow spoke the paragraph before Brat's, too)."""
    index = next((i for i, (a, b) in enumerate(paragraphs) if a <= qstart <= b), None)
    if index is None or text[paragraphs[index][0]: qstart].strip():
        return None
    previous = [i for i in range(index) if text[paragraphs[i][0]: paragraphs[i][1]].strip()][-3:]
    if len(previous) < 2 or not quotes:
        return None
    asked, answered = previous[-1], previous[-2]
    question = quotes[-1]
    if not paragraphs[asked][0] <= question.start < paragraphs[asked][1]:
        return None
    words = text[question.start: question.end].rstrip(_CLOSING)
    if not words.endswith("?") and not (
            len(words.split()) <= _INTERJECTION and len(previous) == 3
            and not text[paragraphs[asked][0]: question.start].strip(_CLOSING + "\u201c\u00ab")
            and any(q.speaker_canonical == question.speaker_canonical for q in quotes
                    if paragraphs[previous[0]][0] <= q.start < paragraphs[previous[0]][1])):
        return None  # neither a question nor a few words put in by one who has been taking turns
    if text[question.end: paragraphs[asked][1]].strip(" .,") and not _a_tag(text[question.end: paragraphs[asked][1]]):
        return None  # the question is not the paragraph's last words
    before = [q for q in quotes if paragraphs[answered][0] <= q.start < paragraphs[answered][1]]
    voice = before[-1].speaker_canonical if before else ""
    return voice if voice and voice != question.speaker_canonical else None


def _a_tag(rest: str) -> bool:
    """", he asked." after the question: still the paragraph's last words."""
    return len(rest.split()) <= 4
