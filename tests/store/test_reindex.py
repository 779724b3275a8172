"""`newswatch reindex` against the real node: a mapping and shard change applied while a real poll pass and a
second writer (new stories, partial updates of old ones) write; afterwards every document is in the new index
exactly once, with its latest version."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import pipeline.store.indices as indices
from pipeline.errors import StoreError
from pipeline.ingest.poll import poll_feeds
from pipeline.local.replay import REPLAY_DIR
from pipeline.settings import IndexSettings
from pipeline.store import Store
from pipeline.store.documents import Story
from pipeline.store.reindex import reindex
from tests.support import replay_settings

SEEDED = 3000
AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def story(story_id: str, n: int = 0) -> Story:
    return Story(story_id=story_id, url=f"http://example.org/{story_id}", canonical_url=f"http://example.org/{story_id}",
                 feed_id="writer", outlet="Writer", language="en", country="CA", title=f"Story {story_id}",
                 summary="Asylum seekers at the border.", published=AT + timedelta(seconds=n),
                 ingested=AT + timedelta(seconds=n), run_id="writer")


def changed_mapping(model: Any) -> dict[str, Any]:
    """The models' mapping with a change the live index refuses: quote_count from integer to long."""
    mapping = ORIGINAL(model)
    if model is Story:
        mapping["properties"]["quote_count"] = {"type": "long"}
    return mapping


ORIGINAL = indices.mapping_of


class Writer(threading.Thread):
    """Another task writing through the store's own path: new stories, and updates of seeded ones."""

    def __init__(self, store: Store) -> None:
        super().__init__(daemon=True)
        self.store, self.stop, self.error = store, threading.Event(), None
        self.written: list[str] = []
        self.updated: dict[str, str] = {}  # story id → the last marker written into it

    def run(self) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                ids = [f"new-{n + i:05d}" for i in range(20)]
                result = self.store.write_stories([story(i, n) for i in ids], chunk=10)
                assert not result.rejected, result.rejected
                self.written += ids
                # a partial update of seeded stories, old ones and ones the copy may not have reached yet
                targets = [f"seed-{(n * 7 + k * 389) % SEEDED:05d}" for k in range(10)]
                marker = f"pass-{n}"
                result = self.store.update_docs("stories", [(t, {"search_terms": marker, "enriched": True})
                                                            for t in targets], refresh=False)
                assert not result.rejected, result.rejected
                self.updated |= dict.fromkeys(targets, marker)
                n += 20
                time.sleep(0.02)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


@pytest.mark.slow
def test_reindex_while_a_poll_pass_and_a_writer_write_loses_and_doubles_nothing(store, settings, es, web,
                                                                                 monkeypatch):
    store.write_stories((story(f"seed-{i:05d}", i) for i in range(SEEDED)), chunk=500).require("seed")
    alias = store.index("stories")
    writer = Writer(Store.open(settings))
    poll_store = Store.open(settings)
    polled = replay_settings(settings, web.url, REPLAY_DIR / "feeds.yaml")
    feeds = ["replay-canada", "replay-quebec", "replay-world"]
    reports: list[Any] = []
    poller = threading.Thread(target=lambda: reports.append(poll_feeds(poll_store, polled, feeds, run_id="during")),
                              daemon=True)

    # the new code: a mapping the live index refuses, and two shards instead of one
    monkeypatch.setattr(indices, "mapping_of", changed_mapping)
    store.layout = IndexSettings(shards_by_index={"stories": 2})
    with pytest.raises(StoreError, match="quote_count"):
        store.ensure()  # what a deployment cannot do in place

    def on_pass(number: int, copied: int) -> None:
        if number == 1:
            poller.start()  # the poll pass writes while the copy runs
        if number == 3:
            poller.join(120)  # its last writes still land before the swap…

    writer.start()
    try:
        done = reindex(store, "stories", settle=1, max_passes=6, on_pass=on_pass)
        time.sleep(0.5)  # …and the writer's go on through and after it
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None, writer.error
    assert reports and reports[0].indexed > 0, "the poll pass indexed nothing"

    # the alias names exactly the new index, with the new mapping and shards; the old one is gone
    assert sorted(es.indices.get_alias(name=alias).body) == [done.new_index] == [f"{alias}-000002"]
    assert not es.indices.exists(index=done.old_index)
    new = es.indices.get(index=done.new_index).body[done.new_index]
    assert new["mappings"]["properties"]["quote_count"]["type"] == "long"
    assert new["settings"]["index"]["number_of_shards"] == "2"
    assert done.passes >= 4 and done.blocked_seconds < 10

    # every document once: seeded, the writer's, the poll's
    store.refresh("stories")
    ids = [h["_id"] for h in store.client.search(index=alias, size=10_000, source=False)["hits"]["hits"]]
    assert len(ids) == len(set(ids)) == store.count("stories")
    expected = {f"seed-{i:05d}" for i in range(SEEDED)} | set(writer.written)
    polled_ids = set(ids) - expected
    assert set(ids) >= expected, f"lost: {sorted(expected - set(ids))[:5]}"
    assert len(polled_ids) == reports[0].indexed
    assert store.count("stories", {"term": {"run_id": "during"}}) == reports[0].indexed
    # every partial update is there, the latest one of each story
    got = store.stories(writer.updated)
    stale = {i: (got[i].search_terms, m) for i, m in writer.updated.items() if got[i].search_terms != m}
    assert not stale, list(stale.items())[:5]
    assert len(writer.written) > 20 * done.passes  # the writer really wrote throughout
    # the poll's other records are where they were
    store.refresh("feed-health")
    assert set(store.feed_states(feeds)) == set(feeds) and store.count("feed-health") == len(feeds)
    # and the new code's ensure now passes
    store.ensure()


def test_an_interrupted_reindex_leaves_the_kind_as_it_was(store, es):
    store.write("quotes", [(f"q{i}", {"quote_id": f"q{i}", "story_id": "s", "quote": "We will"}) for i in range(50)])
    alias = store.index("quotes")

    def fail(number: int, copied: int) -> None:
        raise RuntimeError("the task was killed")

    with pytest.raises(RuntimeError):
        reindex(store, "quotes", on_pass=fail)
    assert sorted(es.indices.get_alias(name=alias).body) == [f"{alias}-000001"]
    assert not es.indices.exists(index=f"{alias}-000002")
    store.write("quotes", [("q-after", {"quote_id": "q-after", "story_id": "s", "quote": "Still writable"})])
    done = reindex(store, "quotes")
    assert done.documents == 51 == store.count("quotes") and done.new_index == f"{alias}-000002"


def test_a_swap_whose_answer_was_lost_keeps_the_index_it_made(store, es, monkeypatch):
    from elasticsearch import ConnectionTimeout

    store.write("quotes", [(f"q{i}", {"quote_id": f"q{i}", "story_id": "s", "quote": "We will"}) for i in range(20)])
    alias = store.index("quotes")
    real = store.client.indices.update_aliases

    def applied_then_timed_out(**kwargs):  # the cluster swapped; the client never heard back
        real(**kwargs)
        raise ConnectionTimeout("timed out")

    monkeypatch.setattr(store.client.indices, "update_aliases", applied_then_timed_out)
    done = reindex(store, "quotes")
    assert sorted(es.indices.get_alias(name=alias).body) == [f"{alias}-000002"] == [done.new_index]
    assert store.count("quotes") == 20 and not es.indices.exists(index=f"{alias}-000001")


def test_stopped_by_ctrl_c_while_the_swap_takes_effect_keeps_the_index_it_made(store, es, monkeypatch):
    """Ctrl-C during the swap skipped the check for a swap already applied: the index the alias named was deleted."""
    store.write("quotes", [(f"q{i}", {"quote_id": f"q{i}", "story_id": "s", "quote": "We will"}) for i in range(20)])
    alias = store.index("quotes")
    real = store.client.indices.update_aliases

    def applied_then_interrupted(**kwargs):
        real(**kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(store.client.indices, "update_aliases", applied_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        reindex(store, "quotes")
    assert sorted(es.indices.get_alias(name=alias).body) == [f"{alias}-000002"]
    assert store.count("quotes") == 20


def test_an_alias_lost_is_put_back_on_the_index_holding_the_documents(store, es):
    """With the alias gone, opening the store made an empty first index beside the one holding every quote (or
    answered "already exists" and left no alias at all), and the reindex its message advised deleted them."""
    store.write("quotes", [(f"q{i}", {"quote_id": f"q{i}", "story_id": "s", "quote": "We will"}) for i in range(5)])
    alias = store.index("quotes")
    moved = reindex(store, "quotes").new_index  # the documents live in the second generation
    es.indices.delete_alias(index=moved, name=alias)
    store.ensure()
    assert sorted(es.indices.get_alias(name=alias).body) == [moved] and store.count("quotes") == 5
    assert not es.indices.exists(index=f"{alias}-000001")
    es.indices.delete_alias(index=moved, name=alias)
    es.indices.create(index=f"{alias}-000009")  # a stray copy beside it: which one is the kind's cannot be told
    with pytest.raises(StoreError, match=f"{alias}-000002, {alias}-000009"):
        store.ensure()


def test_an_index_made_before_aliases_is_moved_behind_its_alias_once(store, es):
    alias = store.index("names")
    es.indices.delete(index=f"{alias}-000001")  # the old layout: a concrete index with the alias's name
    es.indices.create(index=alias)
    es.index(index=alias, id="k", document={"key": "k", "name": "Name", "first_seen": "2026-01-01T00:00:00Z"},
             refresh=True)
    with pytest.raises(StoreError, match="newswatch reindex names"):
        store.ensure()
    done = reindex(store, "names")
    assert (done.old_index, done.new_index, done.documents) == (alias, f"{alias}-000001", 1)
    assert sorted(es.indices.get_alias(name=alias).body) == [f"{alias}-000001"]
    store.ensure()
    assert store.get("names", "k").name == "Name"


def test_the_command_moves_quotes_and_says_what_it_did(store, es_url, prefix, monkeypatch, capsys):
    from pipeline.cli import main

    store.write("quotes", [(f"q{i}", {"quote_id": f"q{i}", "story_id": "s", "quote": "We will"}) for i in range(30)])
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", prefix)
    assert main(["reindex", "quotes", "--es-url", es_url]) == 0
    out = capsys.readouterr().out
    assert f"quotes: {prefix}-quotes-000001 → {prefix}-quotes-000002, 30 documents" in out
    assert store.count("quotes") == 30
    with pytest.raises(SystemExit) as refused:  # monthly indices are not reindexed: a new month has the mapping
        main(["reindex", "feed-health", "--es-url", es_url])
    assert refused.value.code == 2


def test_deletes_held_by_the_swap_land_in_the_new_index(store, settings, monkeypatch):
    """Retention (and the events stage's stale findings) delete the hits of a search. Held by the swap's write
    block, the deletes were sent again to the old index, which the move then deleted: "no such index" counted as
    "already gone", so the expired alerts stayed in the new index while the run reported nothing left to do."""
    import logging

    import pipeline.store.reindex as moving
    from pipeline.store.documents import AlertRecord

    created = store.now() - timedelta(days=400)
    store.write("alerts", [(f"a{i}", AlertRecord(alert_id=f"a{i}", kind="story", subscription="s", mode="immediate",
                                                 created=created)) for i in range(3)]).require("alerts")
    retention, held, outcome = Store.open(settings), threading.Event(), []

    class HeldDeletes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "held by a write block" in record.getMessage():
                held.set()

    def expire() -> None:
        try:
            outcome.append(retention.expire("alerts", "created", store.now() - timedelta(days=180)))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcome.append(exc)

    expiring = threading.Thread(target=expire, daemon=True)
    settled = moving._wait_settled

    def expire_while_blocked(lifecycle: Any, index: str, timeout: float = 30.0) -> None:
        expiring.start()  # the old index is write-blocked now
        assert held.wait(30), "the deletes were not held"
        settled(lifecycle, index, timeout)

    handler = HeldDeletes()
    logging.getLogger("pipeline.store.client").addHandler(handler)
    monkeypatch.setattr(moving, "_wait_settled", expire_while_blocked)
    try:
        done = reindex(store, "alerts")
        expiring.join(60)
    finally:
        logging.getLogger("pipeline.store.client").removeHandler(handler)
    store.refresh("alerts")
    assert done.documents == 3  # moved before they were deleted
    assert outcome == [3] and store.count("alerts") == 0
