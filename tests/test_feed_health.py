"""Feed health verdicts, from poll histories and from real polls against the real node."""

from datetime import UTC, datetime, timedelta

from pipeline.config import load_feeds
from pipeline.documents import PollRecord
from pipeline.feed_health import classify, feed_health, report
from pipeline.local.replay import REPLAY_DIR
from pipeline.poll import poll_feeds
from tests.support import replay_settings

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def polls(new_at_hours: list[int], last_hour: int, latency: float = 0.2, failures: int = 0) -> list[PollRecord]:
    out = []
    for hour in range(0, last_hour + 1):
        out.append(PollRecord(feed_id="f", time=T0 + timedelta(hours=hour), outcome="ok", latency=latency,
                              new_items=2 if hour in new_at_hours else 0, consecutive_failures=0))
    for n in range(failures):
        out.append(PollRecord(feed_id="f", time=T0 + timedelta(hours=last_hour + 1 + n), outcome="error",
                              error_class="http_500", error_message="HTTP 500", consecutive_failures=n + 1))
    return out


def test_a_wire_feed_going_quiet_is_silent_within_hours():
    history = polls(new_at_hours=list(range(0, 24)), last_hour=36)  # new items hourly, then 12 h of nothing
    verdict = classify("wire", history, T0 + timedelta(hours=36))
    assert verdict.status == "silent" and "usually brings one every 1.0 h" in verdict.reason


def test_a_weekly_feed_is_not_silent_after_a_day():
    history = polls(new_at_hours=[0, 168, 336, 504], last_hour=530)
    assert classify("weekly", history, T0 + timedelta(hours=530)).status == "ok"
    assert classify("weekly", history, T0 + timedelta(hours=504 + 4 * 168 + 1)).status == "silent"


def test_failing_and_slow():
    assert classify("f", polls([0, 1, 2, 3], 4, failures=2), T0 + timedelta(hours=7)).status == "failing"
    assert classify("f", polls([0, 1, 2, 3], 4, failures=1), T0 + timedelta(hours=6)).status == "ok"
    assert classify("s", polls([0, 1, 2, 3], 4, latency=12.0), T0 + timedelta(hours=5)).status == "slow"
    assert classify("n", [], T0).status == "new"


def test_health_from_real_polls_lists_failing_and_silent(store, settings, web, tmp_path):
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    settings = replay_settings(settings, web.url, feeds_file)
    ids = [f.id for f in load_feeds(feeds_file)]
    poll_feeds(store, settings, ids, run_id="health-1")
    poll_feeds(store, settings, ids, run_id="health-2")
    today = {h.feed_id: h for h in feed_health(store, ids)}
    assert today["replay-not-a-feed"].status == "failing" and "not_a_feed" in today["replay-not-a-feed"].reason
    assert today["replay-canada"].status == "ok" and sum(n for _, n in today["replay-canada"].new_per_day) >= 10
    later = {h.feed_id: h for h in feed_health(store, ids, at=datetime.now(UTC) + timedelta(days=3))}
    assert later["replay-canada"].status == "silent" and "no new item for" in later["replay-canada"].reason
    listing = report(list(later.values()))
    assert "replay-not-a-feed" in listing and "failing" in listing and "silent" in listing


def test_health_page_shows_status_and_reason(store, settings, web, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from pipeline.health_app import create_app

    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    settings = replay_settings(settings, web.url, feeds_file)
    poll_feeds(store, settings, ["replay-not-a-feed", "replay-quebec"], run_id="page")
    poll_feeds(store, settings, ["replay-not-a-feed"], run_id="page-2")
    client = TestClient(create_app(settings))
    rows = {r["feed_id"]: r for r in client.get("/api/feeds").json()}
    assert rows["replay-not-a-feed"]["status"] == "failing" and rows["replay-quebec"]["status"] == "ok"
    assert rows["replay-canada"]["status"] == "new"
    page = client.get("/").text
    assert "<tr class='failing' data-feed='replay-not-a-feed'>" in page and "1 failing" in page
    assert "an HTML page was served where a feed was expected" in page
    assert 'http-equiv="refresh"' in page and "prefers-color-scheme: dark" in page  # refreshes, light and dark
    assert " UTC</td>" in page  # times say their zone
    row = page[page.index("data-feed='replay-quebec'"):].split("</tr>")[0]
    assert 'href="http://replay.newswatch.invalid/feeds/quebec.rss"' in row  # the feed itself
    assert 'href="/dags/newswatch_poll/runs/page"' in row and 'target="_top"' in row  # its last poll's log
    assert "/app/discover#" in row and "feed_id:%22replay-quebec%22" in row  # its stories in Kibana
