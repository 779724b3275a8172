"""One poll pass: due feeds → new items → topic filter → article text → NLP → Elasticsearch.

The Airflow DAG and the local run both call these functions; they pass feed ids in and get
counts out, while Elasticsearch holds the stories and the per-feed state.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pipeline.articles import Article, fetch_article, story_id
from pipeline.config import Feed, Topic, load_feeds, load_topics
from pipeline.documents import FeedState
from pipeline.errors import ConfigError
from pipeline.feed_health import poll_records
from pipeline.feeds import FeedItem, FeedResult, fetch_feeds
from pipeline.http import HostLimiter, make_client
from pipeline.nlp import Analysis, analyze
from pipeline.settings import Settings
from pipeline.sources import feed_source, feeds_file
from pipeline.store import Store
from pipeline.stories import build_quotes, build_story
from pipeline.topics import TopicMatch, match_topics

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

    def counts(self) -> dict[str, object]:
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


def due_feeds(store: Store, settings: Settings, force: bool = False) -> list[str]:
    """Ids of feeds whose poll interval has passed since their last poll."""
    feeds = load_feeds(feeds_file(settings))
    if force:
        return [f.id for f in feeds]
    states = store.feed_states([f.id for f in feeds])
    current = store.now()
    due = []
    for feed in feeds:
        state = states.get(feed.id)
        last = state.last_polled if state else None
        if last is None or current - last >= timedelta(minutes=feed.poll_interval_minutes) - timedelta(seconds=30):
            due.append(feed.id)
    return due


def _next_state(result: FeedResult, previous: FeedState | None, at: datetime) -> FeedState:
    state = previous.model_copy() if previous else FeedState(feed_id=result.feed.id)
    state.last_polled = at
    if result.outcome == "error":
        state.consecutive_failures += 1
        state.last_error, state.last_error_kind = result.error, result.error_kind
        return state
    state.consecutive_failures = 0
    state.last_success = state.last_polled
    state.etag, state.last_modified, state.body_hash = result.etag, result.last_modified, result.body_hash
    state.items_seen += len(result.items)
    return state


def _articles(items: list[FeedItem], settings: Settings, feeds: dict[str, Feed]) -> list[Article]:
    limiter = HostLimiter(settings.fetch.per_host_concurrency)
    with make_client(settings.fetch) as client, ThreadPoolExecutor(max_workers=settings.poll.page_workers) as pool:
        jobs = [pool.submit(fetch_article, item, client, settings.fetch, limiter,
                            feeds[item.feed_id].fetch_pages or settings.fetch_pages) for item in items]
        return [job.result() for job in jobs]


def poll_feeds(store: Store, settings: Settings, feed_ids: list[str], run_id: str = "manual") -> PollReport:
    """Poll the given feeds and index their new on-topic stories; one feed's failure stays its own."""
    with feed_source(settings) as source_settings:
        return _poll(store, source_settings, feed_ids, run_id)


def _poll(store: Store, settings: Settings, feed_ids: list[str], run_id: str) -> PollReport:
    all_feeds = {f.id: f for f in feeds_config(settings)}
    unknown = [i for i in feed_ids if i not in all_feeds]
    if unknown:
        raise ConfigError(str(settings.feeds_path), "feeds", f"unknown feed ids: {', '.join(unknown)}")
    feeds = [all_feeds[i] for i in feed_ids]
    topics = topics_config(settings)
    states = store.feed_states(feed_ids)
    results = fetch_feeds(feeds, states, settings.fetch, settings.poll.page_workers)
    report = PollReport()

    candidates: dict[str, tuple[FeedItem, list[TopicMatch]]] = {}  # story id → (item, matches); first feed wins
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
    known = store.existing_ids("stories", candidates)
    fresh = [(sid, item, m) for sid, (item, m) in candidates.items() if sid not in known]
    log.info("%d feeds, %d candidate stories, %d already indexed", len(feeds), len(candidates), len(known))

    articles = _articles([item for _, item, _ in fresh], settings, all_feeds)
    by_lang: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        by_lang.setdefault(article.language, []).append(i)
    analyses: dict[int, Analysis] = {}
    for lang, indices in by_lang.items():
        texts = (articles[i].text for i in indices)
        for i, analysis in zip(indices, analyze(texts, lang, settings.nlp.batch_size), strict=True):
            analyses[i] = analysis

    ingested = store.now()
    stories, quotes = [], []
    for i, ((_, item, title_matches), article) in enumerate(zip(fresh, articles, strict=True)):
        full = match_topics(f"{article.title}\n{article.text}", topics, article.language)
        matches = full or title_matches  # the evidence shown is the richest we have
        story = build_story(article, matches, analyses[i], ingested, run_id)
        stories.append(story)
        quotes += build_quotes(story, analyses[i])
        per_feed[item.feed_id].new += 1
    # quotes first: a story that is visible always has its quotes
    report.quotes = store.write_quotes(quotes, chunk=settings.poll.write_chunk).ok
    report.indexed = store.write_stories(stories, chunk=settings.poll.write_chunk).ok
    next_states = [_next_state(r, states.get(r.feed.id), ingested) for r in results]
    store.save_feed_states(next_states)
    store.record_polls(poll_records(results, {f.feed_id: f.new for f in report.feeds},
                                    {s.feed_id: s.consecutive_failures for s in next_states}, ingested))
    for fr in report.feeds:
        log.info("feed %s: %s, %d items, %d matched, %d new%s", fr.feed_id, fr.outcome, fr.items, fr.matched,
                 fr.new, f" ({fr.error})" if fr.error else "")
    return report


def top_quoted(store: Store, size: int = 5, run_id: str | None = None) -> list[tuple[str, int]]:
    """The people quoted most: canonical speakers that look like names and that stories list as persons.

    "the agency" or "Canada Border Services Agency" speak too, but only people are listed.
    """
    names = [(n, c) for n, c in store.top_speakers(size * 4, run_id) if _NAME.fullmatch(n)]
    persons = store.named_persons([n for n, _ in names])
    return [(name, count) for name, count in names if name in persons][:size]
