"""CPU work of a poll pass, off the event loop: parsing feeds, matching topics, extracting page text.

The pass hands bytes to a pool of worker processes (threads when `NEWSWATCH_POLL__PARSE_WORKERS=0`)
and gets back plain dataclasses, so a slow parse never holds up a request and two cores parse at
once. Failures come back as values, not exceptions: a feed's FeedError stays that feed's.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.config import Feed, Topic, load_topics
from pipeline.errors import FeedError
from pipeline.ingest.articles import extract_or_error, page_date
from pipeline.ingest.feeds import FeedItem, parse_feed
from pipeline.settings import FeedLimits
from pipeline.topics.relevance import RelevanceModel, load_relevance
from pipeline.topics.rules import TopicMatch, match_topics

_TOPICS: list[Topic] = []
_MODELS: dict[str, RelevanceModel] = {}
_LIMITS = FeedLimits()


def _init(topics_path: str, limits: FeedLimits) -> None:
    global _TOPICS, _MODELS, _LIMITS
    _TOPICS, _LIMITS = load_topics(Path(topics_path)), limits
    models = {t.name: load_relevance(Path(topics_path).parent, t.name) for t in _TOPICS}
    _MODELS = {name: model for name, model in models.items() if model is not None}


@dataclass
class ParsedItems:
    """What one feed body gave: every item's key, the new items, and the new on-topic ones with evidence."""

    keys: list[str] = field(default_factory=list)
    title_keys: list[str] = field(default_factory=list)  # remembered as seen beside `keys`
    new: list[FeedItem] = field(default_factory=list)
    matched: list[tuple[FeedItem, list[TopicMatch]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ttl_minutes: int | None = None
    skip_hours: frozenset[int] = frozenset()
    error_kind: str | None = None
    error: str | None = None


def parse_and_match(feed: Feed, body: bytes, content_type: str, url: str | None, seen: frozenset[str],
                    now: datetime, held: tuple[FeedItem, ...] = ()) -> ParsedItems:
    """Parse a feed body and match the topic rules on the title and summary of each new item, and of each item
    held back by an earlier pass that the feed no longer lists (`held`: it is still news to write)."""
    try:
        parsed = parse_feed(feed, body, content_type, url, _LIMITS, now)
    except FeedError as exc:
        return ParsedItems(error_kind=exc.kind, error=exc.reason)
    except Exception as exc:  # a parser crash on hostile bytes is this feed's failure, never the pass's
        return ParsedItems(error_kind="crash", error=f"{type(exc).__name__}: {str(exc)[:300]}")
    out = ParsedItems(keys=[i.key for i in parsed.items], warnings=parsed.warnings, ttl_minutes=parsed.ttl_minutes,
                      skip_hours=parsed.skip_hours)
    out.title_keys = [i.title_key for i in parsed.items]
    listed = set(out.keys)
    titled = any(k[:1] == "t" for k in seen)  # a state saved before titles were kept knows its items by key alone
    for item in [*parsed.items, *(i for i in held if i.key not in listed)]:
        if (item.key in seen or item.former_key in seen) and (not titled or item.title_key in seen):
            continue
        out.new.append(item)
        matches = match_topics(f"{item.title}\n{item.summary}", _TOPICS, item.language, _MODELS)
        if matches:
            out.matched.append((item, matches))
    return out


@dataclass
class PageText:
    text: str | None
    matches: list[TopicMatch]
    error: str | None = None
    published: datetime | None = None  # the page's own date, looked for only when the feed item has none


def extract_and_match(page: bytes | None, url: str | None, title: str, fallback: str, language: str,
                      want_date: bool = False) -> PageText:
    """The article text of a page (or the feed summary when there is none), the topics it matches, and its
    date when `want_date`."""
    text, error = extract_or_error(page, url) if page is not None else (None, None)
    body = (text or fallback)[: _LIMITS.max_text]
    return PageText(text[: _LIMITS.max_text] if text else None,
                    match_topics(f"{title}\n{body}", _TOPICS, language), error,
                    page_date(page) if want_date and page is not None else None)


class JobTimeout(Exception):
    """A worker job ran past its deadline (a page that costs too much to extract, a hostile feed body)."""

    kind = "timeout"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"worker job took longer than {seconds:g} s")

    def reason(self, doing: str) -> str:
        return f"{doing} took longer than {self.seconds:g} s"


class WorkerDied(JobTimeout):
    """A job's worker process died under it twice, the second time in a fresh pool (the system ended it: out of
    memory, a crash in a C parser): the job's own failure, as a timeout is."""

    kind = "crash"

    def __init__(self) -> None:
        Exception.__init__(self, "the worker process died, twice")
        self.seconds = 0.0

    def reason(self, doing: str) -> str:
        return f"the worker process died while {doing}, twice (ended by the system: out of memory?)"


def pool_size(pool: Executor) -> int:
    """How many jobs the pool runs at once."""
    return int(getattr(pool, "_max_workers", 1))


def stop_workers(pool: Executor) -> None:
    """End a pool whose worker is stuck past its deadline: its processes are terminated, not waited for.

    Threads cannot be stopped (`parse_workers=0`): they are left to finish on their own.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())  # ProcessPoolExecutor keeps them by pid
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)
    pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def worker_pool(workers: int, topics_path: Path, limits: FeedLimits) -> Iterator[Executor]:
    """Processes that parse and extract; `workers=0` runs the same work in threads of this process."""
    _init(str(topics_path), limits)  # here first: a mistake in topics.yaml is one ConfigError naming file and key,
    # not every worker dying in its initializer and every feed of the pass reporting a broken pool
    if workers <= 0:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="parse") as threads:
            yield threads
        return
    try:
        if multiprocessing.current_process().daemon:
            raise ValueError("a daemonic process may not start workers")
        context = multiprocessing.get_context("fork")
        pool: Executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init,
                                             initargs=(str(topics_path), limits))
    except (OSError, ValueError, AssertionError):  # no fork, or a daemonic worker that may not have children
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="parse")
    with pool:
        yield pool
