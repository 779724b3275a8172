"""The pass as a stream, against the real node: deadlines, text first and enrichment after, adaptive polling."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.errors import StoreUnavailable
from pipeline.ingest.feeds import FeedItem, FeedResult
from pipeline.ingest.poll import poll_feeds
from pipeline.ingest.schedule import plan_next
from pipeline.nlp.enrich import enrich_stories, waiting_ids
from pipeline.ops.search import search_stories
from pipeline.settings import FetchSettings, PollSettings
from pipeline.store import Store
from pipeline.store.documents import FeedState
from tests.hostile_server import HostileServer
from tests.support import write_feeds


@pytest.fixture(scope="module")
def good_host():
    return HostileServer().start()


@pytest.fixture(scope="module")
def slow_host():
    return HostileServer().start()


@pytest.mark.slow
def test_a_trickling_feed_times_out_while_the_others_are_indexed(store, settings, good_host, slow_host, tmp_path):
    feeds_file = write_feeds(tmp_path, {"trickle": f"{slow_host.url}/feed/trickle", "good": f"{good_host.url}/feed/good",
                                        "good-two": f"{good_host.url}/feed/good-two"})
    settings = settings.replace(feeds_file=feeds_file, fetch=FetchSettings(total_timeout=4, read_timeout=2,
                                                                           retries=0, allow=("127.0.0.1",)))
    started = time.monotonic()
    report = poll_feeds(store, settings, ["trickle", "good", "good-two"], run_id="trickle")
    wall = time.monotonic() - started
    by_id = {f.feed_id: f for f in report.feeds}
    assert by_id["trickle"].outcome == "error" and by_id["trickle"].error.startswith("timeout")
    assert "total deadline" in by_id["trickle"].error
    assert wall < 4 + 3, wall  # the whole pass ends soon after the deadline, though each byte came in time
    assert by_id["good"].new == 3 and by_id["good-two"].new == 2 and report.indexed == 5


@pytest.mark.slow
def test_stories_are_searchable_before_enrichment_and_a_crash_in_between_loses_nothing(store, settings, good_host,
                                                                                         tmp_path, monkeypatch):
    feeds_file = write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good", "two": f"{good_host.url}/feed/good-two"})
    settings = settings.replace(feeds_file=feeds_file, fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
    report = poll_feeds(store, settings, ["good", "two"], run_id="text-first")
    assert report.first_searchable is not None and report.first_searchable < report.seconds + 0.01
    found = search_stories(store, '"Roxham Road"', collapse=False)  # the five pages are one text: one cluster
    assert len(found) == 5 and len({p.doc.cluster_id for p in found}) == 1
    assert not any(p.doc.enriched for p in found)  # searchable, with its topics, not yet enriched
    assert all(p.doc.topics == ["asylum-border"] and p.doc.searchable_delay is not None for p in found)
    assert len(waiting_ids(store)) == 5

    # enrichment crashes after writing the quotes of its first flush, before marking the stories
    real_update = Store.update_docs

    def crash(self, kind, updates, **kwargs):
        raise StoreUnavailable("bulk write", "the node went away")

    monkeypatch.setattr(Store, "update_docs", crash)
    with pytest.raises(StoreUnavailable):
        enrich_stories(store, settings)
    monkeypatch.setattr(Store, "update_docs", real_update)
    assert len(waiting_ids(store)) == 5  # nothing was marked enriched

    rerun = enrich_stories(store, settings)
    assert rerun.stories == 5 and not waiting_ids(store)
    stories = list(store.scan("stories", {"match_all": {}}, [{"story_id": "asc"}]))
    assert all(s.enriched and s.enriched_at and s.enriched_delay is not None for s in stories)
    store.refresh("quotes")
    assert store.count("quotes") == sum(s.quote_count for s in stories)  # every quote once, none duplicated
    assert enrich_stories(store, settings).stories == 0  # and a third run finds nothing to do


@pytest.mark.slow
def test_writes_run_behind_the_parse_in_order_and_a_failed_chunk_leaves_only_its_own_and_later_stories_waiting(
        store, settings, good_host, tmp_path, monkeypatch):
    import pipeline.nlp.enrich as enrich

    feeds_file = write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good", "two": f"{good_host.url}/feed/good-two"})
    settings = settings.replace(feeds_file=feeds_file, fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
    assert poll_feeds(store, settings, ["good", "two"], run_id="behind").indexed == 5
    monkeypatch.setattr(enrich, "FLUSH", 2)  # chunks of 2, 2 and 1
    real_update, calls = Store.update_docs, []

    def second_fails(self, kind, updates, **kwargs):
        calls.append([sid for sid, _ in updates])
        if len(calls) == 2:
            raise StoreUnavailable("bulk write", "the node went away")
        return real_update(self, kind, updates, **kwargs)

    monkeypatch.setattr(Store, "update_docs", second_fails)
    seen = []
    with pytest.raises(StoreUnavailable):
        enrich_stories(store, settings, progress=lambda report: seen.append(report.stories))
    assert len(calls) == 2 and seen == [2]  # the third chunk is never written after the second failed
    store.refresh("stories")
    assert len(waiting_ids(store)) == 3  # the first chunk is enriched; its own and later stories wait
    monkeypatch.setattr(Store, "update_docs", real_update)
    assert enrich_stories(store, settings).stories == 3 and not waiting_ids(store)


def test_the_pass_ending_during_a_flush_loses_none_of_its_stories(store, settings, good_host, tmp_path, monkeypatch):
    """The periodic flush takes stories from the buffer before it writes them: the end of the pass must
    wait for it, never cancel it (stories and feed states went missing, the pass reporting fewer)."""
    import pipeline.ingest.poll as poll

    real_clusters = poll.assign_clusters

    def slow_clusters(*args, **kwargs):  # clustering that takes a while, as on a cold start or a busy node
        time.sleep(0.5)
        return real_clusters(*args, **kwargs)

    monkeypatch.setattr(poll, "FLUSH_SECONDS", 0.01)
    monkeypatch.setattr(poll, "assign_clusters", slow_clusters)
    feeds_file = write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good", "two": f"{good_host.url}/feed/good-two"})
    settings = settings.replace(feeds_file=feeds_file, fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
    report = poll_feeds(store, settings, ["good", "two"], run_id="flush-at-the-end")
    assert report.indexed == 5 and {f.feed_id: f.new for f in report.feeds} == {"good": 3, "two": 2}
    assert store.client.count(index=store.index("stories"))["count"] == 5
    assert set(store.feed_states(["good", "two"])) == {"good", "two"}  # both feeds' states were saved


def test_stories_over_the_budget_are_written_after_the_feed_stops_listing_them(store, settings, good_host, tmp_path):
    """Held back by the new-story budget (or a write refused for now), an item was neither seen nor kept: a
    busy feed that dropped it before the next pass lost it for good."""
    from pipeline.settings import FeedLimits

    feeds_file = write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good"})
    capped = settings.replace(feeds_file=feeds_file, fetch=FetchSettings(retries=0, allow=("127.0.0.1",)),
                              limits=FeedLimits(max_new_per_pass=1))
    first = poll_feeds(store, capped, ["good"], run_id="capped")
    assert first.indexed == 1 and first.postponed == 2
    waiting = store.feed_states(["good"])["good"].waiting
    assert len(waiting) == 2  # each kept whole, with its item
    assert all(e.split("\t")[1] == "" for e in waiting)  # no page failed: a later failure gets its full retry hours
    moved_on = write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good-two"})  # the feed lists two others now
    second = poll_feeds(store, settings.replace(feeds_file=moved_on, fetch=capped.fetch), ["good"], run_id="moved-on")
    assert second.indexed == 4  # the two held back, and the two the feed lists now
    assert store.client.count(index=store.index("stories"))["count"] == 5
    assert store.feed_states(["good"])["good"].waiting == []


def test_a_story_an_overlapping_pass_stored_meanwhile_is_not_written_over(store, settings, good_host, tmp_path,
                                                                            monkeypatch):
    """Both passes found the story new (each looked before the other wrote); the later whole write replaced the
    stored story, wiping the enrichment it had got since, which was then done and alerted on again."""
    fetch = FetchSettings(retries=0, allow=("127.0.0.1",))
    first = settings.replace(feeds_file=write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good"}), fetch=fetch)
    assert poll_feeds(store, first, ["good"], run_id="first").indexed == 3
    (tmp_path / "mirror").mkdir()  # another feed listing the same items, as a second pass sees them again
    settings = settings.replace(feeds_file=write_feeds(tmp_path / "mirror", {"mirror": f"{good_host.url}/feed/good"}),
                                fetch=fetch)
    ids = sorted(store.existing_ids("stories", [h["_id"] for h in store.client.search(
        index=store.index("stories"), size=10)["hits"]["hits"]]))
    store.update("stories", ids[0], enriched=True, enriched_at=store.now())
    monkeypatch.setattr(type(store), "existing_ids", lambda self, kind, wanted: set())  # looked before it was written
    second = poll_feeds(store, settings, ["mirror"], run_id="first")  # another shard of the same run
    assert second.indexed == 0 and {f.feed_id: f.new for f in second.feeds} == {"mirror": 0}
    assert store.get_many("stories", [ids[0]])[ids[0]].enriched  # kept as the first pass's story became
    assert store.client.count(index=store.index("stories"))["count"] == 3
    # a pass's own write, sent again by the client after a timeout, conflicts with itself: still its stories;
    # a story another shard of the same run stored (the same run id) is not
    monkeypatch.undo()
    real = type(store).write_stories

    def sent_twice(self, stories, chunk=500, create_only=False):
        real(self, stories, chunk, create_only)  # the first attempt landed; its answer was lost
        return real(self, stories, chunk, create_only)

    monkeypatch.setattr(type(store), "write_stories", sent_twice)
    (tmp_path / "again").mkdir()
    again = settings.replace(feeds_file=write_feeds(tmp_path / "again", {"again": f"{good_host.url}/feed/good-two"}))
    assert poll_feeds(store, again, ["again"], run_id="first").indexed == 2


def plan(previous: FeedState | None, new: int, hours: float, config: PollSettings | None = None):
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    if previous is not None:
        previous = previous.model_copy(update={"last_polled": now - timedelta(hours=hours)})
    items = [FeedItem("f", "o", "en", "CA", f"g{n}", f"http://x/{n}", "t", "s", now) for n in range(new)]
    result = FeedResult(feed=None, outcome="ok", items=items)  # type: ignore[arg-type]
    p = plan_next(previous, result, items, 15, config or PollSettings(), now)
    return FeedState(feed_id="f", last_polled=now, interval_minutes=p.interval_minutes, rate_per_hour=p.rate_per_hour,
                     next_due=p.next_due), p


def test_the_interval_lengthens_for_a_quiet_feed_and_shortens_for_a_busy_one():
    quiet, p = plan(FeedState(feed_id="f", interval_minutes=15, rate_per_hour=4), new=0, hours=0.25)
    intervals = [p.interval_minutes]
    for _ in range(8):
        quiet, p = plan(quiet, new=0, hours=p.interval_minutes / 60)
        intervals.append(p.interval_minutes)
    assert intervals == sorted(intervals) and intervals[-1] > 3 * intervals[0]
    assert intervals[-1] <= PollSettings().max_interval_minutes

    busy, p = plan(FeedState(feed_id="f", interval_minutes=60, rate_per_hour=1), new=12, hours=1)
    shorter = [p.interval_minutes]
    for _ in range(5):
        busy, p = plan(busy, new=12, hours=p.interval_minutes / 60)
        shorter.append(p.interval_minutes)
    assert shorter[-1] < 15 and shorter[-1] >= PollSettings().min_interval_minutes


def test_feed_hints_are_respected():
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    state = FeedState(feed_id="f", interval_minutes=10, rate_per_hour=6, last_polled=now - timedelta(minutes=10))
    ttl = FeedResult(feed=None, outcome="ok", ttl_minutes=120)  # type: ignore[arg-type]
    assert plan_next(state, ttl, [], 15, PollSettings(), now).next_due >= now + timedelta(minutes=120)
    cached = FeedResult(feed=None, outcome="not_modified", max_age=3 * 3600)  # type: ignore[arg-type]
    assert plan_next(state, cached, [], 15, PollSettings(), now).next_due >= now + timedelta(hours=3)
    skip = FeedResult(feed=None, outcome="ok", skip_hours=frozenset({12, 13, 14}))  # type: ignore[arg-type]
    assert plan_next(state, skip, [], 15, PollSettings(), now).next_due.hour == 15
    failing = FeedState(feed_id="f", interval_minutes=10, consecutive_failures=3, last_polled=now)
    error = FeedResult(feed=None, outcome="error")  # type: ignore[arg-type]
    assert plan_next(failing, error, [], 15, PollSettings(), now).interval_minutes == 120


def test_due_feeds_follow_the_learned_schedule(store, settings, good_host, tmp_path):
    from pipeline.ingest.poll import due_feeds

    feeds_file = write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good"})
    settings = settings.replace(feeds_file=feeds_file, fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
    poll_feeds(store, settings, ["good"], run_id="due")
    state = store.feed_states(["good"])["good"]
    assert state.next_due and state.interval_minutes and state.schedule_reason
    assert due_feeds(store, settings) == []
    later = Store(store.client, store.prefix, clock=lambda: state.next_due + timedelta(seconds=1))
    assert due_feeds(later, settings) == ["good"]


def test_elasticsearch_failing_inside_a_feed_ends_the_pass_with_its_own_error(store, settings, good_host, tmp_path,
                                                                              monkeypatch):
    """Not an ExceptionGroup from the task group: the CLI and the operator's notifier expect the StoreError (its
    one-line reason, exit 4)."""
    feeds_file = write_feeds(tmp_path, {"good": f"{good_host.url}/feed/good", "two": f"{good_host.url}/feed/good-two"})
    settings = settings.replace(feeds_file=feeds_file, fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))

    def down(self, kind, ids):
        raise StoreUnavailable("reading stories", "the node went away")

    monkeypatch.setattr(Store, "existing_ids", down)
    with pytest.raises(StoreUnavailable, match="the node went away"):
        poll_feeds(store, settings, ["good", "two"], run_id="down")


def test_an_item_held_back_by_the_budget_keeps_the_time_its_page_first_failed():
    """Held back for the new-story budget in a pass between two failures, it got a fresh two-hour wait each time."""
    from datetime import UTC, datetime

    from pipeline.config import Feed
    from pipeline.ingest.feed_work import FeedReport, FeedWork, finish
    from pipeline.ingest.feeds import FeedResult
    from pipeline.settings import PollSettings
    from pipeline.store.documents import FeedState

    feed = Feed(id="f", url="http://h.example/feed", outlet="O", language="en", country="CA")
    first = datetime(2026, 12, 1, 8, tzinfo=UTC)
    previous = FeedState(feed_id="f", waiting=[f"item-1\t{first.isoformat()}"])
    work = FeedWork(feed, previous, FeedResult(feed, "ok"), FeedReport("f", "ok"), keys=["item-1"], held_back={"item-1"})
    state, _ = finish(work, datetime(2026, 12, 1, 9, tzinfo=UTC), PollSettings(), "r")
    assert state.waiting == [f"item-1\t{first.isoformat()}"] and "item-1" not in state.seen


def test_waiting_entries_written_before_items_were_kept_whole_still_read():
    """A feed state saved by the previous version holds "key<TAB>time" only: its wait still counts from then,
    and it offers no item to write (it has none)."""
    from datetime import UTC, datetime

    from pipeline.config import Feed
    from pipeline.ingest.feed_work import FeedReport, FeedWork, waiting_entry
    from pipeline.ingest.feeds import FeedItem, FeedResult
    from pipeline.store.documents import FeedState

    feed = Feed(id="f", url="http://h.example/feed", outlet="O", language="en", country="CA")
    first = datetime(2026, 12, 1, 8, tzinfo=UTC)
    item = FeedItem("f", "O", "en", "CA", "g-2", "http://h.example/2", "Asylum seekers", "At Roxham Road", first)
    previous = FeedState(feed_id="f", waiting=[f"item-1\t{first.isoformat()}", waiting_entry(item.key, first, item),
                                               f"item-3\t{first.isoformat()}\t{{not json"])
    work = FeedWork(feed, previous, FeedResult(feed, "ok"), FeedReport("f", "ok"))
    assert work.failing_since("item-1") == first == work.failing_since(item.key)
    assert work.held_items() == [item]  # the old entry offers none, the new one its item as it was, a broken one none


def test_two_overlapping_polls_of_a_feed_keep_the_item_either_holds_back(store):
    """Pass A holds item X back (its page timed out); pass B, a moment later, no longer sees X listed and saves
    last: X's waiting entry, the only trace of it, was overwritten."""
    from datetime import UTC, datetime

    from pipeline.ingest.feed_work import merged_state, waiting_entry
    from pipeline.ingest.feeds import FeedItem
    from pipeline.store.documents import FeedState

    when = datetime(2026, 12, 1, 8, tzinfo=UTC)
    x = FeedItem("f", "O", "en", "CA", "g-x", "http://h.example/x", "Asylum seekers", "At Roxham Road", when)
    base = FeedState(feed_id="f", seen=["g-a"], etag="E0")
    store.save_feed_states([base])
    a = base.model_copy(update={"waiting": [waiting_entry(x.key, when, x)], "seen": ["g-a"]})
    b = base.model_copy(update={"seen": ["g-b", "g-a"], "etag": "E2"})
    for new in (a, b):  # both were made from `base`; B is saved last
        store.save_feed_states([new], lambda new, stored: merged_state(new, base, stored))
    saved = store.feed_states(["f"])["f"]
    assert [e.split("\t")[0] for e in saved.waiting] == [x.key] and saved.seen == ["g-b", "g-a"]
    assert saved.etag is None  # B's validators would answer "not modified" and X would wait for a changed body
    again = saved.model_copy(update={"waiting": []})  # a later pass, made from the saved state, writes X: it goes
    store.save_feed_states([again], lambda new, stored: merged_state(new, saved, stored))
    assert store.feed_states(["f"])["f"].waiting == []


def test_a_feed_state_the_node_refuses_fails_the_save(store):
    """The compare-and-set write counted what it wrote and nothing it lost: a refused state passed in silence."""
    import pytest

    from pipeline.errors import WriteRejected
    from pipeline.store.documents import FeedState

    def broken(new, stored):
        return new.model_copy(update={"interval_minutes": "not a number"})

    with pytest.raises(WriteRejected):
        store.save_feed_states([FeedState(feed_id="f")], broken)
