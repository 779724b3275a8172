"""A blocked index against the real node: the poll fails loudly and loses nothing, and operators see why."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from pipeline.errors import WriteRejected, WritesBlocked
from pipeline.ingest.poll import poll_feeds
from pipeline.local.replay import REPLAY_DIR
from pipeline.ops.health_app import create_app
from pipeline.settings import IndexSettings, RetentionSettings
from pipeline.store.cluster_health import cluster_health
from pipeline.store.documents import AlertRecord, PollRecord
from pipeline.store.retention import expire_records
from tests.support import replay_settings

FLOOD = "index.blocks.read_only_allow_delete"  # what Elasticsearch sets past the flood-stage disk watermark


def physical(es, alias: str) -> str:
    return next(iter(es.indices.get_alias(name=alias).body))


def test_a_read_only_stories_index_fails_the_poll_and_the_retry_loses_nothing(store, settings, es, web):
    polled = replay_settings(settings, web.url, REPLAY_DIR / "feeds.yaml")
    feeds = ["replay-canada", "replay-quebec"]
    stories = physical(es, store.index("stories"))
    es.indices.put_settings(index=stories, settings={FLOOD: True})
    try:
        with pytest.raises(WritesBlocked) as failed:
            poll_feeds(store, polled, feeds, run_id="blocked")
        message = str(failed.value)
        assert stories in message and "flood-stage" in message and "free disk space" in message
        assert store.count("stories") == 0
        # the feeds whose stories were refused did not advance: the retry sees their items as new
        assert "replay-canada" not in store.feed_states(feeds)
        health = cluster_health(store)
        assert health.writes_at_risk and "disk flood-stage" in health.blocked[stories]
        assert any(stories in p and "refused" in p for p in health.problems)
    finally:
        es.indices.put_settings(index=stories, settings={FLOOD: None})
    retried = poll_feeds(store, polled, feeds, run_id="retry")
    store.refresh("stories")
    assert retried.indexed > 0 and store.count("stories") == retried.indexed
    assert set(store.feed_states(feeds)) == set(feeds)
    assert not cluster_health(store).blocked


def test_a_blocked_monthly_index_fails_the_poll_records_write(store, es):
    record = PollRecord(feed_id="f", time=datetime(2026, 12, 2, 8, tzinfo=UTC), outcome="ok")
    store.record_polls([record])  # makes the month's index
    month = f"{store.index('feed-health')}-2026.12"
    es.indices.put_settings(index=month, settings={"index.blocks.read_only": True})
    try:
        with pytest.raises(WritesBlocked, match=month):
            store.record_polls([record])
    finally:
        es.indices.put_settings(index=month, settings={"index.blocks.read_only": None})


def test_a_write_block_is_waited_out_briefly_then_fails(store, es):
    quotes = physical(es, store.index("quotes"))
    doc = {"quote_id": "q", "story_id": "s", "quote": "We will"}
    es.indices.put_settings(index=quotes, settings={"index.blocks.write": True})
    try:
        store.layout = IndexSettings(write_block_wait=1.0)
        started = time.monotonic()
        with pytest.raises(WritesBlocked, match="index write"):
            store.write("quotes", [("q", doc)])
        assert 1.0 <= time.monotonic() - started < 10
        with pytest.raises(WritesBlocked):  # single-document writes too
            store.update("quotes", "q", quote="x")
    finally:
        es.indices.put_settings(index=quotes, settings={"index.blocks.write": None})
    assert store.write("quotes", [("q", doc)]).ok == 1


def test_the_health_page_shows_the_cluster_and_says_when_writes_are_at_risk(store, settings, es):
    client = TestClient(create_app(settings))
    healthy = client.get("/api/cluster").json()
    assert healthy["status"] in ("green", "yellow") and healthy["nodes"] >= 1 and healthy["blocked"] == {}
    assert "Elasticsearch <span class=\"" in client.get("/").text
    alerts = physical(es, store.index("alerts"))
    es.indices.put_settings(index=alerts, settings={FLOOD: True})
    try:
        blocked = client.get("/api/cluster").json()
        assert blocked["writes_at_risk"] and alerts in blocked["blocked"]
        page = client.get("/").text
        assert 'class="cluster risk"' in page and "writes at risk" in page and f"{alerts} is read-only" in page
    finally:
        es.indices.put_settings(index=alerts, settings={FLOOD: None})
    assert client.get("/api/cluster").json()["blocked"] == {}


def test_the_cluster_command_exits_1_while_an_index_is_read_only(store, es, es_url, prefix, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", prefix)
    assert main(["cluster", "--es-url", es_url]) in (0, 1)  # 1 only if this machine's disk is past 85 %
    assert "unassigned shards" in capsys.readouterr().out
    names = physical(es, store.index("names"))
    es.indices.put_settings(index=names, settings={FLOOD: True})
    try:
        assert main(["cluster", "--es-url", es_url]) == 1
        out = capsys.readouterr().out
        assert "writes AT RISK" in out and f"{names} is read-only (disk flood-stage watermark)" in out
    finally:
        es.indices.put_settings(index=names, settings={FLOOD: None})


def test_expiry_that_cannot_delete_fails_instead_of_reporting_nothing_to_delete(store, es):
    """A refused deletion used to count as 0 deleted: old alerts stayed, and the run said all was well."""
    old = store.now() - timedelta(days=400)
    store.write("alerts", [("a-old", AlertRecord(alert_id="a-old", kind="story", subscription="s", mode="immediate", created=old))])
    alerts = physical(es, store.index("alerts"))
    es.indices.put_settings(index=alerts, settings={"index.blocks.read_only": True})
    try:
        with pytest.raises(WritesBlocked, match=alerts):
            expire_records(store, RetentionSettings(alerts_days=180))
    finally:
        es.indices.put_settings(index=alerts, settings={"index.blocks.read_only": None})
    assert expire_records(store, RetentionSettings(alerts_days=180))["alerts"] == 1


def test_a_delete_sent_to_an_index_that_is_gone_fails_instead_of_counting_as_done(store, es):
    """"No such index" is not "no such document": a delete held by a reindex's write block and sent again to the
    index the move then deleted was counted as already done, and the run reported stale documents gone."""
    record = PollRecord(feed_id="f", time=datetime(2026, 12, 2, 8, tzinfo=UTC), outcome="ok")
    store.record_polls([record])
    store.refresh("feed-health")
    hits = es.search(index=store.index("feed-health"), source=False)["hits"]["hits"]
    es.indices.delete(index=hits[0]["_index"])  # gone under the delete
    with pytest.raises(WriteRejected, match="index_not_found"):
        store.delete_hits("feed-health", hits)
    assert store.delete_many("quotes", ["never-written"]).rejected == {}  # a document already gone is no error
