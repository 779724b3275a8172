"""Retention: poll records and alert delivery records expire; stories and quotes are kept.

The node of the local run has no delete-by-query, so old records are found by time and deleted
by id in batches, which works on every Elasticsearch. Expiring alert records is safe because a
story older than the alerts' `max_age` is never alerted again.
"""

from __future__ import annotations

from datetime import timedelta

from pipeline.settings import RetentionSettings
from pipeline.store import Store


def expire_records(store: Store, config: RetentionSettings) -> dict[str, int]:
    """Delete poll records and alert records past their retention; the counts deleted."""
    now = store.now()
    return {"feed_health": store.expire("feed-health", "time", now - timedelta(days=config.feed_health_days)),
            "alerts": store.expire("alerts", "created", now - timedelta(days=config.alerts_days))}
