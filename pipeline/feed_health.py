"""Per-feed health: one record per feed per poll, and a verdict an operator can act on the same day.

A feed is `failing` when its last polls failed, `silent` when it still answers but has brought no
new item for much longer than its own usual gap (learned from its history, so a weekly newsletter
is not flagged after a day while a wire feed is flagged within hours), `slow` when it answers
slowly, `ok` otherwise, and `new` before it has enough history to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from elasticsearch import Elasticsearch

from pipeline.feeds import FeedResult
from pipeline.index import alias, bulk_write, now


@dataclass(frozen=True)
class HealthSettings:
    failing_after: int = 2  # consecutive failed polls
    slow_seconds: float = 8.0  # median latency of recent polls
    silent_factor: float = 4.0  # silent when the time since the last new item exceeds this × the usual gap
    silent_minimum: timedelta = timedelta(hours=6)
    history_days: int = 30
    min_history: int = 3  # gaps needed to learn a feed's usual rhythm
    default_silence: timedelta = timedelta(hours=48)  # the limit while the rhythm is still unknown


@dataclass
class FeedHealth:
    feed_id: str
    status: str  # ok | failing | silent | slow | new
    reason: str
    last_poll: str | None
    last_success: str | None
    last_new_item: str | None
    consecutive_failures: int
    usual_gap_hours: float | None
    median_latency: float | None
    new_per_day: list[tuple[str, int]]  # (day, new items) for the last 7 days


def record_polls(es: Elasticsearch, prefix: str, results: list[FeedResult], new_items: dict[str, int],
                 failures: dict[str, int]) -> None:
    """One health document per feed for this poll; the id makes a retried task overwrite, not add."""
    at = now().isoformat()
    docs = []
    for r in results:
        docs.append((f"{r.feed.id}-{at}", {
            "feed_id": r.feed.id, "time": at, "outcome": r.outcome, "http_status": r.http_status,
            "latency": round(r.latency, 3), "bytes": r.bytes, "items_seen": len(r.items),
            "new_items": new_items.get(r.feed.id, 0), "error_class": r.error_kind, "error_message": r.error,
            "consecutive_failures": failures.get(r.feed.id, 0)}))
    bulk_write(es, prefix, "feed-health", docs)


def classify(feed_id: str, polls: list[dict], at: datetime, config: HealthSettings = HealthSettings()) -> FeedHealth:
    """The verdict for one feed from its poll history (oldest first)."""
    if not polls:
        return FeedHealth(feed_id, "new", "never polled", None, None, None, 0, None, None, [])
    last = polls[-1]
    successes = [p for p in polls if p["outcome"] != "error"]
    with_new = [datetime.fromisoformat(p["time"]) for p in polls if p.get("new_items", 0) > 0]
    gaps = [(b - a).total_seconds() for a, b in zip(with_new, with_new[1:])]
    usual = median(gaps) if len(gaps) >= config.min_history else None
    latencies = [p["latency"] for p in successes[-10:] if p.get("latency") is not None]
    latency = median(latencies) if latencies else None
    days = [(at - timedelta(days=d)).date().isoformat() for d in range(6, -1, -1)]
    per_day = {d: 0 for d in days}
    for p in polls:
        if p["time"][:10] in per_day:
            per_day[p["time"][:10]] += p.get("new_items", 0)
    health = FeedHealth(feed_id, "ok", "", last["time"], successes[-1]["time"] if successes else None,
                        with_new[-1].isoformat() if with_new else None, last.get("consecutive_failures", 0),
                        round(usual / 3600, 2) if usual else None, latency, list(per_day.items()))
    if health.consecutive_failures >= config.failing_after:
        health.status = "failing"
        health.reason = f"{health.consecutive_failures} failed polls in a row: {last.get('error_class')}: " \
                        f"{last.get('error_message')}"
    elif with_new:
        quiet = (at - with_new[-1]).total_seconds()
        if usual is not None:
            limit = max(config.silent_factor * usual, config.silent_minimum.total_seconds())
            habit = f"it usually brings one every {usual / 3600:.1f} h"
        else:
            limit = config.default_silence.total_seconds()
            habit = f"too little history to know its rhythm; limit {limit / 3600:.0f} h"
        if quiet > limit:
            health.status = "silent"
            health.reason = f"no new item for {quiet / 3600:.1f} h; {habit}"
    elif not with_new and len(successes) >= config.min_history and polls and \
            (at - datetime.fromisoformat(polls[0]["time"])) > config.silent_minimum:
        health.status = "silent"
        health.reason = f"answers but has brought no new item in {len(successes)} polls"
    if health.status == "ok" and latency is not None and latency > config.slow_seconds:
        health.status = "slow"
        health.reason = f"median response time {latency:.1f} s"
    return health


def feed_health(es: Elasticsearch, prefix: str, feed_ids: list[str], at: datetime | None = None,
                config: HealthSettings = HealthSettings()) -> list[FeedHealth]:
    at = at or now()
    since = (at - timedelta(days=config.history_days)).isoformat()
    out = []
    for feed_id in feed_ids:
        found = es.search(index=alias(prefix, "feed-health"), size=2000, sort=[{"time": "asc"}],
                          query={"bool": {"filter": [{"term": {"feed_id": feed_id}},
                                                     {"range": {"time": {"gte": since, "lte": at.isoformat()}}}]}})
        out.append(classify(feed_id, [h["_source"] for h in found["hits"]["hits"]], at, config))
    return out


def report(rows: list[FeedHealth]) -> str:
    """A plain-text listing for logs, the CLI and an operator's alert."""
    lines = [f"{'feed':<28} {'status':<8} {'last success':<17} {'last new item':<17} {'7-day new':>9}  why"]
    for h in rows:
        lines.append(f"{h.feed_id:<28} {h.status:<8} {(h.last_success or '—')[:16]:<17} "
                     f"{(h.last_new_item or '—')[:16]:<17} {sum(n for _, n in h.new_per_day):>9}  {h.reason}")
    return "\n".join(lines)
