"""One poll pass: due feeds → new items → topic filter → article text → NLP → Elasticsearch.

The Airflow DAG and the local run both call these functions; they pass feed ids in and get
counts out, while Elasticsearch holds the stories and the per-feed state.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from pipeline.articles import Article, fetch_article, story_id
from pipeline.config import Feed, Topic, load_feeds, load_topics
from pipeline.feed_health import record_polls
from pipeline.feeds import FeedResult, FeedState, fetch_feeds
from pipeline.http import HostLimiter, make_client
from pipeline.index import (bulk_write, connect, ensure_indices, existing_ids, load_feed_states, now,
                            save_feed_states)
from pipeline.nlp import analyze
from pipeline.replay import feed_source, feeds_file
from pipeline.settings import Settings
from pipeline.stories import quote_documents, story_document
from pipeline.topics import match_topics

log = logging.getLogger(__name__)
_NAME = re.compile(r"[A-ZÀ-Þ][\w'’.-]+(?: [A-ZÀ-Þ][\w'’.-]+)+")


@dataclass
class FeedReport:
    feed_id: str
    outcome: str
    items: int = 0
    matched: int = 0
    new: int = 0
    error: str | None = None
    warning: str | None = None


@dataclass
class PollReport:
    feeds: list[FeedReport] = field(default_factory=list)
    indexed: int = 0
    quotes: int = 0

    def counts(self) -> dict:
        """What crosses XCom: numbers and ids, never article text."""
        return {
            "feeds_polled": len(self.feeds),
            "feeds_failed": sum(f.outcome == "error" for f in self.feeds),
            "items_seen": sum(f.items for f in self.feeds),
            "stories_matched": sum(f.matched for f in self.feeds),
            "stories_indexed": self.indexed,
            "quotes_indexed": self.quotes,
            "errors": {f.feed_id: f.error for f in self.feeds if f.error},
        }


def feeds_config(settings: Settings) -> list[Feed]:
    return load_feeds(settings.feeds_path)


def topics_config(settings: Settings) -> list[Topic]:
    return load_topics(settings.config_dir / "topics.yaml")


def due_feeds(settings: Settings, force: bool = False) -> list[str]:
    """Ids of feeds whose poll interval has passed since their last poll."""
    feeds = load_feeds(feeds_file(settings))
    if force:
        return [f.id for f in feeds]
    es = connect(settings.es_url)
    ensure_indices(es, settings.index_prefix)
    states = load_feed_states(es, settings.index_prefix, [f.id for f in feeds])
    current = now()
    due = []
    for feed in feeds:
        last = states.get(feed.id).last_polled if feed.id in states else None
        if last is None or current - last >= timedelta(minutes=feed.poll_interval_minutes) - timedelta(seconds=30):
            due.append(feed.id)
    return due


def _next_state(result: FeedResult, previous: FeedState | None) -> FeedState:
    state = previous or FeedState(result.feed.id)
    state.last_polled = now()
    if result.outcome == "error":
        state.consecutive_failures += 1
        state.last_error, state.last_error_kind = result.error, result.error_kind
        return state
    state.consecutive_failures = 0
    state.last_success = state.last_polled
    state.etag, state.last_modified, state.body_hash = result.etag, result.last_modified, result.body_hash
    state.items_seen += len(result.items)
    return state


def _articles(items, settings: Settings, feeds: dict[str, Feed]) -> list[Article]:
    limiter = HostLimiter(settings.fetch.per_host_concurrency)
    with make_client(settings.fetch) as client, ThreadPoolExecutor(max_workers=8) as pool:
        jobs = [pool.submit(fetch_article, item, client, settings.fetch, limiter,
                            feeds[item.feed_id].fetch_pages or settings.fetch_pages) for item in items]
        return [job.result() for job in jobs]


def poll_feeds(feed_ids: list[str], settings: Settings, run_id: str = "manual") -> PollReport:
    """Poll the given feeds and index their new on-topic stories; one feed's failure stays its own."""
    with feed_source(settings) as source_settings:
        return _poll(feed_ids, source_settings, run_id)


def _poll(feed_ids: list[str], settings: Settings, run_id: str) -> PollReport:
    all_feeds = {f.id: f for f in feeds_config(settings)}
    unknown = [i for i in feed_ids if i not in all_feeds]
    if unknown:
        raise ValueError(f"unknown feed ids: {', '.join(unknown)} (not in {settings.feeds_path})")
    feeds = [all_feeds[i] for i in feed_ids]
    topics = topics_config(settings)
    es = connect(settings.es_url)
    ensure_indices(es, settings.index_prefix)
    states = load_feed_states(es, settings.index_prefix, feed_ids)
    results = fetch_feeds(feeds, states, settings.fetch)
    report = PollReport()

    candidates: dict[str, tuple] = {}  # story id → (item, title matches); first feed wins a duplicate link
    per_feed: dict[str, FeedReport] = {}
    for result in results:
        fr = FeedReport(result.feed.id, result.outcome, len(result.items),
                        error=f"{result.error_kind}: {result.error}" if result.outcome == "error" else None,
                        warning=result.warning)
        per_feed[fr.feed_id] = fr
        report.feeds.append(fr)
        for item in result.items:
            matches = match_topics(f"{item.title}\n{item.summary}", topics, item.language)
            if matches:
                fr.matched += 1
                candidates.setdefault(story_id(item.link), (item, matches))
    known = existing_ids(es, settings.index_prefix, "stories", candidates)
    fresh = [(sid, item, m) for sid, (item, m) in candidates.items() if sid not in known]
    log.info("%d feeds, %d candidate stories, %d already indexed", len(feeds), len(candidates), len(known))

    articles = _articles([item for _, item, _ in fresh], settings, all_feeds)
    by_lang: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        by_lang.setdefault(article.language, []).append(i)
    analyses: dict[int, object] = {}
    for lang, indices in by_lang.items():
        for i, analysis in zip(indices, analyze((articles[i].text for i in indices), lang, settings.nlp_batch_size)):
            analyses[i] = analysis

    ingested = now()
    story_docs, quote_docs = [], []
    for i, ((sid, item, title_matches), article) in enumerate(zip(fresh, articles)):
        full = match_topics(f"{article.title}\n{article.text}", topics, article.language)
        matches = full or title_matches  # the evidence shown is the richest we have
        doc = story_document(article, matches, analyses[i], ingested, run_id)  # type: ignore[arg-type]
        story_docs.append((sid, doc))
        quote_docs += quote_documents(doc, analyses[i])  # type: ignore[arg-type]
        per_feed[item.feed_id].new += 1
    # quotes first: a story that is visible always has its quotes
    report.quotes = bulk_write(es, settings.index_prefix, "quotes", quote_docs)
    report.indexed = bulk_write(es, settings.index_prefix, "stories", story_docs)
    next_states = [_next_state(r, states.get(r.feed.id)) for r in results]
    save_feed_states(es, settings.index_prefix, next_states)
    record_polls(es, settings.index_prefix, results, {f.feed_id: f.new for f in report.feeds},
                 {s.feed_id: s.consecutive_failures for s in next_states})
    for fr in report.feeds:
        log.info("feed %s: %s, %d items, %d matched, %d new%s", fr.feed_id, fr.outcome, fr.items, fr.matched,
                 fr.new, f" ({fr.error})" if fr.error else "")
    return report


def top_quoted(settings: Settings, size: int = 5, run_id: str | None = None) -> list[tuple[str, int]]:
    es = connect(settings.es_url)
    query = {"term": {"run_id": run_id}} if run_id else {"match_all": {}}
    found = es.search(index=f"{settings.index_prefix}-quotes", query=query, size=0,
                      aggs={"people": {"terms": {"field": "speaker_canonical", "size": size * 4}}})
    names = [(b["key"], b["doc_count"]) for b in found["aggregations"]["people"]["buckets"] if _NAME.fullmatch(b["key"])]
    if not names:
        return []
    # "the agency" or "Canada Border Services Agency" speak too, but only people named as persons are listed
    persons = es.search(index=f"{settings.index_prefix}-stories", size=0, query={"terms": {"persons": [n for n, _ in names]}},
                        aggs={"p": {"terms": {"field": "persons", "include": [n for n, _ in names], "size": len(names)}}})
    known = {b["key"] for b in persons["aggregations"]["p"]["buckets"]}
    return [(name, count) for name, count in names if name in known][:size]
