"""Retention against the real node: old poll and alert records go, recent ones and every story stay."""

from datetime import UTC, datetime, timedelta

from pipeline.settings import RetentionSettings
from pipeline.store.documents import AlertRecord, PollRecord, Story, SurgeDoc
from pipeline.store.retention import expire_records


def test_old_records_expire_and_stories_stay(store):
    now = store.now()
    ages = [1, 29, 31, 400]  # days
    store.record_polls([PollRecord(feed_id="f", time=now - timedelta(days=d), outcome="ok") for d in ages])
    store.write("alerts", [(f"a{d}", AlertRecord(alert_id=f"a{d}", kind="story", subscription="s", mode="immediate",
                                                   created=now - timedelta(days=d))) for d in ages])
    store.write("surges", [(f"s{d}", SurgeDoc(surge_id=f"s{d}", topic="t", key="topic:t", kind="topic", label="t",
                                               start=now - timedelta(days=d), peak=now - timedelta(days=d), score=3.0,
                                               count=5, expected=0.5, updated=now)) for d in ages])
    old = datetime(2001, 1, 1, tzinfo=UTC)
    store.write_stories([Story(story_id="ancient", url="http://x/a", canonical_url="http://x/a", feed_id="f",
                               outlet="o", language="en", country="CA", title="t", published=old, ingested=old,
                               run_id="r")])
    deleted = expire_records(store, RetentionSettings(feed_health_days=30, alerts_days=180))
    assert deleted == {"feed_health": 2, "alerts": 1, "surges": 1}
    store.refresh("feed-health", "alerts")
    left = store.poll_history(["f"], now - timedelta(days=1000), now)["f"]
    assert sorted(round((now - r.time).total_seconds() / 86400) for r in left) == [1, 29]
    assert store.existing_ids("alerts", [f"a{d}" for d in ages]) == {"a1", "a29", "a31"}
    assert store.existing_ids("stories", ["ancient"]) == {"ancient"}
    assert store.existing_ids("surges", [f"s{d}" for d in ages]) == {"s1", "s29", "s31"}
    assert expire_records(store, RetentionSettings()) == {"feed_health": 0, "alerts": 0, "surges": 0}  # idempotent
