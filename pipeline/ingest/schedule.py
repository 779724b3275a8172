"""When to poll a feed next: learned from how often its polls bring new items, within bounds.

Each feed keeps an estimate of its new items per hour (an exponentially weighted average of what
each poll found over the time since the last one; on the first poll, the spread of the items'
publication dates). The next poll comes when about one new item is expected, never sooner than the
minimum interval nor later than the maximum, and never against what the feed asks: RSS `<ttl>`,
`Cache-Control: max-age`, `<skipHours>`, or a host's `Retry-After`. A failing feed backs off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pipeline.ingest.feeds import FeedItem, FeedResult
from pipeline.settings import PollSettings
from pipeline.store.documents import FeedState

WEIGHT = 0.3  # how much the latest poll moves the estimate


@dataclass(frozen=True)
class Plan:
    next_due: datetime
    interval_minutes: float
    rate_per_hour: float | None
    why: str


def _rate_from_dates(items: list[FeedItem]) -> float | None:
    """Items per hour from the publication dates a feed lists (first poll: no history yet)."""
    dates = sorted(i.published for i in items if i.published)
    if len(dates) < 3:
        return None
    span = (dates[-1] - dates[0]).total_seconds() / 3600
    return (len(dates) - 1) / span if span > 0 else None


def plan_next(previous: FeedState | None, result: FeedResult, new_items: list[FeedItem], start_minutes: float,
              config: PollSettings, now: datetime) -> Plan:
    low, high = config.min_interval_minutes, config.max_interval_minutes
    interval = previous.interval_minutes if previous and previous.interval_minutes else start_minutes
    rate = previous.rate_per_hour if previous else None
    why = "rhythm"
    if result.outcome == "deferred" and result.retry_after:
        return Plan(result.retry_after, interval, rate, "the host asked to wait (Retry-After)")
    if result.outcome == "error":
        failures = (previous.consecutive_failures if previous else 0) + 1
        interval = min(high, max(low, start_minutes) * 2 ** min(failures - 1, 6))
        why = f"backing off after {failures} failed polls"
    else:
        hours = (now - previous.last_polled).total_seconds() / 3600 if previous and previous.last_polled else None
        if hours and hours > 0:
            observed = len(new_items) / hours
            rate = observed if rate is None else WEIGHT * observed + (1 - WEIGHT) * rate
        elif rate is None:
            rate = _rate_from_dates(result.items)
        if rate is not None:
            interval = 60 / rate if rate > 0 else interval * 2
    interval = min(high, max(low, interval))
    ttl = min(result.ttl_minutes or 0, high)  # bounded: a feed's number never overflows the arithmetic
    if ttl and ttl > interval:
        interval, why = float(ttl), f"the feed's ttl ({result.ttl_minutes} min)"
    due = now + timedelta(minutes=interval)
    max_age = min(result.max_age or 0, high * 60)
    if max_age and now + timedelta(seconds=max_age) > due:
        due, why = now + timedelta(seconds=max_age), f"Cache-Control max-age {result.max_age} s"
    if result.retry_after and result.retry_after > due:
        due, why = result.retry_after, "the host asked to wait (Retry-After)"
    if result.skip_hours and len(result.skip_hours) < 24:
        while due.astimezone(UTC).hour in result.skip_hours:  # RSS gives skipHours in GMT
            due = (due + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        why += "; skipHours respected"
    return Plan(due, round(interval, 2), rate, why)
