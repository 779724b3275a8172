"""Enrichment: add entities and quotes to stories that are already searchable, in batches.

The poll pass indexes a story as soon as its text is extracted (`enriched: false`); this stage runs
spaCy over the stories waiting for it (`nlp.pipe`, optionally in several processes), writes their
quotes first and then marks each story enriched. A crash in between loses nothing: the next run
finds the same stories still waiting, and quote ids are deterministic, so nothing is written twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.errors import AnalysisFailed
from pipeline.ingest.stories import search_words
from pipeline.nlp.analysis import Analysis, with_headline, without_headline
from pipeline.nlp.analyze import analyze_stream, lemmas_by_table, load_model
from pipeline.nlp.gazetteer import gazetteer
from pipeline.nlp.names import canonical_names, index_forms, rename
from pipeline.nlp.people import persons, quoted, speaker_kind
from pipeline.nlp.where import quote_where, story_where
from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.store.client import refused_for_good
from pipeline.store.documents import QuoteDoc, Story, TopQuote
from pipeline.timing import percentiles

log = logging.getLogger(__name__)
FLUSH = 100  # stories per write
ENTITY_FIELDS = {"person": "persons", "organization": "organizations", "place": "places", "group": "groups",
                 "law": "laws"}


@dataclass
class EnrichReport:
    stories: int = 0
    quotes: int = 0
    rejected: dict[str, str] = field(default_factory=dict)
    set_aside: dict[str, str] = field(default_factory=dict)  # story id → why: refused for good, `enrich_error` set
    seconds: float = 0.0
    delays: list[float] = field(default_factory=list)  # seconds from first seen to enriched

    def counts(self) -> dict[str, Any]:
        return {"stories_enriched": self.stories, "quotes_indexed": self.quotes, "rejected": len(self.rejected),
                "seconds": round(self.seconds, 2), **percentiles("enriched_delay", self.delays)}



def waiting_ids(store: Store, limit: int | None = None) -> list[str]:
    """Stories indexed but not yet enriched, oldest first; those that cannot be read as a story too, so that a
    batch sets them aside and says so (left out here, they waited unseen for ever)."""
    out: list[str] = []
    left_out: dict[str, str] = {}
    for story in store.waiting_stories(left_out=left_out):
        out.append(story.story_id)
        if limit and len(out) + len(left_out) >= limit:
            break
    return out + list(left_out)


def enrich_stories(store: Store, settings: Settings, ids: list[str] | None = None,
                   progress: Callable[[EnrichReport], None] | None = None) -> EnrichReport:
    """Enrich the given stories (default: every story waiting), language by language, writing as it goes.

    `seconds` counts from after the spaCy models are loaded: loading is once per process, not per story.
    """
    report = EnrichReport()
    if ids is not None:  # a retry after a later chunk failed: what the first try set aside still fails the task,
        report.set_aside.update(store.set_aside_among(ids))  # not a green retry nobody is told of
    unreadable: dict[str, str] = {}
    stories = store.waiting_stories(ids=ids, left_out=unreadable)
    by_language: dict[str, list[Story]] = {}
    for story in stories:
        by_language.setdefault(story.language, []).append(story)
        if ids is None and sum(map(len, by_language.values())) >= 5000:
            break  # a bounded batch: the rest waits for the next run
    if unreadable:
        _set_aside_unreadable(store, unreadable, report)
    for language in by_language:
        load_model(language)
    if by_language:
        gazetteer()  # once per process, like the models
    started = time.monotonic()
    for language, batch in by_language.items():
        _enrich_language(store, settings, language, batch, report, progress)
    if report.stories:
        store.refresh("quotes", "stories")  # once at the end, not after every chunk
    report.seconds = time.monotonic() - started
    return report


def _set_aside_unreadable(store: Store, unreadable: dict[str, str], report: EnrichReport) -> None:
    """A story that is not one of the model (a field edited by hand in Kibana) is set aside with why, to be fixed
    and put back (`enrich_error` removed): skipped without a word, it never left the waiting list nor was
    reported."""
    aside = {sid: f"cannot be read as a story: {why}"[:1000] for sid, why in unreadable.items()}
    earlier = [qid for ids in _stored_quotes(store, list(aside)).values() for qid in ids]  # an earlier try's
    store.delete_many("quotes", earlier).require("quotes set aside")  # quotes, counted for a story never enriched
    store.update_docs("stories", [(sid, {"enrich_error": why}) for sid, why in aside.items()],
                      refresh=False).require("stories set aside")
    report.set_aside.update(aside)
    log.warning("enrichment: %d stories set aside (enrich_error): %s", len(aside), sorted(aside))


def _enrich_language(store: Store, settings: Settings, language: str, stories: list[Story], report: EnrichReport,
                     progress: Callable[[EnrichReport], None] | None) -> None:
    """Parse here, write behind: a chunk's writes run in one thread while the next chunk is parsed.

    One chunk is written at a time and in order, each as `_flush` writes it (quotes, then the stories marked),
    so a crash loses at most the chunks not yet written, and those stories simply wait for the next run.
    A failed write is raised here, at the next hand-over or at the end."""
    pending: list[tuple[Story, Analysis]] = []
    headed = {s.story_id: with_headline(s.title, s.text) for s in stories}  # the headline names place and toll too
    pairs: Iterator[tuple[str, Story]] = ((headed[s.story_id][0], s) for s in stories)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="enrich-write") as writer:
        writing: Future[None] | None = None

        def hand_over(chunk: list[tuple[Story, Analysis]]) -> Future[None]:
            if writing is not None:
                writing.result()  # the previous chunk is written (or its error raised) before the next starts
                if progress:
                    progress(report)
            future = writer.submit(_flush, store, chunk, report)
            future.add_done_callback(_log_failure)  # seen even when the parse fails first and it is never raised
            return future

        for story, analysis in analyze_stream(pairs, language, settings.nlp.batch_size, settings.nlp.processes,
                                                  keep_going=True):
            analysis = without_headline(analysis, headed[story.story_id][1])
            head = lemmas_by_table(f"{story.title}\n{story.summary}", analysis.lemma_of)
            # the words as written stay beside the lemmas: a body's verb "crossing" is lemmatized "cross", a
            # query "crossing" takes the noun's lemma, and a node without language analyzers has nothing else
            analysis.lemmas = f"{head}\n{analysis.lemmas}\n{search_words(story.title, story.summary, story.text)}"
            analysis.lemma_of = {}
            pending.append((story, analysis))
            if len(pending) >= FLUSH:
                writing, pending = hand_over(pending), []
        hand_over(pending).result()


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        log.warning("enrichment could not write a chunk (its stories wait for the next run): %s", error)


def _flush(store: Store, pending: list[tuple[Story, Analysis]], report: EnrichReport) -> None:
    """Names in the index's spelling, then quotes first: a story marked enriched always has its quotes."""
    if not pending:
        return
    forms = index_forms(store, (name for _, analysis in pending for name in canonical_names(analysis)))
    quotes: list[QuoteDoc] = []
    updates: list[tuple[str, dict[str, Any]]] = []
    at = store.now()
    failed = {story.story_id: analysis.error for story, analysis in pending if analysis.error}
    if _systemic(failed, pending):  # a missing data file, a bug most texts meet: setting them all aside would hide it
        raise AnalysisFailed(len(failed), len(pending), next(iter(failed.values())))
    for story, analysis in pending:
        if analysis.error:
            continue
        delay = (at - story.first_seen).total_seconds() if story.first_seen else None
        try:  # one story's odd analysis must not fail its chunk, run after run, with every story behind it
            rename(analysis, forms)
            built, fields = build_quotes(story, analysis), enrichment(analysis, story.text)
        except Exception as exc:  # noqa: BLE001 - set aside with its reason, as a failed parse is
            failed[story.story_id] = f"building its documents failed: {type(exc).__name__}: {exc}"[:1000]
            continue
        quotes += built
        updates.append((story.story_id, {**fields, "enriched": True, "enriched_at": at.isoformat(), "enriched_delay": delay}))
        if delay is not None:
            report.delays.append(delay)
    if _systemic(failed, pending):  # the same systemic failure, met while building the documents
        raise AnalysisFailed(len(failed), len(pending), next(iter(failed.values())))
    earlier = _stored_quotes(store, [story.story_id for story, _ in pending])  # what tries before this one left
    written = store.write("quotes", ((q.quote_id, q) for q in quotes), refresh=False)
    report.quotes += written.ok
    quotes_refused = {q.story_id: written.rejected[q.quote_id] for q in quotes if q.quote_id in written.rejected}
    report.rejected.update(written.rejected)
    ready = [(sid, doc) for sid, doc in updates if sid not in quotes_refused]
    new = {q.quote_id for q in quotes}
    if stale := [qid for sid, _ in ready for qid in earlier.get(sid, ()) if qid not in new]:  # before the story is
        store.delete_many("quotes", stale).require("quotes no longer found")  # marked: never read again to clean up
    result = store.update_docs("stories", ready, refresh=False)
    report.stories += result.ok
    report.rejected.update(result.rejected)
    refused = quotes_refused | result.rejected  # story id → why: its quotes or its own update were refused
    set_aside = [(sid, {"enrich_error": reason[:1000]}) for sid, reason in refused.items() if refused_for_good(reason)]
    set_aside += [(sid, {"enrich_error": reason}) for sid, reason in failed.items()]  # the same text fails again
    if set_aside:  # one story the mapping refuses must not stall every run behind it; the run still fails once
        # its quotes, this try's and an earlier one's, would be searchable and counted for a story never enriched:
        # gone before the story is marked, since a story set aside is never read again to clean up
        aside = {sid for sid, _ in set_aside}
        dropped = [q.quote_id for q in quotes if q.story_id in aside and q.quote_id not in written.rejected]
        store.delete_many("quotes", list(dict.fromkeys(dropped + [qid for sid in aside for qid in earlier.get(sid, ())]))
                          ).require("quotes set aside")
        report.quotes -= len(dropped)
        store.update_docs("stories", set_aside, refresh=False).require("stories set aside")
        report.set_aside.update({sid: doc["enrich_error"] for sid, doc in set_aside})
        for quote in quotes:  # said once, as set aside: not also "tried again next pass" under its quotes' ids
            if quote.story_id in aside:
                report.rejected.pop(quote.quote_id, None)
        log.warning("enrichment: %d stories set aside (enrich_error): %s", len(set_aside), sorted(dict(set_aside)))
    pending.clear()


def _stored_quotes(store: Store, story_ids: list[str]) -> dict[str, list[str]]:
    """The quote ids earlier tries stored for these stories, by story: one paged search for a chunk. Quote ids are
    the story's id and a number, only ever overwritten: a try that found five quotes, whose story's own update was
    refused, left -003 and -004 searchable beside the three the next try found, counted for the story for good."""
    stored: dict[str, list[str]] = {}
    for quote in store.scan("quotes", {"terms": {"story_id": story_ids}}, [{"quote_id": "asc"}],
                            source=["quote_id", "story_id"]):
        if quote.get("quote_id") and quote.get("story_id"):
            stored.setdefault(str(quote["story_id"]), []).append(str(quote["quote_id"]))
    return stored


def _systemic(failed: dict[str, str], pending: list[tuple[Story, Analysis]]) -> bool:
    """Whether more than a tenth of a chunk's texts failed (three at least), copies of one text counted once:
    three wire copies of one odd article in a chunk of 25 French stories stopped the whole batch, run after run."""
    if len(failed) <= 2:  # the common case: no text hashed
        return False

    def text(story: Story) -> str:
        return hashlib.sha1(f"{story.title}\n{story.text}".encode("utf-8", "replace")).hexdigest()
    distinct = {text(story) for story, _ in pending}
    failing = {text(story) for story, _ in pending if story.story_id in failed}
    return len(failing) > max(2, len(distinct) // 10)


def top_quote(analysis: Analysis) -> TopQuote | None:
    """The quote a reader should see first: a direct quote by a named person, longest first."""
    quotes = sorted(analysis.quotes, key=lambda q: (q.kind != "direct", not q.speaker, not q.speaker_canonical,
                                                    -len(q.quote)))
    if not quotes:
        return None
    q = quotes[0]
    return TopQuote(quote=q.quote, speaker=q.speaker, speaker_canonical=q.speaker_canonical, verb=q.verb, kind=q.kind)

def enrichment(analysis: Analysis, text: str = "") -> dict[str, Any]:
    """The fields enrichment adds to a story: entities by kind, quotes, who is quoted, the top quote."""
    by_type: dict[str, Counter[str]] = {f: Counter() for f in ENTITY_FIELDS.values()}
    for entity in analysis.entities:
        by_type[ENTITY_FIELDS[entity.label]][entity.canonical] += 1
    top = top_quote(analysis)
    people = persons(analysis, text)  # people only: no road, document or agency among them (pipeline.nlp.people)
    return {
        "entities": [asdict(e) for e in analysis.entities],
        "quotes": [asdict(q) for q in analysis.quotes],
        "quoted": quoted(analysis, people),
        "quote_count": len(analysis.quotes),
        "top_quote": top.model_dump() if top else None,
        "search_terms": analysis.lemmas,
        **{name: [value for value, _ in counts.most_common()] for name, counts in by_type.items()},
        "persons": people,
        "places": named_places(analysis, [value for value, _ in by_type["places"].most_common()]),
        **story_where(analysis),  # places resolved to GeoNames, focus, figures
    }


def named_places(analysis: Analysis, tagged: list[str]) -> list[str]:
    """The places analysts facet on: those resolved to GeoNames, by their GeoNames name, then the model's other
    place names that the gazetteer knows or that have two words or more ("chemin Ridge"); never a one-word tag
    nothing places ("Influx" opening a headline, the surname "Biobaku")."""
    names = list(dict.fromkeys(p["name"] for p in analysis.places))
    return names + [n for n in tagged if n not in names and (" " in n or "-" in n or gazetteer().candidates(n))]


def build_quotes(story: Story, analysis: Analysis) -> list[QuoteDoc]:
    """One document per quote, with its story's outlet, date and topics."""
    return [QuoteDoc(quote_id=f"{story.story_id}-{number:03d}", story_id=story.story_id, **asdict(quote),
                     speaker_type=speaker_kind(quote.speaker_canonical, analysis),
                     outlet=story.outlet, feed_id=story.feed_id, language=story.language, published=story.published,
                     ingested=story.ingested, topics=story.topics, title=story.title, url=story.url,
                     run_id=story.run_id, **quote_where(analysis, quote))
            for number, quote in enumerate(analysis.quotes)]

