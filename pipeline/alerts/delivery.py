"""Deliver alert records to their subscribers' channels, at once or as a digest, each exactly once.

Delivery marks each channel as sent the moment it succeeds, so a retried task or a restart resends
at most the one message that was in flight, and a channel that is down delays only itself: its
record is retried with exponential backoff on later runs and marked `failed` after `max_attempts`, unless it
went out nowhere: then it goes on being tried (an hour apart at most) until it is older than `max_age`.
An alert that reaches delivery only after that (its subscription held for days by an unset secret) is
`expired`, never sent: a channel back from a long outage gets today's news, not last week's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

import apprise
from apprise import NotifyBase, OverflowMode

from pipeline.alerts.channels import channel_host, channel_refusal
from pipeline.alerts.figures import figure_message
from pipeline.alerts.messages import Message, digest, story_alert
from pipeline.alerts.parts import channel_key, channel_parts
from pipeline.alerts.records import AlertReport, record_id
from pipeline.alerts.signing import feedback_links
from pipeline.alerts.subscriptions import Subscription
from pipeline.alerts.surges import surge_message
from pipeline.errors import DeliveryError
from pipeline.ingest.outbound import OutboundPolicy, checked_connections
from pipeline.redact import redact
from pipeline.settings import AlertSettings, FeedbackSettings, Settings
from pipeline.store import Store
from pipeline.store.alerts import claimable
from pipeline.store.documents import AlertRecord, Story
from pipeline.timing import utcnow

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
RETRY_WHILE = timedelta(hours=48)  # how long after it was made an alert sent nowhere is tried when there is no `max_age`


def send(url: str, message: Message, allow: Sequence[str] | None = None) -> None:
    """Deliver one message to one Apprise URL; raise DeliveryError saying why it did not go through.

    A channel is held to the outbound policy feeds are held to: a host that is, or resolves to, a
    loopback, private or link-local address is refused unless `allow` names it (default:
    NEWSWATCH_FETCH__ALLOW, read here because the delivery loops do not carry the settings).
    """
    scheme = url.split("://")[0]
    policy = OutboundPolicy.allowing(Settings.from_env().fetch.allow if allow is None else allow)
    refused, host = channel_refusal(url, policy), channel_host(url) or ""
    if refused:
        raise DeliveryError("", scheme, f"refused: {refused}; a channel reaches only public addresses unless "
                                        "NEWSWATCH_FETCH__ALLOW names its host or network")
    client = apprise.Apprise()
    if not client.add(url):
        raise DeliveryError("", scheme, "Apprise cannot use this URL")
    for server in client:
        server.redirects = False  # the guard checked this host: a redirect must not carry the alert elsewhere
        if server.body_maxlen != NotifyBase.body_maxlen and server.overflow_mode != OverflowMode.TRUNCATE:
            # a limit of the service's own (Discord's 2,000 characters): a digest longer went as one post, was
            # refused until handed back, and the next, longer still, too; split, it goes as several. Apprise's
            # default for services that state none (email, webhooks) is no limit of theirs: one message there
            server.overflow_mode = OverflowMode.SPLIT
    attach = None
    if message.attachments and scheme in ("mailto", "mailtos"):  # text channels carry a link instead
        from apprise.attachment.memory import AttachMemory

        attach = apprise.AppriseAttachment()
        for name, content in message.attachments:
            attach.add(AttachMemory(content=content, name=name, mimetype="image/png"))
    with (apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as captured, _kept_to_capture(),
          checked_connections(host, policy) as refusals):
        ok = client.notify(title=message.title, body=message.html, body_format=apprise.NotifyFormat.HTML,
                           attach=attach)
    if refusals:  # the name resolved elsewhere when the request was made than when the channel was checked
        raise DeliveryError("", scheme, f"refused: {refusals[0]}; a channel reaches only public addresses unless "
                                        "NEWSWATCH_FETCH__ALLOW names its host or network")
    if not ok:
        lines = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
        raise DeliveryError("", scheme, scrubbed("; ".join(lines[-2:]), url) or "delivery failed")


def scrubbed(text: str, url: str = "", filled: Sequence[str] = ()) -> str:
    """`text` without the parts of a channel URL that may be secret: its user and password, its path segments
    (tokens, an ntfy topic) and a host that is one word (a public ntfy topic); the reason goes into the alert
    record and the log. Hosts with a dot and query parameter names stay: they say where delivery failed.

    And without the values its `${VARS}` were `filled` with, as written, decoded and percent-encoded (the loops
    over a subscription's channels, which know them, mask them in `send`'s reason): a value is not always a part
    of the URL as parsed here (a secret ntfy topic in `?to=`, a password whose raw "@" had its end taken for the
    host)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].rsplit(":", 1)[0]  # as written: Apprise quotes a topic in its own case
    secrets = [parts.username, parts.password, *parts.path.split("/")]
    if host and "." not in host and host.lower() != "localhost":
        secrets.append(host)
    values = {form for value in filled for form in (value, unquote(value), quote(value, safe=""), quote_plus(value))}
    for secret in sorted({unquote(p) for p in secrets if p and len(p) >= 4} | {v for v in values if len(v) >= 4},
                         key=len, reverse=True):
        text = re.sub(re.escape(secret), "…", text, flags=re.IGNORECASE)
    return redact(text)


@contextmanager
def _kept_to_capture() -> Iterator[None]:
    """Apprise's own warnings go only into the DeliveryError (and from there into one line), not also to the log."""
    logger = logging.getLogger("apprise")
    before, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.propagate = before


def _deliver(store: Store, record: AlertRecord, sub: Subscription, message: Message, config: AlertSettings,
             report: AlertReport, at: datetime) -> bool:
    """Claim the record, send to each channel not yet done, marking each success at once; True when all have it.

    The claim comes first: a second pass racing this one (a retried task, the digests DAG) gets
    nothing to send, so each channel is called at most once per record. The claim runs from when it is
    taken (not from the pass's start: a slow pass would hold claims already expired), is renewed before
    each part, and every write checks it is still this pass's: one that outran it stops.
    """
    def clock() -> datetime:
        return max(at, store.now())  # `at` may be later than the clock: a pass run for a time to come

    claimed = store.claim_alert(record.alert_id, clock(), clock() + config.claim_timeout)
    if claimed is None:
        log.info("alert %s for %s is held by another delivery pass or no longer due", record.alert_id, sub.name)
        return False
    record, held = claimed, claimed.claimed_until or clock()  # never None: the claim just set it
    sent = list(record.channels_sent)
    errors = []

    def keep(**fields: Any) -> bool:
        nonlocal held
        renewed = fields.setdefault("claimed_until", held)
        if not store.keep_claim(record.alert_id, held, **fields):
            log.warning("alert %s for %s: another delivery pass took it over; this one stops", record.alert_id, sub.name)
            return False
        held = renewed
        return True

    for template, channel_url, filled in zip(sub.channels, sub.channel_urls(), sub.channel_secrets(), strict=True):
        if channel_key(template) in sent:
            continue  # the whole channel went out (a record written before channels were tracked per recipient)
        for key, url in channel_parts(template, channel_url):
            if key in sent:
                continue
            if not keep(claimed_until=clock() + config.claim_timeout):
                return False
            try:
                send(url, message)
            except DeliveryError as exc:
                errors.append(f"{exc.channel}: {scrubbed(exc.reason, filled=filled)}")
                continue
            sent.append(key)
            if not keep(channels_sent=sent):
                return False
    if not errors:
        if keep(status="sent", sent_at=at, last_error=None):
            report.sent += 1
            return True
        return False
    attempts = record.attempts + 1
    # an alert sent nowhere yet (SMTP or Slack down for longer than the attempts' backoff, half an hour) keeps
    # trying, an hour apart at most, for as long as it is news; a digest hands its alerts back instead
    waits = not sent and record.kind != "digest" and at < news_until(record, config)
    status = "failed" if attempts >= config.max_attempts and not waits else "pending"
    retry_at = at + min(config.backoff * (2 ** min(attempts - 1, 16)), MAX_BACKOFF)
    if not keep(attempts=attempts, status=status, next_attempt=retry_at, last_error=" | ".join(errors)):
        return False
    if status == "failed":
        report.failed += 1
        log.error("alert %s for %s failed after %d attempts: %s", record.alert_id, sub.name, attempts, errors)
    else:
        report.retrying += 1
        log.warning("alert %s for %s not delivered (attempt %d, retry after %s): %s", record.alert_id, sub.name,
                    attempts, retry_at.isoformat(), errors)
    report.errors.extend(errors)
    return False


def news_until(record: AlertRecord, config: AlertSettings) -> datetime:
    """Until when an alert is worth sending: its story's `max_age` (or, with none, 48 h after it was made); a surge
    or figure alert's from when it was made (its `published` is when the surge began, maybe days before)."""
    if config.max_age is None:
        return record.created + RETRY_WHILE
    return (record.published if record.kind == "story" and record.published else record.created) + config.max_age


def _expired(store: Store, records: list[AlertRecord], config: AlertSettings, report: AlertReport,
             at: datetime) -> list[AlertRecord]:
    """Expire the records never tried whose story stopped being news while they waited; the others.

    One tried and refused all along is not expired here: its attempts end it as `failed`, as an outage's do."""
    kept = []
    for record in records:
        if record.attempts or record.channels_sent or at < news_until(record, config):
            kept.append(record)
            continue
        reason = f"not sent: waited {(at - record.created).total_seconds() / 3600:.0f} h, past the time its story is news"
        if store.expire_alert(record.alert_id, at, reason):
            report.too_old += 1
            log.warning("alert %s for %s expired unsent: %s", record.alert_id, record.subscription, reason)
    return kept


def feedback_topic(sub: Subscription, topics: list[str]) -> str:
    """The topic a verdict from this subscription's message is about: the first of the story's topics its rule
    asks for (a story on two topics sent for the second must not teach the first)."""
    return next((t for t in topics if t in sub.rule.topics), topics[0] if topics else "")


def deliver_immediate(store: Store, subs: list[Subscription], config: AlertSettings,
                      at: datetime | None = None, feedback: FeedbackSettings | None = None) -> AlertReport:
    """Send every due immediate alert; a down channel leaves its alert pending for a later run.

    With `feedback` (a secret configured), each message carries signed relevant / not relevant links."""
    at = at or store.now()
    report = AlertReport()
    by_name = {s.name: s for s in subs if s.mode == "immediate"}
    if not by_name:
        return report
    due = list(store.due_alerts(list(by_name), at))
    stories = store.stories(r.story_id for r in due if r.story_id)
    for name, sub in by_name.items():
        records = _expired(store, [r for r in due if r.subscription == name and (r.story_id or "") in stories],
                           config, report, at)
        hour = at - timedelta(hours=1)
        room = max(0, config.rate_per_hour - store.sent_since(name, hour))
        # retries first, within the hourly rate too (a channel back from an outage must not get dozens at once:
        # the rest wait for room); fresh alerts beyond it go out together as one message, one such message an
        # hour: the others wait for the next
        one_by_one = ([r for r in records if r.attempts > 0] + [r for r in records if r.attempts == 0])[:room]
        burst = [r for r in records if r.attempts == 0 and r not in one_by_one]
        if burst and store.burst_since(name, hour):
            burst = []
        for record in one_by_one:
            story = stories[record.story_id or ""]
            if record.kind in ("surge", "figure"):
                _deliver_record(store, record, sub, config, report, at)
                continue
            links = feedback_links(feedback, story.story_id, feedback_topic(sub, story.topics), sub.name, at)
            message = story_alert(story, record.other_outlets, sub.name, links)
            if _deliver(store, record, sub, message, config, report, at):
                mark_alerted(store, [story], at)
        if burst:
            _fold(store, sub, burst, config, report, at)
        _send_due_bursts(store, sub, config, report, at)
    return report


def _send_due_bursts(store: Store, sub: Subscription, config: AlertSettings, report: AlertReport,
                     at: datetime) -> None:
    """The subscription's due burst (and stranded digest) messages, each with the alerts it really holds."""
    for given_up in store.stranded_digests(sub.name):  # failed, its alerts still inside (the pass died between)
        _hand_back(store, given_up, at, config)
    for digest_record in store.due_bursts(sub.name, at):
        folded = _burst_members(store, digest_record)
        if folded.alert_ids:
            label = "a burst of stories" if digest_record.mode == "immediate" else f"until {digest_record.period}"
            _send_digest(store, sub, folded, label, config, report, at)
        else:  # every alert it meant to take went out another way: no message, none counted against the rate
            store.update_alert(folded.alert_id, status="sent")


def _deliver_record(store: Store, record: AlertRecord, sub: Subscription, config: AlertSettings,
                    report: AlertReport, at: datetime) -> None:
    """A surge or figure alert: its message is made from the record it tells of."""
    kind, doc_id = ("surges", record.surge_id) if record.kind == "surge" else ("figure-findings", record.finding_id)
    found = store.get(kind, doc_id or "")
    if found is None:  # the records were dropped (retention, a reset): nothing left to tell
        store.update_alert(record.alert_id, status="failed", last_error=f"the {record.kind} record is gone")
        return
    if record.kind == "figure":
        message = figure_message(store, found, sub.name)
    else:
        message, png = surge_message(store, found, sub.name, Settings.from_env().kibana_url)
        if png:
            message.attachments.append(("surge.png", png))
    _deliver(store, record, sub, message, config, report, at)


def _fold(store: Store, sub: Subscription, records: list[AlertRecord], config: AlertSettings, report: AlertReport,
          at: datetime) -> None:
    """A burst beyond the hourly rate becomes one message, recorded like a digest so it is sent exactly once."""
    ids = sorted(r.alert_id for r in records)
    digest_id = record_id(sub.name, "burst", *ids)
    record = AlertRecord(alert_id=digest_id, kind="digest", subscription=sub.name, mode="immediate",
                         period=f"burst:{at.isoformat(timespec='seconds')}", alert_ids=ids, created=at, next_attempt=at)
    store.create_alert(record)  # may exist: a pass that died after creating it; its members move below
    moved = [i for i in ids if store.fold_alert(i, digest_id)]
    if moved:
        report.folded += len(moved)
        log.warning("subscription %s: %d alerts beyond %d an hour sent as one message", sub.name, len(moved),
                    config.rate_per_hour)


def _burst_members(store: Store, record: AlertRecord) -> AlertRecord:
    """The burst message's record with the alerts it really holds: those its fold moved (a racing pass may
    have taken some), and any it meant to take that a pass which died left pending (moved now)."""
    for alert_id in record.alert_ids:
        store.fold_alert(alert_id, record.alert_id)
    return record.model_copy(update={"alert_ids": store.digest_members(record.alert_id)})


def _send_digest(store: Store, sub: Subscription, record: AlertRecord, period: str, config: AlertSettings,
                 report: AlertReport, at: datetime) -> bool:
    records = store.alerts(record.alert_ids).values()
    by_id = store.stories(r.story_id for r in records if r.story_id and r.kind == "story")
    stories: list[tuple[Story, list[str]]] = [(by_id[r.story_id], r.other_outlets) for r in records
                                              if r.kind == "story" and r.story_id in by_id]  # a surge's or a
    # figure change's record names a story too: it is listed under its surge, not a second time as a story
    surges = store.get_many("surges", [r.surge_id for r in records if r.kind == "surge" and r.surge_id]).values()
    figures = [r.title or "" for r in records if r.kind == "figure"]
    if not _deliver(store, record, sub, digest(stories, sub.name, period, list(surges), figures), config, report, at):
        if (after := store.alert(record.alert_id)) is not None and after.status == "failed":
            _hand_back(store, after, at, config)
        return False
    store.update_many("alerts", record.alert_ids, status="sent", sent_at=at)
    mark_alerted(store, [s for s, _ in stories], at)
    return True


def _hand_back(store: Store, record: AlertRecord, at: datetime, config: AlertSettings) -> None:
    """A digest or burst out of attempts: sent nowhere, its alerts wait again as retries (one by one, not folded
    into a burst under its id), or expire if no longer news; sent to some, they went out (not mailed again)."""
    members = store.digest_members(record.alert_id)
    if not record.channels_sent:
        old = {a for a, r in store.alerts(members).items() if at >= news_until(r, config)}
        store.update_many("alerts", [m for m in members if m not in old], status="pending", digest_id=None, attempts=1)
        store.update_many("alerts", sorted(old), status="expired", digest_id=None, last_error="handed back after its news")
        return
    store.update_many("alerts", members, status="sent", sent_at=at)
    mark_alerted(store, list(store.stories(r.story_id for r in store.alerts(members).values() if r.kind == "story" and r.story_id).values()), at)


def mark_alerted(store: Store, stories: list[Story], at: datetime) -> None:
    """Freshness: when a story first reached a subscriber, and how long after its item was first seen."""
    updates = [(s.story_id, {"alerted_at": at.isoformat(),
                             "alerted_delay": (at - s.first_seen).total_seconds() if s.first_seen else None})
               for s in stories if s.alerted_at is None]
    if updates:
        store.update_docs("stories", updates)


def run_digests(store: Store, subs: list[Subscription], config: AlertSettings,
                at: datetime | None = None) -> AlertReport:
    """One message per subscription and period, with the alerts created before the period began."""
    at = at or store.now()
    report = AlertReport()
    if any(sub.mode == "digest" for sub in subs):  # an alert created a second before the boundary is searchable
        store.refresh("alerts")  # now, not only after the period's digest was built without it
    for sub in subs:
        if sub.mode != "digest" or sub.digest is None:
            continue
        _send_due_bursts(store, sub, config, report, at)  # first: a stranded digest's alerts go in this one
        boundary = sub.digest.period_start(at)
        period = boundary.isoformat()
        digest_id = record_id(sub.name, "digest", period)
        record = store.alert(digest_id)
        pending = store.pending_story_alerts(sub.name, boundary) if record is None else []
        if pending:
            fresh = AlertRecord(alert_id=digest_id, kind="digest", subscription=sub.name, mode="digest",
                                period=period, alert_ids=[r.alert_id for r in pending], created=at, next_attempt=at)
            if store.create_alert(fresh):  # create-only: a racing pass never overwrites a digest being sent
                store.update_many("alerts", fresh.alert_ids, status="in-digest", digest_id=digest_id)
            record = store.alert(digest_id)
        if record is not None and claimable(record, at):
            _send_digest(store, sub, record, f"until {boundary.strftime('%Y-%m-%d %H:%M %Z')}", config, report, at)
    return report


def test_message(sub: Subscription) -> Message:
    """The sample alert `newswatch alerts test` sends (and `--dry-run` shows)."""
    now = utcnow()
    sample = Story(story_id="newswatch-test", title="Newswatch test alert: your subscription works",
                   url="https://example.org/newswatch-test", canonical_url="https://example.org/newswatch-test",
                   feed_id="test", outlet="Newswatch", language="en", country="CA", published=now, ingested=now,
                   run_id="test", topics=sub.rule.topics or ["(any)"], matched_terms=["test"],
                   summary="This is a test message sent by newswatch alerts test.")
    return story_alert(sample, [], sub.name)


def send_test(sub: Subscription) -> dict[str, str | None]:
    """A sample alert to each channel of a subscription, so a user can check their setup."""
    message = test_message(sub)
    results: dict[str, str | None] = {}
    for template, url, filled in zip(sub.channels, sub.channel_urls(), sub.channel_secrets(), strict=True):
        try:
            send(url, message)
            results[template] = None
        except DeliveryError as exc:
            results[template] = scrubbed(exc.reason, filled=filled)
    return results


def send_to(sub: Subscription, message: Message) -> list[DeliveryError]:
    """Send one message to every channel of a subscription (the operator's feed report); the failures."""
    failures = []
    for url, filled in zip(sub.channel_urls(), sub.channel_secrets(), strict=True):
        try:
            send(url, message)
        except DeliveryError as exc:
            failures.append(DeliveryError(sub.name, exc.channel, scrubbed(exc.reason, filled=filled)))
    return failures
