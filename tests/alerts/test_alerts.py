"""Alerts end to end: real Elasticsearch, a real SMTP server (aiosmtpd) and a real webhook receiver."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import Message as EmailMessage
from pathlib import Path

import pytest
import yaml

from pipeline.alerts.delivery import deliver_immediate, run_digests, send_test
from pipeline.alerts.records import find_new_alerts
from pipeline.alerts.subscriptions import load_subscriptions
from pipeline.errors import ConfigError
from pipeline.ingest.clusters import signature
from pipeline.local.es_node import free_port
from pipeline.settings import AlertSettings
from pipeline.store import Store
from pipeline.store.documents import Story
from pipeline.timing import utcnow as now
from tests.support import answers_lost, replay_index

# the behaviour of issue 4's tests, on stories captured years ago: no age limit, no hourly rate
DEFAULT = AlertSettings(max_age=None, rate_per_hour=1000)
LONG_AGO = "2000-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def indexed_stories(es_url, web):
    """Real stories from the replay's Canadian feed, polled once into their own prefix."""
    with replay_index(es_url, web.url, "alertsrc", ["replay-canada"]) as store:
        yield list(store.scan("stories", {"match_all": {}}, [{"story_id": "asc"}]))


@pytest.fixture
def stories(store, indexed_stories):
    store.write_stories(indexed_stories)
    return indexed_stories


def subscriptions(tmp_path: Path, subs: list[dict], since: str | None = LONG_AGO):
    """Subscriptions as a user writes them; `since` backdates them so older stories may alert (None: not given)."""
    subs = [{**s, "since": since} if since and "since" not in s else s for s in subs]
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"subscriptions": subs}, allow_unicode=True))
    return load_subscriptions(path)


def seed(stories: list[Story]) -> Story:
    return next(s for s in stories if "inches closer" in s.title)


def subject(message: EmailMessage) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


def html_part(message: EmailMessage) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()


def test_immediate_alerts_reach_email_and_webhook_once(store, stories, inbox, webhook, tmp_path):
    subs = subscriptions(tmp_path, [
        {"name": "stca-desk", "channels": [inbox.url("desk@example.org")],
         "rule": {"topics": ["asylum-border"], "keywords": {"any": ["safe third country"]}}},
        {"name": "trudeau-watch", "channels": [webhook.url], "rule": {"quoted": ["Justin Trudeau"]}},
    ])
    found = find_new_alerts(store, subs, DEFAULT)
    delivered = deliver_immediate(store, subs, DEFAULT)
    stca = [s for s in stories if "safe third country" in f"{s.title} {s.text}".lower()]
    assert found.created == delivered.sent == len(inbox.messages) + len(webhook.received)
    assert len(inbox.messages) == len(stca) >= 3

    mail = next(m for m in inbox.messages if "inches closer" in subject(m))
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.walk()][1:] == ["text/plain", "text/html"]
    body = html_part(mail)
    assert seed(stories).url.replace("&", "&amp;") in body
    assert "<mark>" in body and "— Justin Trudeau</blockquote>" in body
    assert "Canadian outlets (CBC, CTV, Global News, Montreal Gazette, ...)" in body

    [hook] = [h for h in webhook.received if "inches closer" in h["title"]]
    assert "Justin Trudeau" in hook["message"]

    again = find_new_alerts(store, subs, DEFAULT)
    redelivered = deliver_immediate(store, subs, DEFAULT)
    assert again.created == 0 and redelivered.sent == 0
    assert len([m for m in inbox.messages if "inches closer" in subject(m)]) == 1


def test_story_text_is_escaped(store, stories, webhook, inbox, tmp_path):
    story = seed(stories).model_copy(update={"story_id": "x-escape", "title": "Asylum <script>alert(1)</script> & “quotes”",
                                             "url": "https://example.org/a?b=1&c=<2>", "ingested": now()})
    store.write_stories([story])
    subs = subscriptions(tmp_path, [{"name": "all", "channels": [inbox.url("a@example.org")],
                                     "rule": {"keywords": {"any": ["script"]}}}])
    find_new_alerts(store, subs, DEFAULT)
    deliver_immediate(store, subs, DEFAULT)
    [mail] = inbox.messages
    body = html_part(mail)
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in body


def test_smtp_down_then_up_delivers_exactly_once(store, stories, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org")],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    config = DEFAULT.model_copy(update={"backoff": timedelta(minutes=1)})
    inbox.stop()
    found = find_new_alerts(store, subs, config)
    first = deliver_immediate(store, subs, config)
    assert found.created >= 1 and first.sent == 0 and first.retrying == found.created
    assert first.errors and all(e.startswith("mailto") for e in first.errors)
    early = deliver_immediate(store, subs, config)  # still inside the backoff: nothing is tried
    assert early.sent == early.retrying == 0
    inbox.start()
    later = deliver_immediate(store, subs, config, at=now() + timedelta(minutes=2))
    assert later.sent == found.created == len(inbox.messages)
    assert deliver_immediate(store, subs, config, at=now() + timedelta(hours=1)).sent == 0
    assert len(inbox.messages) == found.created


def test_an_alert_sent_nowhere_outlasts_its_attempts_while_it_is_news(store, stories, inbox, tmp_path):
    """SMTP down for 40 minutes: five attempts a minute, two, four, eight minutes apart were spent in half an hour
    and every alert of that time was marked failed, never sent; the overflow of a burst survived it."""
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org")],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    config = DEFAULT.model_copy(update={"backoff": timedelta(minutes=1), "max_attempts": 2})
    inbox.stop()
    found = find_new_alerts(store, subs, config)
    for minutes in (0, 2, 10, 40):
        report = deliver_immediate(store, subs, config, at=now() + timedelta(minutes=minutes))
        assert report.failed == 0 and report.sent == 0
    assert store.alert_summary("desk")["counts"] == {"pending": found.created}
    inbox.start()
    assert deliver_immediate(store, subs, config, at=now() + timedelta(hours=2)).sent == found.created
    assert len(inbox.messages) == found.created


def test_an_alert_sent_nowhere_is_given_up_once_it_is_no_news(store, stories, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org")],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    config = DEFAULT.model_copy(update={"backoff": timedelta(minutes=1), "max_attempts": 2})
    inbox.stop()
    found = find_new_alerts(store, subs, config)
    deliver_immediate(store, subs, config)
    assert deliver_immediate(store, subs, config, at=now() + timedelta(hours=49)).failed == found.created
    inbox.start()
    assert deliver_immediate(store, subs, config, at=now() + timedelta(hours=50)).sent == 0


def test_alerts_held_until_their_story_is_no_news_expire_unsent(store, stories, inbox, tmp_path):
    """A subscription held for three days (its channel's secret unset during a redeploy) had every alert of those
    days sent on return, ten at once and the rest as a burst, days after the news; now they expire unsent."""
    fresh = [s.model_copy(update={"published": now() - timedelta(hours=1)}) for s in stories]
    store.write_stories(fresh)
    subs = subscriptions(tmp_path, [{"name": name, "channels": [inbox.url(f"{name}@example.org")],
                                     "rule": {"keywords": {"any": ["Roxham"]}}} for name in ("held", "live")])
    config = DEFAULT.model_copy(update={"max_age": timedelta(hours=48)})
    found = find_new_alerts(store, subs, config)
    assert found.created >= 4
    [held, live] = subs
    assert deliver_immediate(store, [live], config, at=now() + timedelta(hours=1)).sent == found.created // 2
    report = deliver_immediate(store, [held], config, at=now() + timedelta(hours=72))
    assert (report.sent, report.too_old) == (0, found.created // 2)
    assert {m["To"] for m in inbox.messages} == {"live@example.org"}
    assert store.alert_summary("held")["counts"] == {"expired": found.created // 2}
    assert deliver_immediate(store, [held], config, at=now() + timedelta(hours=73)).sent == 0


def test_a_bounced_recipient_never_resends_to_the_others(store, stories, inbox, tmp_path):
    inbox.refused.add("gone@example.org")
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org,gone@example.org")],
                                     "rule": {"keywords": {"any": ["inches closer"]}}}])
    config = DEFAULT.model_copy(update={"backoff": timedelta(minutes=1), "max_attempts": 3})
    found = find_new_alerts(store, subs, config)
    first = deliver_immediate(store, subs, config)
    assert found.created == 1 and first.retrying == 1 and inbox.delivered == ["desk@example.org"]
    for hours in (1, 2, 3):  # every retry, until the record is given up
        deliver_immediate(store, subs, config, at=now() + timedelta(hours=hours))
    assert inbox.delivered == ["desk@example.org"]  # once, however often the bounced address is retried
    inbox.refused.clear()


def test_a_channel_with_several_targets_never_resends_to_the_ones_that_got_it(store, stories, tmp_path):
    """An ntfy channel with two topics (as a Slack channel list, Telegram chats), one of them refused: Apprise
    reported the channel failed, and every retry posted to the other topic again, five times in all."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    posted = []

    class Ntfy(BaseHTTPRequestHandler):
        def do_POST(self):
            topic = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["topic"]
            posted.append(topic)
            self.send_response(403 if topic == "gone" else 200)  # a topic the server no longer lets us post to
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ntfy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        subs = subscriptions(tmp_path, [{"name": "desk", "channels": [f"ntfy://127.0.0.1:{server.server_address[1]}/desk/gone"],
                                         "rule": {"keywords": {"any": ["inches closer"]}}}])
        config = DEFAULT.model_copy(update={"backoff": timedelta(minutes=1), "max_attempts": 3})
        assert find_new_alerts(store, subs, config).created == 1
        for hours in (0, 1, 2, 3):
            deliver_immediate(store, subs, config, at=now() + timedelta(hours=hours))
    finally:
        server.shutdown()
    assert posted.count("desk") == 1 and posted.count("gone") == 3  # tried until given up; the other once


def test_a_copy_recipient_is_never_mailed_again_when_the_first_bounces(store, stories, inbox, tmp_path):
    inbox.refused.add("gone@example.org")
    channel = inbox.url("gone@example.org") + "&cc=chief@example.org"
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [channel],
                                     "rule": {"keywords": {"any": ["inches closer"]}}}])
    config = DEFAULT.model_copy(update={"backoff": timedelta(minutes=1), "max_attempts": 3})
    assert find_new_alerts(store, subs, config).created == 1
    for hours in (0, 1, 2, 3):
        deliver_immediate(store, subs, config, at=now() + timedelta(hours=hours))
    assert inbox.delivered == ["chief@example.org"]  # once, though the first address bounced every time
    inbox.refused.clear()


def test_a_channel_redirect_never_carries_the_alert_past_the_guard(webhook):
    from pipeline.alerts.delivery import send
    from pipeline.alerts.messages import Message
    from pipeline.errors import DeliveryError
    from tests.conftest import Webhook

    inside = Webhook(host="127.0.0.2")  # a host the outbound guard refuses (only 127.0.0.1 is allowed here)
    hop = Webhook(redirect_to=inside.http_url)
    try:
        with pytest.raises(DeliveryError):
            send(hop.url, Message("Roxham Road", "<p>alert</p>"))
        assert len(hop.received) == 1 and inside.received == []
    finally:
        inside.server.shutdown()
        hop.server.shutdown()


def test_a_down_channel_does_not_block_the_other(store, stories, inbox, webhook, tmp_path, es):
    dead = f"json://127.0.0.1:{free_port()}/nobody-listens"
    subs = subscriptions(tmp_path, [{"name": "both", "channels": [dead, webhook.url],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    config = DEFAULT.model_copy(update={"max_attempts": 2})
    found = find_new_alerts(store, subs, config)
    deliver_immediate(store, subs, config)
    assert len(webhook.received) == found.created >= 1
    deliver_immediate(store, subs, config, at=now() + timedelta(hours=1))
    assert len(webhook.received) == found.created  # the webhook is never sent twice
    es.indices.refresh(index=store.index("alerts"))
    statuses = {h["_source"]["status"] for h in es.search(index=store.index("alerts"),
                                                            query={"term": {"subscription": "both"}})["hits"]["hits"]}
    assert statuses == {"failed"}  # reported after max_attempts


def test_syndicated_copy_alerts_once_naming_the_other_outlet(store, stories, inbox, tmp_path):
    original = seed(stories)
    copy = original.model_copy(update={"story_id": "wire-copy", "outlet": "Toronto Star (wire copy)",
                                       "feed_id": "other", "url": "https://example.org/wire-copy", "ingested": now()})
    store.write_stories([copy])
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org")],
                                     "rule": {"keywords": {"any": ["inches closer"]}}}])
    found = find_new_alerts(store, subs, DEFAULT)
    deliver_immediate(store, subs, DEFAULT)
    assert found.created == 1 and found.syndicated == 1
    [mail] = inbox.messages
    assert "Also published by: Toronto Star (wire copy)" in html_part(mail)


def test_copies_that_raced_into_two_clusters_alert_once(store, stories, inbox, tmp_path, es):
    """Parallel poll shards flushing at the same moment: each copy looked for the other before it was written,
    and each started its own cluster. The alerts stage asks again, now that both are indexed."""
    original = seed(stories)
    raced = original.model_copy(update={"story_id": "raced-copy", "cluster_id": "raced-copy",
                                        "outlet": "Toronto Star (wire copy)", "feed_id": "other",
                                        "url": "https://example.org/raced-copy", "ingested": now()})
    store.write_stories([raced])
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org")],
                                     "rule": {"keywords": {"any": ["inches closer"]}}}])
    found = find_new_alerts(store, subs, DEFAULT)
    deliver_immediate(store, subs, DEFAULT)
    assert found.created == 1 and found.syndicated == 1 and len(inbox.messages) == 1
    assert "Also published by: Toronto Star (wire copy)" in html_part(inbox.messages[0])
    es.indices.refresh(index=store.index("stories"))
    assert store.get("stories", "raced-copy").cluster_id == (original.cluster_id or original.story_id)


def test_a_copy_settling_into_an_older_cluster_keeps_the_alert_its_copy_had(store, indexed_stories, inbox, tmp_path):
    """A copy near both the alerted story and an older story of another cluster settled into the older one (the
    cluster founded first), and the subscriber got the same wire story a second time under that cluster's id."""
    from pipeline.ingest.clusters import similarity

    original = seed(indexed_stories)
    words = original.text.split()
    cut = int(len(words) * 0.42)  # the copy shares more than half with each, they less than half with each other
    a, b, c = " ".join(words[:cut]), " ".join(words[cut:]), " ".join(w[::-1] for w in words[:cut])
    at = now()

    def story(story_id: str, text: str, ingested, published) -> Story:
        sig = signature(text)
        return original.model_copy(update={"story_id": story_id, "cluster_id": story_id, "text": text, "url":
                                           f"https://example.org/{story_id}", "ingested": ingested, "published": published,
                                           "minhash": sig.hashvalues, "minhash_bands": sig.bands})

    alerted = story("alerted", f"{a} {b}", at - timedelta(hours=1), at - timedelta(hours=1))
    older = story("older", f"{b} {c}", at - timedelta(hours=5), at - timedelta(days=20)).model_copy(
        update={"title": "An older report"})  # another cluster, which the subscription never alerted
    copy = story("copy", b, at, at).model_copy(update={"cluster_id": "alerted", "outlet": "Wire copy"})
    assert similarity(alerted.minhash, older.minhash) < 0.5 <= min(similarity(copy.minhash, alerted.minhash),
                                                                   similarity(copy.minhash, older.minhash))
    subs = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org")],
                                     "rule": {"keywords": {"any": ["inches closer"]}}}],
                         since=(at - timedelta(days=2)).isoformat())
    store.write_stories([older, alerted])
    assert find_new_alerts(store, subs, DEFAULT).created == 1
    store.write_stories([copy])
    found = find_new_alerts(store, subs, DEFAULT)
    assert (found.created, found.syndicated) == (0, 1)
    later = story("later", b, at + timedelta(minutes=1), at).model_copy(update={"cluster_id": "older", "outlet": "Another"})
    store.write_stories([later])  # read again (the watermark's overlap), and another copy settling there since
    again = find_new_alerts(store, subs, DEFAULT)
    assert (again.created, again.syndicated) == (0, 1)


def test_digest_groups_stories_once_per_period(store, stories, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "morning", "mode": "digest", "channels": [inbox.url("team@example.org")],
                                     "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
    found = find_new_alerts(store, subs, DEFAULT)
    assert deliver_immediate(store, subs, DEFAULT).sent == 0  # digests never go out one by one
    assert run_digests(store, subs, DEFAULT).sent == 0  # this period is not over yet
    later = now() + timedelta(hours=1)
    assert run_digests(store, subs, DEFAULT, at=later).sent == 1
    assert run_digests(store, subs, DEFAULT, at=later + timedelta(minutes=5)).sent == 0
    [mail] = inbox.messages
    assert f"{found.created} new stories" in subject(mail)
    body = html_part(mail)
    assert f"asylum-border ({found.created})" in body and body.count("<li>") == found.created


def test_send_test_and_bad_subscriptions(tmp_path, webhook, monkeypatch):
    [sub] = subscriptions(tmp_path, [{"name": "hook", "channels": [webhook.url], "rule": {}}])
    assert send_test(sub) == {webhook.url: None}
    assert "test alert" in webhook.received[0]["title"]

    monkeypatch.delenv("ALERT_NO_SUCH_SECRET", raising=False)
    cases = [
        ([{"name": "x", "channels": ["mailto://${ALERT_NO_SUCH_SECRET}@example.org"], "rule": {}}],
         "subscriptions[x].channels.0", "NO_SUCH_SECRET is not set"),
        ([{"name": "x", "channels": ["nonsense://what"], "rule": {}}], "subscriptions[x].channels.0", "Apprise"),
        ([{"name": "x", "channels": [webhook.url], "mode": "digest", "digest": {"every": "daily", "at": "25:00"},
           "rule": {}}], "subscriptions[x].digest.at", "24-hour"),
        ([{"name": "x", "channels": [webhook.url], "digest": {"timezone": "Mars/Base"}, "rule": {}}],
         "subscriptions[x].digest.timezone", "unknown time zone"),
        ([{"name": "x", "channels": [webhook.url], "rule": {"quotd": ["A"]}}], "subscriptions[x].rule.quotd", "Extra"),
    ]
    for subs, where, problem in cases:
        with pytest.raises(ConfigError) as err:
            subscriptions(tmp_path, subs)
        assert str(tmp_path / "alerts.yaml") in str(err.value) and where in str(err.value) and problem in str(err.value)


def test_the_test_mail_carries_its_link_in_both_parts(tmp_path, inbox):
    [sub] = subscriptions(tmp_path, [{"name": "desk", "channels": [inbox.url("desk@example.org")], "rule": {}}])
    assert send_test(sub) == {inbox.url("desk@example.org"): None}
    [mail] = inbox.messages
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "https://example.org/newswatch-test" in text  # a reader of the text part can follow it too
    assert "`" not in html_part(mail) and "`" not in text


def test_shipped_subscriptions_load():
    from pipeline.settings import PROJECT_ROOT

    subs = load_subscriptions(PROJECT_ROOT / "config" / "alerts.yaml")
    assert {s.mode for s in subs} == {"immediate", "digest"}


def fresh_copy(story: Story, n: int, **changes) -> Story:
    """A story as if its item had just been seen and enriched (a new story, published now)."""
    from pipeline.ingest.clusters import signature

    at = now()
    fresh = story.model_copy(update={"story_id": f"fresh-{n}", "cluster_id": f"fresh-{n}",
                                     "url": f"https://example.org/fresh-{n}",
                                     "title": f"{story.title} (fresh {n})", "first_seen": at, "ingested": at,
                                     "enriched_at": at, "published": at, **changes})
    signed = signature(f"{fresh.title}\n{fresh.text}")  # its own text's, as polling signs it
    return fresh.model_copy(update={"minhash": signed.hashvalues, "minhash_bands": signed.bands})


def test_a_new_subscription_is_not_flooded_with_older_stories(store, stories, webhook, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "new", "channels": [webhook.url],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}], since=None)
    config = AlertSettings()  # the defaults: 48 h age limit, 10 an hour
    first = find_new_alerts(store, subs, config)
    assert first.created == 0 and first.too_old >= 1  # stories seen before the subscription existed
    assert deliver_immediate(store, subs, config).sent == 0 and webhook.received == []

    roxham = next(s for s in stories if "roxham" in f"{s.title} {s.text}".lower())
    old_news = fresh_copy(roxham, 1, published=now() - timedelta(days=5))  # first seen now, published long ago
    news = fresh_copy(roxham, 2, text=roxham.text + " A new paragraph about something else entirely.")
    store.write_stories([old_news, news])
    later = find_new_alerts(store, subs, config)
    assert later.created == 1 and later.too_old >= 1  # the story published five days ago stays held
    assert deliver_immediate(store, subs, config).sent == 1
    [hook] = webhook.received
    assert "(fresh 2)" in hook["title"]
    alerted = store.stories(["fresh-2"])["fresh-2"]
    assert alerted.alerted_at is not None and alerted.alerted_delay is not None


def test_a_burst_beyond_the_hourly_rate_is_one_message(store, stories, webhook, tmp_path):
    roxham = next(s for s in stories if "roxham" in f"{s.title} {s.text}".lower())
    burst = [fresh_copy(roxham, n, text=f"Story {n} of the burst at Roxham Road. " * (10 + 5 * n))
             for n in range(12)]
    store.write_stories(burst)
    subs = subscriptions(tmp_path, [{"name": "busy", "channels": [webhook.url],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    config = AlertSettings(rate_per_hour=3)
    found = find_new_alerts(store, subs, config)
    assert found.created >= 12
    delivered = deliver_immediate(store, subs, config)
    assert delivered.sent == 4 and delivered.folded == found.created - 3
    assert len(webhook.received) == 4  # three alerts, then one message for the rest
    summary = webhook.received[-1]
    assert f"{found.created - 3} new stories" in summary["title"]
    again = deliver_immediate(store, subs, config, at=now() + timedelta(minutes=5))
    assert again.sent == 0 and len(webhook.received) == 4  # the burst went once

    more = [fresh_copy(roxham, 20 + n, text=f"Later story {n} from Roxham Road, unlike any other. " * (12 + 3 * n))
            for n in range(5)]
    store.write_stories(more)
    assert find_new_alerts(store, subs, config).created == 5
    for minutes in (10, 15, 20):  # the next passes of the same hour: no second burst message
        deliver_immediate(store, subs, config, at=now() + timedelta(minutes=minutes))
    assert len(webhook.received) == 4
    later = deliver_immediate(store, subs, config, at=now() + timedelta(minutes=70))
    assert later.sent >= 1 and len(webhook.received) <= 4 + 3 + 1  # the next hour: its rate, then one burst


def test_a_burst_left_half_done_by_a_dead_pass_sends_each_alert_once(store, stories, webhook, tmp_path):
    """A pass died after recording its burst message (members not moved yet) over another set of alerts than
    the next pass folds: every alert still reaches the subscriber in exactly one message."""
    from pipeline.alerts.records import record_id
    from pipeline.store.documents import AlertRecord

    roxham = next(s for s in stories if "roxham" in f"{s.title} {s.text}".lower())
    store.write_stories([fresh_copy(roxham, n, text=f"Story {n} of the burst at Roxham Road. " * (10 + 5 * n))
                         for n in range(12)])
    subs = subscriptions(tmp_path, [{"name": "busy", "channels": [webhook.url],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    config = AlertSettings(rate_per_hour=3)
    found = find_new_alerts(store, subs, config)
    ids = sorted(r.alert_id for r in store.scan("alerts", {"term": {"subscription": "busy"}}, [{"alert_id": "asc"}]))
    assert len(ids) == found.created >= 12
    dead = record_id("busy", "burst", *ids[5:])  # what the dead pass meant to fold: not what the next one folds
    store.create_alert(AlertRecord(alert_id=dead, kind="digest", subscription="busy", mode="immediate",
                                   period="burst:dead", alert_ids=ids[5:], created=now(), next_attempt=now()))
    store.refresh("alerts")
    delivered = deliver_immediate(store, subs, config)
    again = deliver_immediate(store, subs, config, at=now() + timedelta(minutes=5))
    assert again.sent == 0
    titles = [m["title"] for m in webhook.received]
    assert len(titles) == 4 and delivered.folded == found.created - 3, titles  # three alone, the rest as one
    assert sum(f"{found.created - 3} new stories" in t for t in titles) == 1
    states = {r.alert_id: r.status for r in store.alerts(ids).values()}
    assert set(states.values()) == {"sent"}, states
    assert store.alert(dead).status == "sent" and not store.digest_members(dead)


def test_a_burst_gathered_before_a_switch_to_digest_mode_is_still_sent(store, stories, inbox, tmp_path):
    """The messages failed to go out (the mail server was down); the subscription then became a digest: the
    digest pass sends what the burst had gathered and the lone alert, each story once."""
    roxham = next(s for s in stories if "roxham" in f"{s.title} {s.text}".lower())
    store.write_stories([fresh_copy(roxham, n, text=f"Story {n} of the burst at Roxham Road. " * (10 + 5 * n))
                         for n in range(4)])
    desk = {"name": "desk", "channels": [inbox.url("desk@example.org")], "rule": {"keywords": {"any": ["Roxham"]}}}
    config = AlertSettings(rate_per_hour=1)  # one alert alone, the rest in a burst message
    found = find_new_alerts(store, subscriptions(tmp_path, [desk]), config)
    inbox.stop()
    failed = deliver_immediate(store, subscriptions(tmp_path, [desk]), config)
    assert failed.folded == found.created - 1 >= 3 and failed.retrying == 2 and not inbox.messages
    inbox.start()
    digest = subscriptions(tmp_path, [{**desk, "mode": "digest", "digest": {"every": "hourly"}}])
    later = now() + timedelta(hours=2)  # past the failed messages' backoff
    sent = run_digests(store, digest, config, at=later)
    assert sent.sent == 2 and len(inbox.messages) == 2, [subject(m) for m in inbox.messages]
    assert run_digests(store, digest, config, at=later + timedelta(minutes=5)).sent == 0 and len(inbox.messages) == 2
    statuses = {r.status for r in store.scan("alerts", {"term": {"subscription": "desk"}}, [{"alert_id": "asc"}])}
    assert statuses == {"sent"}


def test_stories_of_a_replay_run_are_never_alerted(store, stories, webhook, tmp_path):
    roxham = next(s for s in stories if "roxham" in f"{s.title} {s.text}".lower())
    store.write_stories([fresh_copy(roxham, 1, source="replay")])
    subs = subscriptions(tmp_path, [{"name": "demo", "channels": [webhook.url],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    found = find_new_alerts(store, subs, DEFAULT)
    assert found.created == len([s for s in stories if "roxham" in f"{s.title} {s.text}".lower()])
    deliver_immediate(store, subs, DEFAULT)
    assert not any("(fresh 1)" in h["title"] for h in webhook.received)


def test_one_unset_secret_stops_only_its_own_subscription(tmp_path, webhook, monkeypatch):
    from pipeline.alerts.subscriptions import subscription_problems

    monkeypatch.delenv("ALERT_NO_SUCH_SECRET", raising=False)
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"subscriptions": [
        {"name": "broken", "channels": ["mailto://${ALERT_NO_SUCH_SECRET}@example.org"], "rule": {}},
        {"name": "fine", "channels": [webhook.url], "rule": {}}]}))
    with pytest.raises(ConfigError):
        load_subscriptions(path)  # strict, as `newswatch alerts test` checks
    usable = load_subscriptions(path, strict=False)  # as the DAGs load them
    assert [s.name for s in usable] == ["fine"]
    [problem] = subscription_problems(path)
    assert "subscriptions[broken].channels.0" in str(problem) and "NO_SUCH_SECRET is not set" in str(problem)


def test_one_subscription_written_wrong_stops_only_itself(tmp_path, webhook):
    """A bad digest time or a name used twice raised for the whole file: every subscriber's alerts stopped."""
    from pipeline.alerts.subscriptions import subscription_names, subscription_problems

    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"subscriptions": [
        {"name": "early", "channels": [webhook.url], "rule": {}, "digest": {"at": "7:30"}},
        {"name": "twice", "channels": [webhook.url], "rule": {}},
        {"name": "fine", "channels": [webhook.url], "rule": {}},
        {"name": "twice", "channels": [webhook.url], "rule": {"outlets": ["X"]}},  # a copy not yet renamed
        {"name": "fine", "channels": [webhook.url], "rule": {}, "digest": {"at": "25:00"}}]}))  # and one written wrong
    with pytest.raises(ConfigError, match=r"subscriptions\[early\]\.digest"):
        load_subscriptions(path)  # strict: the first problem, by name
    usable = load_subscriptions(path, strict=False)  # the subscribers of "twice" and "fine" keep theirs
    assert [(s.name, s.rule.outlets) for s in usable] == [("twice", []), ("fine", [])]
    assert [s.name for s in load_subscriptions(path, strict=False, matching=True)] == ["twice", "fine"]
    problems = [str(p) for p in subscription_problems(path)]
    assert any("subscriptions[early].digest" in p for p in problems), problems
    assert any("subscriptions[fine].digest" in p for p in problems), problems
    assert any("subscriptions[twice]: the name is used twice" in p for p in problems), problems
    assert subscription_names(path) == {"early", "twice", "fine"}  # their pending alerts are not orphans


def _racing(stores: list[Store], run) -> list:
    """Run one delivery pass per store at once, each reading its due records before either claims one."""
    import threading

    barrier = threading.Barrier(len(stores))
    for racer in stores:
        reads = racer.due_alerts

        def due_then_wait(subs, at, reads=reads):
            due = list(reads(subs, at))
            barrier.wait(timeout=30)
            return iter(due)

        racer.due_alerts = due_then_wait  # type: ignore[method-assign]
    results: list = [None] * len(stores)

    def one(n: int) -> None:
        results[n] = run(stores[n])

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_delivery_passes_at_once_send_each_alert_once(store, settings, stories, inbox, webhook, tmp_path):
    """The alerts DAG and the digests DAG's retry both run the immediate delivery: N pending → N messages."""
    subs = subscriptions(tmp_path, [
        {"name": "race-mail", "channels": [inbox.url("desk@example.org")], "rule": {"keywords": {"any": ["Roxham"]}}},
        {"name": "race-hook", "channels": [webhook.url], "rule": {"keywords": {"any": ["Roxham"]}}}])
    found = find_new_alerts(store, subs, DEFAULT)
    assert found.created >= 4
    with Store.open(settings) as other:
        reports = _racing([store, other], lambda s: deliver_immediate(s, subs, DEFAULT))
    assert sum(r.sent for r in reports) == found.created
    assert len(inbox.messages) + len(webhook.received) == found.created  # not twice that
    assert store.alert_summary("race-mail")["counts"] == {"sent": len(inbox.messages)}


def test_a_digest_and_its_retry_racing_send_one_message(store, settings, stories, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "race-digest", "mode": "digest", "channels": [inbox.url("t@example.org")],
                                     "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
    assert find_new_alerts(store, subs, DEFAULT).created >= 2
    later = now() + timedelta(hours=1)
    with Store.open(settings) as other:
        reports = []
        import threading

        barrier = threading.Barrier(2)

        def digest_pass(racer: Store) -> None:
            barrier.wait(timeout=30)
            reports.append(run_digests(racer, subs, DEFAULT, at=later))

        threads = [threading.Thread(target=digest_pass, args=(s,)) for s in (store, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert sum(r.sent for r in reports) == 1
    assert len(inbox.messages) == 1


def test_a_claim_left_by_a_pass_that_died_is_taken_again_later(store, stories, webhook, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "died", "channels": [webhook.url], "rule": {"keywords": {"any": ["Roxham"]}}}])
    created = find_new_alerts(store, subs, DEFAULT).created
    at = now()
    [first, *_] = list(store.due_alerts(["died"], at))
    assert store.claim_alert(first.alert_id, at, at + DEFAULT.claim_timeout) is not None  # then the pass dies
    assert store.claim_alert(first.alert_id, at, at + DEFAULT.claim_timeout) is None  # held
    assert deliver_immediate(store, subs, DEFAULT, at=at).sent == created - 1
    later = at + DEFAULT.claim_timeout + timedelta(seconds=1)
    assert deliver_immediate(store, subs, DEFAULT, at=later).sent == 1
    assert len(webhook.received) == created


def test_a_digest_that_failed_all_period_is_sent_later_with_its_own_stories_only(store, stories, inbox, tmp_path):
    """The mail server is down when a period's digest is due and stays down past the next period: the late
    pass sends the old digest (its stories) and the new one (only the stories found since), each story once."""
    subs = subscriptions(tmp_path, [{"name": "night", "mode": "digest", "channels": [inbox.url("n@example.org")],
                                     "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
    first = find_new_alerts(store, subs, DEFAULT).created
    inbox.stop()
    assert run_digests(store, subs, DEFAULT, at=now() + timedelta(hours=1)).retrying == 1
    roxham = next(s for s in stories if "roxham" in f"{s.title} {s.text}".lower())
    store.write_stories([fresh_copy(roxham, n, text=f"Night story {n} at Roxham Road. " * (10 + 5 * n))
                         for n in range(2)])
    second = find_new_alerts(store, subs, DEFAULT).created
    assert first >= 1 and second == 2
    inbox.start()
    later = now() + timedelta(hours=3)  # past the failed digest's backoff, two periods on
    assert run_digests(store, subs, DEFAULT, at=later).sent == 2
    assert run_digests(store, subs, DEFAULT, at=later + timedelta(minutes=5)).sent == 0
    items = sorted(html_part(m).count("<li>") for m in inbox.messages)
    assert items == sorted([first, second]), [subject(m) for m in inbox.messages]
    statuses = {r.status for r in store.scan("alerts", {"term": {"subscription": "night"}}, [{"alert_id": "asc"}])}
    assert statuses == {"sent"}


@pytest.mark.parametrize("name", ["rebind.example", "bücher.example"])  # an IDN would be connected to as xn--…
def test_a_channel_name_that_resolves_elsewhere_at_send_time_is_refused(monkeypatch, name):
    """DNS rebinding: the name is public when the channel is checked and a refused address when the request is
    made; the connection itself is checked, on the address it uses."""
    import socket

    from pipeline.alerts.delivery import send
    from pipeline.alerts.messages import Message
    from pipeline.errors import DeliveryError
    from tests.conftest import Webhook

    inside = Webhook(host="127.0.0.2")  # a host the outbound guard refuses
    port = inside.server.server_address[1]
    answers = iter(["93.184.215.14", "127.0.0.2", "127.0.0.2", "127.0.0.2"])  # a rebinding name server
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host not in (name, name.encode("idna").decode()):
            return real(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        refusal = "refused: .*resolves to loopback address 127.0.0.2"  # or, for an IDN, no use of the URL at all
        with pytest.raises(DeliveryError, match=refusal if name.isascii() else f"{refusal}|Apprise cannot use this URL"):
            send(f"json://{name}:{port}/hook", Message("Roxham Road", "<p>alert</p>"), allow=["127.0.0.1"])
        assert inside.received == []
    finally:
        inside.server.shutdown()


def test_retries_beyond_the_hourly_rate_wait_and_make_no_empty_burst(store, stories, webhook, tmp_path):
    """Retries went into the burst, which moves only fresh alerts: an empty burst was recorded and marked sent,
    counted against the rate, and pushed the retries back another hour, again and again."""
    from pipeline.store.documents import AlertRecord

    story = seed(stories)
    subs = subscriptions(tmp_path, [{"name": "busy", "channels": [webhook.url], "rule": {"keywords": {"any": ["x"]}}}])
    at = now()
    sent = [AlertRecord(alert_id=f"sent-{n}", kind="story", subscription="busy", mode="immediate", story_id=story.story_id,
                        status="sent", created=at - timedelta(minutes=40), sent_at=at - timedelta(minutes=35 - n))
            for n in range(2)]
    retry = AlertRecord(alert_id="retry", kind="story", subscription="busy", mode="immediate", story_id=story.story_id,
                        attempts=1, created=at - timedelta(minutes=30), next_attempt=at - timedelta(minutes=1))
    for record in [*sent, retry]:
        store.create_alert(record)
    store.refresh("alerts")
    config = AlertSettings(rate_per_hour=2, max_age=None)
    deliver_immediate(store, subs, config, at=at)
    store.refresh("alerts")
    assert store.count("alerts", {"term": {"kind": "digest"}}) == 0 and store.alert("retry").status == "pending"
    assert store.sent_since("busy", at - timedelta(hours=1)) == 2 and webhook.received == []
    deliver_immediate(store, subs, config, at=at + timedelta(minutes=30))  # room again: the retry goes out
    assert store.alert("retry").status == "sent" and len(webhook.received) == 1


def test_a_claim_taken_late_in_a_long_pass_is_not_already_expired(store, stories, inbox, tmp_path, monkeypatch):
    """A pass claimed each alert until its *start* plus the timeout: one claimed 20 minutes into a slow pass
    was expired at once, and the digests DAG's retry took it while it was being sent (every part twice)."""
    import pipeline.alerts.delivery as delivery

    subs = subscriptions(tmp_path, [{"name": "slow", "channels": [inbox.url("a@example.org")],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    assert find_new_alerts(store, subs, DEFAULT).created >= 1
    start = now()
    store.now = lambda: start + timedelta(minutes=20)  # the pass reaches its alerts 20 minutes after it began
    taken_over = []
    real_send = delivery.send

    def send_while_another_pass_looks(url, message):
        held = store.alert(next(r.alert_id for r in store.scan("alerts", {"term": {"status": "sending"}}, ["_doc"])))
        taken_over.append(store.claim_alert(held.alert_id, store.now(), store.now() + DEFAULT.claim_timeout))
        real_send(url, message)

    monkeypatch.setattr(delivery, "send", send_while_another_pass_looks)
    deliver_immediate(store, subs, DEFAULT, at=start)
    assert taken_over and not any(taken_over)


def test_a_pass_that_lost_its_claim_stops_sending(store, stories, inbox, tmp_path, monkeypatch):
    """Taken over between two recipients' messages, a pass must leave the rest to the pass that holds the claim."""
    import pipeline.alerts.delivery as delivery

    to = [f"r{n}@example.org" for n in range(3)]
    subs = subscriptions(tmp_path, [{"name": "lost", "channels": [inbox.url(",".join(to))],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    assert find_new_alerts(store, subs, DEFAULT).created >= 1
    [first, *_] = list(store.due_alerts(["lost"], now()))
    real_send, calls = delivery.send, []

    def send_then_lose_the_claim(url, message):
        real_send(url, message)
        calls.append(url)
        if len(calls) == 1:  # another pass takes the record over (as if this one had outrun its claim)
            store.update_alert(first.alert_id, claimed_until=now() - timedelta(seconds=1))
            assert store.claim_alert(first.alert_id, now(), now() + DEFAULT.claim_timeout) is not None

    monkeypatch.setattr(delivery, "send", send_then_lose_the_claim)
    only = [r for r in store.due_alerts(["lost"], now()) if r.alert_id == first.alert_id]
    monkeypatch.setattr(store, "due_alerts", lambda subs_, at: iter(only))
    deliver_immediate(store, subs, DEFAULT)
    assert len(calls) == 1 and len(inbox.delivered) == 1
    assert store.alert(first.alert_id).status == "sending"  # the other pass's, untouched


def test_an_alert_created_just_before_the_boundary_is_in_that_digest(store, stories, inbox, tmp_path, es):
    """Created at 07:59:58 by a finding pass, not yet searchable at the 08:00:03 run (the index refreshes every
    few seconds): the digest was built without it, and that period's digest existing, it waited a day."""
    from pipeline.store.documents import AlertRecord

    subs = subscriptions(tmp_path, [{"name": "daily", "mode": "digest", "channels": [inbox.url("d@example.org")],
                                     "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
    story = stories[0]
    es.indices.put_settings(index=store.index("alerts"), settings={"index.refresh_interval": "-1"})
    try:
        created = now()
        assert store.create_alert(AlertRecord(alert_id="daily-late", kind="story", subscription="daily",
                                              mode="digest", story_id=story.story_id, title=story.title,
                                              published=story.published, created=created, next_attempt=created))
        report = run_digests(store, subs, DEFAULT, at=created + timedelta(hours=1))
    finally:
        es.indices.put_settings(index=store.index("alerts"), settings={"index.refresh_interval": None})
    assert report.sent == 1 and story.title.split()[0] in html_part(inbox.messages[0])


def test_a_digest_out_of_attempts_hands_its_stories_back(store, stories, inbox, tmp_path):
    """A digest that failed for good left its alerts "in-digest" for ever: the whole period's stories were lost."""
    subs = subscriptions(tmp_path, [{"name": "lost-day", "mode": "digest", "channels": [inbox.url("d@example.org")],
                                     "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
    created = find_new_alerts(store, subs, DEFAULT).created
    assert created >= 1
    inbox.stop()
    once = DEFAULT.model_copy(update={"max_attempts": 1})
    assert run_digests(store, subs, once, at=now() + timedelta(hours=1)).failed == 1
    inbox.start()
    assert run_digests(store, subs, once, at=now() + timedelta(hours=2)).sent == 1
    assert len(inbox.messages) == 1 and store.alert_summary("lost-day")["counts"].get("sent", 0) == created + 1


def test_a_digest_given_up_by_a_pass_that_died_before_handing_its_stories_back_still_hands_them_back(
        store, stories, inbox, tmp_path, monkeypatch):
    """The digest was marked failed, then the pass died (an Elasticsearch timeout, a killed worker) before its alerts
    were handed back: they stayed "in-digest" under a message nothing sends again."""
    subs = subscriptions(tmp_path, [{"name": "died", "mode": "digest", "channels": [inbox.url("d@example.org")],
                                     "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
    created = find_new_alerts(store, subs, DEFAULT).created
    assert created >= 1
    inbox.stop()
    once = DEFAULT.model_copy(update={"max_attempts": 1})
    real = store.update_many

    def dies_handing_back(kind, ids, **fields):
        if fields.get("digest_id", "kept") is None:
            raise RuntimeError("the worker was killed")
        return real(kind, ids, **fields)

    monkeypatch.setattr(store, "update_many", dies_handing_back)
    with pytest.raises(RuntimeError):
        run_digests(store, subs, once, at=now() + timedelta(hours=1))
    monkeypatch.undo()
    inbox.start()
    run_digests(store, subs, once, at=now() + timedelta(hours=2))
    assert len(inbox.messages) == 1 and store.alert_summary("died")["counts"].get("sent", 0) == created + 1


def test_a_stranded_digest_found_after_its_stories_stopped_being_news_expires_them(
        store, stories, inbox, tmp_path, monkeypatch):
    """Handed back weeks later (the first run after an upgrade finds every digest ever left so), its alerts went out
    one by one as retries: old news, which expiry at delivery is there to stop."""
    store.write_stories([s.model_copy(update={"published": now() - timedelta(hours=1)}) for s in stories])
    subs = subscriptions(tmp_path, [{"name": "stale", "mode": "digest", "channels": [inbox.url("d@example.org")],
                                     "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
    config = DEFAULT.model_copy(update={"max_age": timedelta(hours=48), "max_attempts": 1})
    created = find_new_alerts(store, subs, config).created
    assert created >= 1
    inbox.stop()
    real = store.update_many
    monkeypatch.setattr(store, "update_many", lambda kind, ids, **fields: (_ for _ in ()).throw(RuntimeError("killed"))
                        if fields.get("digest_id", "kept") is None else real(kind, ids, **fields))
    with pytest.raises(RuntimeError):
        run_digests(store, subs, config, at=now() + timedelta(hours=1))
    monkeypatch.undo()
    inbox.start()
    run_digests(store, subs, config, at=now() + timedelta(days=3))
    assert inbox.messages == [] and store.alert_summary("stale")["counts"].get("expired", 0) == created


def test_a_subscription_whose_channel_cannot_be_used_for_a_while_still_gets_that_times_stories(
        store, settings, stories, webhook, tmp_path, monkeypatch):
    """Its secret unset during a redeploy, a subscription was left out of matching while the watermark moved on:
    the stories of that time never reached it. They are recorded and wait for the channel instead."""
    from pipeline.alerts.finding import find_alerts
    from pipeline.ops.tasks import deliver_due, for_matching

    monkeypatch.delenv("ALERT_LATER_HOOK", raising=False)
    (tmp_path / "alerts.yaml").write_text(yaml.safe_dump({"subscriptions": [
        {"name": "later", "since": LONG_AGO, "channels": ["${ALERT_LATER_HOOK}"], "rule": {"keywords": {"any": ["Roxham"]}}}]}))
    configured = settings.model_copy(update={"config_dir": tmp_path, "alerts": DEFAULT})
    found = for_matching(find_alerts)(store, configured)
    assert found.created >= 1
    assert deliver_due(store, configured).sent == 0 and webhook.received == []  # held: nowhere to send yet
    monkeypatch.setenv("ALERT_LATER_HOOK", webhook.url)
    assert deliver_due(store, configured).sent == found.created and len(webhook.received) == found.created


def test_a_digest_that_reached_some_recipients_keeps_its_stories_when_it_fails(store, stories, inbox, tmp_path):
    """Handed back after reaching one of two recipients, a failed digest's stories went to that one again in the
    next digest, and again, for as long as the other address bounced."""
    inbox.refused.add("gone@example.org")
    subs = subscriptions(tmp_path, [{"name": "half", "mode": "digest", "digest": {"every": "hourly"},
                                     "channels": [inbox.url("desk@example.org,gone@example.org")],
                                     "rule": {"topics": ["asylum-border"]}}])
    assert find_new_alerts(store, subs, DEFAULT).created >= 1
    once = DEFAULT.model_copy(update={"max_attempts": 1})
    assert run_digests(store, subs, once, at=now() + timedelta(hours=1)).failed == 1
    assert inbox.delivered == ["desk@example.org"]
    run_digests(store, subs, once, at=now() + timedelta(hours=2))
    assert inbox.delivered == ["desk@example.org"]  # not mailed the same stories again
    assert "in-digest" not in store.alert_summary("half")["counts"]  # they went out (to one), not pending for ever


def test_another_write_to_a_claimed_record_is_no_lost_claim(store, stories, inbox, tmp_path, monkeypatch):
    """A syndicated copy adding its outlet to the record between a pass's read and its write made the pass
    believe another had taken the record over: it stopped with a part sent and not recorded."""
    subs = subscriptions(tmp_path, [{"name": "busy", "channels": [inbox.url("a@example.org,b@example.org")],
                                     "rule": {"keywords": {"any": ["Roxham"]}}}])
    assert find_new_alerts(store, subs, DEFAULT).created >= 1
    [first, *_] = list(store.due_alerts(["busy"], now()))
    monkeypatch.setattr(store, "due_alerts", lambda subs_, at: iter([first]))
    real_update, interleaved = store.client.update, []

    def update(**kwargs):
        if "if_seq_no" in kwargs and "channels_sent" in kwargs.get("doc", {}) and not interleaved:
            interleaved.append(True)  # a copy's outlet lands first
            real_update(index=kwargs["index"], id=kwargs["id"], doc={"other_outlets": ["Copy Outlet"]}, refresh=True)
        return real_update(**kwargs)

    monkeypatch.setattr(store.client, "update", update)
    assert deliver_immediate(store, subs, DEFAULT).sent == 1
    assert interleaved and sorted(inbox.delivered) == ["a@example.org", "b@example.org"]
    assert store.alert(first.alert_id).status == "sent"


def test_a_channel_variable_set_but_empty_holds_the_subscription_as_an_unset_one_does(tmp_path):
    """compose's `${X:-}` leaves a variable empty: the URL became "json://" and the subscription was off, its
    stories of that time lost."""
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"subscriptions": [{"name": "desk", "channels": ["${ALERT_HOOK}"], "rule": {}}]}))
    for env in ({}, {"ALERT_HOOK": ""}):
        assert [s.name for s in load_subscriptions(path, env=env, strict=False, matching=True)] == ["desk"], env
        assert load_subscriptions(path, env=env, strict=False) == []


def test_a_claim_whose_answer_was_lost_is_this_passs_not_another_ones(store):
    """The client sends an update whose answer timed out again (`retry_on_timeout`); the node refuses the second,
    its sequence number taken by the first: the pass read its own claim as another's, and the alert waited,
    claimed by nobody, until the claim ran out (a renewal so lost stopped the pass half way)."""
    from pipeline.store.documents import AlertRecord

    at = now()
    store.create_alert(AlertRecord(alert_id="a1", kind="story", subscription="s", mode="immediate", created=at))
    until = at + DEFAULT.claim_timeout
    with answers_lost(store.client, "POST", "/_update/a1") as lost:
        claimed = store.claim_alert("a1", at, until)
    assert lost and claimed is not None and claimed.status == "sending" and claimed.claimed_until == until
    assert store.claim_alert("a1", at, until + DEFAULT.claim_timeout) is None  # held: no other pass gets it
    renewed = until + timedelta(minutes=1)
    with answers_lost(store.client, "POST", "/_update/a1") as lost:
        assert store.keep_claim("a1", until, claimed_until=renewed, channels_sent=["webhook"])
    assert lost and store.alert("a1").claimed_until == renewed
    assert not store.keep_claim("a1", until, claimed_until=renewed)  # a claim it no longer holds is still refused
