"""Turn newly indexed stories into alert records, one per (subscription, story cluster), exactly once.

Each record has a deterministic id and is written create-only before anything is sent
(`pipeline.alerts.delivery` sends them); syndicated copies of a story fall into the same cluster, so they
add their outlet to the record instead of making a second alert. A watermark remembers how far the
stories have been read, and reading again from it changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pipeline.alerts.subscriptions import Subscription, matches, story_tokens
from pipeline.ingest.clusters import settled_cluster
from pipeline.settings import AlertSettings
from pipeline.store import Store
from pipeline.store.documents import AlertRecord, Story

log = logging.getLogger(__name__)
WATERMARK = "alerts-watermark"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# read again below the newest time seen: a story is stamped `enriched_at` before its chunk's writes, and a
# chunk written slowly (a loaded node) becomes visible after a later one; alert ids are create-only, so the
# stories read twice are never alerted twice
OVERLAP = timedelta(minutes=10)


@dataclass
class AlertReport:
    stories: int = 0
    created: int = 0
    syndicated: int = 0
    sent: int = 0
    folded: int = 0  # alerts of a burst sent together as one message
    too_old: int = 0  # matches held back by the flood guard, and alerts expired unsent at delivery
    failed: int = 0
    retrying: int = 0
    surges: int = 0  # surge alerts among those created
    figures: int = 0  # figure alerts (revised, disagree) among those created
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"stories": self.stories, "alerts_created": self.created, "surge_alerts": self.surges,
                "figure_alerts": self.figures,
                "syndicated_copies": self.syndicated,
                "held_back_as_old": self.too_old, "sent": self.sent, "folded_into_burst": self.folded,
                "retrying": self.retrying, "failed": self.failed}


def record_id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def cluster_of(store: Store, story: Story, config: AlertSettings | None = None) -> tuple[str, list[str], list[str]]:
    """The cluster of a story, the outlets of its other copies and their ids: with `config`, asked again now that its
    copies are indexed (`settled_cluster`: copies written at the same moment by parallel poll shards had each
    started their own); a changed cluster is written back, so search and Kibana count the copies once too."""
    cluster = story.cluster_id or story.story_id
    if config is not None:
        settled = settled_cluster(store, story, config.similarity, config.cluster_days)
        if settled != cluster:
            store.update("stories", story.story_id, refresh=False, cluster_id=settled)
            cluster = settled
    others = [c for c in store.cluster_members(cluster) if c["story_id"] != story.story_id]
    return cluster, [str(c.get("outlet") or "") for c in others], [str(c["story_id"]) for c in others]


T = TypeVar("T")


def alert_each(store: Store, kind: Literal["surge", "figure"], subs: list[Subscription], watermark: str,
               look_back: timedelta, read: Callable[[datetime], Iterable[T]], updated: Callable[[T], datetime],
               wanted: Callable[[Subscription, T], bool], began: Callable[[T], datetime],
               fields: Callable[[T], tuple[str, dict[str, Any]]], last_moved: Callable[[T], datetime],
               max_age: timedelta | None) -> AlertReport:
    """One alert record per (subscription, record of what happened: a surge, a figure finding), create-only.

    The records are `read` from the watermark (the first run looks back `look_back`); the flood guard holds
    back what `began` before a subscription did and, as for stories, what `last_moved` longer than `max_age`
    ago (a surge that peaked a week ago is not news to a subscription that asks for surges today). `fields`
    gives an item's id and what its alert record holds; the alert id is (subscription, kind, item id), so
    reading again changes nothing.
    """
    report = AlertReport()
    watching = [s for s in subs if (s.surges if kind == "surge" else s.figures) is not None]
    if not watching:
        return report
    store.refresh("surges" if kind == "surge" else "figure-findings")
    since = store.get_time(watermark) or store.now() - look_back
    starts = subscription_starts(store, watching)
    newest = since
    stale = store.now() - max_age if max_age is not None else None
    for item in read(since):
        newest = max(newest, updated(item))
        for sub in watching:
            if not wanted(sub, item):
                continue
            if began(item) < starts[sub.name] or stale is not None and last_moved(item) < stale:
                report.too_old += 1
                continue
            at = store.now()
            key, values = fields(item)
            record = AlertRecord(alert_id=record_id(sub.name, kind, key), kind=kind, subscription=sub.name,
                                 mode=sub.mode, created=at, next_attempt=at, **values)
            if store.create_alert(record):
                report.created += 1
    store.refresh("alerts")
    store.set_time(watermark, max(since, newest - OVERLAP))
    return report


def subscription_starts(store: Store, subs: list[Subscription]) -> dict[str, datetime]:
    """When each subscription began: its `since`, else the first time this stage saw it (remembered)."""
    starts = {}
    for sub in subs:
        key = f"subscription-start:{sub.name}"
        seen = store.get_time(key)
        if seen is None:
            seen = store.now()
            store.set_time(key, seen)
        starts[sub.name] = sub.since or seen
    return starts


def too_old(story: Story, start: datetime, config: AlertSettings, now: datetime) -> bool:
    """The flood guard: a story seen before the subscription began, or published long ago, is not news to send."""
    first_seen = story.first_seen or story.ingested
    if first_seen < start:
        return True
    return config.max_age is not None and story.published < now - config.max_age


def find_new_alerts(store: Store, subs: list[Subscription], config: AlertSettings) -> AlertReport:
    """Alert records for stories enriched since the last run; safe to run twice."""
    report = AlertReport()
    store.refresh("stories")
    watermark = store.get_time(WATERMARK) or _EPOCH
    newest = watermark
    starts = subscription_starts(store, subs)
    now = store.now()
    for story in store.enriched_since(watermark, config.batch):
        report.stories += 1
        newest = max(newest, story.enriched_at or newest)
        tokens = story_tokens(story)
        wanted = [s for s in subs if matches(s, story, tokens)]
        if any(s.rule.new_speaker for s in wanted):
            new = store.first_quoted(story)
            wanted = [s for s in wanted if not s.rule.new_speaker or new]
        held = [s for s in wanted if too_old(story, starts[s.name], config, now)]
        report.too_old += len(held)
        wanted = [s for s in wanted if s not in held]
        if not wanted:
            continue
        earlier = story.cluster_id or story.story_id
        cluster, copies, copy_ids = cluster_of(store, story, config)
        for sub in wanted:
            # settled into an older cluster: the alert its own cluster or one of its copies already has (read again,
            # or another copy settling there later) is where it belongs, not a second one under the older id
            alerted = store.story_alert_cluster(sub.name, [story.story_id, *copy_ids]) or (
                earlier if store.alert(record_id(sub.name, earlier)) else cluster)
            _record(store, sub, story, alerted, copies, report)
    store.refresh("alerts")
    # read the last minutes again next time: a story enriched just before another may become visible after it
    store.set_time(WATERMARK, max(watermark, newest - OVERLAP))
    return report


def _record(store: Store, sub: Subscription, story: Story, cluster: str, copies: list[str],
            report: AlertReport) -> None:
    alert_id = record_id(sub.name, cluster)
    at = store.now()
    record = AlertRecord(alert_id=alert_id, kind="story", subscription=sub.name, mode=sub.mode,
                         story_id=story.story_id, cluster_id=cluster, story_ids=[story.story_id],
                         outlet=story.outlet, other_outlets=sorted(set(copies) - {story.outlet, ""}),
                         title=story.title, url=story.url, published=story.published, created=at,
                         next_attempt=at)
    if store.create_alert(record):
        report.created += 1
        return
    # the cluster already has its alert: this copy only adds its outlet (while there is time to show it)
    existing = store.alert(alert_id)
    if existing is not None and story.story_id not in existing.story_ids:
        report.syndicated += 1
        outlets = sorted(set(existing.other_outlets) | {story.outlet} - {existing.outlet})
        store.update_alert(alert_id, story_ids=[*existing.story_ids, story.story_id], other_outlets=outlets)


def orphaned_alerts(store: Store, names: set[str]) -> dict[str, int]:
    """Alerts still waiting under a name the subscriptions file no longer has (renamed or removed since):
    nothing will ever send them, so `alerts list` says so rather than letting them vanish."""
    return {name: n for name, n in store.waiting_by_subscription().items() if name not in names}


def subscription_status(store: Store, subs: list[Subscription]) -> list[dict[str, object]]:
    """Per subscription: alerts sent, pending, failed, and the last delivery and error."""
    rows: list[dict[str, object]] = []
    for sub in subs:
        summary = store.alert_summary(sub.name)
        counts = summary["counts"]
        rows.append({"name": sub.name, "mode": sub.mode, "channels": len(sub.channels),
                     "sent": counts.get("sent", 0), "pending": counts.get("pending", 0) + counts.get("in-digest", 0) + counts.get("sending", 0),
                     "failed": counts.get("failed", 0), "expired": counts.get("expired", 0), "last_delivery": summary["last_delivery"],
                     "last_error": summary["last_error"]})
    return rows
