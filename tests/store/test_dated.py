"""Monthly indices and index settings against the real node: poll records by month, read through one alias,
expired a month at a time; shards and replicas from the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline.errors import SettingsError
from pipeline.settings import IndexSettings, RetentionSettings
from pipeline.store import Store
from pipeline.store.dated import expired_months, month_end, month_index
from pipeline.store.documents import PollRecord
from pipeline.store.retention import expire_records

NOW = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)


def test_month_names_and_ends():
    assert month_index("p-feed-health", datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "p-feed-health-2026.12"
    toronto = datetime(2027, 1, 1, 0, 30, tzinfo=UTC).astimezone(ZoneInfo("America/Toronto"))  # still 2026 there
    assert month_index("p-feed-health", toronto) == "p-feed-health-2027.01"  # the UTC month
    assert month_end("p-feed-health-2026.12") == datetime(2027, 1, 1, tzinfo=UTC)
    assert month_end("p-feed-health-000001") is None
    names = ["a-2026.10", "a-2026.11", "a-2026.12", "a-000001"]
    assert expired_months(names, datetime(2026, 12, 1, tzinfo=UTC)) == ["a-2026.10", "a-2026.11"]
    assert expired_months(names, datetime(2026, 11, 30, tzinfo=UTC)) == ["a-2026.10"]


def test_poll_records_go_to_their_month_are_read_together_and_expire_by_month(store, es):
    clocked = Store(store.client, store.prefix, clock=lambda: NOW)
    alias = clocked.index("feed-health")
    ages = [0, 1, 29, 31, 45, 70, 400]  # days before NOW
    records = [PollRecord(feed_id="f", time=NOW - timedelta(days=d), outcome="ok", new_items=d) for d in ages]
    clocked.record_polls(records)
    clocked.record_polls(records)  # a retried task: the same ids in the same months, nothing doubled
    clocked.refresh("feed-health")
    months = sorted(es.indices.get_alias(name=alias).body)
    assert months == [f"{alias}-2025.10", f"{alias}-2026.09", f"{alias}-2026.10", f"{alias}-2026.11",
                      f"{alias}-2026.12"]
    assert clocked.count("feed-health") == len(ages)
    history = clocked.poll_history(["f"], NOW - timedelta(days=1000), NOW)["f"]
    assert [r.new_items for r in history] == sorted(ages, reverse=True)  # oldest first, across months

    deleted = expire_records(clocked, RetentionSettings(feed_health_days=30, alerts_days=180))
    # 2026.11 ends after the limit (2 Nov): it stays, its 31- and 29-day-old records are judged one by one
    assert deleted["feed_health"] == 4
    assert sorted(es.indices.get_alias(name=alias).body) == [f"{alias}-2026.11", f"{alias}-2026.12"]
    clocked.refresh("feed-health")
    left = clocked.poll_history(["f"], NOW - timedelta(days=1000), NOW)["f"]
    assert sorted(r.new_items for r in left) == [0, 1, 29]
    assert expire_records(clocked, RetentionSettings(feed_health_days=30)) == {"feed_health": 0, "alerts": 0, "surges": 0}

    # every month gone: the alias keeps the current month's index, so readers still find one
    later = Store(store.client, store.prefix, clock=lambda: NOW + timedelta(days=120))
    assert expire_records(later, RetentionSettings(feed_health_days=30))["feed_health"] == 3
    assert sorted(es.indices.get_alias(name=alias).body) == [f"{alias}-2027.04"]
    assert later.poll_history(["f"], NOW - timedelta(days=1000), NOW + timedelta(days=120)) == {"f": []}


def test_shards_and_replicas_come_from_the_settings(es, settings):
    layout = IndexSettings(shards=1, replicas=0, shards_by_index={"feed-health": 2}, replicas_by_index={"stories": 1})
    with Store.open(settings.replace(es=layout), ensure=False) as store:  # templates only: one node, no replica
        store.put_template("feed-health")
        store.put_template("stories")
        month = f"{store.index('feed-health')}-2026.12"
        store.record_polls([PollRecord(feed_id="f", time=datetime(2026, 12, 2, tzinfo=UTC), outcome="ok")])
        assert es.indices.get_settings(index=month).body[month]["settings"]["index"]["number_of_shards"] == "2"
        template = es.indices.get_index_template(name=store.index("stories")).body["index_templates"][0]
        assert template["index_template"]["template"]["settings"]["index"]["number_of_replicas"] == "1"
        assert template["index_template"]["template"]["settings"]["index"]["number_of_shards"] == "1"
    wrong = settings.replace(es=IndexSettings(shards_by_index={"storys": 2}))
    with pytest.raises(SettingsError, match="NEWSWATCH_ES__SHARDS_BY_INDEX: unknown index storys"):
        Store.open(wrong)


def test_a_past_month_that_cannot_take_the_mapping_keeps_its_own_and_the_store_still_opens(store, es, caplog):
    """A field's type changed (latency float → keyword, as an older version had it): one put_mapping on the alias
    of every month failed, and so did every task opening the store until the old months expired."""
    clocked = Store(store.client, store.prefix, clock=lambda: NOW)
    clocked.record_polls([PollRecord(feed_id="f", time=NOW, outcome="ok")])
    alias = clocked.index("feed-health")
    old = f"{alias}-2026.06"
    es.indices.create(index=old, mappings={"dynamic": "strict", "properties": {"latency": {"type": "keyword"}}},
                      aliases={alias: {}})
    es.indices.delete_index_template(name=alias)  # the next ensure() puts every mapping again
    clocked.ensure()
    assert f"{old} keeps its mapping" in caplog.text
    current = es.indices.get_mapping(index=f"{alias}-2026.12").body[f"{alias}-2026.12"]["mappings"]["properties"]
    assert current["latency"]["type"] == "float" and "consecutive_failures" in current
    assert es.indices.get_mapping(index=old).body[old]["mappings"]["properties"]["latency"]["type"] == "keyword"
    assert es.indices.exists_index_template(name=alias)


def test_the_month_written_to_takes_the_new_fields_when_a_changed_type_is_refused(store, es, caplog):
    """put_mapping is all or nothing: a type change in the current month's index kept its new fields out too, and
    with a strict mapping every poll record carrying them was refused for the rest of the month."""
    clocked = Store(store.client, store.prefix, clock=lambda: NOW)
    alias = clocked.index("feed-health")
    current = f"{alias}-2026.12"
    es.indices.delete(index=f"{alias}-*")  # as an older version made this month's index
    es.indices.delete_index_template(name=alias)
    es.indices.create(index=current, mappings={"dynamic": "strict", "properties": {
        "feed_id": {"type": "keyword"}, "time": {"type": "date"}, "latency": {"type": "keyword"}}}, aliases={alias: {}})
    clocked.ensure()
    assert f"{current} (written to now) cannot take the changed mapping" in caplog.text
    props = es.indices.get_mapping(index=current).body[current]["mappings"]["properties"]
    assert props["latency"]["type"] == "keyword" and props["consecutive_failures"]["type"] == "integer"
    clocked.record_polls([PollRecord(feed_id="f", time=NOW, outcome="ok", consecutive_failures=2, warning="slow")])
    clocked.refresh("feed-health")
    assert clocked.count("feed-health") == 1  # a record with the new fields is written

