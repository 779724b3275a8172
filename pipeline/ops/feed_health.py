"""Per-feed health: one record per feed per poll, and a verdict an operator can act on the same day.

A feed is `failing` when its last polls failed, `silent` when it still answers but has brought no
new item for much longer than its own usual gap (learned from its history, so a weekly newsletter
is not flagged after a day while a wire feed is flagged within hours), `slow` when it answers
slowly, `ok` otherwise, and `new` before it has enough history to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from statistics import median
from typing import get_args

from pipeline.config import load_feeds
from pipeline.errors import DeliveryError
from pipeline.ingest.sources import feeds_file, production_source
from pipeline.redact import redact
from pipeline.settings import HealthSettings, Settings
from pipeline.store import Store
from pipeline.store.documents import HealthStatus, PollRecord
from pipeline.store.poll_summary import PollSummary, summarize

NEEDS_A_LOOK: tuple[HealthStatus, ...] = ("failing", "silent")  # what the operator is told about


@dataclass
class FeedHealth:
    feed_id: str
    status: HealthStatus
    reason: str
    last_poll: str | None
    last_success: str | None
    last_new_item: str | None
    consecutive_failures: int
    usual_gap_hours: float | None
    median_latency: float | None
    new_per_day: list[tuple[str, int]]  # (day, new items) for the last 7 days
    last_run_id: str | None = None  # the Airflow run of the last poll, for a link to its log
    next_due: str | None = None
    warning: str | None = None


def production_feeds_file(settings: Settings) -> Path:
    """The feeds the scheduled polls poll (`production_source`: `auto` is never guessed). `feeds_file` resolves
    `auto` by DNS: a lookup failing on the api-server showed the bundled replay feeds on the health page, and the
    daily check judged those (all "new") while every real feed failed."""
    return feeds_file(settings.replace(source=production_source(settings)))


def classify(feed_id: str, polls: Sequence[PollRecord] | PollSummary, at: datetime,
             config: HealthSettings | None = None) -> FeedHealth:
    """The verdict for one feed from its poll history (oldest first), or from the store's summary of it."""
    config = config or HealthSettings()
    at = at.astimezone(UTC)  # the days are UTC days, as the summary's buckets: `--at …+05:00` lost the oldest one
    summary = polls if isinstance(polls, PollSummary) else summarize(polls)
    last = summary.last
    if last is None:
        return FeedHealth(feed_id, "new", "never polled", None, None, None, 0, None, None, [])
    gaps = [(b - a).total_seconds() for a, b in pairwise(summary.new_item_times)]
    usual = median(gaps) if len(gaps) >= config.min_history else None
    latency = median(summary.latencies) if summary.latencies else None
    days = [(at - timedelta(days=d)).date().isoformat() for d in range(6, -1, -1)]
    per_day = {d: summary.new_per_day.get(d, 0) for d in days}
    last_new = summary.last_new_item
    health = FeedHealth(feed_id, "ok", "", last.time.isoformat(),
                        summary.last_success.isoformat() if summary.last_success else None,
                        last_new.isoformat() if last_new else None, last.consecutive_failures,
                        round(usual / 3600, 2) if usual else None, latency, list(per_day.items()), last.run_id,
                        last.next_due.isoformat() if last.next_due else None, redact(last.warning) if last.warning else None)
    if health.consecutive_failures >= config.failing_after or summary.last_success is None:
        # a feed that has never answered is failing from its first poll: it has no good record to be `ok` on. Only
        # the history window is read, so no success there is not "never": a feed down for 40 days was called so
        health.status = "failing"
        count = (f"no success in the last {config.history_days} days: " if summary.last_success is None else "") + \
            f"{health.consecutive_failures} failed poll{'s' * (health.consecutive_failures != 1)} in a row"
        health.reason = redact(f"{count}: {last.error_class}: {last.error_message}")  # the page, CLI, operator see it
    elif last_new:
        quiet = (at - last_new).total_seconds()
        if usual is not None:
            limit = max(config.silent_factor * usual, config.silent_minimum.total_seconds())
            habit = f"it usually brings one every {usual / 3600:.1f} h"
        else:
            limit = config.default_silence.total_seconds()
            habit = f"too little history to know its rhythm; limit {limit / 3600:.0f} h"
        if quiet > limit:
            health.status = "silent"
            health.reason = f"no new item for {quiet / 3600:.1f} h; {habit}"
    elif summary.successes >= config.min_history and summary.first_poll and \
            (at - summary.first_poll) > config.silent_minimum:
        health.status = "silent"
        health.reason = f"answers but has brought no new item in {summary.successes} polls"
    if health.status == "ok" and latency is not None and latency > config.slow_seconds:
        health.status = "slow"
        health.reason = f"median response time {latency:.1f} s"
    return health


def feed_health(store: Store, feed_ids: list[str], at: datetime | None = None,
                config: HealthSettings | None = None) -> list[FeedHealth]:
    """The verdicts, from a bounded summary of each feed's polls that the store reads in one request."""
    config = config or HealthSettings()
    at = at or store.now()
    days_from = (at.astimezone(UTC) - timedelta(days=6)).replace(hour=0, minute=0, second=0, microsecond=0)
    summaries = store.poll_summaries(feed_ids, at - timedelta(days=config.history_days), at, days_from)
    return [classify(feed_id, summaries.get(feed_id, PollSummary()), at, config) for feed_id in feed_ids]


def report(rows: list[FeedHealth]) -> str:
    """A plain-text listing for logs, the CLI and an operator's alert."""
    lines = [f"{'feed':<28} {'status':<8} {'last success':<17} {'last new item':<17} {'next due':<17} "
             f"{'7-day new':>9}  why"]
    for h in rows:
        lines.append(f"{h.feed_id:<28} {h.status:<8} {(h.last_success or '—')[:16]:<17} "
                     f"{(h.last_new_item or '—')[:16]:<17} {(h.next_due or '—')[:16]:<17} "
                     f"{sum(n for _, n in h.new_per_day):>9}  {h.reason}")
    return "\n".join(lines)


@dataclass
class HealthCheck:
    listing: str
    counts: dict[str, int]
    problems: list[DeliveryError]


def check_and_report(store: Store, settings: Settings) -> HealthCheck:
    """Judge every configured feed; send the listing to the operator subscription when some need a look."""
    from pipeline.alerts.delivery import send_to
    from pipeline.alerts.messages import feed_report
    from pipeline.alerts.subscriptions import operator_subscription

    feed_ids = [f.id for f in load_feeds(production_feeds_file(settings))]
    rows = feed_health(store, feed_ids, config=settings.health)
    listing = report(rows)
    counts = {status: sum(r.status == status for r in rows) for status in get_args(HealthStatus)}
    trouble = [r for r in rows if r.status in NEEDS_A_LOOK]
    problems: list[DeliveryError] = []
    operator = operator_subscription(settings) if trouble else None
    if operator is not None:
        problems = send_to(operator, feed_report(listing, len(trouble)))
    return HealthCheck(listing, counts, problems)
