"""Turn newly indexed stories into alerts and deliver each exactly once, at once or as a digest.

Each (subscription, story cluster) pair becomes an alert record in Elasticsearch with a
deterministic id, written (create-only) before anything is sent; syndicated copies of a story fall
into the same cluster, so they add their outlet to the record instead of a second alert. Delivery
marks each channel as sent the moment it succeeds, so a retried task or a restart resends at most
the one message that was in flight, and a channel that is down delays only itself: its record is
retried with exponential backoff on later runs and marked `failed` after `max_attempts`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import apprise
from elasticsearch import ConflictError, Elasticsearch, NotFoundError, helpers

from pipeline.alert_messages import Message, digest, story_alert
from pipeline.index import alias, connect, ensure_indices, now
from pipeline.settings import Settings
from pipeline.subscriptions import Subscription, matches, story_tokens

log = logging.getLogger(__name__)
WATERMARK = "alerts-watermark"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class AlertSettings:
    max_attempts: int = 5
    backoff: timedelta = timedelta(minutes=1)  # doubled after each failed attempt
    cluster_days: int = 3  # how far back a syndicated copy is looked for
    similarity: float = 0.5  # Jaccard similarity of word 5-grams that makes two stories one
    batch: int = 500


@dataclass
class AlertReport:
    stories: int = 0
    created: int = 0
    syndicated: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {"stories": self.stories, "alerts_created": self.created, "syndicated_copies": self.syndicated,
                "sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def _id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def channel_key(url_template: str) -> str:
    return hashlib.sha256(url_template.encode()).hexdigest()[:12]


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i: i + n]) for i in range(max(1, len(words) - n + 1))}


def similarity(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def cluster_of(es: Elasticsearch, prefix: str, hit: dict, config: AlertSettings) -> tuple[str, list[dict]]:
    """The cluster id of a story (its earliest copy) and the other copies: the same wire story elsewhere."""
    story = hit["_source"]
    since = (datetime.fromisoformat(story["ingested"]) - timedelta(days=config.cluster_days)).isoformat()
    found = es.search(index=alias(prefix, "stories"), size=10, source=["story_id", "outlet", "ingested", "text", "title"],
                      query={"bool": {"must": [{"more_like_this": {
                          "fields": ["title", "text"], "like": [{"_index": hit["_index"], "_id": hit["_id"]}],
                          "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 50,
                          "minimum_should_match": "40%"}}],
                          "filter": [{"range": {"ingested": {"gte": since}}}]}})
    copies = [h["_source"] for h in found["hits"]["hits"]
              if similarity(f"{story['title']} {story['text']}", f"{h['_source']['title']} {h['_source']['text']}")
              >= config.similarity]
    members = [story, *copies]
    first = min(members, key=lambda s: (s["ingested"], s["story_id"]))
    return first["story_id"], copies


def _get_state(es: Elasticsearch, prefix: str, key: str) -> str | None:
    try:
        return es.get(index=alias(prefix, "state"), id=key)["_source"]["value"]
    except NotFoundError:
        return None


def _set_state(es: Elasticsearch, prefix: str, key: str, value: str) -> None:
    es.index(index=alias(prefix, "state"), id=key, document={"key": key, "value": value}, refresh=True)


def find_new_alerts(settings: Settings, subs: list[Subscription], config: AlertSettings = AlertSettings()) -> AlertReport:
    """Alert records for stories indexed since the last run; safe to run twice."""
    es = connect(settings.es_url)
    ensure_indices(es, settings.index_prefix)
    report = AlertReport()
    es.indices.refresh(index=alias(settings.index_prefix, "stories"))
    watermark = _get_state(es, settings.index_prefix, WATERMARK) or "1970-01-01T00:00:00+00:00"
    newest = watermark
    search_after = None
    while True:
        page = es.search(index=alias(settings.index_prefix, "stories"), size=config.batch,
                         query={"range": {"ingested": {"gte": watermark}}},
                         sort=[{"ingested": "asc"}, {"story_id": "asc"}], search_after=search_after)
        hits = page["hits"]["hits"]
        if not hits:
            break
        search_after = hits[-1]["sort"]
        for hit in hits:
            report.stories += 1
            story = hit["_source"]
            tokens = story_tokens(story)
            wanted = [s for s in subs if matches(s, story, tokens)]
            if not wanted:
                continue
            cluster, copies = cluster_of(es, settings.index_prefix, hit, config)
            for sub in wanted:
                _record(es, settings.index_prefix, sub, story, cluster, copies, report)
            newest = max(newest, story["ingested"])
    es.indices.refresh(index=alias(settings.index_prefix, "alerts"))
    _set_state(es, settings.index_prefix, WATERMARK, newest)
    return report


def _record(es: Elasticsearch, prefix: str, sub: Subscription, story: dict, cluster: str, copies: list[dict],
            report: AlertReport) -> None:
    alert_id = _id(sub.name, cluster)
    doc = {"alert_id": alert_id, "kind": "story", "subscription": sub.name, "mode": sub.mode,
           "story_id": story["story_id"], "cluster_id": cluster, "story_ids": [story["story_id"]],
           "outlet": story["outlet"], "other_outlets": sorted({c["outlet"] for c in copies} - {story["outlet"]}),
           "title": story["title"], "url": story["url"], "published": story["published"], "created": now().isoformat(),
           "status": "pending", "attempts": 0, "next_attempt": now().isoformat(), "channels_sent": []}
    try:
        es.create(index=alias(prefix, "alerts"), id=alert_id, document=doc)
        report.created += 1
        return
    except ConflictError:
        pass
    # the cluster already has its alert: this copy only adds its outlet (while there is time to show it)
    existing = es.get(index=alias(prefix, "alerts"), id=alert_id)["_source"]
    if story["story_id"] not in existing["story_ids"]:
        report.syndicated += 1
        outlets = sorted(set(existing["other_outlets"]) | {story["outlet"]} - {existing["outlet"]})
        es.update(index=alias(prefix, "alerts"), id=alert_id,
                  doc={"story_ids": existing["story_ids"] + [story["story_id"]], "other_outlets": outlets})


def send(url: str, message: Message) -> str | None:
    """Deliver one message to one Apprise URL; the error text, or None when it went through."""
    client = apprise.Apprise()
    if not client.add(url):
        return "Apprise cannot use this URL"
    with apprise.LogCapture(level=apprise.logging.WARNING) as captured:
        ok = client.notify(title=message.title, body=message.html, body_format=apprise.NotifyFormat.HTML)
    if ok:
        return None
    lines = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return "; ".join(lines[-2:]) or "delivery failed"


def _deliver(es: Elasticsearch, prefix: str, doc_id: str, record: dict, sub: Subscription, message: Message,
             config: AlertSettings, report: AlertReport, at: datetime) -> bool:
    """Send to each channel not yet done, marking each success at once; True when all channels have it."""
    sent = list(record.get("channels_sent") or [])
    errors = []
    for template, url in zip(sub.channels, sub.channel_urls()):
        key = channel_key(template)
        if key in sent:
            continue
        error = send(url, message)
        if error:
            errors.append(f"{url.split('://')[0]}: {error}")
            continue
        sent.append(key)
        es.update(index=alias(prefix, "alerts"), id=doc_id, doc={"channels_sent": sent}, refresh=True)
    if not errors:
        es.update(index=alias(prefix, "alerts"), id=doc_id, refresh=True,
                  doc={"status": "sent", "sent_at": at.isoformat(), "last_error": None})
        report.sent += 1
        return True
    attempts = record.get("attempts", 0) + 1
    status = "failed" if attempts >= config.max_attempts else "pending"
    retry_at = at + config.backoff * (2 ** (attempts - 1))
    es.update(index=alias(prefix, "alerts"), id=doc_id, refresh=True,
              doc={"attempts": attempts, "status": status, "next_attempt": retry_at.isoformat(),
                   "last_error": " | ".join(errors)})
    if status == "failed":
        report.failed += 1
        log.error("alert %s for %s failed after %d attempts: %s", doc_id, sub.name, attempts, errors)
    else:
        report.retrying += 1
        log.warning("alert %s for %s not delivered (attempt %d, retry after %s): %s", doc_id, sub.name,
                    attempts, retry_at.isoformat(), errors)
    report.errors.extend(errors)
    return False


def _stories(es: Elasticsearch, prefix: str, story_ids: list[str]) -> dict[str, dict]:
    """The stories behind a batch of alerts, in one request rather than one per alert."""
    ids = list(dict.fromkeys(story_ids))
    if not ids:
        return {}
    found = es.search(index=alias(prefix, "stories"), query={"ids": {"values": ids}}, size=len(ids))
    return {hit["_id"]: hit["_source"] for hit in found["hits"]["hits"]}


def deliver_immediate(settings: Settings, subs: list[Subscription], config: AlertSettings = AlertSettings(),
                      at: datetime | None = None) -> AlertReport:
    """Send every due immediate alert; a down channel leaves its alert pending for a later run."""
    at = at or now()
    es = connect(settings.es_url)
    ensure_indices(es, settings.index_prefix)
    report = AlertReport()
    by_name = {s.name: s for s in subs if s.mode == "immediate"}
    if not by_name:
        return report
    due = es.search(index=alias(settings.index_prefix, "alerts"), size=1000, sort=[{"created": "asc"}],
                    query={"bool": {"filter": [{"term": {"kind": "story"}}, {"term": {"status": "pending"}},
                                               {"terms": {"subscription": list(by_name)}},
                                               {"range": {"next_attempt": {"lte": at.isoformat()}}}]}})
    stories = _stories(es, settings.index_prefix, [h["_source"]["story_id"] for h in due["hits"]["hits"]])
    for hit in due["hits"]["hits"]:
        record = hit["_source"]
        sub = by_name[record["subscription"]]
        story = stories.get(record["story_id"])
        if story is None:
            continue
        _deliver(es, settings.index_prefix, hit["_id"], record, sub,
                 story_alert(story, record.get("other_outlets", []), sub.name), config, report, at)
    return report


def run_digests(settings: Settings, subs: list[Subscription], config: AlertSettings = AlertSettings(),
                at: datetime | None = None) -> AlertReport:
    """One message per subscription and period, with the alerts created before the period began."""
    at = at or now()
    es = connect(settings.es_url)
    ensure_indices(es, settings.index_prefix)
    report = AlertReport()
    for sub in (s for s in subs if s.mode == "digest" and s.digest):
        boundary = sub.digest.period_start(at)
        period = boundary.isoformat()
        digest_id = _id(sub.name, "digest", period)
        try:
            record = es.get(index=alias(settings.index_prefix, "alerts"), id=digest_id)["_source"]
        except NotFoundError:
            pending = es.search(index=alias(settings.index_prefix, "alerts"), size=1000, query={"bool": {"filter": [
                {"term": {"kind": "story"}}, {"term": {"subscription": sub.name}}, {"term": {"status": "pending"}},
                {"range": {"created": {"lt": boundary.astimezone(timezone.utc).isoformat()}}}]}})["hits"]["hits"]
            if not pending:
                continue
            record = {"alert_id": digest_id, "kind": "digest", "subscription": sub.name, "mode": "digest",
                      "period": period, "alert_ids": [h["_id"] for h in pending], "created": at.isoformat(),
                      "status": "pending", "attempts": 0, "next_attempt": at.isoformat(), "channels_sent": []}
            es.index(index=alias(settings.index_prefix, "alerts"), id=digest_id, document=record, refresh=True)
            helpers.bulk(es, ({"_op_type": "update", "_index": alias(settings.index_prefix, "alerts"), "_id": h["_id"],
                               "doc": {"status": "in-digest", "digest_id": digest_id}} for h in pending),
                         refresh=True)
        if record["status"] != "pending" or record["next_attempt"] > at.isoformat():
            continue
        records = [d["_source"] for d in es.mget(index=alias(settings.index_prefix, "alerts"),
                                                  ids=record["alert_ids"])["docs"] if d.get("found")]
        by_id = _stories(es, settings.index_prefix, [r["story_id"] for r in records])
        stories = [(by_id[r["story_id"]], r.get("other_outlets", [])) for r in records if r["story_id"] in by_id]
        message = digest(stories, sub.name, f"until {boundary.strftime('%Y-%m-%d %H:%M %Z')}")
        if _deliver(es, settings.index_prefix, digest_id, record, sub, message, config, report, at):
            helpers.bulk(es, ({"_op_type": "update", "_index": alias(settings.index_prefix, "alerts"), "_id": i,
                               "doc": {"status": "sent", "sent_at": at.isoformat()}} for i in record["alert_ids"]),
                         refresh=True)
    return report


def send_test(sub: Subscription) -> dict[str, str | None]:
    """A sample alert to each channel of a subscription, so a user can check their setup."""
    sample = {"title": "Newswatch test alert: your subscription works", "url": "https://example.org/newswatch-test",
              "outlet": "Newswatch", "published": now().isoformat(), "topics": sub.rule.topics or ["(any)"],
              "matched_terms": ["test"], "summary": "This is a test message sent by `newswatch alerts test`.",
              "text": "", "top_quote": None}
    message = story_alert(sample, [], sub.name)
    return {template: send(url, message) for template, url in zip(sub.channels, sub.channel_urls())}


def subscription_status(settings: Settings, subs: list[Subscription]) -> list[dict]:
    """Per subscription: alerts sent, pending, failed, and the last delivery and error."""
    es = connect(settings.es_url)
    ensure_indices(es, settings.index_prefix)
    rows = []
    for sub in subs:
        found = es.search(index=alias(settings.index_prefix, "alerts"), size=0,
                          query={"term": {"subscription": sub.name}},
                          aggs={"status": {"terms": {"field": "status"}}, "last": {"max": {"field": "sent_at"}}})
        counts = {b["key"]: b["doc_count"] for b in found["aggregations"]["status"]["buckets"]}
        last_error = es.search(index=alias(settings.index_prefix, "alerts"), size=1, sort=[{"next_attempt": "desc"}],
                               query={"bool": {"filter": [{"term": {"subscription": sub.name}},
                                                          {"range": {"attempts": {"gte": 1}}}]}})["hits"]["hits"]
        rows.append({"name": sub.name, "mode": sub.mode, "channels": len(sub.channels),
                     "sent": counts.get("sent", 0), "pending": counts.get("pending", 0) + counts.get("in-digest", 0),
                     "failed": counts.get("failed", 0),
                     "last_delivery": found["aggregations"]["last"].get("value_as_string"),
                     "last_error": last_error[0]["_source"].get("last_error") if last_error else None})
    return rows
