"""Surge alerts: a surge record (pipeline.events) becomes one alert per subscription that wants it, exactly once.

A surge grows after it is raised (its record is rewritten as stories join), but its alert id is
(subscription, surge id), written create-only: the first sight of a surge makes the alert, later
growth does not make another. The flood guard holds back surges that started before the subscription
did; delivery claims, retries, the hourly rate and digests are the story alerts' (`delivery`).

The message says what surged, how far above its baseline and why it fired, lists the top stories and
outlets, and carries a chart of the series over the last 14 days with the baseline: a PNG inline in
email (and attached), a link to Kibana's surges view in text channels.
"""

from __future__ import annotations

import base64
import io
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from pipeline.alerts.messages import Message
from pipeline.alerts.records import AlertReport, alert_each, record_id
from pipeline.alerts.rendering import render
from pipeline.alerts.subscriptions import Subscription, wants_surge
from pipeline.events.surges import SurgeSettings
from pipeline.redact import public_link
from pipeline.settings import AlertSettings
from pipeline.store import Store
from pipeline.store.documents import Story, SurgeDoc

log = logging.getLogger(__name__)
WATERMARK = "surge-alerts-watermark"
CHART_DAYS = 14
# how far back a surge of the same series still makes one happening with a later one (a person in the news for
# weeks surges again and again: each new burst is news, and the chain stays a few links long)
HAPPENING_DAYS = timedelta(days=3)
# a surge stays open this long after its series was last over the line, then ends at that time: running when
# another began is judged as it was while open, or a later close set back in time made a second alert of one
COOL_DOWN = timedelta(hours=SurgeSettings().cooldown_hours)
SERIES_FIELDS = {"topic": "topics", "event": "event_id", "storyline": "storyline_id", "person": "persons",
                 "organization": "organizations", "place": "places"}


def find_surge_alerts(store: Store, subs: list[Subscription], config: AlertSettings) -> AlertReport:
    """Alert records for the surges raised or grown since the last run; safe to run twice.

    One alert per happening: each topic has its own detector, so a burst on two topics raises its event's (or
    person's, place's) surge in both, each from the story that took its own topic over the line (hours apart
    at times); the alert is keyed by the series and the start of the first of those surges, not the topic."""
    firsts: dict[str, str] = {}
    own_keys: dict[str, list[str]] = {}  # surge id → the keys of its happening's other surges, alerted or not

    def key_of(surge: SurgeDoc) -> str:
        if surge.surge_id not in firsts:
            firsts[surge.surge_id] = happening(surge, store.surges_of(surge.key, surge.start), key_of)
        return firsts[surge.surge_id]

    def fields(surge: SurgeDoc) -> tuple[str, dict[str, Any]]:
        return key_of(surge), {"surge_id": surge.surge_id, "story_ids": list(surge.story_ids),
                               "story_id": surge.story_ids[0] if surge.story_ids else None,
                               "title": f"Surge: {surge.label}", "published": surge.start}

    def alerted_apart(sub: Subscription, surge: SurgeDoc) -> bool:
        """Whether another surge of this happening was alerted under a key of its own: one that started later but
        was written first (a slow feed's story took another topic over the line afterwards, back in time). Its
        alert stands for the happening; keyed anew by the earlier start, the happening was mailed twice."""
        if surge.kind == "topic":
            return False
        key = key_of(surge)
        if surge.surge_id not in own_keys:  # the series' overlapping surges are the same for every subscription
            own_keys[surge.surge_id] = [own for o in store.surges_of(surge.key, surge.start + HAPPENING_DAYS)
                                        if (own := f"{o.key}|{o.start.isoformat()}") != key  # itself too, alerted
                                        and abs(o.start - surge.start) <= HAPPENING_DAYS and _overlap(o, surge)]  # before
        # one read for this happening's own alert (then it is updated as the surge grows) and the others'
        ids = [record_id(sub.name, "surge", k) for k in [key, *own_keys[surge.surge_id]]]
        found = store.alerts(ids)
        return ids[0] not in found and any(i in found for i in ids[1:])

    def wanted(sub: Subscription, surge: SurgeDoc) -> bool:
        if not wants_surge(sub, surge.topic, surge.kind, surge.label, surge.score) or alerted_apart(sub, surge):
            return False  # below: alerted before its key changed (records keyed by the surge's id)
        return key_of(surge) == surge.surge_id or store.alert(record_id(sub.name, "surge", surge.surge_id)) is None

    return alert_each(store, "surge", subs, WATERMARK, timedelta(days=CHART_DAYS), store.surges_since,
                      lambda s: s.updated, wanted, lambda s: s.start, fields, lambda s: s.end or s.peak, config.max_age)


def happening(surge: SurgeDoc, same_series: Sequence[SurgeDoc] = (),
              key_of: Callable[[SurgeDoc], str] | None = None) -> str:
    """What an alert is about: a topic's own surge, or a series (event, storyline, person …) from its start on,
    whichever topics' detectors raised it. A surge that started while another of its series was running (any
    topic's: `same_series`, the series' surges that started by then; open, or closed less than the cool-down
    before) is that one's happening (`key_of` it, so
    a chain of overlapping surges is one happening however it goes on)."""
    if surge.kind == "topic":
        return surge.surge_id
    running = [o for o in same_series if o.key == surge.key and (o.start, o.surge_id) < (surge.start, surge.surge_id)
               and (o.end is None or o.end + COOL_DOWN >= surge.start) and surge.start - o.start <= HAPPENING_DAYS]
    if not running:
        return f"{surge.key}|{surge.start.isoformat()}"
    first = min(running, key=lambda o: (o.start, o.surge_id))
    return key_of(first) if key_of is not None else f"{surge.key}|{first.start.isoformat()}"


def _overlap(one: SurgeDoc, other: SurgeDoc) -> bool:
    """Whether two surges of a series ran at once, or one began less than the cool-down after the other ended."""
    return (one.end is None or other.start <= one.end + COOL_DOWN) and (other.end is None or one.start <= other.end + COOL_DOWN)


def chart_png(days: list[tuple[str, int]], baseline: float, label: str) -> bytes:
    """Distinct stories a day, with the expected level, as a small PNG (matplotlib's Agg: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2.2), dpi=100)
    try:
        ax.bar(range(len(days)), [n for _, n in days], color="#c0392b", label="stories a day")
        ax.axhline(baseline, color="#555", linestyle="--", linewidth=1, label=f"baseline {baseline:.1f}")
        ax.set_xticks(range(len(days)), [d[5:] for d, _ in days], fontsize=7, rotation=45)
        ax.set_title(label[:80], fontsize=9, parse_math=False)  # a title's "$1B … $2B" is money, not a formula
        ax.legend(fontsize=7, loc="upper left", frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def surges_link(kibana_url: str, surge: SurgeDoc, prefix: str = "newswatch") -> str:
    """Kibana Discover on the surges data view (of the index prefix), filtered to this series."""
    kql = 'key:"' + surge.key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    rison = "'" + kql.replace("!", "!!").replace("'", "!'") + "'"  # rison quotes: ! escapes ! and '
    app = f"(dataSource:(dataViewId:'{prefix}-surges',type:dataView),query:(language:kuery,query:{rison}))"
    return (f"{public_link(kibana_url).rstrip('/')}/app/discover#/?_g={quote('(time:(from:now-30d,to:now))', safe='():,')}"
            f"&_a={quote(app, safe='():,')}")


def series_days(store: Store, surge: SurgeDoc, until: datetime) -> list[tuple[str, int]]:
    field_name = SERIES_FIELDS.get(surge.kind, "topics")
    value = surge.key.split(":", 1)[1] if surge.kind in ("topic", "event", "storyline") else surge.label
    days = store.series_counts(field_name, value, until - timedelta(days=CHART_DAYS))
    return days[-CHART_DAYS - 1:]


def surge_message(store: Store, surge: SurgeDoc, subscription: str, kibana_url: str) -> tuple[Message, bytes]:
    """The alert and its chart: what surged, how far above its baseline, why, the top stories and outlets."""
    stories = sorted(store.stories(surge.story_ids).values(), key=lambda s: s.published)
    outlets = Counter(s.outlet for s in stories).most_common(5)
    days = series_days(store, surge, max(surge.peak, store.now()))
    try:
        png = chart_png(days, surge.expected, surge.label)
    except Exception:  # the chart is an aid: without it the alert still goes, and the others behind it
        log.exception("surge %s: the chart could not be drawn; the alert goes without it", surge.surge_id)
        png = b""
    ratio = surge.count / surge.expected if surge.expected else float("inf")
    why = (f"{surge.count} distinct stories in 24 hours where its history led one to expect {surge.expected:.1f} "
           f"(a chance of 1 in {10 ** surge.score:,.0f} at that rate)")
    body = render("surge.html", surge=surge, kind=surge.kind, why=why, ratio=f"{ratio:.1f}",
                  stories=_top(stories), outlets=outlets, subscription=subscription,
                  chart=base64.b64encode(png).decode(), link=surges_link(kibana_url, surge, store.prefix),
                  start=surge.start.strftime("%Y-%m-%d %H:%M"))
    return Message(f"[Newswatch] Surge: {surge.label} ({surge.count} stories, {ratio:.1f}× usual)", body), png


def _top(stories: list[Story], size: int = 5) -> list[dict[str, Any]]:
    """The most quoted stories first, one per outlet before any second of the same outlet."""
    ranked = sorted(stories, key=lambda s: (-s.quote_count, s.published))
    first: list[Story] = []
    rest: list[Story] = []
    seen: set[str] = set()
    for story in ranked:
        (rest if story.outlet in seen else first).append(story)
        seen.add(story.outlet)
    return [{"title": s.title, "url": s.url, "outlet": s.outlet, "published": s.published.strftime("%Y-%m-%d %H:%M")}
            for s in (first + rest)[:size]]
