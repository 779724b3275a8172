"""Surge alerts end to end: stories placed by the live events stage on the real node, alerts to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.alerts.delivery import deliver_immediate, run_digests
from pipeline.alerts.finding import find_alerts
from pipeline.alerts.subscriptions import load_subscriptions
from pipeline.errors import ConfigError
from pipeline.events.live import track_events
from tests.alerts.test_alerts import DEFAULT, LONG_AGO, html_part, subject, subscriptions
from tests.events.test_live import kept_stories, zorland


@pytest.fixture
def surged(store, settings):
    """The synthetic stream placed batch by batch, as successive enrichment runs would: the burst surges."""
    stories = kept_stories()
    for start in range(0, len(stories), 8):
        store.write_stories(stories[start: start + 8])
        track_events(store, settings)
    assert store.count("surges"), "the burst raised no surge"
    return stories


def test_a_surge_alert_goes_out_once_with_its_chart(store, surged, inbox, tmp_path):
    subs = subscriptions(tmp_path, [
        {"name": "surge-desk", "channels": [inbox.url("desk@example.org")], "stories": False,
         "surges": {"topics": ["asylum-border"]}},
        {"name": "people-only", "channels": [inbox.url("people@example.org")], "stories": False,
         "surges": {"kinds": ["person"], "names": ["Somebody Else"]}},
    ])
    found = find_alerts(store, subs, DEFAULT)
    delivered = deliver_immediate(store, subs, DEFAULT)
    surges = list(store.scan("surges", {"match_all": {}}, [{"start": "asc"}]))
    wanted = surges  # of every kind of series: the default
    assert found.surges == found.created == len(wanted) >= 1
    assert delivered.sent == len(inbox.messages) == len(wanted)
    assert all(m["To"] == "desk@example.org" for m in inbox.messages)

    mail = inbox.messages[0]
    assert subject(mail).startswith("[Newswatch] Surge: ")
    body = html_part(mail)
    assert "data:image/png;base64," in body and "Why:" in body and "expect" in body
    assert "/app/discover#/" in body  # the link text channels get
    pngs = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert pngs and pngs[0].get_payload(decode=True).startswith(b"\x89PNG")
    titles = {s.title for s in surged if s.story_id in zorland(surged)}
    assert any(t.replace("'", "&#39;") in body for t in titles)

    again = find_alerts(store, subs, DEFAULT)
    assert again.created == 0 and deliver_immediate(store, subs, DEFAULT).sent == 0
    assert len(inbox.messages) == len(wanted)


def test_surges_before_a_subscription_began_are_held_back(store, surged, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "late", "channels": [inbox.url("late@example.org")],
                                     "stories": False, "surges": {}}], since=None)
    found = find_alerts(store, subs, DEFAULT)
    assert found.created == 0 and found.too_old >= 1
    assert deliver_immediate(store, subs, DEFAULT).sent == 0 and not inbox.messages


def test_surges_that_last_moved_long_ago_are_held_back_for_an_old_subscription(store, surged, inbox, tmp_path):
    """A subscription begun long ago that asks for surges today is not sent weeks-old surges as news."""
    from pipeline.settings import AlertSettings

    subs = subscriptions(tmp_path, [{"name": "old-desk", "channels": [inbox.url("old@example.org")],
                                     "stories": False, "surges": {}}])
    config = AlertSettings(rate_per_hour=1000)  # the 48-hour age limit stories have
    found = find_alerts(store, subs, config)
    assert found.created == 0 and found.too_old >= 1
    assert deliver_immediate(store, subs, config).sent == 0 and not inbox.messages


def test_a_digest_lists_surges_once(store, surged, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "weekly", "mode": "digest", "channels": [inbox.url("d@example.org")],
                                     "stories": False, "surges": {"kinds": ["topic", "event"]},
                                     "digest": {"every": "hourly"}}])
    found = find_alerts(store, subs, DEFAULT)
    assert found.created >= 1 and deliver_immediate(store, subs, DEFAULT).sent == 0
    later = store.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, minutes=1)
    sent = run_digests(store, subs, DEFAULT, at=later)
    assert sent.sent == 1 and len(inbox.messages) == 1
    assert "Surges (" in html_part(inbox.messages[0])
    assert run_digests(store, subs, DEFAULT, at=later).sent == 0


def test_a_digest_lists_a_story_once_when_a_surge_carries_it_too(store, surged, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "both", "mode": "digest", "channels": [inbox.url("b@example.org")],
                                     "rule": {"keywords": {"any": ["Zorland"]}}, "surges": {},
                                     "digest": {"every": "hourly"}}])
    store.write_stories([s.model_copy(update={"enriched_at": store.now()}) for s in surged])  # news to alert on
    found = find_alerts(store, subs, DEFAULT)
    assert found.surges >= 1 and found.created > found.surges  # story alerts and surge alerts
    later = store.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, minutes=1)
    assert run_digests(store, subs, DEFAULT, at=later).sent == 1
    body = html_part(inbox.messages[0])
    titles = {s.title.replace("'", "&#39;") for s in surged if s.story_id in zorland(surged)}
    listed = {t: body.count(f">{t}<") for t in titles}
    assert all(n <= 1 for n in listed.values()) and sum(listed.values()) == len(titles), listed


def test_a_subscription_must_ask_for_something(tmp_path: Path):
    path = tmp_path / "alerts.yaml"
    path.write_text(f"subscriptions:\n  - name: nothing\n    channels: [\"json://127.0.0.1:1/\"]\n"
                    f"    stories: false\n    since: {LONG_AGO!r}\n")
    with pytest.raises(ConfigError, match="neither stories nor surges"):
        load_subscriptions(path)
    path.write_text("subscriptions:\n  - name: norule\n    channels: [\"json://127.0.0.1:1/\"]\n")
    with pytest.raises(ConfigError, match="needs a `rule:`"):
        load_subscriptions(path)


def test_new_speaker_alerts_only_for_a_voice_never_quoted_on_the_topic(store, tmp_path):
    from datetime import UTC, datetime

    from pipeline.store.documents import QuoteDoc, Story

    def story(sid: str, day: int, quoted: list[str]) -> Story:
        when = datetime(2026, 11, day, 9, tzinfo=UTC)
        return Story(story_id=sid, url=f"https://news.example/{sid}", canonical_url=f"https://news.example/{sid}",
                     feed_id="f", outlet="Outlet", language="en", country="CA", title=f"Story {sid}", published=when,
                     ingested=when, first_seen=when, run_id="r", topics=["asylum-border"], enriched=True,
                     enriched_at=when, quoted=quoted, cluster_id=sid)

    def quote(s: Story, who: str) -> tuple[str, QuoteDoc]:
        return f"{s.story_id}-{who}", QuoteDoc(
            quote_id=f"{s.story_id}-{who}", story_id=s.story_id, quote="We will act.", speaker=who,
            speaker_canonical=who, verb="said", kind="direct", start=0, end=10, outlet=s.outlet, feed_id="f",
            language="en", published=s.published, ingested=s.ingested, topics=s.topics, title=s.title, url=s.url, run_id="r")

    old = story("old", 1, ["Marc Miller"])
    known = story("known", 3, ["Marc Miller"])
    fresh = story("fresh", 4, ["Marc Miller", "Anna Lee"])
    store.write_stories([old, known, fresh])
    store.write("quotes", [quote(old, "Marc Miller"), quote(known, "Marc Miller"), quote(fresh, "Marc Miller"),
                           quote(fresh, "Anna Lee")])
    assert store.first_quoted(old) == ["Marc Miller"] and store.first_quoted(known) == []
    assert store.first_quoted(fresh) == ["Anna Lee"]
    subs = subscriptions(tmp_path, [{"name": "new-voices", "channels": ["json://127.0.0.1:9/"],
                                     "rule": {"topics": ["asylum-border"], "new_speaker": True}}])
    found = find_alerts(store, subs, DEFAULT)
    made = sorted(r.story_id for r in store.scan("alerts", {"term": {"kind": "story"}}, [{"alert_id": "asc"}]))
    assert found.created == 2 and made == ["fresh", "old"]


def test_a_label_with_dollar_signs_draws_its_chart_and_a_failed_chart_never_stops_the_alert(store, monkeypatch):
    """Matplotlib reads "$…$" as a formula: a storyline titled with two sums of money once raised in every alerts
    run, before the record was claimed, and held up every alert behind it for good."""
    from datetime import UTC, datetime

    import pipeline.alerts.surges as surges
    from pipeline.store.documents import SurgeDoc

    png = surges.chart_png([("2026-12-01", 1), ("2026-12-02", 5)], 1.2, 'Ottawa\'s $1B "safe third country" plan: $2B more?')
    assert png.startswith(b"\x89PNG")

    def broken(*args, **kwargs):
        raise ValueError("no chart today")

    monkeypatch.setattr(surges, "chart_png", broken)
    surge = SurgeDoc(surge_id="s", topic="asylum-border", key="topic:asylum-border", kind="topic", label="asylum",
                     start=datetime(2026, 12, 1, tzinfo=UTC), peak=datetime(2026, 12, 2, tzinfo=UTC), score=3.0,
                     count=5, expected=0.5, updated=datetime(2026, 12, 2, tzinfo=UTC))
    message, chart = surges.surge_message(store, surge, "desk", "http://kibana")
    assert chart == b"" and "Surge: asylum" in message.title and "<img" not in message.html


def test_a_happening_on_two_topics_surges_once_for_a_subscriber_of_both(store, settings, inbox, tmp_path):
    """Each topic has its own detector, so a burst of stories on two topics raised its event's (and people's and
    places') surge twice: one alert per topic for the same happening."""
    stories = [s.model_copy(update={"topics": ["asylum-border", "refugees"]}) for s in kept_stories()]
    for start in range(0, len(stories), 8):
        store.write_stories(stories[start: start + 8])
        track_events(store, settings)
    surges = list(store.scan("surges", {"match_all": {}}, [{"start": "asc"}]))
    assert {s.topic for s in surges} == {"asylum-border", "refugees"}
    subs = subscriptions(tmp_path, [{"name": "all-surges", "channels": [inbox.url("desk@example.org")],
                                     "stories": False, "surges": {}}])
    found = find_alerts(store, subs, DEFAULT)
    happenings = {(s.key, s.start) for s in surges}
    assert found.surges == len(happenings) < len(surges)


def test_an_event_surging_hours_apart_on_two_topics_is_one_alert(store, inbox, tmp_path):
    """The refugees detector crossed its line three hours after the asylum one (its share of the stories came
    later): two starts, so two alert keys and two "Surge: …" mails for one happening to a subscriber of both."""
    from datetime import datetime

    from pipeline.store.documents import SurgeDoc

    now = store.now()
    first, later = now - timedelta(hours=5), now - timedelta(hours=2)

    def surge(topic: str, start: datetime, end: datetime | None = None, key: str = "event:ev-1") -> SurgeDoc:
        return SurgeDoc(surge_id=f"{topic}|{key}|{start.isoformat()}", topic=topic, key=key, kind=key.split(":")[0],
                        label="Boat capsizes off Lampedusa", start=start, peak=start + timedelta(hours=1), end=end,
                        score=4.0, count=5, expected=0.4, story_ids=["s1", "s2", "s3"], updated=now)

    store.write("surges", [(s.surge_id, s) for s in (
        # asylum's surge ends while the refugees one still runs, and asylum surges again: one happening throughout
        surge("asylum-border", first, end=now - timedelta(minutes=90)), surge("refugees", later),
        surge("asylum-border", now - timedelta(hours=1)),
        # the same series surging again after it had cooled down is another happening
        surge("asylum-border", now - timedelta(days=9), end=now - timedelta(days=8)),
        surge("refugees", now - timedelta(days=8, hours=12), end=now - timedelta(days=8, hours=6)))])
    subs = subscriptions(tmp_path, [{"name": "all-surges", "channels": [inbox.url("desk@example.org")],
                                     "stories": False, "surges": {}, "since": "2000-01-01T00:00:00Z"}])
    found = find_alerts(store, subs, DEFAULT.model_copy(update={"max_age": timedelta(days=30)}))
    assert found.surges == found.created == 2  # today's happening once, and the one of eight days ago once


def test_a_surge_closed_later_back_to_its_last_hot_hour_keeps_the_happening_it_began(store, inbox, tmp_path):
    """A person's surge on one topic was open when another topic's began; hours later its detector cooled down and
    set its end back to its last hot hour, before the other began: the other, read again, became a happening of
    its own and the same happening was mailed twice."""
    from pipeline.store.documents import SurgeDoc

    now = store.now()

    def surge(topic: str, start, end=None) -> SurgeDoc:
        return SurgeDoc(surge_id=f"{topic}|person:x|{start.isoformat()}", topic=topic, key="person:x", kind="person",
                        label="Jane Roe", start=start, peak=start + timedelta(hours=1), end=end, score=4.0, count=5,
                        expected=0.4, story_ids=["s1", "s2", "s3"], updated=store.now())

    first, second = surge("asylum-border", now - timedelta(hours=9)), surge("refugees", now - timedelta(hours=3))
    store.write("surges", [(s.surge_id, s) for s in (first, second)])
    subs = subscriptions(tmp_path, [{"name": "people", "channels": [inbox.url("desk@example.org")],
                                     "stories": False, "surges": {}, "since": "2000-01-01T00:00:00Z"}])
    config = DEFAULT.model_copy(update={"max_age": timedelta(days=30)})
    assert find_alerts(store, subs, config).created == 1
    closed = first.model_copy(update={"end": now - timedelta(hours=8), "updated": store.now()})  # its last hot hour
    grown = second.model_copy(update={"count": 7, "updated": store.now()})
    store.write("surges", [(closed.surge_id, closed), (grown.surge_id, grown)])
    assert find_alerts(store, subs, config).created == 0


def test_a_surge_written_after_a_later_one_of_its_happening_was_alerted_joins_that_alert(store, inbox, tmp_path):
    """Topic B's detector raised an event's surge at 10:30 and it was mailed; a slow feed's story then took topic
    A over the line back at 10:10. Keyed by the earlier start, the happening was mailed a second time, and the
    first surge, grown, a third."""
    from pipeline.store.documents import SurgeDoc

    now = store.now()

    def surge(topic: str, start, count: int = 5) -> SurgeDoc:
        return SurgeDoc(surge_id=f"{topic}|event:ev-x|{start.isoformat()}", topic=topic, key="event:ev-x", kind="event",
                        label="Boat capsizes off Lampedusa", start=start, peak=start + timedelta(hours=1), end=None,
                        score=4.0, count=count, expected=0.4, story_ids=["s1", "s2", "s3"], updated=store.now())

    subs = subscriptions(tmp_path, [{"name": "events", "channels": [inbox.url("desk@example.org")],
                                     "stories": False, "surges": {}, "since": "2000-01-01T00:00:00Z"}])
    config = DEFAULT.model_copy(update={"max_age": timedelta(days=30)})
    later = surge("refugees", now - timedelta(hours=2))
    store.write("surges", [(later.surge_id, later)])
    assert find_alerts(store, subs, config).created == 1
    earlier = surge("asylum-border", now - timedelta(hours=2, minutes=20))
    store.write("surges", [(earlier.surge_id, earlier)])
    assert find_alerts(store, subs, config).created == 0
    grown = later.model_copy(update={"count": 9, "updated": store.now()})
    store.write("surges", [(grown.surge_id, grown)])
    assert find_alerts(store, subs, config).created == 0
    elsewhere = surge("asylum-border", now - timedelta(days=9)).model_copy(update={"end": now - timedelta(days=8)})
    store.write("surges", [(elsewhere.surge_id, elsewhere)])  # the series nine days ago: another happening
    assert find_alerts(store, subs, config).created == 1
