"""One poll pass as a stream: due feeds → new items → topic filter → article text → Elasticsearch.

Every feed is fetched at once within the politeness limits; as each body arrives it is parsed and
matched in a worker process, the pages of its new on-topic items are fetched and their text
extracted, and each story is written in the next bulk chunk (about once a second), searchable
before the pass ends. Enrichment (entities, quotes) is a later stage (`pipeline.nlp.enrich`). A feed's
state (validators, seen items, next due time) is saved only after its stories are written, so a
crash or a rejected write never loses a story: the next pass sees the same items again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Feed, load_feeds
from pipeline.errors import ConfigError, FeedsFailed, StoreError, WriteRejected
from pipeline.ingest.articles import build_article, fetch_page, story_id, worth_waiting
from pipeline.ingest.clusters import assign_clusters, prepare
from pipeline.ingest.feed_work import FeedReport, FeedWork, finish, merged_state
from pipeline.ingest.feeds import FeedItem, FeedResult, fetch_feed_body
from pipeline.ingest.fetch import Fetcher, host_of
from pipeline.ingest.sources import feed_source, feeds_file
from pipeline.ingest.stories import build_story
from pipeline.ingest.worker_slots import Workers
from pipeline.ingest.workers import (
    JobTimeout,
    PageText,
    ParsedItems,
    extract_and_match,
    parse_and_match,
    worker_pool,
)
from pipeline.redact import redact
from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.store.client import refused_for_good
from pipeline.store.documents import FeedState, Story
from pipeline.timing import percentiles
from pipeline.topics.rules import TopicMatch

log = logging.getLogger(__name__)
FLUSH_SECONDS = 1.0  # a story waits at most about this long for its bulk write


@dataclass
class PollReport:
    feeds: list[FeedReport] = field(default_factory=list)
    indexed: int = 0
    rejected: dict[str, str] = field(default_factory=dict)  # story id → Elasticsearch's reason (retried next pass)
    set_aside: dict[str, str] = field(default_factory=dict)  # refused for good (a value the mapping cannot take)
    postponed: int = 0  # on-topic items left for the next pass (per-pass cap)
    searchable_delays: list[float] = field(default_factory=list)
    first_searchable: float | None = None  # seconds from the start of the pass
    seconds: float = 0.0
    peak_per_host: int = 0

    def counts(self) -> dict[str, Any]:
        """What crosses XCom: numbers and ids, never article text."""
        return {
            "feeds_polled": len(self.feeds),
            "feeds_failed": sum(f.outcome == "error" for f in self.feeds),
            "feeds_deferred": sum(f.outcome == "deferred" for f in self.feeds),
            "items_seen": sum(f.items for f in self.feeds),
            "stories_matched": sum(f.matched for f in self.feeds),
            "stories_indexed": self.indexed,
            "stories_rejected": len(self.rejected),
            "stories_set_aside": len(self.set_aside),
            "stories_postponed": self.postponed,
            "seconds": round(self.seconds, 2),
            "first_searchable_seconds": None if self.first_searchable is None else round(self.first_searchable, 2),
            "peak_requests_per_host": self.peak_per_host,
            **percentiles("searchable_delay", self.searchable_delays),
            "errors": {f.feed_id: redact(f.error) for f in self.feeds if f.error},  # a URL's credentials, masked
            # the refusal's kind only: Elasticsearch quotes the field's value ("Preview of field's value: …"), article
            # text, which XCom must never carry
            "rejected": {sid: why.split(":", 1)[0][:80] for sid, why in list(self.rejected.items())[:20]},
        }


def feeds_config(settings: Settings) -> list[Feed]:
    return load_feeds(settings.feeds_path)


def due_feeds(store: Store, settings: Settings, force: bool = False) -> list[str]:
    """Ids of feeds whose next poll time (learned per feed) has come."""
    feeds = load_feeds(feeds_file(settings))
    if force:
        return [f.id for f in feeds]
    states = store.feed_states([f.id for f in feeds])
    now = store.now()
    return [f.id for f in feeds if (s := states.get(f.id)) is None or s.next_due is None or s.next_due <= now]


def plan_shards(feeds: list[Feed], ids: list[str], size: int) -> list[list[str]]:
    """Shards of about `size` feeds; all feeds of a host in one shard, so the per-host limit holds across tasks."""
    by_id = {f.id: f for f in feeds}
    by_host: dict[str, list[str]] = defaultdict(list)
    for feed_id in ids:
        by_host[host_of(by_id[feed_id].url)].append(feed_id)
    shards: list[list[str]] = []
    for group in sorted(by_host.values(), key=len, reverse=True):
        target = next((s for s in shards if len(s) + len(group) <= size), None)
        if target is None:
            shards.append(list(group))
        else:
            target.extend(group)
    return shards


def poll_feeds(store: Store, settings: Settings, feed_ids: list[str], run_id: str = "manual",
               progress: Callable[[PollReport], None] | None = None, unknown_ids: str = "refuse") -> PollReport:
    """Poll the given feeds and index their new on-topic stories; one feed's failure stays its own.

    `unknown_ids="skip"` polls the others when some ids are no longer in the feeds file (a shard planned
    before a deploy that removed or renamed a feed: every retry of its 250 feeds failed the same way); a
    person naming a feed that does not exist gets the error.

    Raises WriteRejected after everything else is written when Elasticsearch refused some stories
    (they are tried again on the next pass).
    """
    with feed_source(settings) as source_settings:
        all_feeds = {f.id: f for f in feeds_config(source_settings)}
        unknown = [i for i in feed_ids if i not in all_feeds]
        if unknown and unknown_ids != "skip":
            raise ConfigError(str(source_settings.feeds_path), "feeds", f"unknown feed ids: {', '.join(unknown)}")
        if unknown:
            log.warning("feeds no longer in %s, not polled: %s", source_settings.feeds_path, ", ".join(unknown))
        the_pass = _Pass(store, source_settings, [all_feeds[i] for i in feed_ids if i in all_feeds], run_id, progress)
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            report = runner.run(the_pass.run())
    for fr in report.feeds:
        log.info("feed %s: %s, %d items, %d matched, %d new%s", fr.feed_id, fr.outcome, fr.items, fr.matched,
                 fr.new, f" ({fr.error})" if fr.error else "")
    return report


def _loop_factory() -> Any:
    """uvloop when it is installed (it comes with Airflow's uvicorn): a thousand requests cost less CPU."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def raise_for_feed_errors(report: PollReport, policy: str) -> None:
    """Fail the task when feeds failed, per policy: `all` of them (the network is down; a shard with one feed due
    counts as down only when that feed could not be reached at all: a 404 or a broken body is its own warning),
    `any`, `never`."""
    failed = [f for f in report.feeds if f.outcome == "error"]
    unreachable = len(failed) >= 2 or any((f.error or "").startswith(("network", "timeout")) for f in failed)
    if not failed or policy == "never" or policy == "all" and (len(failed) < len(report.feeds) or not unreachable):
        if failed:
            log.warning("%d of %d feeds failed: %s", len(failed), len(report.feeds),
                        "; ".join(f"{f.feed_id}: {f.error}" for f in failed[:10]))
        return
    raise FeedsFailed(len(failed), len(report.feeds), [f"{f.feed_id}: {f.error}" for f in failed[:5]])


def raise_for_rejected(report: PollReport) -> None:
    """A pass with stories Elasticsearch refused fails its task, after writing everything it could."""
    if report.rejected:
        raise WriteRejected("stories", report.rejected)


class _Pass:
    def __init__(self, store: Store, settings: Settings, feeds: list[Feed], run_id: str,
                 progress: Callable[[PollReport], None] | None = None) -> None:
        self.store, self.settings, self.feeds, self.run_id, self.progress = store, settings, feeds, run_id, progress
        self.report = PollReport()
        self.claimed: set[str] = set()  # story ids taken by a feed in this pass (the first feed wins a duplicate)
        self.budget = settings.limits.max_new_per_pass
        self.buffer: list[tuple[Story, FeedWork]] = []
        self.works: list[FeedWork] = []
        self.lock = asyncio.Lock()
        self.pages = asyncio.Semaphore(max(4, settings.fetch.concurrency // 2))  # pages held in memory at once
        self.started = time.monotonic()
        self.failure: BaseException | None = None  # a write that failed: the pass stops and reports it
        self.running: dict[str, FeedWork] = {}  # every feed started, done or not (for the pass deadline)
        self.preparing: asyncio.Task | None = None  # clustering's imports, started by the first new story

    async def run(self) -> PollReport:
        states, waits = await asyncio.gather(asyncio.to_thread(self.store.feed_states, [f.id for f in self.feeds]),
                                             asyncio.to_thread(self.store.host_waits))
        topics = self.settings.config_dir / "topics.yaml"
        with ExitStack() as pools:
            self.workers = Workers(lambda: pools.enter_context(worker_pool(self.settings.poll.parse_workers, topics,
                                                                           self.settings.limits)),
                                   self.settings.poll.job_timeout)
            try:
                async with Fetcher(self.settings.fetch, waits) as fetcher:
                    self.fetcher = fetcher
                    done = asyncio.Event()
                    flusher = asyncio.create_task(self._flush_every(FLUSH_SECONDS, done))
                    try:
                        async with asyncio.timeout(self.settings.poll.pass_deadline):
                            async with asyncio.TaskGroup() as group:
                                for feed in self.feeds:
                                    group.create_task(self._feed(feed, states.get(feed.id)))
                    except TimeoutError:
                        await self._past_deadline()
                    except ExceptionGroup as errors:  # a feed's Elasticsearch trouble ends the pass: as itself
                        first = next((e for e in errors.exceptions if isinstance(e, StoreError)), None)
                        if first is None:
                            raise
                        self.failure = self.failure or first
                    finally:
                        # never cancelled: a flush holds stories it has taken from the buffer until they are written
                        done.set()
                        await flusher
                        if self.preparing:
                            await self.preparing
                    if self.failure:
                        raise self.failure
                    await self._flush()
                    await asyncio.to_thread(self.store.save_host_waits, fetcher.waits)
                    self.report.peak_per_host = max(fetcher.gate.peak.values(), default=0)
            finally:
                self.workers.end()  # a stuck worker is ended, not joined, whatever ended the pass
        self.report.seconds = time.monotonic() - self.started
        return self.report

    async def _past_deadline(self) -> None:
        """The pass deadline ended the feeds still running: each is recorded as failed with the reason."""
        deadline = self.settings.poll.pass_deadline
        async with self.lock:
            for work in self.running.values():
                if work.done:
                    continue
                work.result.fail("deadline", f"the pass deadline ({deadline:g} s) ended before this feed was done")
                work.hold_unwritten()
                work.report.settle(work.result)
                work.done = True
                self.works.append(work)
        log.warning("the pass deadline (%g s) ended %d unfinished feeds", deadline,
                    sum(w.result.error_kind == "deadline" for w in self.running.values()))

    async def _in_pool(self, func: Any, *args: Any) -> Any:
        return await self.workers.run(func, *args)

    async def _feed(self, feed: Feed, previous: FeedState | None) -> None:
        """One feed, start to end; whatever goes wrong with this feed's URL or items stays this feed's error."""
        if self.failure:
            raise self.failure
        work = FeedWork(feed, previous, FeedResult(feed, "error"), FeedReport(feed.id, "error"))
        self.running[feed.id] = work
        self.report.feeds.append(work.report)
        try:
            await self._poll(work)
        except StoreError:
            raise  # Elasticsearch trouble is the pass's, never one feed's
        except JobTimeout as exc:  # or WorkerDied
            self._failed(work, exc.kind, exc.reason("parsing the feed"))
        except Exception as exc:
            log.exception("feed %s: unexpected failure", feed.id)
            self._failed(work, "crash", f"{type(exc).__name__}: {str(exc)[:300]}")  # not held: the item that crashed
            # it would be tried again every pass, for good, long after the feed stopped listing it
        work.report.settle(work.result)
        async with self.lock:
            work.done = True
            self.works.append(work)

    @staticmethod
    def _failed(work: FeedWork, kind: str, reason: str) -> None:
        log.warning("feed %s (%s): %s: %s", work.feed.id, work.feed.url, kind, reason)
        work.result.fail(kind, reason)

    async def _poll(self, work: FeedWork) -> None:
        feed, previous = work.feed, work.previous
        result, body = await fetch_feed_body(feed, previous, self.fetcher)
        work.result = result
        if body is not None:
            seen = frozenset(previous.seen) if previous else frozenset()
            parsed: ParsedItems = await self._in_pool(parse_and_match, feed, body, result.content_type, result.url,
                                                      seen, result.fetched_at, tuple(work.held_items()))
            if parsed.error_kind:
                log.warning("feed %s (%s): %s: %s", feed.id, feed.url, parsed.error_kind, parsed.error)
                result.fail(parsed.error_kind, parsed.error)
            else:
                result.items, result.items_seen = parsed.new, len(parsed.keys)
                result.warnings += parsed.warnings
                result.ttl_minutes, result.skip_hours = parsed.ttl_minutes, parsed.skip_hours
                work.keys = [*parsed.keys, *parsed.title_keys]
                await self._stories(work, parsed.matched)

    async def _stories(self, work: FeedWork, matched: list[tuple[FeedItem, list[TopicMatch]]]) -> None:
        work.report.matched = len(matched)
        candidates: dict[str, tuple[FeedItem, list[TopicMatch]]] = {}
        for item, matches in matched:
            sid = story_id(item.link)
            if sid not in self.claimed:
                self.claimed.add(sid)
                candidates[sid] = (item, matches)
        if not candidates:
            return
        if self.preparing is None:
            self.preparing = asyncio.create_task(asyncio.to_thread(prepare))
        known = await asyncio.to_thread(self.store.existing_ids, "stories", candidates)
        fresh = [(sid, item, m) for sid, (item, m) in candidates.items() if sid not in known]
        take = fresh[: max(0, self.budget)]
        self.budget -= len(take)
        for _, item, _ in fresh[len(take):]:
            work.hold(item)
        if len(take) < len(fresh):
            self.report.postponed += len(fresh) - len(take)
            work.result.warnings.append(f"capped: {len(fresh) - len(take)} new stories left for the next pass "
                                        f"(NEWSWATCH_LIMITS__MAX_NEW_PER_PASS={self.settings.limits.max_new_per_pass})")
        work.taken.update((sid, item) for sid, item, _ in take)
        jobs: list[Coroutine[Any, Any, None]] = [self._story(work, sid, item, m) for sid, item, m in take]
        await asyncio.gather(*jobs)

    async def _story(self, work: FeedWork, sid: str, item: FeedItem, title_matches: list[TopicMatch]) -> None:
        if self.failure:
            raise self.failure
        fetch_pages = work.feed.fetch_pages or self.settings.fetch_pages
        async with self.pages:
            page, url, error = (await fetch_page(item, self.fetcher)) if fetch_pages == "always" else (None, None, None)
            since = work.failing_since(item.key) or self.store.now()
            if worth_waiting(error, since, self.store.now(), item.published):  # not its summary for good: next pass
                work.held_back.add(item.key)
                work.waiting[item.key] = (since, item)
                work.result.warnings.append(f"page of {item.link[:200]} not fetched ({error}): asked again next pass")
                return
            try:
                text: PageText = await self._in_pool(extract_and_match, page, url, item.title, item.summary,
                                                     item.language, item.published is None)
            except JobTimeout as exc:  # the page is this story's problem: it keeps its feed summary
                reason = f"{exc.kind}: {exc.reason('extracting the page')}"
                work.result.warnings.append(f"page of {item.link[:200]} not extracted ({reason})")
                text = PageText(None, title_matches, reason)
        article = build_article(item, text.text, error or text.error, text.published)
        first_seen = work.result.fetched_at or self.store.now()
        story = build_story(article, text.matches or title_matches, first_seen, self.store.now(), self.run_id,
                            self.settings.source, self.settings.limits.max_hits)
        scores = [m.score for m in title_matches if m.score is not None]
        if scores:
            story = story.model_copy(update={"topic_score": max(scores)})
        async with self.lock:
            work.stories[sid] = item
            self.buffer.append((story, work))

    async def _flush_every(self, seconds: float, done: asyncio.Event) -> None:
        while not done.is_set():
            try:
                await asyncio.wait_for(done.wait(), seconds)
                return  # the pass's last flush follows
            except TimeoutError:
                pass
            try:
                await self._flush()
            except Exception as exc:  # Elasticsearch went away: stop fetching, the pass reports it
                self.failure = exc
                return
            if self.progress:
                self.progress(self.report)

    async def _flush(self) -> None:
        """Write the stories ready now, then the state of every feed whose stories are all written."""
        async with self.lock:
            batch, self.buffer = self.buffer, []
            finished = [w for w in self.works if w.done]
            self.works = [w for w in self.works if not w.done]
        if batch:
            alerts = self.settings.alerts
            stories = await asyncio.to_thread(assign_clusters, self.store, [s for s, _ in batch], alerts.similarity,
                                              alerts.cluster_days)
            at = self.store.now()
            for n, story in enumerate(stories):
                delay = (at - story.first_seen).total_seconds() if story.first_seen else None
                stories[n] = story.model_copy(update={"searchable_at": at, "searchable_delay": delay})
            written = await asyncio.to_thread(self.store.write_stories, stories, self.settings.poll.write_chunk, True)
            # a conflict is a story stored already: by an overlapping pass (another shard of this run too), or by
            # this very write, sent again by the client after a timeout: then the stored story is this one, stamped
            # searchable at this flush's instant, and counted
            stored = await asyncio.to_thread(self.store.get_many, "stories", written.conflicts) if written.conflicts else {}
            others = {sid for sid in written.conflicts if getattr(stored.get(sid), "searchable_at", None) != at}
            self.report.indexed += written.ok + len(written.conflicts) - len(others)
            for_good = {sid: why for sid, why in written.rejected.items() if refused_for_good(why)}
            self.report.rejected.update({sid: why for sid, why in written.rejected.items() if sid not in for_good})
            self.report.set_aside.update(for_good)  # a mapping no retry changes: not held back to fail every pass
            for sid, why in for_good.items():
                log.error("story %s set aside, refused by Elasticsearch for good: %s", sid, why.split(":", 1)[0])
            if self.report.first_searchable is None and written.ok:
                self.report.first_searchable = time.monotonic() - self.started
            for story, (_, work) in zip(stories, batch, strict=True):
                if story.story_id in written.rejected and story.story_id not in for_good:
                    work.hold(work.stories[story.story_id])
                elif story.story_id in others:  # stored by an overlapping pass meanwhile: not ours
                    continue
                elif story.story_id in for_good:
                    work.result.warnings.append(f"a story refused for good: {for_good[story.story_id].split(':', 1)[0]}")
                    work.report.warning = work.result.warning  # saved with the feed's state and poll record too
                else:
                    work.report.new += 1
                    if story.searchable_delay is not None:
                        self.report.searchable_delays.append(story.searchable_delay)
                        work.delays.append(story.searchable_delay)
        if finished:
            now = self.store.now()
            states, records = zip(*(finish(w, now, self.settings.poll, self.run_id) for w in finished), strict=True)
            bases = {w.feed.id: w.previous for w in finished}  # what each state was made from: another pass's
            await asyncio.to_thread(self.store.save_feed_states, list(states),  # saves since are merged in
                                    lambda new, stored: merged_state(new, bases[new.feed_id], stored))
            await asyncio.to_thread(self.store.record_polls, list(records))
