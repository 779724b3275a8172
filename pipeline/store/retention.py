"""Retention: poll records and alert delivery records expire; stories and quotes are kept.

Poll records live in monthly indices (`pipeline.store.dated`): a month whose every record is past
the limit is deleted whole, in one request; the records of the month the limit falls in (and of an
index older than monthly indices) are found by time and deleted by id in batches, which works on
every Elasticsearch (the node of the local run has no delete-by-query). Alert records stay in one
index: their ids are claimed with exactly-once creates, which need one index to be unique in.
Expiring them is safe because a story older than the alerts' `max_age` is never alerted again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from elasticsearch import ApiError

from pipeline.settings import RetentionSettings
from pipeline.store import Store
from pipeline.store.client import _translated
from pipeline.store.dated import DATED, expired_months, month_index


def expire_records(store: Store, config: RetentionSettings) -> dict[str, int]:
    """Delete poll records, alert records and surge records past their retention; the counts deleted."""
    now = store.now()
    return {"feed_health": expire_dated(store, "feed-health", now - timedelta(days=config.feed_health_days)),
            "alerts": store.expire("alerts", "created", now - timedelta(days=config.alerts_days)),
            "surges": store.expire("surges", "start", now - timedelta(days=config.surges_days))}


@_translated("expiring old monthly indices")
def expire_dated(store: Store, kind: str, before: datetime) -> int:
    """Delete the months of a time-based kind that ended before `before`, then its older records; the count."""
    alias = store.index(kind)
    store.client.indices.refresh(index=alias)
    names = list(store.client.indices.get(index=f"{alias}-*", allow_no_indices=True, expand_wildcards="open").body)
    expired = expired_months(names, before)
    deleted = sum(int(store.client.count(index=name)["count"]) for name in expired)
    if expired:
        store.client.indices.delete(index=",".join(expired))
    try:  # the alias must keep an index, or readers would find none
        store.client.indices.create(index=month_index(alias, store.now()))
    except ApiError as exc:
        if exc.meta.status != 400 or "resource_already_exists" not in str(exc):
            raise
    return deleted + store.expire(kind, DATED[kind], before)
