"""What the fault drill counts: what a clean pass over the same feeds gives (the reference), and what the
cluster holds after a pass that was broken on purpose — from the index and from the SMTP server's Maildir.

The reference is the same code run once in this process, with nothing killed, into its own index prefix:
so "expected" is not a hard-coded number but what these feeds give today. Stories are compared by id,
quotes story by story, alerts by the story URLs of each (subscription, story cluster) record.
"""

from __future__ import annotations

import mailbox
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from html import unescape
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.alerts.records import find_new_alerts
from pipeline.alerts.subscriptions import configured_subscriptions
from pipeline.ingest.poll import poll_feeds
from pipeline.nlp.enrich import enrich_stories
from pipeline.settings import Settings
from pipeline.store import Store


@dataclass
class Expected:
    stories: dict[str, int]  # story id → its quotes
    urls: dict[str, set[str]]  # story id → the URLs an alert about it may carry
    alerts: list[set[str]]  # each alert record: the URLs of its stories


@dataclass(frozen=True)
class Tally:
    """What became of the things a clean pass gives (stories, or alerts): each should arrive exactly once."""

    expected: int
    arrived: int  # stories indexed, alerts delivered
    duplicated: int
    lost: int

    @property
    def exact(self) -> bool:
        return self.lost == self.duplicated == 0


@dataclass
class Figures:
    stories: Tally
    alerts: Tally
    quotes_complete: int  # stories whose quotes are all there (as many as the reference found)
    quotes: int
    quotes_expected: int
    feeds_advanced: int
    feeds: int
    mail_unmatched: int = 0
    cluster: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        c, stories, alerts = self.cluster, self.stories, self.alerts
        return [f"stories expected {stories.expected} / indexed {stories.arrived} / duplicated "
                f"{stories.duplicated} / lost {stories.lost}",
                f"quotes complete for {self.quotes_complete}/{stories.expected} stories "
                f"({self.quotes} quotes, {self.quotes_expected} expected)",
                f"feed states advanced {self.feeds_advanced}/{self.feeds}",
                f"alerts expected {alerts.expected} / delivered {alerts.arrived} / duplicated "
                f"{alerts.duplicated} / lost {alerts.lost}"
                + (f" ({self.mail_unmatched} messages about no expected alert)" if self.mail_unmatched else ""),
                f"cluster {c.get('status')}: {c.get('number_of_nodes')} nodes, {c.get('active_shards')} shards, "
                f"{c.get('unassigned_shards')} unassigned"]

    @property
    def clean(self) -> bool:
        return (self.stories.exact and self.alerts.exact and self.quotes_complete == self.stories.expected
                and self.feeds_advanced == self.feeds and self.cluster.get("status") == "green")


def _all(es: Elasticsearch, index: str, fields: list[str]) -> list[dict[str, Any]]:
    es.indices.refresh(index=index, ignore_unavailable=True)
    return [hit["_source"] for hit in helpers.scan(es, index=index, query={"query": {"match_all": {}}},
                                                   _source=fields, ignore_unavailable=True)]


def quotes_per_story(es: Elasticsearch, prefix: str) -> Counter[str]:
    return Counter(q["story_id"] for q in _all(es, f"{prefix}-quotes", ["story_id"]))


def reference(settings: Settings, feed_ids: list[str]) -> Expected:
    """One clean pass (poll, enrich, find alerts) into `settings.index_prefix`, and what it gave."""
    with Store.open(settings, ensure=False) as store:
        store.drop()
    with Store.open(settings) as store:
        poll_feeds(store, settings, feed_ids, run_id="reference")
        enrich_stories(store, settings)
        find_new_alerts(store, configured_subscriptions(settings), settings.alerts)
        es = store.client
        prefix = settings.index_prefix
        stories = _all(es, f"{prefix}-stories", ["story_id", "url", "canonical_url"])
        quotes = quotes_per_story(es, prefix)
        urls = {s["story_id"]: {s["url"], s["canonical_url"]} for s in stories}
        records = [r for r in _all(es, f"{prefix}-alerts", ["kind", "story_ids", "story_id"]) if r["kind"] == "story"]
    alerts = [set().union(*(urls.get(i, set()) for i in (r.get("story_ids") or [r["story_id"]]))) for r in records]
    return Expected({s["story_id"]: quotes[s["story_id"]] for s in stories}, urls, alerts)


def mail_texts(maildir: Path) -> list[str]:
    """Every message the SMTP server received, as the text of all its parts."""
    texts = []
    for message in mailbox.Maildir(maildir, create=True):
        parts: list[str] = []
        for part in message.walk():
            if isinstance(part, Message) and part.get_content_maintype() == "text":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    parts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
        texts.append("\n".join(parts))
    return texts


# a link as a message writes it: in an href (ended by its quote) or in the text part (ended by a space or a bracket)
_URL = re.compile(r"""https?://[^\s"'<>]+""")


def mail_urls(text: str) -> set[str]:
    """The links a message carries, each whole: an alert matched by substring, a mail about `…/story-10` counted
    as delivering `…/story-1` too (an alert lost was then reported delivered, or one delivered once duplicated)."""
    return {unescape(url) for url in _URL.findall(text)}  # the HTML part writes `&` as `&amp;`


def measure(es: Elasticsearch, prefix: str, expected: Expected, feed_ids: list[str], since: datetime,
            maildir: Path, health: dict[str, Any]) -> Figures:
    stories = _all(es, f"{prefix}-stories", ["story_id", "canonical_url"])
    ids = Counter(s["story_id"] for s in stories)
    by_url = Counter(s["canonical_url"] for s in stories)
    quotes = quotes_per_story(es, prefix)
    feeds = {f["feed_id"]: f for f in _all(es, f"{prefix}-feeds", ["feed_id", "last_polled"])}
    advanced = [i for i in feed_ids if feeds.get(i, {}).get("last_polled")
                and datetime.fromisoformat(feeds[i]["last_polled"].replace("Z", "+00:00")) >= since]
    carried = [mail_urls(text) for text in mail_texts(maildir)]
    per_alert = [sum(1 for found in carried if found & urls) for urls in expected.alerts]
    matched = sum(1 for found in carried if any(found & urls for urls in expected.alerts))
    return Figures(
        stories=Tally(expected=len(expected.stories), arrived=len(stories),
                      duplicated=sum(n - 1 for n in ids.values()) + sum(n - 1 for n in by_url.values()),
                      lost=len(set(expected.stories) - set(ids))),
        alerts=Tally(expected=len(expected.alerts), arrived=sum(1 for n in per_alert if n),
                     duplicated=sum(n - 1 for n in per_alert if n > 1), lost=sum(1 for n in per_alert if not n)),
        quotes_complete=sum(1 for sid, n in expected.stories.items() if sid in ids and quotes[sid] == n),
        quotes=sum(quotes.values()), quotes_expected=sum(expected.stories.values()),
        feeds_advanced=len(advanced), feeds=len(feed_ids), mail_unmatched=len(carried) - matched, cluster=health)
