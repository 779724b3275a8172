"""One feed's pass, from its fetch until its state can be saved: its line of the report, what it holds, and
the feed state and poll record it leaves (`finish`)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from pipeline.config import Feed
from pipeline.ingest.feeds import FeedItem, FeedResult
from pipeline.ingest.schedule import plan_next
from pipeline.settings import PollSettings
from pipeline.store.documents import FeedOutcome, FeedState, PollRecord
from pipeline.timing import percentiles

log = logging.getLogger(__name__)

SEEN_KEPT = 4000  # keys remembered per feed: two an item (its key, and its key with the title)


@dataclass
class FeedReport:
    """One feed's line of the pass report: its outcome, counts and error, for logs, XCom and the CLI."""

    feed_id: str
    outcome: FeedOutcome
    items: int = 0
    matched: int = 0
    new: int = 0
    error: str | None = None
    warning: str | None = None
    next_due: str | None = None

    def settle(self, result: FeedResult) -> None:
        """Take the outcome, item count, error and warning of the feed's poll."""
        self.outcome, self.items, self.warning = result.outcome, result.items_seen, result.warning
        self.error = f"{result.error_kind}: {result.error}" if result.outcome in ("error", "deferred") else None


@dataclass
class FeedWork:
    """One feed's pass, until its state can be saved."""

    feed: Feed
    previous: FeedState | None
    result: FeedResult
    report: FeedReport
    keys: list[str] = field(default_factory=list)  # every item key the feed listed
    held_back: set[str] = field(default_factory=set)  # item keys not to remember as seen (postponed, rejected)
    stories: dict[str, FeedItem] = field(default_factory=dict)  # story id → its item, written for this feed
    taken: dict[str, FeedItem] = field(default_factory=dict)  # story id → its item, set out to be written
    delays: list[float] = field(default_factory=list)  # seconds from first seen to searchable
    # key → (since when its page fails, None if it never failed; the item)
    waiting: dict[str, tuple[datetime | None, FeedItem]] = field(default_factory=dict)
    done: bool = False

    def failing_since(self, key: str) -> datetime | None:
        """When a held-back item's page first failed, as the feed's state remembers it (None: it never failed)."""
        entry = _entries(self.previous).get(key)
        when = entry.split("\t")[1] if entry and "\t" in entry else ""
        return datetime.fromisoformat(when) if when else None

    def was_waiting(self, key: str) -> bool:
        """Held back by an earlier pass, for whatever reason: no new item of the feed's again."""
        return key in _entries(self.previous)

    def hold(self, item: FeedItem) -> None:
        """Keep `item` for the next pass (over the new-story budget, or its write refused for now): not seen, and
        kept in the state whole, so that it is written even if the feed stops listing it before then. Its page
        did not fail: a page failing later gets its hours of retries from then."""
        self.held_back.add(item.key)
        self.waiting.setdefault(item.key, (self.failing_since(item.key), item))

    def hold_unwritten(self) -> None:
        """The pass deadline ended the feed: the items it set out to write and did not are kept for the next pass.
        Its state stays as before otherwise (none of this pass's items seen), but a busy feed may no longer list
        them by then, and another feed of the pass that listed the same story left it to this one. (Not after a
        crash: the item that crashed it would be held, and crash it, every pass for good.)"""
        for sid, item in self.taken.items():
            if sid not in self.stories and item.key not in self.waiting:
                self.hold(item)

    def held_items(self) -> list[FeedItem]:
        """The items held back by earlier passes, as the feed listed them: one the feed no longer lists (a busy
        feed moves on within the hours its page may fail) is still written, from these."""
        items = []
        for entry in _entries(self.previous).values():
            parts = entry.split("\t", 2)
            if len(parts) < 3:  # entries written before the item was kept with its key have none
                continue
            try:
                fields = json.loads(parts[2])
                published = fields.pop("published")
                items.append(FeedItem(**fields, published=datetime.fromisoformat(published) if published else None))
            except (ValueError, TypeError, KeyError, AttributeError):  # an entry this version cannot read: that
                log.warning("feed %s: a waiting item's entry is unreadable and is dropped", self.feed.id)  # item only
        return items


def waiting_entry(key: str, since: datetime | None, item: FeedItem) -> str:
    """A held-back item in the feed's state: "key<TAB>first failure of its page, if any<TAB>the item as JSON"."""
    fields = asdict(item) | {"published": item.published.isoformat() if item.published else None}
    return f"{key}\t{since.isoformat() if since else ''}\t{json.dumps(fields, ensure_ascii=False)}"


def _entries(state: FeedState | None) -> dict[str, str]:
    return {entry.split("\t", 1)[0]: entry for entry in state.waiting} if state else {}


def merged_state(new: FeedState, base: FeedState | None, stored: FeedState | None) -> FeedState:
    """`new`, a pass's state made from `base` (what it read when it began), with what another pass saved since
    (`stored` differing from `base`): the items that pass holds back as waiting and the keys it saw. Without it,
    two overlapping polls of one feed (a `newswatch poll --force` beside the DAG's) kept only the last one's
    state, and an item the other held back, which the feed then stopped listing, was lost."""
    if stored is None or base is not None and stored.model_dump() == base.model_dump():
        return new
    old_waiting, old_seen = _entries(base), set(base.seen) if base else set()
    waiting = _entries(new)
    theirs = {key: entry for key, entry in _entries(stored).items() if key not in old_waiting and key not in waiting}
    seen = [*new.seen, *(k for k in stored.seen if k not in old_seen and k not in set(new.seen))][:SEEN_KEPT]
    update: dict[str, object] = {"waiting": [*waiting.values(), *theirs.values()], "seen": seen}
    if theirs:  # their items wait for a body read again: this pass's validators would make it "not modified"
        update |= {"etag": None, "last_modified": None, "body_hash": None}
    return new.model_copy(update=update)


def finish(work: FeedWork, now: datetime, settings: PollSettings, run_id: str) -> tuple[FeedState, PollRecord]:
    """A finished feed's new state and its poll record."""
    result, previous = work.result, work.previous
    # a shallow copy: `seen` is the only mutable field and it is replaced, never changed in place
    state = previous.model_copy() if previous else FeedState(feed_id=work.feed.id)
    # an item waiting for its page since an earlier pass is no new item again: counted, it would shorten the
    # feed's interval, and the failing host would be asked more often, not less
    fresh = [i for i in result.items if not work.was_waiting(i.key)]
    plan = plan_next(previous, result, fresh, work.feed.poll_interval_minutes, settings, now)
    state.last_polled = now
    state.next_due, state.interval_minutes, state.rate_per_hour = plan.next_due, plan.interval_minutes, \
        plan.rate_per_hour
    state.schedule_reason = plan.why
    state.last_warning = result.warning
    if result.outcome == "error":
        state.consecutive_failures += 1
        state.last_error, state.last_error_kind = result.error, result.error_kind
        if work.waiting:  # the deadline ended it part-way (`hold_unwritten`): what it held waits
            before = [entry for key, entry in _entries(previous).items() if key not in work.waiting]
            state.waiting = [*before, *(waiting_entry(key, since, item) for key, (since, item) in work.waiting.items())]
    elif result.outcome != "deferred":
        state.consecutive_failures = 0
        state.last_success = now
        state.items_seen += len(fresh)
        if not work.held_back:  # else the next pass must read the same body again
            state.etag, state.last_modified, state.body_hash = result.etag, result.last_modified, result.body_hash
        if result.outcome == "ok":  # a feed not read again (unchanged, not modified) leaves its waiting items be
            # an item held back for another reason this pass (the new-story budget) keeps its entry as it was
            kept = {key: entry for key, entry in _entries(previous).items() if key in work.held_back and key not in work.waiting}
            state.waiting = [*kept.values(), *(waiting_entry(key, since, item) for key, (since, item) in work.waiting.items())]
        if work.keys:
            listed = [k for k in work.keys if k not in work.held_back]
            state.seen = list(dict.fromkeys([*listed, *(k for k in state.seen if k not in work.held_back)]))[
                :SEEN_KEPT]
    work.report.next_due = plan.next_due.isoformat(timespec="seconds")
    stats = percentiles("d", work.delays)
    record = PollRecord(feed_id=work.feed.id, time=now, outcome=result.outcome, http_status=result.http_status,
                        latency=round(result.latency, 3), bytes=result.bytes, items_seen=result.items_seen,
                        new_items=len(fresh), new_stories=work.report.new, error_class=result.error_kind,
                        error_message=result.error, consecutive_failures=state.consecutive_failures,
                        warning=result.warning, next_due=plan.next_due, run_id=run_id,
                        searchable_p50=stats.get("d_p50"),
                        searchable_p95=stats.get("d_p95"))
    return state, record
